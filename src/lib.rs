//! The Horizon app: the egui workbench (desktop and browser) and, natively, the pipeline CLI.
//! All forecasting lives in `horizon-core`; this crate renders state and moves bytes.

pub mod app;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod registry;
#[cfg(target_arch = "wasm32")]
mod web;
#[cfg(target_arch = "wasm32")]
mod web_storage;
