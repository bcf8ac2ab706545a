//! The GBM as a model family: `gbm`, `gbm-direct`, `gbm-median`, `gbm-direct-median`, each
//! with an optional season (`gbm:7`) and, from `--tune-trials`, a parameter search.

use super::{Gbm, Loss, Strategy, Tuning, model_name};
use crate::models::family::{Entry, Family, season_setting};
use crate::models::{Forecaster, ModelSpec};
use serde::{Deserialize, Serialize};

/// The GBM's settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GbmSpec {
    pub season: Option<usize>,
    /// Search the booster's parameters (TPE with median pruning) within this budget first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tune: Option<Tuning>,
    /// Recursive (`gbm`) or direct (`gbm-direct`) multi-step forecasts.
    #[serde(default, skip_serializing_if = "is_recursive")]
    pub strategy: Strategy,
    /// Mean (`gbm`) or median (`gbm-median`) forecasts.
    #[serde(default, skip_serializing_if = "is_squared")]
    pub loss: Loss,
}

fn is_recursive(s: &Strategy) -> bool {
    *s == Strategy::Recursive
}

fn is_squared(l: &Loss) -> bool {
    *l == Loss::Squared
}

impl GbmSpec {
    /// The GBM with a strategy and a loss, other settings at their defaults.
    pub fn of(strategy: Strategy, loss: Loss) -> GbmSpec {
        GbmSpec {
            strategy,
            loss,
            ..GbmSpec::default()
        }
    }

    /// The model these settings describe.
    pub fn model(&self) -> Gbm {
        Gbm::new(self.season, self.strategy, self.loss, self.tune)
    }
}

pub const GBM: Entry = Entry {
    names: &["gbm", "gbm-direct", "gbm-median", "gbm-direct-median"],
    parse: |name, setting| {
        Ok(ModelSpec::Gbm(GbmSpec {
            season: season_setting(setting)?,
            tune: None,
            strategy: if name.starts_with("gbm-direct") {
                Strategy::Direct
            } else {
                Strategy::Recursive
            },
            loss: if name.ends_with("-median") {
                Loss::Absolute
            } else {
                Loss::Squared
            },
        }))
    },
    defaults: || {
        [
            (Strategy::Recursive, Loss::Squared),
            (Strategy::Direct, Loss::Squared),
            (Strategy::Recursive, Loss::Absolute),
            (Strategy::Direct, Loss::Absolute),
        ]
        .into_iter()
        .map(|(s, l)| ModelSpec::Gbm(GbmSpec::of(s, l)))
        .collect()
    },
};

impl Family for GbmSpec {
    fn name(&self) -> String {
        model_name(self.strategy, self.loss)
    }
    fn summary(&self) -> &'static str {
        match (self.strategy, self.loss) {
            (Strategy::Recursive, Loss::Squared) => {
                "gradient-boosted trees on lags, rolling stats, calendar, holidays, drivers; one model for all series"
            }
            (Strategy::Direct, Loss::Squared) => {
                "gradient-boosted trees, one per block of the horizon (a week of daily data), no step-by-step feedback"
            }
            (Strategy::Recursive, Loss::Absolute) => {
                "gradient-boosted trees of the median (absolute error), same features; one model for all series"
            }
            (Strategy::Direct, Loss::Absolute) => {
                "gradient-boosted trees of the median, one per block of the horizon, no step-by-step feedback"
            }
        }
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(self.model())
    }
    fn is_global(&self) -> bool {
        true
    }
    fn with_season(&self, season: usize) -> Option<ModelSpec> {
        self.season.is_none().then_some(ModelSpec::Gbm(GbmSpec {
            season: Some(season),
            ..*self
        }))
    }
}
