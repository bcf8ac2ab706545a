//! [`Metric`]: the backtest metric that picks a model and decides promotions.

use super::backtest::ModelSummary;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The backtest metric that picks the model and decides promotions (lower is better).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    #[default]
    Rmse,
    Mase,
    Smape,
    Mae,
}

impl Metric {
    pub fn of(&self, s: &ModelSummary) -> f64 {
        match self {
            Metric::Rmse => s.rmse,
            Metric::Mase => s.mase,
            Metric::Smape => s.smape,
            Metric::Mae => s.mae,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Metric::Rmse => "rmse",
            Metric::Mase => "mase",
            Metric::Smape => "smape",
            Metric::Mae => "mae",
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Metric {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rmse" => Ok(Metric::Rmse),
            "mase" => Ok(Metric::Mase),
            "smape" => Ok(Metric::Smape),
            "mae" => Ok(Metric::Mae),
            other => Err(format!("unknown metric '{other}': use rmse, mase, smape or mae")),
        }
    }
}
