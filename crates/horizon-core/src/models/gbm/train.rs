//! Training the GBM: the features of every series of a panel, early stopping on each series'
//! last stretch, the pooled errors behind the intervals, and the final boosters.

use super::fitted::{FittedGbm, TuneRecord};
use super::forward::{Drivers, Gapped, run_forward};
use super::settings::{Loss, Strategy, Tuned, Tuning};
use crate::data::Series;
use crate::data::calendar::Frequency;
use crate::data::features::{FeatureSpec, Holidays};
use crate::models::{Forecaster, ModelError, check_finite};
use chrono::NaiveDate;
use horizon_gbm::{Booster, Matrix, Params};
use std::sync::Arc;

/// A feature matrix and its targets.
pub type Rows = (Matrix, Vec<f64>);

/// Shortest series the model trains on: a season and a validation stretch.
const MIN_OBS: usize = 16;
/// Quantiles of the pooled absolute errors kept with the model: 0, 0.5 %, …, 100 %.
const ERROR_QUANTILES: usize = 201;

/// The GBM, its booster settings and the season its features use.
#[derive(Debug, Clone, Default)]
pub struct Gbm {
    pub season: Option<usize>,
    pub strategy: Strategy,
    /// Booster settings; their objective is the model's [`Loss`].
    pub params: Params,
    /// Names of the series' id columns and exogenous columns (empty for a lone series).
    pub id_columns: Vec<String>,
    pub exog_columns: Vec<String>,
    /// Search the booster's parameters first ([`super::tune`]), within this budget.
    pub tune: Option<Tuning>,
}

/// One series prepared for training: scaled values, its features' inputs.
pub(super) struct Prepared<'a> {
    pub(super) series: &'a Series,
    pub(super) scale: f64,
    pub(super) scaled: Vec<f64>,
    pub(super) ids: Vec<f64>,
}

impl Gbm {
    /// The model with default booster settings for `loss`.
    pub fn new(season: Option<usize>, strategy: Strategy, loss: Loss, tune: Option<Tuning>) -> Gbm {
        Gbm {
            season,
            strategy,
            params: Params {
                objective: loss.objective(),
                ..Params::default()
            },
            tune,
            ..Gbm::default()
        }
    }

