//! Calibrated intervals by conformal prediction: any model's intervals rescaled so that they
//! cover what its own past forecasts missed.
//!
//! Split conformal prediction (Vovk, Gammerman & Shafer 2005, *Algorithmic Learning in a Random
//! World*) with normalised nonconformity scores (Lei, G'Sell, Rinaldo, Tibshirani & Wasserman
//! 2018, "Distribution-free predictive inference for regression", *JASA* 113, §5.2), on
//! rolling-origin forecasts (Tashman 2000): the model is refitted at `K` origins spread evenly
//! from five seasons before the end (the two seasons a forecast scores, plus three) to the
//! last observation, the latest origins
//! scoring only the steps they have (measured on the benchmark, table in benches/RESULTS.md:
//! these recent, partly scored windows and origins that start from a single season of history
//! cover better on short and shifting series than full windows ending two seasons back), each
//! forecast scored by `|y − ŷ| / s_h`, where `s_h` is the model's own standard-error scale at
//! step `h` (half its 95 % interval over z₀.₉₇₅). The interval at level L is
//! `ŷ_h ± q_L · s_h`, q_L the ⌈(n+1)L⌉-th smallest of the n scores. Because `s_h` grows with
//! the step as the model says it should, the calibration widens or narrows every step alike.

use super::family::Family;
use super::{Fitted, FittedModel, Forecast, Forecaster, Interval, ModelError, ModelSpec, check_levels};
use crate::data::Series;
use crate::stats::z_for_level;
use serde::{Deserialize, Serialize};

/// Origins refitted for the calibration.
const ORIGINS: usize = 12;
/// Scores needed before the calibration is trusted.
const MIN_SCORES: usize = 20;
/// How far back (in seasons) the origins reach.
const REACH_SEASONS: usize = 3;

/// `inner`'s point forecasts with conformal intervals.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Conformal {
    pub inner: Box<ModelSpec>,
}

/// A model's fitted state with the calibration scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedConformal {
    inner: Box<FittedModel>,
    /// Sorted nonconformity scores; empty when there was too little history to calibrate.
    scores: Vec<f64>,
    origins: usize,
}

/// The model's own scale per step: half its 95 % interval over z₀.₉₇₅.
fn scales(f: &Forecast) -> Option<Vec<f64>> {
    let iv = f.interval(95.0)?;
    let z = z_for_level(95.0);
    Some(
        iv.upper
            .iter()
            .zip(&iv.lower)
            .map(|(u, l)| (u - l) / (2.0 * z))
            .collect(),
    )
}

impl Forecaster for Conformal {
    fn name(&self) -> String {
        format!("{}+conformal", self.inner.name())
    }

    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        let inner = Box::new(super::stepping::fit(&self.inner, series)?.to_state());
        let n = series.len();
        let m = series.freq.default_season();
        // Keep at least a season and two points (and 8 points) to fit on at the earliest origin:
        // short series are calibrated too, on forecasts made from even less history.
        let min_train = (m + 2).max(8);
        // Steps scored per origin: two seasons (8 to 60), fewer when the history is short.
        let room = n.saturating_sub(min_train + ORIGINS / 2);
        let steps = m.saturating_mul(2).clamp(8, 60).min(room).max(1);
        let mut scores = Vec::new();
        let mut origins = 0;
        for origin in calibration_origins(n, steps, min_train, REACH_SEASONS * m, ORIGINS) {
            let Ok(fitted) = super::stepping::fit(&self.inner, &series.head(origin)) else {
                continue;
            };
            // The origins nearest the end score the steps they have.
            let h = steps.min(n - origin);
            let Ok(f) = fitted.predict(h, &[95.0]) else { continue };
            let Some(s) = scales(&f) else { continue };
            origins += 1;
            let actual = &series.values[origin..origin + h];
            for ((y, p), s) in actual.iter().zip(&f.point).zip(&s) {
                let err = (y - p).abs();
                if s.is_finite() && *s > 0.0 && err.is_finite() {
                    scores.push(err / s);
                }
            }
        }
        if scores.len() < MIN_SCORES {
            scores.clear();
        }
        scores.sort_by(f64::total_cmp);
        Ok(Box::new(FittedConformal { inner, scores, origins }))
    }
}

