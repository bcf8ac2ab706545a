//! The Data feature: open a file (dialog, drag and drop, recent files, sample, generator,
//! manual entry, and on the desktop Parquet and raw transactions), see how it was read,
//! correct the column guesses, read the validation report, preview rows, pick a series.
//!
//! [`state`] holds the feature's state, messages and effects; the panels draw it and answer
//! the effects the user asked for, which the workbench's shell carries out.

pub mod columns;
pub mod manual;
pub mod manual_panel;
pub mod panel;
pub mod preview;
pub mod sample;
mod state;
pub mod totals;
#[cfg(not(target_arch = "wasm32"))]
pub mod transactions;
#[cfg(not(target_arch = "wasm32"))]
pub mod transactions_panel;

pub use manual::ManualGrid;
#[cfg(not(target_arch = "wasm32"))]
pub use state::read_recent;
pub use state::{DataEffect, DataMsg, DataState, Loaded, generate, sample_file};
