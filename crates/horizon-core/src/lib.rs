//! Horizon forecasting core.
//!
//! Bytes in, values out: this crate never touches the file system, the network or a UI, so the
//! same code runs in the desktop workbench, the pipeline CLI and the browser (wasm32).
//!
//! * [`data`] — CSV ingestion into a [`data::Panel`], validation [`data::Report`], calendar
//!   (frequency inference, date stepping) and the deterministic sample-data generator.
//! * [`models`] — the one [`models::Forecaster`] trait and the model families behind it.
//! * [`eval`] — metrics (as defined by the public benchmark) and rolling-origin backtests.
//! * [`export`] — the forecast table written by the CLI and the workbench.
//! * [`artifact`] — self-contained, checksummed files of trained models.
//! * [`pipeline`] — train: backtest candidates, pick, fit, build the artifact.

pub mod artifact;
pub mod data;
pub mod eval;
pub mod export;
pub mod forecast;
pub mod headline;
pub mod models;
pub mod monitor;
pub mod optim;
pub mod pipeline;
pub mod reconcile;
pub mod report;
pub mod stats;
pub mod tune;

pub use data::{Frequency, Panel, Series};
pub use models::{Fitted, Forecast, Forecaster, ModelError, ModelSpec};
