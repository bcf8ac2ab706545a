//! The Forecast feature: the model, horizon and levels, the forecast of the selected series as
//! a task (in steps in the browser, Cancel between them), its plot with kept forecasts and
//! backtest overlays, the model's description, and the CSV and PNG exports.

pub mod decimate;
pub mod panel;
pub mod plan;
pub mod plan_panel;
pub mod plot;
pub mod png_export;
mod state;
pub mod task;
pub mod totals;
mod view;

pub use state::{ForecastEffect, ForecastState, Started, TotalsStart};
pub use view::{AutoChoice, ForecastMsg, ResultView};
