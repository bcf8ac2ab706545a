//! Evaluation: accuracy and interval metrics, and rolling-origin backtests.

pub mod backtest;
pub mod metrics;

pub use backtest::{BacktestConfig, BacktestError, BacktestResult, FoldResult, ModelSummary, backtest_panel};
pub use metrics::{LengthMismatch, Metrics, seasonal_scale};
