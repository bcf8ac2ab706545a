//! Global gradient-boosted trees: one [`horizon_gbm::Booster`] learns from every series of a
//! panel at once (as the LightGBM models of the M5 competition did; Makridakis, Spiliotis &
//! Assimakopoulos, *M5 accuracy competition: results, findings and conclusions*, IJF 38(4),
//! 2022), on the features of [`crate::data::features`]: lags, rolling statistics, calendar,
//! holidays, the file's drivers and the series ids.
//!
//! - Each series is divided by its scale (mean absolute value of its last year) so that one
//!   model serves series of any size; forecasts are multiplied back.
//! - Multi-step forecasts ([`Strategy`]) are recursive by default: each step's forecast joins
//!   the history the next step's lags and windows are computed from — the same feature code as
//!   in training. The direct strategy (`gbm-direct`) trains one booster per block of steps
//!   instead, each on features that end `gap` steps before its target (the "non-recursive"
//!   models of the M5 winners, Makridakis et al. 2022 §4; Taieb et al., *A review and comparison
//!   of strategies for multi-step ahead time series forecasting*, Expert Systems with
//!   Applications 39(8), 2012): its errors do not compound step after step, so they differ
//!   from the recursive model's, which is what an ensemble of the two feeds on.
//! - The number of trees is chosen by early stopping on each series' last stretch (one step
//!   ahead, or `gap` steps for a direct booster); the model is then refitted on everything with
//!   that many trees.
//! - Intervals: the multi-step forecast errors of that stretch, divided by the series' scale and
//!   by √h, pooled over series and steps; the band at level L is the L-quantile of their
//!   absolute values × √h × scale. `gbm+conformal` calibrates them per series instead.
//! - Drivers (price, promotion) are not known in the future: each is held at its usual value
//!   of about the last two months (regular price, no promotion), see [`usual_value`].
//!
//! Fitting one series ([`Forecaster::fit`]) is the same model on a panel of one.

use super::gbm_tune::{Tuned, Tuning, tune};
use super::{Fitted, FittedModel, Forecast, Forecaster, Interval, ModelError, check_finite, check_levels};
use crate::data::Series;
use crate::data::calendar::Frequency;
use crate::data::features::{FeatureSpec, Holidays};
use chrono::NaiveDate;
use horizon_gbm::{Booster, Matrix, Objective, Params};
use serde::{Deserialize, Deserializer, Serialize};
use std::sync::Arc;

/// A feature matrix and its targets.
pub type Rows = (Matrix, Vec<f64>);

/// Shortest series the model trains on: a season and a validation stretch.
const MIN_OBS: usize = 16;
/// Quantiles of the pooled absolute errors kept with the model: 0, 0.5 %, …, 100 %.
const ERROR_QUANTILES: usize = 201;

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
    /// (benches/RESULTS.md, issue 4, fifth pass).
    Absolute,
}

impl Loss {
    /// The booster objective.
    pub fn objective(self) -> Objective {
        match self {
            Loss::Squared => Objective::SquaredError,
            Loss::Absolute => Objective::Quantile(0.5),
        }
    }

    /// The loss whose objective `o` is (squared for any other quantile).
    pub fn of(o: Objective) -> Loss {
        if o == Objective::Quantile(0.5) {
            Loss::Absolute
        } else {
            Loss::Squared
        }
    }
}

/// The model's name for a strategy and a loss: `gbm`, `gbm-direct`, `gbm-median`,
/// `gbm-direct-median`.
pub fn model_name(strategy: Strategy, loss: Loss) -> String {
    let base = match strategy {
        Strategy::Recursive => "gbm",
        Strategy::Direct => "gbm-direct",
    };
    match loss {
        Loss::Squared => base.into(),
        Loss::Absolute => format!("{base}-median"),
    }
}

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
    /// Search the booster's parameters first ([`super::gbm_tune`]), within this budget.
    pub tune: Option<Tuning>,
}

impl Forecaster for Gbm {
    fn name(&self) -> String {
        model_name(self.strategy, Loss::of(self.params.objective))
    }

    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        let mut fitted = self.fit_panel(std::slice::from_ref(series))?;
        fitted
            .pop()
            .map(|f| Box::new(f) as Box<dyn Fitted>)
            .ok_or_else(|| ModelError::Invalid("no series to fit".into()))
    }
}