    pub(super) fn spec_for(&self, series: &[Series]) -> Result<FeatureSpec, ModelError> {
        let freq = series.first().map_or(Frequency::Daily, |s| s.freq);
        if series.iter().any(|s| s.freq != freq) {
            return Err(ModelError::Invalid(
                "the series of one GBM must share a frequency".into(),
            ));
        }
        // A season past any history adds only missing lags: capped, so no index overflows.
        let season = self
            .season
            .unwrap_or(freq.default_season())
            .clamp(1, crate::models::family::MAX_SEASON);
        let mut spec = FeatureSpec::for_frequency(freq, season);
        let n_exog = series.iter().map(|s| s.exog.len()).min().unwrap_or(0);
        spec.exog = (0..n_exog)
            .map(|i| {
                self.exog_columns
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("x{}", i + 1))
            })
            .collect();
        if !self.id_columns.is_empty() && series.len() > 1 {
            spec = spec.with_ids(&self.id_columns, series.iter().map(|s| s.key.as_slice()));
        }
        Ok(spec)
    }

    /// Whether a series can join the training: finite (and not negative for the count losses)
    /// and at least [`MIN_OBS`] long (and as many more as the longest gap of a direct booster,
    /// less one).
    pub fn check(&self, s: &Series) -> Result<(), ModelError> {
        check_finite(&s.values)?;
        if self.params.objective.needs_non_negative() {
            crate::models::check_non_negative(s, &self.name())?;
        }
        let needed = MIN_OBS + self.strategy.gaps(s.freq).last().copied().unwrap_or(1) - 1;
        if s.len() < needed {
            return Err(ModelError::TooShort {
                model: self.name(),
                needed,
                got: s.len(),
            });
        }
        Ok(())
    }

    fn prepare<'a>(&self, series: &'a [Series]) -> Result<(FeatureSpec, Holidays, Vec<Prepared<'a>>), ModelError> {
        let spec = self.spec_for(series)?;
        let (first, last) = date_span(series);
        let holidays = Holidays::new(spec.holidays, first, last + chrono::Duration::days(400));
        let prepared: Vec<Prepared> = series
            .iter()
            .map(|s| {
                let scale = scale_of(&s.values, s.freq);
                Prepared {
                    series: s,
                    scale,
                    scaled: s.values.iter().map(|v| v / scale).collect(),
                    ids: spec.id_codes(&s.key),
                }
            })
            .collect();
        Ok((spec, holidays, prepared))
    }

    /// The training rows and the validation rows (each series' last stretch, one step ahead,
    /// or the first gap ahead for the direct strategy) the number of trees is chosen on; also
    /// what the tuner scores parameters on.
    pub fn validation_split(&self, series: &[Series]) -> Result<(Rows, Rows), ModelError> {
        for s in series {
            self.check(s)?;
        }
        let (spec, holidays, prepared) = self.prepare(series)?;
        let gap = self.strategy.gaps(spec.freq).first().copied().unwrap_or(1);
        Ok(self.split(&spec, &prepared, &holidays, gap))
    }

    fn hold(&self, p: &Prepared, freq: Frequency) -> usize {
        holdout(p.series.len(), freq, self.season)
    }

    fn split(&self, spec: &FeatureSpec, prepared: &[Prepared], holidays: &Holidays, gap: usize) -> (Rows, Rows) {
        let hold = |p: &Prepared| self.hold(p, spec.freq);
        let train = training_rows(spec, prepared, holidays, gap, |p| (gap, p.series.len() - hold(p)));
        let valid = training_rows(spec, prepared, holidays, gap, |p| {
            ((p.series.len() - hold(p)).max(gap), p.series.len())
        });
        (train, valid)
    }

    /// Fit with the parameters a search found (the search is recorded with the model).
    pub fn fit_tuned(&self, series: &[Series], tuned: &Tuned) -> Result<Vec<FittedGbm>, ModelError> {
        let gbm = Gbm {
            params: tuned.params.clone(),
            tune: None,
            ..self.clone()
        };
        gbm.fit_untuned(series, Some(TuneRecord::of(tuned)))
    }

    /// Fit with the parameters as they are; `record` is the search that chose them, if any.
    pub fn fit_untuned(&self, series: &[Series], record: Option<TuneRecord>) -> Result<Vec<FittedGbm>, ModelError> {
        if series.is_empty() {
            return Err(ModelError::Invalid("no series to fit".into()));
        }
        for s in series {
            self.check(s)?;
        }
        let (spec, holidays, prepared) = self.prepare(series)?;
        let gaps = self.strategy.gaps(spec.freq);

        // 1. Early stopping on each series' last stretch, `gap` steps ahead.
        let mut first_fits = Vec::with_capacity(gaps.len());
        for &gap in &gaps {
            let ((x, y), (vx, vy)) = self.split(&spec, &prepared, &holidays, gap);
            if self.params.objective.needs_non_negative() && !y.iter().any(|v| *v > 0.0) {
                return Err(ModelError::Invalid(format!(
                    "{} learns from sales: no series sold anything before its last stretch (kept to \
                     choose the number of trees); try gbm or a longer history",
                    self.name()
                )));
            }
            let booster = Booster::train(&x, &y, Some((&vx, &vy)), &self.params).map_err(train_error)?;
            first_fits.push(Gapped {
                gap,
                booster: Arc::new(booster),
            });
        }

        // 2. Interval errors: multi-step forecasts over the stretch, from the first fits.
        let mut errors: Vec<f64> = Vec::new();
        for p in &prepared {
            let n = p.series.len();
            let origin = n - self.hold(p, spec.freq);
            let path = forecast_from(&first_fits, &spec, &holidays, p, origin, n - origin);
            for (h, (f, actual)) in path.iter().zip(&p.scaled[origin..]).enumerate() {
                errors.push((actual - f).abs() / ((h + 1) as f64).sqrt());
            }
        }
        let error_quantiles = quantile_table(&mut errors);

        // 3. The model: every row, each booster with the number of trees chosen for it.
        let mut boosters = Vec::with_capacity(gaps.len());
        let mut rows = 0;
        for first in &first_fits {
            let gap = first.gap;
            let (x, y) = training_rows(&spec, &prepared, &holidays, gap, |p| (gap, p.series.len()));
            let params = Params {
                rounds: first.booster.trees.len().max(1),
                early_stopping_rounds: 0,
                ..self.params.clone()
            };
            rows = rows.max(y.len());
            let booster = Booster::train(&x, &y, None, &params).map_err(train_error)?;
            boosters.push(Gapped {
                gap,
                booster: Arc::new(booster),
            });
        }
        let panel_size = series.len();
        Ok(prepared
            .into_iter()
            .map(|p| {
                let s = p.series;
                let keep = spec
                    .memory()
                    .saturating_add(gaps.last().copied().unwrap_or(1))
                    .min(s.len());
                FittedGbm {
                    boosters: boosters.clone(),
                    spec: spec.clone(),
                    last_date: s.dates.last().copied().unwrap_or_default(),
                    tail: p.scaled[s.len() - keep..].to_vec(),
                    scale: p.scale,
                    exog_last: s
                        .exog
                        .iter()
                        .take(spec.exog.len())
                        .map(|c| usual_value(c, usual_window(s.freq)))
                        .collect(),
                    ids: p.ids,
                    error_quantiles: error_quantiles.clone(),
                    panel_size,
                    rows,
                    tuning: record.clone(),
                }
            })
            .collect())
    }
}

/// Periods a driver's usual value is taken from: about two months (8 weeks of days, 8 weeks,
/// 3 months, 2 quarters).
pub fn usual_window(freq: Frequency) -> usize {
    match freq {
        Frequency::Daily => 56,
        Frequency::Weekly => 8,
        Frequency::Monthly => 3,
        Frequency::Quarterly => 2,
    }
}

