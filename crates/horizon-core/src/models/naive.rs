//! The benchmark methods of Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*
//! (3rd ed., 2021), §5.2, with the prediction intervals of §5.5 (Table 5.2):
//!
//! | method | point | σ̂_h |
//! |---|---|---|
//! | mean | ȳ | σ̂ √(1 + 1/T) |
//! | naive | y_T | σ̂ √h |
//! | seasonal naive | y_{T+h−m(k+1)} | σ̂ √(k+1), k = ⌊(h−1)/m⌋ |
//! | drift | y_T + h (y_T − y_1)/(T−1) | σ̂ √(h (1 + h/(T−1))) |
//!
//! σ̂ is the standard deviation of the one-step residuals. For naive and seasonal naive it is
//! the root mean square of the residuals, as statsforecast computes it (our tests match its
//! intervals on the public benchmark to 1e-6); for mean and drift, which estimate one
//! parameter, the residual sum of squares is divided by (residuals − 1).

use super::family::{Entry, Family, season_setting, without_setting};
use super::{Fitted, FittedModel, Forecast, Forecaster, ModelError, ModelSpec, check_finite};
use crate::data::Series;
use serde::{Deserialize, Serialize};

fn rms(res: &[f64], ddof: usize) -> f64 {
    let ss: f64 = res.iter().map(|e| e * e).sum();
    (ss / (res.len().saturating_sub(ddof)).max(1) as f64).sqrt()
}

fn too_short(model: &str, needed: usize, got: usize) -> ModelError {
    ModelError::TooShort {
        model: model.to_string(),
        needed,
        got,
    }
}

/// Last value carried forward.
#[derive(Debug, Clone, Copy, Default)]
pub struct Naive;

/// The same period of the last season carried forward; falls back to [`Naive`] when the
/// series is shorter than one season plus one observation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SeasonalNaive {
    /// Season length; `None` = the series frequency's usual season (7 daily, 52 weekly, …).
    pub season: Option<usize>,
}

/// Average of the whole history.
#[derive(Debug, Clone, Copy, Default)]
pub struct MeanModel;

/// Straight line through the first and last observations, extended.
#[derive(Debug, Clone, Copy, Default)]
pub struct Drift;

/// A fitted benchmark: the repeating pattern of point forecasts and the σ̂_h rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedBaseline {
    description: String,
    sigma: f64,
    rule: Rule,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
enum Rule {
    Flat { level: f64, n: usize, mean: bool },
    Seasonal { last_season: Vec<f64> },
    Drift { last: f64, slope: f64, n: usize },
}

impl Fitted for FittedBaseline {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
        let s = self.sigma;
        let (point, sd): (Vec<f64>, Vec<f64>) = (1..=horizon)
            .map(|h| {
                let hf = h as f64;
                match &self.rule {
                    Rule::Flat { level, n, mean: true } => (*level, s * (1.0 + 1.0 / *n as f64).sqrt()),
                    Rule::Flat { level, .. } => (*level, s * hf.sqrt()),
                    Rule::Seasonal { last_season } => {
                        let m = last_season.len();
                        let k = (h - 1) / m;
                        (last_season[(h - 1) % m], s * ((k + 1) as f64).sqrt())
                    }
                    Rule::Drift { last, slope, n } => {
                        (last + slope * hf, s * (hf * (1.0 + hf / (*n as f64 - 1.0))).sqrt())
                    }
                }
            })
            .unzip();
        Forecast::normal(point, &sd, levels)
    }

    fn description(&self) -> String {
        self.description.clone()
    }

    fn to_state(&self) -> FittedModel {
        FittedModel::Baseline(self.clone())
    }
}

impl Naive {
    fn fit_baseline(y: &[f64]) -> Result<FittedBaseline, ModelError> {
        check_finite(y)?;
        if y.len() < 2 {
            return Err(too_short("naive", 2, y.len()));
        }
        let res: Vec<f64> = y.windows(2).map(|w| w[1] - w[0]).collect();
        let last = y[y.len() - 1];
        Ok(FittedBaseline {
            description: format!("Naive: every future period equals the last observed value ({last})."),
            sigma: rms(&res, 0),
            rule: Rule::Flat {
                level: last,
                n: y.len(),
                mean: false,
            },
        })
    }
}

impl Forecaster for Naive {
    fn name(&self) -> String {
        "naive".into()
    }
    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        Ok(Box::new(Naive::fit_baseline(&series.values)?))
    }
}