/// One series prepared for training: scaled values, its features' inputs.
struct Prepared<'a> {
    series: &'a Series,
    scale: f64,
    scaled: Vec<f64>,
    ids: Vec<f64>,
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

    fn spec_for(&self, series: &[Series]) -> Result<FeatureSpec, ModelError> {
        let freq = series.first().map_or(Frequency::Daily, |s| s.freq);
        if series.iter().any(|s| s.freq != freq) {
            return Err(ModelError::Invalid(
                "the series of one GBM must share a frequency".into(),
            ));
        }
        let season = self.season.unwrap_or(freq.default_season()).max(1);
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

    /// Whether a series can join the training: finite and at least [`MIN_OBS`] long (and as
    /// many more as the longest gap of a direct booster, less one).
    pub fn check(&self, s: &Series) -> Result<(), ModelError> {
        check_finite(&s.values)?;
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

    /// Fit one booster on every series (after the parameter search, when the model has a
    /// tuning budget); one fitted model per series, in order.
    pub fn fit_panel(&self, series: &[Series]) -> Result<Vec<FittedGbm>, ModelError> {
        let Some(tuning) = self.tune else {
            return self.fit_untuned(series, None);
        };
        let clock = web_time::Instant::now();
        let plain = Gbm {
            tune: None,
            ..self.clone()
        };
        let tuned = tune(
            &plain,
            series,
            tuning.budget(),
            self.params.seed,
            &|| clock.elapsed().as_secs_f64(),
            &mut |_| true,
        )?;
        plain.fit_tuned(series, &tuned)
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
                let keep = (spec.memory() + gaps.last().copied().unwrap_or(1)).min(s.len());
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
    (2 * m).max(14).min(n / 5).max(1)
}

/// Feature rows and targets of the times `range(p)` (half-open, from `gap` on) of every
/// series; the features of the value at `t` end at `t - gap`.
fn training_rows(
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
        &exog,
        &p.ids,
        steps,
    )
}

/// Forecast `steps` values after `history` (whose last date is `last`). Steps go in blocks of
/// the longest gap; the `r`-th step of a block is forecast by the booster of the shortest gap
/// of at least `r`, from the history up to `gap` steps before it — the observed values and the
/// forecasts of earlier blocks (every step's, for the recursive strategy's gap of 1).
#[allow(clippy::too_many_arguments)]
fn run_forward(
    boosters: &[Gapped],
    spec: &FeatureSpec,
    holidays: &Holidays,
    mut history: Vec<f64>,
    last: NaiveDate,
    exog: &[f64],
    ids: &[f64],
    steps: usize,
) -> Vec<f64> {
    let observed = history.len();
    let block = boosters.iter().map(|b| b.gap).max().unwrap_or(1).max(1);
    let mut out = Vec::with_capacity(steps);
    let mut row = Vec::new();
    for h in 1..=steps {
        let r = (h - 1) % block + 1;
        let Some(model) = boosters.iter().filter(|b| b.gap >= r).min_by_key(|b| b.gap) else {
            break;
        };
        row.clear();
        let date = spec.freq.advance(last, h as i64);
        // gap >= 1, so the end is at most the values known so far (observed + h - 1).
        let end = (observed + h).saturating_sub(model.gap);
        spec.row(&history[..end], date, exog, ids, holidays, &mut row);
        let f = model.booster.predict_row(&row);
        out.push(f);
        history.push(f);
    }
    out
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

/// A booster and the gap between its last input and its target (1: the next value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gapped {
    pub gap: usize,
    pub booster: Arc<Booster>,
}

/// The boosters as stored, or the one recursive booster of artifacts made before the direct
/// strategy (field `booster`).
fn boosters_or_one<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Gapped>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Gapped(Vec<Gapped>),
        One(Arc<Booster>),
    }
    Ok(match Stored::deserialize(d)? {
        Stored::Gapped(v) => v,
        Stored::One(booster) => vec![Gapped { gap: 1, booster }],
    })
}

/// A series' share of a fitted GBM: the boosters (shared by the panel) and what forecasting
/// this series needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedGbm {
    /// One booster of gap 1 (recursive), or one per block of steps (direct).
    #[serde(alias = "booster", deserialize_with = "boosters_or_one")]
    pub boosters: Vec<Gapped>,
    pub spec: FeatureSpec,
    pub last_date: NaiveDate,
    /// The last scaled values, as many as the features look back.
    pub tail: Vec<f64>,
    pub scale: f64,
    /// The drivers' values assumed for the future: each one's usual value, see [`usual_value`].
    pub exog_last: Vec<f64>,
    pub ids: Vec<f64>,
    /// Quantiles of the pooled |error| / √h (scaled), see the module doc.
    pub error_quantiles: Vec<f64>,
    pub panel_size: usize,
    pub rows: usize,
    /// The parameter search that chose the booster's settings, if one ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuning: Option<TuneRecord>,
}

