//! The GBM as a model family: `gbm`, `gbm-direct`, `gbm-median`, `gbm-direct-median`,
//! `gbm-poisson`, `gbm-direct-poisson`, `gbm-tweedie` and `gbm-direct-tweedie`, each with an
//! optional season (`gbm:7`), the Tweedie ones with an optional variance power
//! (`gbm-tweedie:1.3`, `gbm-tweedie:1.3/7`) and, from `--tune-trials`, a parameter search.

use super::settings::Power;
use super::{Gbm, Loss, Strategy, Tuning, model_name};
use crate::models::family::{Entry, Family, is_whole_number, season_setting};
use crate::models::{Forecaster, ModelError, ModelSpec};
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
    /// Mean (`gbm`), median (`gbm-median`) or mean of counts (`gbm-poisson`, `gbm-tweedie`).
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
    names: &[
        "gbm",
        "gbm-direct",
        "gbm-median",
        "gbm-direct-median",
        "gbm-poisson",
        "gbm-direct-poisson",
        "gbm-tweedie",
        "gbm-direct-tweedie",
    ],
    parse: |name, setting| {
        let strategy = if name.starts_with("gbm-direct") {
            Strategy::Direct
        } else {
            Strategy::Recursive
        };
        let (loss, season) = if name.ends_with("-tweedie") {
            let (power, season) = tweedie_setting(name, setting)?;
            (Loss::Tweedie(power), season)
        } else if name.ends_with("-median") {
            (Loss::Absolute, season_setting(setting)?)
        } else if name.ends_with("-poisson") {
            (Loss::Poisson, season_setting(setting)?)
        } else {
            (Loss::Squared, season_setting(setting)?)
        };
        Ok(ModelSpec::Gbm(GbmSpec {
            season,
            tune: None,
            strategy,
            loss,
        }))
    },
    defaults: || {
        [
            (Strategy::Recursive, Loss::Squared),
            (Strategy::Direct, Loss::Squared),
            (Strategy::Recursive, Loss::Absolute),
            (Strategy::Direct, Loss::Absolute),
            (Strategy::Recursive, Loss::Poisson),
            (Strategy::Direct, Loss::Poisson),
            (Strategy::Recursive, Loss::Tweedie(Power::DEFAULT)),
            (Strategy::Direct, Loss::Tweedie(Power::DEFAULT)),
        ]
        .into_iter()
        .map(|(s, l)| ModelSpec::Gbm(GbmSpec::of(s, l)))
        .collect()
    },
};

/// A Tweedie GBM's setting: a variance power (`1.3`), a season (`7`) or both (`1.3/7`).
fn tweedie_setting(name: &str, setting: Option<&str>) -> Result<(Power, Option<usize>), ModelError> {
    let Some(setting) = setting else {
        return Ok((Power::DEFAULT, None));
    };
    let (mut power, mut season) = (None, None);
    for part in setting.split('/') {
        if part.contains('.') && power.is_none() {
            let v: f64 = part.parse().map_err(|_| {
                ModelError::Invalid(format!("{name}:{setting}: '{part}' is not a variance power (like 1.3)"))
            })?;
            power = Some(Power::try_from(v).map_err(|e| ModelError::Invalid(format!("{name}:{setting}: {e}")))?);
        } else if season.is_none() {
            let number = is_whole_number(part);
            if number && matches!(part, "1" | "2") {
                // More likely a power written without its decimals than a season of 1 or 2.
                return Err(ModelError::Invalid(format!(
                    "{name}:{setting}: a variance power is between 1.01 and 1.99 (like {name}:1.5); a season is 3 or more"
                )));
            }
            season = season_setting(Some(part)).map_err(|e| {
                if number {
                    e
                } else {
                    ModelError::Invalid(format!(
                        "{name}:{setting}: give a variance power ({name}:1.3), a season ({name}:7) or both ({name}:1.3/7)"
                    ))
                }
            })?;
        } else {
            return Err(ModelError::Invalid(format!(
                "{name}:{setting}: give a variance power ({name}:1.3), a season ({name}:7) or both ({name}:1.3/7)"
            )));
        }
    }
    Ok((power.unwrap_or_default(), season))
}

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
            (Strategy::Recursive, Loss::Poisson) => {
                "gradient-boosted trees of counts (Poisson loss, log link), never below zero; one model for all series"
            }
            (Strategy::Direct, Loss::Poisson) => {
                "gradient-boosted trees of counts (Poisson loss), one per block of the horizon"
            }
            (Strategy::Recursive, Loss::Tweedie(_)) => {
                "gradient-boosted trees for sales with many zeros (Tweedie loss, as the M5 winners); one model for all series"
            }
            (Strategy::Direct, Loss::Tweedie(_)) => {
                "gradient-boosted trees for sales with many zeros (Tweedie loss), one per block of the horizon"
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