impl Forecaster for SeasonalNaive {
    fn name(&self) -> String {
        "seasonal-naive".into()
    }
    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        let y = &series.values;
        check_finite(y)?;
        let m = self.season.unwrap_or(series.freq.default_season()).max(1);
        if y.len() <= m {
            let mut fitted = Naive::fit_baseline(y).map_err(|_| too_short("seasonal-naive", m + 1, y.len()))?;
            fitted.description = format!(
                "Seasonal naive needs more than one season ({m} periods); the series has {}, so the naive method was used. {}",
                y.len(),
                fitted.description
            );
            return Ok(Box::new(fitted));
        }
        let res: Vec<f64> = (m..y.len()).map(|t| y[t] - y[t - m]).collect();
        Ok(Box::new(FittedBaseline {
            description: format!(
                "Seasonal naive: each future period repeats the same period of the last season ({m} periods)."
            ),
            sigma: rms(&res, 0),
            rule: Rule::Seasonal {
                last_season: y[y.len() - m..].to_vec(),
            },
        }))
    }
}

impl Forecaster for MeanModel {
    fn name(&self) -> String {
        "mean".into()
    }
    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        let y = &series.values;
        check_finite(y)?;
        if y.len() < 2 {
            return Err(too_short("mean", 2, y.len()));
        }
        let mean = y.iter().sum::<f64>() / y.len() as f64;
        let res: Vec<f64> = y.iter().map(|v| v - mean).collect();
        Ok(Box::new(FittedBaseline {
            description: format!(
                "Mean: every future period equals the average of all {} observations ({mean:.3}).",
                y.len()
            ),
            sigma: rms(&res, 1),
            rule: Rule::Flat {
                level: mean,
                n: y.len(),
                mean: true,
            },
        }))
    }
}

impl Forecaster for Drift {
    fn name(&self) -> String {
        "drift".into()
    }
    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        let y = &series.values;
        check_finite(y)?;
        if y.len() < 3 {
            return Err(too_short("drift", 3, y.len()));
        }
        let n = y.len();
        let slope = (y[n - 1] - y[0]) / (n - 1) as f64;
        let res: Vec<f64> = y.windows(2).map(|w| w[1] - w[0] - slope).collect();
        Ok(Box::new(FittedBaseline {
            description: format!("Drift: the last value plus the average change per period ({slope:+.3})."),
            sigma: rms(&res, 1),
            rule: Rule::Drift {
                last: y[n - 1],
                slope,
                n,
            },
        }))
    }
}

// The four benchmarks as model families.

pub const NAIVE: Entry = Entry {
    names: &["naive"],
    parse: |name, setting| without_setting(name, setting, ModelSpec::Naive),
    defaults: || vec![ModelSpec::Naive],
};

pub const SEASONAL_NAIVE: Entry = Entry {
    names: &["seasonal-naive", "snaive"],
    parse: |_, setting| {
        Ok(ModelSpec::SeasonalNaive(SeasonalNaive {
            season: season_setting(setting)?,
        }))
    },
    defaults: || vec![ModelSpec::SeasonalNaive(SeasonalNaive::default())],
};

pub const MEAN: Entry = Entry {
    names: &["mean", "average"],
    parse: |name, setting| without_setting(name, setting, ModelSpec::Mean),
    defaults: || vec![ModelSpec::Mean],
};

pub const DRIFT: Entry = Entry {
    names: &["drift"],
    parse: |name, setting| without_setting(name, setting, ModelSpec::Drift),
    defaults: || vec![ModelSpec::Drift],
};

impl Family for Naive {
    fn name(&self) -> String {
        Forecaster::name(self)
    }
    fn summary(&self) -> &'static str {
        "last value carried forward"
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(*self)
    }
}

impl Family for SeasonalNaive {
    fn name(&self) -> String {
        Forecaster::name(self)
    }
    fn summary(&self) -> &'static str {
        "same period of the last season"
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(*self)
    }
    fn with_season(&self, season: usize) -> Option<ModelSpec> {
        self.season
            .is_none()
            .then_some(ModelSpec::SeasonalNaive(SeasonalNaive { season: Some(season) }))
    }
}

impl Family for MeanModel {
    fn name(&self) -> String {
        Forecaster::name(self)
    }
    fn summary(&self) -> &'static str {
        "average of all history"
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(*self)
    }
}

impl Family for Drift {
    fn name(&self) -> String {
        Forecaster::name(self)
    }
    fn summary(&self) -> &'static str {
        "line from first to last value, extended"
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Frequency;
    use chrono::NaiveDate;