/// What a parameter search did, kept with the model it tuned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneRecord {
    pub trials: usize,
    pub pruned: usize,
    /// Validation loss (one step ahead, scaled) of the default and of the chosen parameters.
    pub default_loss: f64,
    pub best_loss: f64,
}

impl TuneRecord {
    pub fn of(t: &Tuned) -> TuneRecord {
        TuneRecord {
            trials: t.trials.len(),
            pruned: t
                .trials
                .iter()
                .filter(|t| t.state == crate::tune::TrialState::Pruned)
                .count(),
            default_loss: t.default_loss,
            best_loss: t.best_loss,
        }
    }

    fn describe(&self) -> String {
        format!(
            " Parameters tuned by a TPE search of {} trials ({} pruned): validation loss {:.4} with the defaults, {:.4} tuned.",
            self.trials, self.pruned, self.default_loss, self.best_loss
        )
    }
}

impl FittedGbm {
    /// The error quantile at probability `p` (interpolated in the stored table).
    fn error_at(&self, p: f64) -> f64 {
        let q = &self.error_quantiles;
        if q.is_empty() {
            return 0.0;
        }
        let pos = p.clamp(0.0, 1.0) * (q.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        q[lo] + (q[hi] - q[lo]) * (pos - lo as f64)
    }
}

impl Fitted for FittedGbm {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
        let levels = check_levels(levels)?;
        let first = self.last_date;
        let holidays = Holidays::new(
            self.spec.holidays,
            first,
            self.spec.freq.advance(first, horizon as i64 + 1),
        );
        let scaled = run_forward(
            &self.boosters,
            &self.spec,
            &holidays,
            self.tail.clone(),
            self.last_date,
            &self.exog_last,
            &self.ids,
            horizon,
        );
        let point: Vec<f64> = scaled.iter().map(|v| v * self.scale).collect();
        let intervals = levels
            .into_iter()
            .map(|level| {
                let q = self.error_at(level / 100.0) * self.scale;
                let width = |h: usize| q * (h as f64).sqrt();
                Interval {
                    level,
                    lower: point.iter().enumerate().map(|(i, p)| p - width(i + 1)).collect(),
                    upper: point.iter().enumerate().map(|(i, p)| p + width(i + 1)).collect(),
                }
            })
            .collect();
        Ok(Forecast { point, intervals })
    }

    fn description(&self) -> String {
        let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        for g in &self.boosters {
            for (name, n) in g.booster.split_counts() {
                *counts.entry(name).or_default() += n;
            }
        }
        let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
        counts.sort_by_key(|c| std::cmp::Reverse(c.1));
        let top: Vec<String> = counts.into_iter().take(3).map(|(n, _)| n).collect();
        let drivers = if self.spec.exog.is_empty() {
            String::new()
        } else {
            format!(
                " Drivers ({}) held at their usual values of about the last two months.",
                self.spec.exog.join(", ")
            )
        };
        let tuning = self.tuning.as_ref().map(TuneRecord::describe).unwrap_or_default();
        let trees = self.boosters.iter().flat_map(|g| &g.booster.trees);
        let strategy = match self.boosters.as_slice() {
            [one] if one.gap == 1 => String::new(),
            many => format!(
                ", direct: one model per block of steps, forecasting {} steps past its inputs",
                many.iter().map(|g| g.gap.to_string()).collect::<Vec<_>>().join(", ")
            ),
        };
        let loss = match self.boosters.first().map(|g| Loss::of(g.booster.objective)) {
            Some(Loss::Absolute) => " of the median (absolute error)",
            _ => "",
        };
        format!(
            "Gradient-boosted trees{loss}{strategy}: {} trees of up to {} leaves on {} features, trained on {} rows of {} series; most used: {}.{}{}",
            trees.clone().count(),
            trees.map(horizon_gbm::Tree::leaves).max().unwrap_or(0),
            self.spec.names().len(),
            self.rows,
            self.panel_size,
            top.join(", "),
            drivers,
            tuning
        )
    }

