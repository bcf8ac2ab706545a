//! [`ModelSpec`]: a model family and its settings, as chosen in the UI, on the command line or
//! in a pipeline config, and stored with a trained model.

use super::arima::Arima;
use super::auto::{Auto, default_candidates};
use super::conformal::Conformal;
use super::ensemble::{Ensemble, default_members};
use super::ets::AutoEts;
use super::gbm::{Gbm, Loss, Strategy, Tuning, model_name};
use super::mstl::Mstl;
use super::naive::{Drift, MeanModel, Naive, SeasonalNaive};
use super::prophet::ProphetModel;
use super::{Forecaster, ModelError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "kebab-case")]
pub enum ModelSpec {
    Naive,
    /// `season: None` takes the series frequency's usual season (7 daily, 52 weekly, …).
    SeasonalNaive {
        season: Option<usize>,
    },
    Mean,
    Drift,
    /// Automatic exponential smoothing (ETS), chosen by AICc.
    Ets {
        season: Option<usize>,
    },
    /// Seasonal ARIMA, orders chosen by a stepwise AICc search unless pinned.
    Arima {
        season: Option<usize>,
        order: Option<[usize; 3]>,
        seasonal_order: Option<[usize; 3]>,
    },
    /// MSTL decomposition (one or several seasons) with an ETS trend.
    Mstl {
        periods: Option<Vec<usize>>,
    },
    /// Prophet: piecewise-linear trend, Fourier seasonalities, holidays and regressors.
    Prophet,
    /// Gradient-boosted trees on lag, rolling, calendar, holiday, driver and id features,
    /// trained across every series of a panel (global).
    Gbm {
        season: Option<usize>,
        /// Search the booster's parameters (TPE with median pruning) within this budget first.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tune: Option<Tuning>,
        /// Recursive (`gbm`) or direct (`gbm-direct`) multi-step forecasts.
        #[serde(default, skip_serializing_if = "is_recursive")]
        strategy: Strategy,
        /// Mean (`gbm`) or median (`gbm-median`) forecasts.
        #[serde(default, skip_serializing_if = "is_squared")]
        loss: Loss,
    },
    /// Weighted combination of several models (`None`: ETS, ARIMA and MSTL).
    Ensemble {
        members: Option<Vec<ModelSpec>>,
    },
    /// The best of several models for each series, chosen by its own backtest (`None`: seasonal
    /// naive, ETS, ARIMA, MSTL, Prophet and the ensemble).
    Auto {
        candidates: Option<Vec<ModelSpec>>,
    },
    /// Another model's forecasts with conformal intervals calibrated on its past errors.
    Conformal {
        inner: Box<ModelSpec>,
    },
}

fn is_recursive(s: &Strategy) -> bool {
    *s == Strategy::Recursive
}

fn is_squared(l: &Loss) -> bool {
    *l == Loss::Squared
}

impl ModelSpec {
    /// AutoARIMA: orders searched, the frequency's usual season.
    pub const AUTO_ARIMA: ModelSpec = ModelSpec::Arima {
        season: None,
        order: None,
        seasonal_order: None,
    };

    /// Every model the user can pick, with default settings.
    pub fn all() -> Vec<ModelSpec> {
        vec![
            ModelSpec::Auto { candidates: None },
            ModelSpec::Naive,
            ModelSpec::SeasonalNaive { season: None },
            ModelSpec::Mean,
            ModelSpec::Drift,
            ModelSpec::Ets { season: None },
            ModelSpec::AUTO_ARIMA,
            ModelSpec::Mstl { periods: None },
            ModelSpec::Prophet,
            ModelSpec::Gbm {
                season: None,
                tune: None,
                strategy: Strategy::Recursive,
                loss: Loss::Squared,
            },
            ModelSpec::Gbm {
                season: None,
                tune: None,
                strategy: Strategy::Direct,
                loss: Loss::Squared,
            },
            ModelSpec::Gbm {
                season: None,
                tune: None,
                strategy: Strategy::Recursive,
                loss: Loss::Absolute,
            },
            ModelSpec::Gbm {
                season: None,
                tune: None,
                strategy: Strategy::Direct,
                loss: Loss::Absolute,
            },
            ModelSpec::Ensemble { members: None },
        ]
    }