    fn series(values: &[f64], freq: Frequency) -> Series {
        Series::starting(freq, NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(), values.to_vec())
    }

    #[test]
    fn hand_computed_points_and_widths() {
        let s = series(&[1.0, 3.0, 2.0, 6.0], Frequency::Quarterly);
        // Naive: residuals 2, -1, 4 -> sigma = sqrt(21/3) = sqrt(7).
        let f = Naive.fit(&s).unwrap().predict(2, &[95.0]).unwrap();
        let z = crate::stats::z_for_level(95.0);
        assert_eq!(f.point, vec![6.0, 6.0]);
        assert!((f.intervals[0].upper[1] - (6.0 + z * 7f64.sqrt() * 2f64.sqrt())).abs() < 1e-12);
        // Mean: 3, residuals -2, 0, -1, 3 -> sd (ddof 1) = sqrt(14/3).
        let f = MeanModel.fit(&s).unwrap().predict(1, &[80.0]).unwrap();
        let sd = (14.0f64 / 3.0).sqrt() * (1.25f64).sqrt();
        assert_eq!(f.point, vec![3.0]);
        assert!((f.intervals[0].lower[0] - (3.0 - crate::stats::z_for_level(80.0) * sd)).abs() < 1e-12);
        // Drift: slope 5/3; residuals 2-5/3, -1-5/3, 4-5/3.
        let f = Drift.fit(&s).unwrap().predict(3, &[95.0]).unwrap();
        assert!((f.point[2] - (6.0 + 5.0)).abs() < 1e-12);
        let slope = 5.0 / 3.0;
        let ss: f64 = [2.0 - slope, -1.0 - slope, 4.0 - slope].iter().map(|e| e * e).sum();
        let sd3 = (ss / 2.0).sqrt() * (3.0f64 * (1.0 + 3.0 / 3.0)).sqrt();
        assert!((f.intervals[0].upper[2] - f.point[2] - z * sd3).abs() < 1e-12);
    }

    #[test]
    fn seasonal_naive_repeats_the_last_season_and_falls_back() {
        let s = series(&[1.0, 2.0, 3.0, 4.0, 2.0, 3.0, 4.0, 5.0], Frequency::Quarterly);
        let f = SeasonalNaive::default().fit(&s).unwrap().predict(6, &[95.0]).unwrap();
        assert_eq!(f.point, vec![2.0, 3.0, 4.0, 5.0, 2.0, 3.0]);
        // Residuals all 1 -> sigma 1; steps 5 and 6 are in the second season: sqrt(2).
        let half = |h: usize| (f.intervals[0].upper[h] - f.intervals[0].lower[h]) / 2.0;
        assert!((half(0) - 1.959963984540054).abs() < 1e-12);
        assert!((half(4) - 1.959963984540054 * 2f64.sqrt()).abs() < 1e-12);
        let short = series(&[1.0, 2.0, 3.0], Frequency::Quarterly);
        let fitted = SeasonalNaive::default().fit(&short).unwrap();
        assert!(fitted.description().contains("naive method was used"));
        assert_eq!(fitted.predict(2, &[95.0]).unwrap().point, vec![3.0, 3.0]);
    }

    #[test]
    fn rejects_too_short_and_non_finite_input() {
        let one = series(&[5.0], Frequency::Daily);
        for spec in crate::ModelSpec::all() {
            assert!(
                matches!(spec.build().fit(&one), Err(ModelError::TooShort { .. })),
                "{spec}"
            );
        }
        let nan = series(&[1.0, f64::NAN, 2.0], Frequency::Daily);
        assert_eq!(Naive.fit(&nan).err(), Some(ModelError::NonFinite));
        let ok = series(&[1.0, 2.0, 4.0], Frequency::Daily);
        assert_eq!(
            Naive.fit(&ok).unwrap().predict(1, &[100.0]).err(),
            Some(ModelError::BadLevel(100.0))
        );
        // A 95 % interval written as a fraction is refused, not drawn as a 0.95 % one.
        let e = crate::models::check_levels(&[80.0, 0.95]).unwrap_err();
        assert_eq!(e, ModelError::LevelAsFraction(0.95));
        assert!(e.to_string().contains("write 95 for a 95 % interval"), "{e}");
        assert_eq!(
            crate::models::check_levels(&[95.0, 1.0, 80.0]).unwrap(),
            [1.0, 80.0, 95.0]
        );
    }
}
