//! The GBM's settings as a [`crate::models::ModelSpec`] stores them: the multi-step strategy, the
//! loss, and a parameter search's budget and result.

use crate::data::calendar::Frequency;
use crate::tune::{Budget, Space, Trial};
use horizon_gbm::{Objective, Params};
use serde::{Deserialize, Serialize};

/// How the GBM forecasts several steps ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// One booster of the next value; each forecast joins the history of the next step.
    #[default]
    Recursive,
    /// One booster per block of steps (see [`Strategy::gaps`]), each forecasting from features
    /// that end `gap` steps before its target; longer horizons repeat the blocks, the
    /// forecasts of earlier blocks joining the history.
    Direct,
}

impl Strategy {
    /// The gaps between a booster's last input and its target: `[1]` for the recursive
    /// strategy; four blocks for the direct one (weeks of daily data — 7, 14, 21, 28 — 4 weeks
    /// of weekly, quarters of monthly, half-years of quarterly data).
    pub fn gaps(self, freq: Frequency) -> Vec<usize> {
        match self {
            Strategy::Recursive => vec![1],
            Strategy::Direct => {
                let block = match freq {
                    Frequency::Daily => 7,
                    Frequency::Weekly => 4,
                    Frequency::Monthly => 3,
                    Frequency::Quarterly => 2,
                };
                (1..=4).map(|k| k * block).collect()
            }
        }
    }
}

/// What the boosters learn to forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Loss {
    /// Squared error: the conditional mean (`gbm`, `gbm-direct`).
    #[default]
    Squared,
    /// Absolute error, the pinball loss at one half: the conditional median (`gbm-median`,
    /// `gbm-direct-median`; LightGBM's `objective = "l1"`; Friedman 2001, *Greedy function
    /// approximation: a gradient boosting machine*, Annals of Statistics 29(5), §4.2: least
    /// absolute deviation boosting). Robust to outliers in the target; on the generated retail
    /// panel it is 1–3 % behind the squared loss on MASE and adds nothing to an ensemble
    /// (benches/RESULTS.md, "median GBMs as members").
    Absolute,
    /// Poisson log-likelihood with a log link: the mean of counts (`gbm-poisson`,
    /// `gbm-direct-poisson`; LightGBM's `objective = "poisson"`). Sales of zero or more only.
    Poisson,
    /// Tweedie log-likelihood with a log link and a variance power between 1 and 2 (the
    /// compound Poisson–gamma: counts with many zeros; `gbm-tweedie`, `gbm-tweedie:1.3`;
    /// LightGBM's `objective = "tweedie"`, with which the M5 competition was won). Sales of
    /// zero or more only.
    Tweedie(Power),
}

/// A Tweedie variance power in (1, 2), kept in hundredths so that specs compare and hash;
/// written as the number (`1.5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "f64", try_from = "f64")]
pub struct Power(u8);

impl Power {
    /// LightGBM's default `tweedie_variance_power`.
    pub const DEFAULT: Power = Power(150);

    pub fn value(self) -> f64 {
        f64::from(self.0) / 100.0
    }
}

impl Default for Power {
    fn default() -> Power {
        Power::DEFAULT
    }
}

impl From<Power> for f64 {
    fn from(p: Power) -> f64 {
        p.value()
    }
}

impl TryFrom<f64> for Power {
    type Error = String;
    /// The power rounded to hundredths; 1.01 to 1.99.
    fn try_from(v: f64) -> Result<Power, String> {
        let hundredths = (v * 100.0).round();
        if (101.0..=199.0).contains(&hundredths) {
            Ok(Power(hundredths as u8))
        } else {
            Err(format!("a Tweedie variance power is between 1.01 and 1.99 (got {v})"))
        }
    }
}

impl std::fmt::Display for Power {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.value())
    }
}

impl Loss {
    /// The booster objective.
    pub fn objective(self) -> Objective {
        match self {
            Loss::Squared => Objective::SquaredError,
            Loss::Absolute => Objective::Quantile(0.5),
            Loss::Poisson => Objective::Poisson,
            Loss::Tweedie(p) => Objective::Tweedie(p.value()),
        }
    }

    /// The loss whose objective `o` is (squared for any other quantile).
    pub fn of(o: Objective) -> Loss {
        match o {
            Objective::Quantile(0.5) => Loss::Absolute,
            Objective::Poisson => Loss::Poisson,
            Objective::Tweedie(p) => Loss::Tweedie(Power::try_from(p).unwrap_or_default()),
            _ => Loss::Squared,
        }
    }

    /// Whether the loss models counts (sales of zero or more, a mean never below zero).
    pub fn is_count(self) -> bool {
        matches!(self, Loss::Poisson | Loss::Tweedie(_))
    }
}

/// The model's name for a strategy and a loss: `gbm`, `gbm-direct`, `gbm-median`,
/// `gbm-direct-median`, `gbm-poisson`, `gbm-tweedie`, … (`gbm-tweedie:1.3` for a Tweedie power
/// other than the default, so two powers compared side by side have their own names).
pub fn model_name(strategy: Strategy, loss: Loss) -> String {
    let base = match strategy {
        Strategy::Recursive => "gbm",
        Strategy::Direct => "gbm-direct",
    };
    match loss {
        Loss::Squared => base.into(),
        Loss::Absolute => format!("{base}-median"),
        Loss::Poisson => format!("{base}-poisson"),
        Loss::Tweedie(p) if p == Power::DEFAULT => format!("{base}-tweedie"),
        Loss::Tweedie(p) => format!("{base}-tweedie:{p}"),
    }
}

/// What the search found.
#[derive(Debug, Clone)]
pub struct Tuned {
    pub params: Params,
    /// Validation loss of the default parameters and of the best trial.
    pub default_loss: f64,
    pub best_loss: f64,
    pub space: Space,
    pub trials: Vec<Trial>,
}

/// A search the user asked for, as a [`super::ModelSpec`] stores it: a number of trials and
/// optionally a time limit in whole seconds (integers, so specs compare and hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tuning {
    pub trials: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u64>,
}

impl Tuning {
    pub fn budget(&self) -> Budget {
        Budget {
            trials: self.trials.max(1),
            seconds: self.seconds.map(|s| s as f64),
        }
    }
}