    fn to_state(&self) -> FittedModel {
        FittedModel::Gbm(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::generate::{RetailParams, retail};

    #[test]
    fn drivers_are_held_at_their_usual_value() {
        // A promotion running on the last days is not assumed to last.
        let mut promo = vec![0.0; 60];
        promo[57..].fill(1.0);
        assert_eq!(usual_value(&promo, 56), 0.0);
        // A price cut long enough to be the rule now is.
        let mut price = vec![4.0; 20];
        price.extend(vec![3.5; 40]);
        assert_eq!(usual_value(&price, 56), 3.5);
        // Ties go to the newer value; an empty column is 0.
        assert_eq!(usual_value(&[1.0, 1.0, 2.0, 2.0], 56), 2.0);
        assert_eq!(usual_value(&[], 56), 0.0);
        // The window: monthly data looks at its last 3 months only.
        assert_eq!(
            usual_value(&[5.0, 5.0, 5.0, 4.0, 4.0, 6.0], usual_window(Frequency::Monthly)),
            4.0
        );
    }

    /// The rows built for training see only the past: perturbing a series after time t - gap
    /// leaves the features of every row up to t unchanged (the leakage test of the whole
    /// training path, for the recursive booster and the direct ones).
    #[test]
    fn training_rows_up_to_t_ignore_everything_after_t() {
        let panel = retail(&RetailParams {
            stores: 1,
            products: 2,
            days: 200,
            ..RetailParams::default()
        });
        let gbm = Gbm::default();
        let spec = gbm.spec_for(&panel.series).unwrap();
        let holidays = Holidays::new(spec.holidays, panel.series[0].dates[0], panel.series[0].dates[199]);
        let build = |series: &[Series], t: usize, gap: usize| {
            let prepared: Vec<Prepared> = series
                .iter()
                .map(|s| Prepared {
                    series: s,
                    scale: 1.0,
                    scaled: s.values.clone(),
                    ids: vec![],
                })
                .collect();
            training_rows(&spec, &prepared, &holidays, gap, |_| (1, t + 1)).0
        };
        let t = 120;
        for gap in [1, 7, 28] {
            let before = build(&panel.series, t, gap);
            assert_eq!(before.columns[0].len(), 2 * (t + 1 - gap));
            let mut changed = panel.series.clone();
            for s in &mut changed {
                for v in &mut s.values[t + 1 - gap..] {
                    *v = *v * 7.0 + 1000.0;
                }
            }
            let after = build(&changed, t, gap);
            assert_eq!(format!("{before:?}"), format!("{after:?}"), "gap {gap}");
            // One value earlier does show.
            for s in &mut changed {
                s.values[t - gap] += 1000.0;
            }
            assert_ne!(
                format!("{before:?}"),
                format!("{:?}", build(&changed, t, gap)),
                "gap {gap}"
            );
        }
    }

    #[test]
    fn a_global_model_forecasts_a_retail_panel_better_than_seasonal_naive() {
        a_panel_model_beats_seasonal_naive(Strategy::Recursive, Loss::Squared);
    }

    #[test]
    fn a_direct_model_forecasts_a_retail_panel_better_than_seasonal_naive() {
        a_panel_model_beats_seasonal_naive(Strategy::Direct, Loss::Squared);
    }

    #[test]
    fn a_median_model_forecasts_a_retail_panel_better_than_seasonal_naive() {
        a_panel_model_beats_seasonal_naive(Strategy::Recursive, Loss::Absolute);
    }

    #[test]
    fn a_direct_median_model_forecasts_a_retail_panel_better_than_seasonal_naive() {
        a_panel_model_beats_seasonal_naive(Strategy::Direct, Loss::Absolute);
    }

    /// Sales are Poisson counts around a log-normal mean, skewed to the right: the median
    /// model forecasts below the mean model and about half the actuals fall below its
    /// forecasts.
    #[test]
    fn the_median_model_forecasts_the_middle_of_skewed_sales() {
        let panel = retail(&RetailParams {
            stores: 2,
            products: 3,
            days: 500,
            noise: 0.4,
            ..RetailParams::default()
        });
        let h = 28;
        let train: Vec<Series> = panel.series.iter().map(|s| s.head(s.len() - h)).collect();
        let total_and_below = |loss: Loss| {
            let gbm = Gbm {
                id_columns: panel.id_columns.clone(),
                exog_columns: panel.exog_columns.clone(),
                ..Gbm::new(None, Strategy::Recursive, loss, None)
            };
            let fitted = gbm.fit_panel(&train).unwrap();
            let (mut total, mut below) = (0.0, 0usize);
            for (s, f) in panel.series.iter().zip(&fitted) {
                let point = f.predict(h, &[]).unwrap().point;
                total += point.iter().sum::<f64>();
                below += s.values[s.len() - h..]
                    .iter()
                    .zip(&point)
                    .filter(|(a, p)| a < p)
                    .count();
            }
            (total, below as f64 / (h * panel.series.len()) as f64)
        };
        let (mean_total, mean_below) = total_and_below(Loss::Squared);
        let (median_total, median_below) = total_and_below(Loss::Absolute);
        assert!(median_total < mean_total, "median {median_total} vs mean {mean_total}");
        assert!((0.35..=0.65).contains(&median_below), "{median_below} below the median");
        assert!(median_below < mean_below, "{median_below} vs {mean_below}");
    }

    fn a_panel_model_beats_seasonal_naive(strategy: Strategy, loss: Loss) {
        let panel = retail(&RetailParams {
            stores: 2,
            products: 3,
            days: 500,
            ..RetailParams::default()
        });
        let h = 28;
        let train: Vec<Series> = panel.series.iter().map(|s| s.head(s.len() - h)).collect();
        let gbm = Gbm {
            id_columns: panel.id_columns.clone(),
            exog_columns: panel.exog_columns.clone(),
            ..Gbm::new(None, strategy, loss, None)
        };
        let fitted = gbm.fit_panel(&train).unwrap();
        let gaps: Vec<usize> = fitted[0].boosters.iter().map(|b| b.gap).collect();
        assert_eq!(gaps, strategy.gaps(Frequency::Daily));
        let (mut err_gbm, mut err_snaive) = (0.0, 0.0);
        let mut covered = 0;
        for (s, f) in panel.series.iter().zip(&fitted) {
            let fc = f.predict(h, &[95.0]).unwrap();
            let actual = &s.values[s.len() - h..];
            let last_week = &s.values[s.len() - h - 7..s.len() - h];
            for (i, a) in actual.iter().enumerate() {
                err_gbm += (fc.point[i] - a).abs();
                err_snaive += (last_week[i % 7] - a).abs();
                let iv = &fc.intervals[0];
                covered += usize::from(iv.lower[i] <= *a && *a <= iv.upper[i]);
            }
        }
        assert!(
            err_gbm < 0.9 * err_snaive,
            "gbm {err_gbm} vs seasonal naive {err_snaive}"
        );
        let coverage = covered as f64 / (h * panel.series.len()) as f64;
        assert!((0.8..=1.0).contains(&coverage), "coverage {coverage}");
        // One booster serves the panel and survives serialisation.
        let state = serde_json::to_string(&fitted[0].to_state()).unwrap();
        let back: FittedModel = serde_json::from_str(&state).unwrap();
        assert_eq!(
            back.predict(h, &[95.0]).unwrap(),
            fitted[0].predict(h, &[95.0]).unwrap()
        );
        let description = fitted[0].description();
        assert!(description.contains("of 6 series"), "{description}");
        assert_eq!(
            description.contains("direct: one model per block of steps, forecasting 7, 14, 21, 28 steps"),
            strategy == Strategy::Direct,
            "{description}"
        );
        assert_eq!(
            description.contains("of the median (absolute error)"),
            loss == Loss::Absolute,
            "{description}"
        );
        // Longer than a block: the later blocks go on from the earlier blocks' forecasts.
        let long = fitted[0].predict(3 * h, &[95.0]).unwrap();
        assert_eq!(long.point[..h], fitted[0].predict(h, &[95.0]).unwrap().point[..]);
        assert!(long.point.iter().all(|v| v.is_finite()));
    }

    /// Artifacts made before the direct strategy stored one booster as `booster`: they load as
    /// the recursive model they are, forecasting the same.
    #[test]
    fn a_model_stored_with_one_booster_loads_as_the_recursive_model() {
        let panel = retail(&RetailParams {
            stores: 1,
            products: 2,
            days: 200,
            ..RetailParams::default()
        });
        let fitted = Gbm::default().fit_panel(&panel.series).unwrap();
        let mut json = serde_json::to_value(&fitted[0]).unwrap();
        let object = json.as_object_mut().unwrap();
        let boosters = object.remove("boosters").unwrap();
        object.insert("booster".into(), boosters[0]["booster"].clone());
        let old: FittedGbm = serde_json::from_value(json).unwrap();
        assert_eq!(old, fitted[0]);
        assert_eq!(
            old.predict(14, &[95.0]).unwrap(),
            fitted[0].predict(14, &[95.0]).unwrap()
        );
    }
}