    /// The name used in tables, file columns and `--model` (`ets`, `ets+conformal`).
    pub fn name(&self) -> String {
        match self {
            ModelSpec::Naive => "naive".into(),
            ModelSpec::SeasonalNaive { .. } => "seasonal-naive".into(),
            ModelSpec::Mean => "mean".into(),
            ModelSpec::Drift => "drift".into(),
            ModelSpec::Ets { .. } => "ets".into(),
            ModelSpec::Arima { .. } => "arima".into(),
            ModelSpec::Mstl { .. } => "mstl".into(),
            ModelSpec::Prophet => "prophet".into(),
            ModelSpec::Gbm { strategy, loss, .. } => model_name(*strategy, *loss),
            // A global ensemble names its members, so tables tell it from the default one.
            ModelSpec::Ensemble { members: Some(m) } if self.is_global() => format!(
                "ensemble:{}",
                m.iter().map(ModelSpec::name).collect::<Vec<_>>().join("/")
            ),
            ModelSpec::Ensemble { .. } => "ensemble".into(),
            ModelSpec::Auto { .. } => "auto".into(),
            ModelSpec::Conformal { inner } => format!("{}+conformal", inner.name()),
        }
    }

    /// Whether the model learns across the series of a panel (fitted once on all of them, see
    /// [`super::panel`]).
    pub fn is_global(&self) -> bool {
        match self {
            ModelSpec::Gbm { .. } => true,
            ModelSpec::Ensemble { members: Some(m) } => m.iter().any(ModelSpec::is_global),
            _ => false,
        }
    }

    /// This model with conformal intervals (unchanged if it already has them).
    pub fn calibrated(self) -> ModelSpec {
        match self {
            ModelSpec::Conformal { .. } => self,
            other => ModelSpec::Conformal { inner: Box::new(other) },
        }
    }

    /// The model without the conformal calibration.
    pub fn uncalibrated(&self) -> &ModelSpec {
        match self {
            ModelSpec::Conformal { inner } => inner,
            other => other,
        }
    }

