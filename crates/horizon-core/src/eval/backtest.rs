//! Rolling-origin backtests (Tashman 2000, "Out-of-sample tests of forecasting accuracy"):
//! the last `folds` origins, `step` periods apart, each forecasting `horizon` periods from the
//! data before it. Every fold goes through the one panel fit of [`crate::models::panel`]:
//! series in parallel for a local model (rayon; on wasm32 on the current thread), one fit of
//! the panel cut at its origins for a global one.

use super::metrics::Metrics;
use crate::data::{Panel, Series};
use crate::models::predict::predict_fitted;
use crate::models::{Forecast, ModelError, ModelSpec};
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestConfig {
    pub horizon: usize,
    pub folds: usize,
    /// Periods between origins; `None` = `horizon` (non-overlapping test windows).
    pub step: Option<usize>,
    /// Season for the MASE scale; `None` = the frequency's usual season.
    pub season: Option<usize>,
    /// Interval level scored by coverage and interval score.
    pub level: f64,
}

impl Default for BacktestConfig {
    fn default() -> Self {
        BacktestConfig {
            horizon: 14,
            folds: 3,
            step: None,
            season: None,
            level: 95.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum BacktestError {
    #[error("horizon and folds must be at least 1")]
    Empty,
    #[error(
        "no series is long enough for {folds} fold(s) of horizon {horizon} (the longest has {longest} observations)"
    )]
    TooShort {
        folds: usize,
        horizon: usize,
        longest: usize,
    },
}

/// One model on one series at one origin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldResult {
    pub series: String,
    pub model: String,
    pub fold: usize,
    pub origin: NaiveDate,
    /// `Err` holds why the model could not forecast this fold.
    pub metrics: Result<Metrics, String>,
    #[serde(skip)]
    pub forecast: Option<Forecast>,
}

/// Means over every series and fold where the model succeeded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSummary {
    pub model: String,
    pub n_ok: usize,
    pub n: usize,
    pub mase: f64,
    pub smape: f64,
    pub rmse: f64,
    pub mape: f64,
    pub mae: f64,
    pub coverage: f64,
    pub msis: f64,
    #[serde(default = "nan")]
    pub rmsse: f64,
}