/// Up to `count` calibration origins spread evenly from `steps + reach` before the end (but
/// not before `min_train`) to the last observation: the latest ones score only the steps they
/// have, so the calibration sees the most recent stretch of the history too.
pub(crate) fn calibration_origins(n: usize, steps: usize, min_train: usize, reach: usize, count: usize) -> Vec<usize> {
    let Some(last) = n.checked_sub(1) else {
        return Vec::new();
    };
    let first = n.saturating_sub(steps + reach).max(min_train);
    if first > last || count == 0 {
        return Vec::new();
    }
    let span = last - first;
    let count = count.min(span + 1);
    let mut out: Vec<usize> = (0..count)
        .map(|k| {
            if count > 1 {
                first + (2 * k * span + count - 1) / (2 * (count - 1))
            } else {
                last
            }
        })
        .collect();
    out.dedup();
    out
}

/// Up to `count` forecast origins, the last one `steps` before the end, the others spread
/// evenly back to `min_train`: errors from different stretches of the history, not twelve
/// nearly identical forecasts of the same weeks.
pub(crate) fn origins_for(n: usize, steps: usize, min_train: usize, reach: usize, count: usize) -> Vec<usize> {
    let Some(last) = n.checked_sub(steps) else {
        return Vec::new();
    };
    if last < min_train {
        return Vec::new();
    }
    let span = (last - min_train).min(reach);
    let count = count.min(span + 1);
    let mut out: Vec<usize> = (0..count)
        .map(|k| last - if count > 1 { k * span / (count - 1) } else { 0 })
        .collect();
    out.dedup();
    out
}

/// The ⌈(n+1)·level⌉-th smallest score (the largest if that is beyond n).
fn conformal_quantile(sorted: &[f64], level: f64) -> f64 {
    let n = sorted.len();
    let k = ((n + 1) as f64 * level / 100.0).ceil() as usize;
    sorted[k.clamp(1, n) - 1]
}

impl FittedConformal {
    /// The calibrated model's own fitted state.
    pub fn inner(&self) -> &FittedModel {
        &self.inner
    }
}

impl FittedConformal {
    /// The calibrated forecast from the model's own (`own(levels)`).
    fn calibrate(
        &self,
        levels: &[f64],
        own: impl Fn(&[f64]) -> Result<Forecast, ModelError>,
    ) -> Result<Forecast, ModelError> {
        let levels = check_levels(levels)?;
        if self.scores.is_empty() {
            return own(&levels);
        }
        let own = own(&[95.0])?;
        let s = scales(&own).ok_or_else(|| ModelError::Invalid("the model gave no 95 % interval".into()))?;
        let intervals = levels
            .iter()
            .map(|&level| {
                let q = conformal_quantile(&self.scores, level);
                Interval {
                    level,
                    lower: own.point.iter().zip(&s).map(|(p, s)| p - q * s).collect(),
                    upper: own.point.iter().zip(&s).map(|(p, s)| p + q * s).collect(),
                }
            })
            .collect();
        Ok(Forecast {
            point: own.point,
            intervals,
        })
    }
}

impl Fitted for FittedConformal {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
        self.calibrate(levels, |l| self.inner.predict(horizon, l))
    }

    fn drivers(&self) -> Vec<(String, f64)> {
        self.inner.drivers()
    }

    fn predict_planned(&self, horizon: usize, levels: &[f64], future: &[Vec<f64>]) -> Result<Forecast, ModelError> {
        self.calibrate(levels, |l| self.inner.predict_planned(horizon, l, future))
    }

    fn description(&self) -> String {
        let base = self.inner.description();
        if self.scores.is_empty() {
            return format!("{base} Too little history to calibrate the intervals: the model's own are shown.");
        }
        let q95 = conformal_quantile(&self.scores, 95.0);
        format!(
            "{base} Intervals calibrated by conformal prediction on {} past forecast errors ({} origins): \
             the 95 % band is {:.2}× the model's own.",
            self.scores.len(),
            self.origins,
            q95 / z_for_level(95.0)
        )
    }

    fn to_state(&self) -> FittedModel {
        FittedModel::Conformal(self.clone())
    }
}

