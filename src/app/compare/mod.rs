//! The Compare feature: a rolling-origin backtest of each chosen model on the selected series
//! (the core's `backtest_panel`, run off the UI thread, one model per step), shown as a table
//! of mean metrics and a bar chart of MASE, exported as CSV under a timestamped name, and its
//! backtest forecasts drawn on the plot on demand.

pub mod panel;
mod state;

pub use state::{CompareEffect, CompareMsg, CompareState, Comparison, FOLDS};
