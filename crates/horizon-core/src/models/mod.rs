//! Forecasting models. Every model, and later the ensemble and a loaded artifact, answers the
//! same two calls: [`Forecaster::fit`] a series, then [`Fitted::predict`] a horizon at any set
//! of interval levels. The UI and the CLI never special-case a model.

pub mod arima;
pub mod auto;
mod band_scale;
pub mod ces;
pub mod conformal;
pub mod ensemble;
pub mod ets;
pub mod family;
mod fitted;
pub mod gbm;
pub mod global_ensemble;
pub mod intermittent;
pub mod mstl;
pub mod naive;
pub mod panel;
pub mod predict;
pub mod prophet;
pub mod scum;
pub mod season;
mod spec;
pub mod stepping;
pub mod theta;
pub mod total;

pub use fitted::FittedModel;
pub use spec::ModelSpec;

use crate::data::Series;
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum ModelError {
    #[error("{model} needs at least {needed} observations, the series has {got}")]
    TooShort { model: String, needed: usize, got: usize },
    #[error("interval level {0} is not between 0 and 100 (exclusive)")]
    BadLevel(f64),
    #[error("interval level {0} would be a {0} % interval: levels are percentages (write 95 for a 95 % interval)")]
    LevelAsFraction(f64),
    #[error("the series contains non-finite values (fill gaps before fitting)")]
    NonFinite,
    #[error("unknown model '{0}': use one of {1}")]
    UnknownModel(String, String),
    #[error("invalid setting: {0}")]
    Invalid(String),
    #[error(
        "the forecast is not a finite number: the sales values are too large for the arithmetic \
         (check the file for values far beyond the others)"
    )]
    Overflow,
    #[error("cancelled")]
    Cancelled,
    /// A what-if plan the model cannot follow.
    #[error("{0}")]
    Plan(String),
}

/// A central prediction interval at `level` percent, one bound per horizon step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub level: f64,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// Point forecasts and intervals for steps `1..=h`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub point: Vec<f64>,
    /// Sorted by increasing level.
    pub intervals: Vec<Interval>,
}

impl Forecast {
    /// Whether every number — points and every bound — is finite.
    pub fn is_finite(&self) -> bool {
        self.point
            .iter()
            .chain(self.intervals.iter().flat_map(|i| i.lower.iter().chain(&i.upper)))
            .all(|v| v.is_finite())
    }

    pub fn horizon(&self) -> usize {
        self.point.len()
    }

    /// The widest level forecast (the one headlines state), 95 when there are no intervals.
    pub fn widest_level(&self) -> f64 {
        self.intervals.last().map_or(95.0, |i| i.level)
    }

    /// The interval at `level`, if it was asked for.
    pub fn interval(&self, level: f64) -> Option<&Interval> {
        self.intervals.iter().find(|i| (i.level - level).abs() < 1e-9)
    }

    /// Normal intervals `point ± z(level) · sd[h]` for each level.
    pub fn normal(point: Vec<f64>, sd: &[f64], levels: &[f64]) -> Result<Forecast, ModelError> {
        let levels = check_levels(levels)?;
        let intervals = levels
            .into_iter()
            .map(|level| {
                let z = crate::stats::z_for_level(level);
                Interval {
                    level,
                    lower: point.iter().zip(sd).map(|(p, s)| p - z * s).collect(),
                    upper: point.iter().zip(sd).map(|(p, s)| p + z * s).collect(),
                }
            })
            .collect();
        Ok(Forecast { point, intervals })
    }
}

/// Levels sorted and de-duplicated; each must lie in [1, 100) (percentages: 0.95 is refused as a
/// 95 % interval written as a fraction).
pub fn check_levels(levels: &[f64]) -> Result<Vec<f64>, ModelError> {
    if let Some(bad) = levels.iter().find(|l| !(**l > 0.0 && **l < 100.0)) {
        return Err(ModelError::BadLevel(*bad));
    }
    // 0.95 is a 95 % interval written as a fraction far more often than a 0.95 % one.
    if let Some(small) = levels.iter().find(|l| **l < 1.0) {
        return Err(ModelError::LevelAsFraction(*small));
    }
    let mut v = levels.to_vec();
    v.sort_by(f64::total_cmp);
    v.dedup();
    Ok(v)
}

/// A model family with its settings, ready to fit a series.
pub trait Forecaster: Send + Sync {
    /// Short name, as in tables and file columns (`seasonal-naive`).
    fn name(&self) -> String;
    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError>;
}

/// A model fitted to one series.
pub trait Fitted: Send + Sync {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError>;
    /// What was fitted, in words a business user can read (shown under the plot).
    fn description(&self) -> String;
    /// The fitted state as data (for artifacts): it forecasts exactly as `self` does.
    fn to_state(&self) -> FittedModel;
    /// The drivers (exogenous columns) this model forecasts from, in the data's order, with
    /// the values it assumes for the future without a plan; empty when it uses none.
    fn drivers(&self) -> Vec<(String, f64)> {
        Vec::new()
    }
    /// The forecast with the drivers set per step: `future[step][driver]`, drivers as in
    /// [`Fitted::drivers`]. A model that uses no drivers forecasts as [`Fitted::predict`].
    fn predict_planned(&self, horizon: usize, levels: &[f64], future: &[Vec<f64>]) -> Result<Forecast, ModelError> {
        let _ = future;
        self.predict(horizon, levels)
    }
}

/// Fail on a negative value for `model`, which forecasts sales of zero or more (count losses,
/// intermittent demand), naming the value and its date.
pub(crate) fn check_non_negative(series: &crate::data::Series, model: &str) -> Result<(), ModelError> {
    match series.values.iter().position(|v| *v < 0.0) {
        None => Ok(()),
        Some(i) => Err(ModelError::Invalid(format!(
            "{model} models sales of zero or more; the series has {} on {}",
            series.values[i],
            series
                .dates
                .get(i)
                .map_or_else(|| format!("row {}", i + 1), |d| d.to_string())
        ))),
    }
}

/// Fail on NaN/inf, which would silently poison every model.
pub(crate) fn check_finite(y: &[f64]) -> Result<(), ModelError> {
    if y.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(ModelError::NonFinite)
    }
}