/// Calibration as a family: any model's name with `+conformal` (`ets:12+conformal`), parsed by
/// [`ModelSpec`] itself since it wraps the others.
impl Family for Conformal {
    fn name(&self) -> String {
        Forecaster::name(self)
    }
    fn summary(&self) -> &'static str {
        "intervals calibrated on the model's past errors"
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(self.clone())
    }
    fn is_composite(&self) -> bool {
        true
    }
    fn with_season(&self, season: usize) -> Option<ModelSpec> {
        Some(ModelSpec::Conformal(Conformal {
            inner: Box::new(self.inner.clone().with_default_season(Some(season))),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_origins_reach_the_last_observation() {
        // 100 points, 24 steps, at least 14 to fit, reaching 36 back: 12 origins from 40 to 99.
        let o = calibration_origins(100, 24, 14, 36, 12);
        assert_eq!(o.len(), 12);
        assert_eq!((o[0], o[11]), (40, 99));
        assert!(o.windows(2).all(|w| w[0] < w[1]));
        // Short: from the minimum training length on.
        assert_eq!(calibration_origins(12, 8, 8, 12, 12), vec![8, 9, 10, 11]);
        assert!(calibration_origins(8, 8, 8, 12, 12).is_empty());
        assert!(calibration_origins(0, 8, 8, 12, 12).is_empty());
    }

    #[test]
    fn origins_spread_over_the_last_seasons() {
        // 100 points, 24 steps scored, at least 26 to fit, reaching 36 back: 12 origins from 40 to 76.
        let o = origins_for(100, 24, 26, 36, 12);
        assert_eq!(o.len(), 12);
        assert_eq!((o[0], o[11]), (76, 40));
        assert!(o.windows(2).all(|w| w[0] > w[1]));
        // Little room: as many origins as there are, none before the minimum.
        assert_eq!(origins_for(30, 4, 24, 36, 12), vec![26, 25, 24]);
        assert!(origins_for(20, 8, 24, 36, 12).is_empty());
    }

    #[test]
    fn the_conformal_quantile_has_the_finite_sample_correction() {
        let s: Vec<f64> = (1..=99).map(f64::from).collect();
        // ⌈100 · 0.95⌉ = 95th smallest.
        assert_eq!(conformal_quantile(&s, 95.0), 95.0);
        assert_eq!(conformal_quantile(&s, 50.0), 50.0);
        assert_eq!(conformal_quantile(&s[..10], 99.0), 10.0);
    }

    use crate::data::Frequency;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, StudentT};

    fn series(values: Vec<f64>) -> Series {
        Series::starting(
            Frequency::Monthly,
            chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            values,
        )
    }

    /// Exchangeable data (iid Student-t noise around a level): the conformal band of the mean
    /// model covers 95 % of future points, as the theory guarantees.
    #[test]
    fn conformal_bands_cover_as_promised_on_exchangeable_data() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let t = StudentT::new(3.0).unwrap();
        let (mut hits_cal, mut hits_own, mut total) = (0usize, 0usize, 0usize);
        for _ in 0..400 {
            let y: Vec<f64> = (0..110).map(|_| 100.0 + 5.0 * t.sample(&mut rng)).collect();
            let s = series(y[..100].to_vec());
            let cal = Conformal {
                inner: Box::new(ModelSpec::Mean),
            }
            .fit(&s)
            .unwrap()
            .predict(10, &[95.0])
            .unwrap();
            let own = ModelSpec::Mean.build().fit(&s).unwrap().predict(10, &[95.0]).unwrap();
            for (j, v) in y[100..].iter().enumerate() {
                let inside = |f: &Forecast| f.intervals[0].lower[j] <= *v && *v <= f.intervals[0].upper[j];
                hits_cal += usize::from(inside(&cal));
                hits_own += usize::from(inside(&own));
                total += 1;
            }
        }
        let (cal, own) = (hits_cal as f64 / total as f64, hits_own as f64 / total as f64);
        assert!(
            (0.93..=0.97).contains(&cal),
            "conformal coverage {cal} (model's own: {own})"
        );
    }

    #[test]
    fn the_spec_parses_names_and_round_trips() {
        let spec: ModelSpec = "ets:12+conformal".parse().unwrap();
        assert_eq!(
            spec,
            ModelSpec::Ets(crate::models::ets::AutoEts { season: Some(12) }).calibrated()
        );
        assert_eq!(spec.name(), "ets+conformal");
        assert_eq!(
            spec.uncalibrated(),
            &ModelSpec::Ets(crate::models::ets::AutoEts { season: Some(12) })
        );
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), spec);
        assert_eq!(spec.clone().calibrated(), spec);
    }

    #[test]
    fn too_short_a_history_keeps_the_models_own_intervals_and_says_so() {
        let s = series((0..12).map(f64::from).collect());
        let fitted = Conformal {
            inner: Box::new(ModelSpec::Naive),
        }
        .fit(&s)
        .unwrap();
        let own = ModelSpec::Naive.build().fit(&s).unwrap().predict(3, &[95.0]).unwrap();
        assert_eq!(fitted.predict(3, &[95.0]).unwrap(), own);
        assert!(
            fitted.description().contains("Too little history"),
            "{}",
            fitted.description()
        );
    }
}