fn nan() -> f64 {
    f64::NAN
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestResult {
    pub config: BacktestConfig,
    pub folds: Vec<FoldResult>,
    pub summary: Vec<ModelSummary>,
    /// Series skipped because they are too short for the folds asked.
    pub skipped: Vec<String>,
}

impl BacktestResult {
    /// The summary row with the lowest mean MASE (MAE breaks ties and stands in when no MASE
    /// is defined, e.g. on a series with a constant season).
    pub fn best(&self) -> Option<&ModelSummary> {
        let key = |s: &ModelSummary| (if s.mase.is_finite() { s.mase } else { f64::INFINITY }, s.mae);
        self.summary.iter().filter(|s| s.n_ok > 0).min_by(|a, b| {
            let (ka, kb) = (key(a), key(b));
            ka.0.total_cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
        })
    }
}

/// Origins (training lengths) of a series of `n` observations; empty when too short.
fn origins(n: usize, cfg: &BacktestConfig) -> Vec<usize> {
    let step = cfg.step.unwrap_or(cfg.horizon).max(1);
    let span = cfg
        .horizon
        .saturating_add(cfg.folds.saturating_sub(1).saturating_mul(step));
    // Keep at least two observations to fit on.
    if n < span.saturating_add(2) {
        return Vec::new();
    }
    (0..cfg.folds).map(|k| n - span + k * step).collect()
}

/// Score a fold's forecast (or its failure) against the values after `origin`.
#[allow(clippy::too_many_arguments)]
fn score_fold(
    series: &Series,
    train: &Series,
    spec: &ModelSpec,
    fold: usize,
    origin: usize,
    cfg: &BacktestConfig,
    m: usize,
    forecast: Result<Forecast, ModelError>,
) -> FoldResult {
    let test = &series.values[origin..origin + cfg.horizon];
    let result: Result<(Metrics, Forecast), ModelError> = forecast.and_then(|fc| {
        let iv = fc
            .intervals
            .iter()
            .find(|iv| iv.level == cfg.level)
            .or_else(|| fc.intervals.first())
            .ok_or_else(|| ModelError::Invalid("the model returned no interval".into()))?;
        let mt = Metrics::compute(&train.values, test, &fc.point, &iv.lower, &iv.upper, m, cfg.level)
            .map_err(|e| ModelError::Invalid(e.to_string()))?;
        Ok((mt, fc))
    });
    let (metrics, forecast) = match result {
        Ok((mt, fc)) => (Ok(mt), Some(fc)),
        Err(e) => (Err(e.to_string()), None),
    };
    FoldResult {
        series: series.label(),
        model: spec.name(),
        fold,
        origin: series.dates[origin],
        metrics,
        forecast,
    }
}

/// Backtest every model on every series of the panel.
pub fn backtest_panel(
    panel: &Panel,
    models: &[ModelSpec],
    cfg: &BacktestConfig,
) -> Result<BacktestResult, BacktestError> {
    backtest_panel_levels(panel, models, cfg, &[])
}

/// [`backtest_panel`] whose kept forecasts ([`FoldResult::forecast`]) also carry intervals at
/// `more_levels` (after the scored `cfg.level`), as a cross-validation table shows them. The
/// scores are those of `cfg.level` alone.
pub fn backtest_panel_levels(
    panel: &Panel,
    models: &[ModelSpec],
    cfg: &BacktestConfig,
    more_levels: &[f64],
) -> Result<BacktestResult, BacktestError> {
    if cfg.horizon == 0 || cfg.folds == 0 {
        return Err(BacktestError::Empty);
    }
    let m = cfg.season.unwrap_or(panel.freq.default_season());
    let skipped: Vec<String> = panel
        .series
        .iter()
        .filter(|s| origins(s.len(), cfg).is_empty())
        .map(Series::label)
        .collect();
    if skipped.len() == panel.series.len() {
        return Err(BacktestError::TooShort {
            folds: cfg.folds,
            horizon: cfg.horizon,
            longest: panel.series.iter().map(Series::len).max().unwrap_or(0),
        });
    }
    let mut levels = vec![cfg.level];
    levels.extend(more_levels.iter().filter(|&&l| l != cfg.level));
    let mut scored: Vec<((usize, usize, usize), FoldResult)> = Vec::new();
    for (j, spec) in models.iter().enumerate() {
        for k in 0..cfg.folds {
            scored.extend(
                fold_of(panel, spec, cfg, &levels, m, k)
                    .into_iter()
                    .map(|(i, f)| ((i, j, k), f)),
            );
        }
    }
    // Series by series, then model by model, then fold by fold.
    scored.sort_by_key(|(at, _)| *at);
    let folds: Vec<FoldResult> = scored.into_iter().map(|(_, f)| f).collect();
    let summary = models.iter().map(|spec| summarise(&spec.name(), &folds)).collect();
    Ok(BacktestResult {
        config: cfg.clone(),
        folds,
        summary,
        skipped,
    })
}

/// Fold `k` of `spec` on every series long enough for it, by series index: the model fitted to
/// every series cut at its origin ([`crate::models::panel`] decides whether series by series
/// or once for the panel), with the same prediction and zero-clipping as a forecast, so the
/// backtest scores what users get.
fn fold_of(
    panel: &Panel,
    spec: &ModelSpec,
    cfg: &BacktestConfig,
    levels: &[f64],
    m: usize,
    k: usize,
) -> Vec<(usize, FoldResult)> {
    let at: Vec<(usize, usize)> = panel
        .series
        .iter()
        .enumerate()
        .filter_map(|(i, s)| origins(s.len(), cfg).get(k).map(|&o| (i, o)))
        .collect();
    let train: Vec<Series> = at.iter().map(|&(i, o)| panel.series[i].head(o)).collect();
    let fitted = crate::models::panel::fit(panel, &train, spec, None);
    at.into_par_iter()
        .zip(train)
        .zip(fitted)
        .map(|(((i, origin), tr), f)| {
            let forecast = f
                .and_then(|f| predict_fitted(f.as_ref(), &tr, cfg.horizon, levels))
                .map(|(fc, _)| fc);
            (
                i,
                score_fold(&panel.series[i], &tr, spec, k + 1, origin, cfg, m, forecast),
            )
        })
        .collect()
}

fn summarise(model: &str, folds: &[FoldResult]) -> ModelSummary {
    let rows: Vec<&FoldResult> = folds.iter().filter(|f| f.model == model).collect();
    let ok: Vec<&Metrics> = rows.iter().filter_map(|f| f.metrics.as_ref().ok()).collect();
    let mean = |get: fn(&Metrics) -> f64| crate::stats::finite_mean(&ok.iter().map(|m| get(m)).collect::<Vec<_>>());
    ModelSummary {
        model: model.to_string(),
        n_ok: ok.len(),
        n: rows.len(),
        mase: mean(|m| m.mase),
        smape: mean(|m| m.smape),
        rmse: mean(|m| m.rmse),
        mape: mean(|m| m.mape),
        mae: mean(|m| m.mae),
        coverage: mean(|m| m.coverage),
        msis: mean(|m| m.msis),
        rmsse: mean(|m| m.rmsse),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Frequency;

    #[test]
    fn origins_walk_back_from_the_end() {
        let cfg = BacktestConfig {
            horizon: 3,
            folds: 2,
            step: Some(1),
            ..Default::default()
        };
        assert_eq!(origins(10, &cfg), vec![6, 7]);
        assert!(origins(5, &cfg).is_empty());
        let absurd = BacktestConfig {
            horizon: usize::MAX,
            folds: usize::MAX,
            step: Some(usize::MAX),
            ..Default::default()
        };
        assert!(origins(100, &absurd).is_empty());
        let cfg = BacktestConfig {
            horizon: 3,
            folds: 3,
            step: None,
            ..Default::default()
        };
        assert_eq!(origins(20, &cfg), vec![11, 14, 17]);
    }

    #[test]
    fn seasonal_naive_is_exact_on_a_pure_season() {
        let start = NaiveDate::from_ymd_opt(2020, 1, 6).unwrap();
        let values: Vec<f64> = (0..70).map(|k| [5.0, 3.0, 4.0, 6.0, 9.0, 12.0, 8.0][k % 7]).collect();
        let dates = (0..70).map(|k| Frequency::Daily.advance(start, k as i64)).collect();
        let panel = Panel {
            id_columns: vec![],
            date_column: "date".into(),
            value_column: "sales".into(),
            exog_columns: vec![],
            freq: Frequency::Daily,
            series: vec![Series::new(vec![], Frequency::Daily, dates, values)],
        };
        let cfg = BacktestConfig {
            horizon: 7,
            folds: 3,
            ..Default::default()
        };
        let r = backtest_panel(
            &panel,
            &[ModelSpec::SeasonalNaive(Default::default()), ModelSpec::Naive],
            &cfg,
        )
        .unwrap();
        assert_eq!(r.folds.len(), 6);
        let snaive = &r.summary[0];
        assert_eq!((snaive.n_ok, snaive.mae, snaive.coverage), (3, 0.0, 1.0));
        // A constant season has a zero seasonal-naive scale: MASE is undefined, as in the benchmark.
        assert!(snaive.mase.is_nan());
        assert!(r.summary[1].mae > 2.0);
        assert_eq!(r.best().map(|b| b.model.as_str()), Some("seasonal-naive"));
    }
}