    /// What the model does, one line for pickers and `--help`.
    pub fn summary(&self) -> &'static str {
        match self {
            ModelSpec::Naive => "last value carried forward",
            ModelSpec::SeasonalNaive { .. } => "same period of the last season",
            ModelSpec::Mean => "average of all history",
            ModelSpec::Drift => "line from first to last value, extended",
            ModelSpec::Ets { .. } => "exponential smoothing, level/trend/season chosen automatically",
            ModelSpec::Arima { .. } => "seasonal ARIMA, orders chosen automatically (or pinned)",
            ModelSpec::Mstl { .. } => "seasonal decomposition (weekly + yearly for daily data) with ETS trend",
            ModelSpec::Prophet => {
                "Prophet: trend with changepoints, yearly/weekly seasons, US holidays (daily data), regressors"
            }
            ModelSpec::Gbm {
                strategy: Strategy::Recursive,
                loss: Loss::Squared,
                ..
            } => "gradient-boosted trees on lags, rolling stats, calendar, holidays, drivers; one model for all series",
            ModelSpec::Gbm {
                strategy: Strategy::Direct,
                loss: Loss::Squared,
                ..
            } => {
                "gradient-boosted trees, one per block of the horizon (a week of daily data), no step-by-step feedback"
            }
            ModelSpec::Gbm {
                strategy: Strategy::Recursive,
                loss: Loss::Absolute,
                ..
            } => "gradient-boosted trees of the median (absolute error), same features; one model for all series",
            ModelSpec::Gbm {
                strategy: Strategy::Direct,
                loss: Loss::Absolute,
                ..
            } => "gradient-boosted trees of the median, one per block of the horizon, no step-by-step feedback",
            ModelSpec::Ensemble { .. } => "ETS, ARIMA and MSTL combined, weighted by their backtest errors",
            ModelSpec::Auto { .. } => "the best model for each series, chosen by backtest (ensemble included)",
            ModelSpec::Conformal { .. } => "intervals calibrated on the model's past errors",
        }
    }

    /// The GBM this spec names, with its settings (`None` for other models).
    pub fn gbm(&self) -> Option<Gbm> {
        match self {
            ModelSpec::Gbm {
                season,
                tune,
                strategy,
                loss,
            } => Some(Gbm::new(*season, *strategy, *loss, *tune)),
            _ => None,
        }
    }

    pub fn build(&self) -> Box<dyn Forecaster> {
        match self {
            ModelSpec::Naive => Box::new(Naive),
            ModelSpec::SeasonalNaive { season } => Box::new(SeasonalNaive { season: *season }),
            ModelSpec::Mean => Box::new(MeanModel),
            ModelSpec::Drift => Box::new(Drift),
            ModelSpec::Ets { season } => Box::new(AutoEts { season: *season }),
            ModelSpec::Arima {
                season,
                order,
                seasonal_order,
            } => Box::new(Arima {
                season: *season,
                order: *order,
                seasonal_order: *seasonal_order,
            }),
            ModelSpec::Mstl { periods } => Box::new(Mstl {
                periods: periods.clone(),
            }),
            ModelSpec::Prophet => Box::new(ProphetModel::default()),
            ModelSpec::Gbm {
                season,
                tune,
                strategy,
                loss,
            } => Box::new(Gbm::new(*season, *strategy, *loss, *tune)),
            ModelSpec::Ensemble { members } => Box::new(Ensemble {
                members: members.clone().unwrap_or_else(default_members),
            }),
            ModelSpec::Auto { candidates } => Box::new(Auto {
                candidates: candidates.clone().unwrap_or_else(default_candidates),
            }),
            ModelSpec::Conformal { inner } => Box::new(Conformal {
                inner: (**inner).clone(),
            }),
        }
    }

    /// The same model with `season` for a seasonal model that was not given its own.
    pub fn with_default_season(self, season: Option<usize>) -> ModelSpec {
        match (self, season) {
            (ModelSpec::SeasonalNaive { season: None }, Some(m)) => ModelSpec::SeasonalNaive { season: Some(m) },
            (ModelSpec::Ets { season: None }, Some(m)) => ModelSpec::Ets { season: Some(m) },
            (
                ModelSpec::Arima {
                    season: None,
                    order,
                    seasonal_order,
                },
                Some(m),
            ) => ModelSpec::Arima {
                season: Some(m),
                order,
                seasonal_order,
            },
            (ModelSpec::Mstl { periods: None }, Some(m)) => ModelSpec::Mstl { periods: Some(vec![m]) },
            (
                ModelSpec::Gbm {
                    season: None,
                    tune,
                    strategy,
                    loss,
                },
                Some(m),
            ) => ModelSpec::Gbm {
                season: Some(m),
                tune,
                strategy,
                loss,
            },
            (ModelSpec::Conformal { inner }, m) => ModelSpec::Conformal {
                inner: Box::new(inner.with_default_season(m)),
            },
            (ModelSpec::Ensemble { members }, Some(m)) => ModelSpec::Ensemble {
                members: Some(
                    members
                        .unwrap_or_else(default_members)
                        .into_iter()
                        .map(|s| s.with_default_season(Some(m)))
                        .collect(),
                ),
            },
            (ModelSpec::Auto { candidates }, Some(m)) => ModelSpec::Auto {
                candidates: Some(
                    candidates
                        .unwrap_or_else(default_candidates)
                        .into_iter()
                        .map(|s| s.with_default_season(Some(m)))
                        .collect(),
                ),
            },
            (spec, _) => spec,
        }
    }

    /// Pin ARIMA orders (`--order 1,1,1 --seasonal-order 0,1,1`); other models refuse them.
    pub fn with_orders(self, order: Option<[usize; 3]>, seasonal: Option<[usize; 3]>) -> Result<ModelSpec, ModelError> {
        if order.is_none() && seasonal.is_none() {
            return Ok(self);
        }
        match self {
            ModelSpec::Arima { season, .. } => {
                let order = order
                    .ok_or_else(|| ModelError::Invalid("--seasonal-order needs --order (p,d,q) as well".into()))?;
                Ok(ModelSpec::Arima {
                    season,
                    order: Some(order),
                    seasonal_order: seasonal,
                })
            }
            ModelSpec::Conformal { inner } => Ok(inner.with_orders(order, seasonal)?.calibrated()),
            other => Err(ModelError::Invalid(format!(
                "--order and --seasonal-order apply to arima, not {}",
                other.name()
            ))),
        }
    }

    /// The GBM with a parameter search of `tuning` before it fits (`--tune-trials`).
    pub fn with_tuning(self, tuning: Tuning) -> Result<ModelSpec, ModelError> {
        match self {
            ModelSpec::Gbm {
                season, strategy, loss, ..
            } => Ok(ModelSpec::Gbm {
                season,
                tune: Some(tuning),
                strategy,
                loss,
            }),
            // Calibration refits the model a dozen times per series: a search in each is not
            // what anyone asks for.
            ModelSpec::Conformal { .. } => Err(ModelError::Invalid(
                "--tune-trials applies to gbm without calibrated intervals (not gbm+conformal)".into(),
            )),
            other => Err(ModelError::Invalid(format!(
                "--tune-trials applies to gbm, not {}",
                other.name()
            ))),
        }
    }

    pub fn names() -> String {
        ModelSpec::all()
            .iter()
            .map(ModelSpec::name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// The models of `ensemble:a/b` or `auto:a/b/c` (`None` without a list).
fn model_list(arg: Option<&str>) -> Result<Option<Vec<ModelSpec>>, ModelError> {
    arg.map(|a| a.split('/').map(str::parse).collect()).transpose()
}

impl FromStr for ModelSpec {
    type Err = ModelError;
    /// `naive`, `seasonal-naive` (or `snaive`, `seasonal-naive:12`), `mean`, `drift`, `ets` (`ets:12`);
    /// `arima` (`arima:52`), `mstl` (`mstl:7/365`), `prophet`, `ensemble` (`ensemble:ets/arima`), `auto` (`auto:ets/arima/ensemble`); any of them with `+conformal` (`ets:12+conformal`).
    fn from_str(s: &str) -> Result<Self, ModelError> {
        let lower = s.trim().to_ascii_lowercase().replace('_', "-");
        if let Some(inner) = lower.strip_suffix("+conformal") {
            return Ok(inner.parse::<ModelSpec>()?.calibrated());
        }
        let (name, arg) = match lower.split_once(':') {
            Some((n, a)) => (n.to_string(), Some(a.to_string())),
            None => (lower, None),
        };
        let season = || -> Result<Option<usize>, ModelError> {
            match arg.as_deref() {
                None => Ok(None),
                Some(a) => a
                    .parse::<usize>()
                    .ok()
                    .filter(|m| *m >= 1)
                    .map(Some)
                    .ok_or_else(|| ModelError::Invalid(format!("season '{a}' must be a whole number >= 1"))),
            }
        };
        let spec = match name.as_str() {
            "naive" => ModelSpec::Naive,
            "seasonal-naive" | "snaive" => return Ok(ModelSpec::SeasonalNaive { season: season()? }),
            "ets" | "autoets" => return Ok(ModelSpec::Ets { season: season()? }),
            "arima" | "autoarima" | "sarima" => {
                return Ok(ModelSpec::Arima {
                    season: season()?,
                    order: None,
                    seasonal_order: None,
                });
            }
            "mstl" => {
                let periods = match arg.as_deref() {
                    None => None,
                    Some(a) => Some(
                        a.split('/')
                            .map(|p| p.trim().parse::<usize>().ok().filter(|m| *m >= 2))
                            .collect::<Option<Vec<usize>>>()
                            .ok_or_else(|| {
                                ModelError::Invalid(format!(
                                    "MSTL seasons '{a}' must be whole numbers >= 2, e.g. 7/365"
                                ))
                            })?,
                    ),
                };
                return Ok(ModelSpec::Mstl { periods });
            }
            "prophet" => ModelSpec::Prophet,
            "gbm" | "gbm-direct" | "gbm-median" | "gbm-direct-median" => {
                return Ok(ModelSpec::Gbm {
                    season: season()?,
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
                });
            }
            "ensemble" => {
                let members = model_list(arg.as_deref())?;
                if members
                    .as_ref()
                    .is_some_and(|m| m.is_empty() || m.iter().any(|s| matches!(s, ModelSpec::Ensemble { .. })))
                {
                    return Err(ModelError::Invalid(
                        "ensemble members are models other than ensemble, e.g. ensemble:ets/arima".into(),
                    ));
                }
                return Ok(ModelSpec::Ensemble { members });
            }
            "auto" => {
                let candidates = model_list(arg.as_deref())?;
                if candidates
                    .as_ref()
                    .is_some_and(|c| c.is_empty() || c.iter().any(|s| matches!(s, ModelSpec::Auto { .. })))
                {
                    return Err(ModelError::Invalid(
                        "auto's candidates are models other than auto, e.g. auto:ets/arima/ensemble".into(),
                    ));
                }
                return Ok(ModelSpec::Auto { candidates });
            }
            "mean" | "average" => ModelSpec::Mean,
            "drift" => ModelSpec::Drift,
            _ => return Err(ModelError::UnknownModel(s.to_string(), ModelSpec::names())),
        };
        if let Some(a) = arg {
            return Err(ModelError::Invalid(format!("{name} takes no setting (got ':{a}')")));
        }
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_default_season_fills_only_an_unset_one() {
        let snaive = |season| ModelSpec::SeasonalNaive { season };
        assert_eq!(snaive(None).with_default_season(Some(12)), snaive(Some(12)));
        assert_eq!(snaive(Some(4)).with_default_season(Some(12)), snaive(Some(4)));
        assert_eq!(snaive(None).with_default_season(None), snaive(None));
        assert_eq!(ModelSpec::Drift.with_default_season(Some(12)), ModelSpec::Drift);
    }

    #[test]
    fn parses_names_and_round_trips_json() {
        assert_eq!(
            "Seasonal_Naive".parse::<ModelSpec>(),
            Ok(ModelSpec::SeasonalNaive { season: None })
        );
        assert_eq!(
            "snaive:12".parse::<ModelSpec>(),
            Ok(ModelSpec::SeasonalNaive { season: Some(12) })
        );
        assert!("snaive:0".parse::<ModelSpec>().is_err());
        assert!(matches!(
            "theta".parse::<ModelSpec>(),
            Err(ModelError::UnknownModel(..))
        ));
        for name in ["gbm-median", "gbm-direct-median"] {
            let spec = name.parse::<ModelSpec>().unwrap();
            assert!(
                matches!(
                    spec,
                    ModelSpec::Gbm {
                        loss: Loss::Absolute,
                        ..
                    }
                ),
                "{spec:?}"
            );
            assert_eq!(spec.name(), name);
            let json = serde_json::to_string(&spec).unwrap();
            assert!(json.contains("\"loss\":\"absolute\""), "{json}");
            assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), spec);
            assert_eq!(spec.build().name(), name);
        }
        // Specs stored before the loss was a choice read as the squared loss.
        assert_eq!(
            serde_json::from_str::<ModelSpec>(r#"{"model":"gbm","season":null,"strategy":"direct"}"#).ok(),
            Some(ModelSpec::Gbm {
                season: None,
                tune: None,
                strategy: Strategy::Direct,
                loss: Loss::Squared
            })
        );
        for spec in ModelSpec::all() {
            let json = serde_json::to_string(&spec).unwrap();
            assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), spec);
            assert_eq!(spec.name().parse::<ModelSpec>().unwrap(), spec);
        }
    }
}
