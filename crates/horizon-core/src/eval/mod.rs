//! Evaluation: accuracy and interval metrics, rolling-origin backtests, and the metric that
//! picks a model.

pub mod backtest;
pub mod metrics;
pub mod selection;

pub use backtest::{
    BacktestConfig, BacktestError, BacktestResult, FoldResult, ModelSummary, backtest_panel, backtest_panel_levels,
};
pub use metrics::{LengthMismatch, Metrics, seasonal_scale};
pub use selection::Metric;