/// A driver's value assumed for the future: the most frequent of its last `window` values
/// (the latest of equally frequent ones). Prices sit at their regular level and
/// promotions are off on most days; holding the last value instead would stretch a promotion
/// that happens to run on the last day over the whole horizon.
pub fn usual_value(column: &[f64], window: usize) -> f64 {
    let recent = &column[column.len().saturating_sub(window.max(1))..];
    let mut best = (0usize, 0.0);
    // Latest first: an equally frequent older value does not replace a newer one.
    for v in recent.iter().rev() {
        let count = recent.iter().filter(|w| w.to_bits() == v.to_bits()).count();
        if count > best.0 {
            best = (count, *v);
        }
    }
    best.1
}

/// The feature matrix and scaled targets of the times `from..len` of every series, as the
/// model trains on them (for benchmarks against other boosters on the same matrix).
pub fn feature_matrix(
    gbm: &Gbm,
    series: &[Series],
    from: impl Fn(&Series) -> usize,
) -> Result<(Matrix, Vec<f64>), ModelError> {
    let (spec, holidays, prepared) = gbm.prepare(series)?;
    Ok(training_rows(&spec, &prepared, &holidays, 1, |p| {
        (from(p.series).clamp(1, p.series.len()), p.series.len())
    }))
}

fn train_error(e: horizon_gbm::TrainError) -> ModelError {
    ModelError::Invalid(format!("gbm: {e}"))
}

fn date_span(series: &[Series]) -> (NaiveDate, NaiveDate) {
    let first = series.iter().filter_map(|s| s.dates.first()).min().copied();
    let last = series.iter().filter_map(|s| s.dates.last()).max().copied();
    let fallback = NaiveDate::default();
    (first.unwrap_or(fallback), last.unwrap_or(fallback))
}

/// Mean absolute value of the last year (at least the last 8 values); 1 for an all-zero series.
fn scale_of(values: &[f64], freq: Frequency) -> f64 {
    let year = match freq {
        Frequency::Daily => 365,
        Frequency::Weekly => 52,
        Frequency::Monthly => 12,
        Frequency::Quarterly => 4,
    }
    .max(8);
    let tail = &values[values.len().saturating_sub(year)..];
    let s = tail.iter().map(|v| v.abs()).sum::<f64>() / tail.len().max(1) as f64;
    if s > 0.0 && s.is_finite() { s } else { 1.0 }
}

/// The validation stretch at the end of a series of `n`: two seasons (at least 14 steps), at most
/// a fifth of the series.
fn holdout(n: usize, freq: Frequency, season: Option<usize>) -> usize {
    let m = season.unwrap_or(freq.default_season());
    m.saturating_mul(2).max(14).min(n / 5).max(1)
}

/// Feature rows and targets of the times `range(p)` (half-open, from `gap` on) of every
/// series; the features of the value at `t` end at `t - gap`.
pub(super) fn training_rows(
    spec: &FeatureSpec,
    prepared: &[Prepared],
    holidays: &Holidays,
    gap: usize,
    range: impl Fn(&Prepared) -> (usize, usize),
) -> (Matrix, Vec<f64>) {
    let names = spec.names();
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let mut y = Vec::new();
    let mut row = Vec::with_capacity(names.len());
    for p in prepared {
        let (from, to) = range(p);
        for t in from.max(gap)..to {
            row.clear();
            let exog: Vec<f64> = p.series.exog.iter().take(spec.exog.len()).map(|c| c[t]).collect();
            spec.row(
                &p.scaled[..=t - gap],
                p.series.dates[t],
                &exog,
                &p.ids,
                holidays,
                &mut row,
            );
            for (c, v) in columns.iter_mut().zip(&row) {
                c.push(*v);
            }
            y.push(p.scaled[t]);
        }
    }
    (Matrix { columns, names }, y)
}

/// Forecasts (scaled) of `steps` values after `history[..origin]`.
fn forecast_from(
    boosters: &[Gapped],
    spec: &FeatureSpec,
    holidays: &Holidays,
    p: &Prepared,
    origin: usize,
    steps: usize,
) -> Vec<f64> {
    let exog: Vec<f64> = p
        .series
        .exog
        .iter()
        .take(spec.exog.len())
        .map(|c| c[origin.saturating_sub(1)])
        .collect();
    let start = p.series.dates[origin.saturating_sub(1)];
    run_forward(
        boosters,
        spec,
        holidays,
        p.scaled[..origin].to_vec(),
        start,
        Drivers::Held(&exog),
        &p.ids,
        steps,
    )
}

/// The 0, 0.5 %, …, 100 % quantiles of `v` (sorted in place); all zero when empty.
fn quantile_table(v: &mut [f64]) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    (0..ERROR_QUANTILES)
        .map(|k| {
            if v.is_empty() {
                return 0.0;
            }
            let pos = k as f64 / (ERROR_QUANTILES - 1) as f64 * (v.len() - 1) as f64;
            let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
            v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
        })
        .collect()
}
