//! Training: backtest every candidate model on the panel (rolling origin), keep the one with
//! the best score on the chosen metric, fit it to every series and wrap it all in an
//! [`Artifact`]. Also the two other calls of the registry flow: scoring a model on the same
//! hold-out (for champion comparisons) and forecasting with a trained artifact.

use crate::artifact::{Artifact, HORIZON_VERSION, SCHEMA_VERSION, SeriesModel, TrainingSummary};
use crate::data::{IngestOptions, Panel, Series};
use crate::eval::backtest::{BacktestConfig, BacktestError, BacktestResult, ModelSummary, backtest_panel};
use crate::export::SeriesForecast;
use crate::forecast::{SeriesFailure, check_horizon, predict_fitted};
use crate::models::{Fitted, ModelError, ModelSpec, check_levels};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// The backtest metric that picks the model and decides promotions (lower is better).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    #[default]
    Rmse,
    Mase,
    Smape,
    Mae,
}

impl Metric {
    pub fn of(&self, s: &ModelSummary) -> f64 {
        match self {
            Metric::Rmse => s.rmse,
            Metric::Mase => s.mase,
            Metric::Smape => s.smape,
            Metric::Mae => s.mae,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Metric::Rmse => "rmse",
            Metric::Mase => "mase",
            Metric::Smape => "smape",
            Metric::Mae => "mae",
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Metric {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rmse" => Ok(Metric::Rmse),
            "mase" => Ok(Metric::Mase),
            "smape" => Ok(Metric::Smape),
            "mae" => Ok(Metric::Mae),
            other => Err(format!("unknown metric '{other}': use rmse, mase, smape or mae")),
        }
    }
}

/// What to train.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    pub candidates: Vec<ModelSpec>,
    pub horizon: usize,
    pub levels: Vec<f64>,
    /// Rolling-origin folds of the backtest (the hold-out).
    pub folds: usize,
    /// Season for the models and the MASE scale; `None` = the frequency's usual one.
    pub season: Option<usize>,
    pub metric: Metric,
}

impl TrainConfig {
    /// The hold-out a trained model was scored on, to score another model the same way.
    pub fn of_artifact(a: &Artifact) -> TrainConfig {
        TrainConfig {
            candidates: vec![a.spec.clone()],
            horizon: a.horizon,
            levels: a.levels.clone(),
            folds: a.folds,
            season: a.season,
            metric: a.metric,
        }
    }

    fn backtest(&self) -> BacktestConfig {
        BacktestConfig {
            horizon: self.horizon,
            folds: self.folds,
            step: None,
            season: self.season,
            level: 95.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum TrainError {
    #[error("no candidate model to train")]
    NoCandidates,
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("backtest: {0}")]
    Backtest(#[from] BacktestError),
    #[error("no candidate could be scored on the backtest ({0})")]
    NothingScored(String),
    #[error("the chosen model ({model}) could not be fitted to any series: {first}")]
    NothingFitted { model: String, first: String },
}

/// A trained model and how it was chosen.
#[derive(Debug, Clone)]
pub struct Trained {
    pub artifact: Artifact,
    pub backtest: BacktestResult,
    /// The chosen model's score on the metric.
    pub score: f64,
    /// Series the chosen model could not be fitted to (left out of the artifact).
    pub failures: Vec<SeriesFailure>,
    /// Candidates left out because the budget ran out.
    pub not_tried: Vec<String>,
}

/// Backtest the candidates, keep the best on `cfg.metric`, fit it to every series.
pub fn train(
    panel: &Panel,
    source: &str,
    preprocessing: &IngestOptions,
    cfg: &TrainConfig,
    created_at: String,
) -> Result<Trained, TrainError> {
    train_within(panel, source, preprocessing, cfg, created_at, &mut || true)
}

/// [`train`] within a budget: before each candidate after the first, `more` says whether
/// another may be backtested (the caller keeps the clock or the count; the core has none, as
/// it also runs in the browser). Candidates not tried are listed in [`Trained::not_tried`].
pub fn train_within(
    panel: &Panel,
    source: &str,
    preprocessing: &IngestOptions,
    cfg: &TrainConfig,
    created_at: String,
    more: &mut dyn FnMut() -> bool,
) -> Result<Trained, TrainError> {
    check_horizon(cfg.horizon)?;
    let levels = check_levels(&cfg.levels)?;
    if cfg.candidates.is_empty() {
        return Err(TrainError::NoCandidates);
    }
    let specs: Vec<ModelSpec> = cfg
        .candidates
        .iter()
        .map(|s| s.clone().with_default_season(cfg.season))
        .collect();
    let mut backtest: Option<BacktestResult> = None;
    let mut tried = 0;
    for spec in &specs {
        if tried > 0 && !more() {
            break;
        }
        let one = backtest_panel(panel, std::slice::from_ref(spec), &cfg.backtest())?;
        tried += 1;
        backtest = Some(match backtest {
            None => one,
            Some(mut all) => {
                all.folds.extend(one.folds);
                all.summary.extend(one.summary);
                all
            }
        });
    }
    let backtest = backtest.ok_or(TrainError::NoCandidates)?;
    let not_tried: Vec<String> = specs[tried..].iter().map(ModelSpec::name).collect();
    let specs = &specs[..tried];
    let (best, score) = specs
        .iter()
        .zip(&backtest.summary)
        .filter(|(_, s)| s.n_ok > 0 && cfg.metric.of(s).is_finite())
        .map(|(spec, s)| (spec, cfg.metric.of(s)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .ok_or_else(|| {
            TrainError::NothingScored(
                backtest
                    .folds
                    .iter()
                    .find_map(|f| f.metrics.as_ref().err().cloned())
                    .unwrap_or_else(|| format!("no {} could be computed", cfg.metric)),
            )
        })?;
    let mut metrics = BTreeMap::new();
    for (spec, s) in specs.iter().zip(&backtest.summary) {
        let prefix = if spec == best {
            String::new()
        } else {
            metric_prefix(spec)
        };
        for (k, v) in summary_metrics(s) {
            if v.is_finite() {
                metrics.insert(format!("{prefix}{k}"), v);
            }
        }
    }
    // A global model (the GBM) is fitted once on every series, the others series by series.
    let fits = crate::forecast::fit_global(panel, &panel.series, best)
        .unwrap_or_else(|| panel.series.par_iter().map(|s| best.build().fit(s)).collect());
    let fitted: Vec<Result<SeriesModel, SeriesFailure>> = panel
        .series
        .iter()
        .zip(fits)
        .map(|(s, f)| {
            f.map(|f| SeriesModel::new(s.key.clone(), f.as_ref()))
                .map_err(|error| SeriesFailure {
                    series: s.label(),
                    error,
                })
        })
        .collect();
    let (series, failures) = split(fitted);
    if series.is_empty() {
        return Err(TrainError::NothingFitted {
            model: best.name(),
            first: failures.first().map(|f| f.error.to_string()).unwrap_or_default(),
        });
    }
    let artifact = Artifact {
        schema_version: SCHEMA_VERSION,
        horizon_version: HORIZON_VERSION.into(),
        created_at,
        spec: best.clone(),
        preprocessing: preprocessing.clone(),
        horizon: cfg.horizon,
        levels,
        folds: cfg.folds,
        season: cfg.season,
        metric: cfg.metric,
        training: TrainingSummary::of(panel, source),
        metrics,
        series,
    };
    Ok(Trained {
        artifact,
        backtest,
        score,
        failures,
        not_tried,
    })
}

/// `ets.` for the metrics of a candidate; `+` (as in `ets+conformal`) becomes `_`, since
/// MLflow accepts only letters, digits, `_ - . /` and spaces in metric names.
pub fn metric_prefix(spec: &ModelSpec) -> String {
    format!("{}.", spec.name().replace(['+', ':', '/'], "_"))
}

fn summary_metrics(s: &ModelSummary) -> [(&'static str, f64); 7] {
    [
        ("rmse", s.rmse),
        ("mase", s.mase),
        ("smape", s.smape),
        ("mae", s.mae),
        ("mape", s.mape),
        ("coverage95", s.coverage),
        ("msis", s.msis),
    ]
}

/// `spec`'s score on the same hold-out `cfg` defines (for comparing a champion with a
/// candidate trained on this panel).
pub fn score(panel: &Panel, spec: &ModelSpec, cfg: &TrainConfig) -> Result<f64, TrainError> {
    let bt = backtest_panel(panel, std::slice::from_ref(spec), &cfg.backtest())?;
    bt.summary
        .first()
        .filter(|s| s.n_ok > 0)
        .map(|s| cfg.metric.of(s))
        .filter(|v| v.is_finite())
        .ok_or_else(|| TrainError::NothingScored(format!("{} could not be scored", spec.name())))
}

/// How one series was forecast with an artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The stored model: the history is exactly the training data.
    Stored,
    /// The artifact's model refitted, because the history differs from the training data.
    Refitted,
}

/// Forecast one series with a trained artifact: the stored fitted model when the series is
/// exactly what it was trained on (so the forecast is the training run's, bit for bit), the
/// artifact's model refitted to the new history otherwise. Returns the model's description.
pub fn forecast_series_with(
    artifact: &Artifact,
    s: &Series,
    horizon: usize,
    levels: &[f64],
) -> Result<(SeriesForecast, Source, String), ModelError> {
    forecast_series_from(artifact, s, horizon, levels, None)
}

/// [`forecast_series_with`], the refit (when one is needed) taken from `panel_fit` — the
/// series' share of a global model refitted on the whole panel — instead of fitted alone.
fn forecast_series_from(
    artifact: &Artifact,
    s: &Series,
    horizon: usize,
    levels: &[f64],
    panel_fit: Option<&Result<Box<dyn Fitted>, ModelError>>,
) -> Result<(SeriesForecast, Source, String), ModelError> {
    check_horizon(horizon)?;
    let ((forecast, description), source) = match artifact.model_for(&s.key).filter(|_| artifact.trained_on(s)) {
        Some(stored) => (predict_fitted(stored, s, horizon, levels)?, Source::Stored),
        None => {
            let alone;
            let fitted: &dyn Fitted = match panel_fit {
                Some(f) => f.as_ref().map_err(Clone::clone)?.as_ref(),
                None => {
                    alone = artifact.spec.build().fit(s)?;
                    alone.as_ref()
                }
            };
            (predict_fitted(fitted, s, horizon, levels)?, Source::Refitted)
        }
    };
    Ok((
        SeriesForecast {
            key: s.key.clone(),
            model: artifact.spec.name(),
            dates: s.future_dates(horizon),
            forecast,
        },
        source,
        description,
    ))
}

/// [`forecast_series_with`] for every series of `panel`, in parallel. A global model (GBM,
/// or an ensemble with one) is refitted, when any series changed, once on the whole panel, as
/// it was trained, not on each changed series alone.
pub fn forecast_with(
    artifact: &Artifact,
    panel: &Panel,
    horizon: usize,
    levels: &[f64],
) -> (Vec<(SeriesForecast, Source)>, Vec<SeriesFailure>) {
    // A series that failed at training was trained on too: it fails again alone, without a refit.
    let changed = |s: &Series| !artifact.trained_on(s);
    let refits = (artifact.spec.is_global() && panel.series.iter().any(changed))
        .then(|| crate::forecast::fit_global(panel, &panel.series, &artifact.spec))
        .flatten();
    let results: Vec<_> = panel
        .series
        .par_iter()
        .enumerate()
        .map(|(i, s)| {
            let refit = refits.as_ref().and_then(|r| r.get(i)).filter(|_| changed(s));
            forecast_series_from(artifact, s, horizon, levels, refit)
                .map(|(f, src, _)| (f, src))
                .map_err(|error| SeriesFailure {
                    series: s.label(),
                    error,
                })
        })
        .collect();
    split(results)
}

fn split<T, E>(results: Vec<Result<T, E>>) -> (Vec<T>, Vec<E>) {
    let mut ok = Vec::with_capacity(results.len());
    let mut failed = Vec::new();
    for r in results {
        match r {
            Ok(v) => ok.push(v),
            Err(e) => failed.push(e),
        }
    }
    (ok, failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::generate::{RetailParams, retail};

    fn panel() -> Panel {
        retail(&RetailParams {
            stores: 1,
            products: 3,
            days: 200,
            ..Default::default()
        })
    }

    fn cfg() -> TrainConfig {
        TrainConfig {
            candidates: vec![
                "naive".parse().unwrap(),
                "seasonal-naive".parse().unwrap(),
                "mean".parse().unwrap(),
            ],
            horizon: 14,
            levels: vec![95.0],
            folds: 2,
            season: None,
            metric: Metric::Rmse,
        }
    }

    #[test]
    fn training_keeps_the_best_candidate_and_its_scores() {
        let p = panel();
        let t = train(&p, "retail.csv", &IngestOptions::default(), &cfg(), "now".into()).unwrap();
        let best = t.backtest.summary.iter().map(|s| s.rmse).fold(f64::INFINITY, f64::min);
        assert_eq!(t.score, best);
        assert_eq!(t.artifact.metrics["rmse"], best);
        assert_eq!(t.artifact.series.len(), 3);
        let chosen = t.backtest.summary.iter().find(|s| s.rmse == best).unwrap();
        assert_eq!(t.artifact.spec.name(), chosen.model);
        for other in t.backtest.summary.iter().filter(|s| s.model != chosen.model) {
            assert_eq!(t.artifact.metrics[&format!("{}.rmse", other.model)], other.rmse);
        }
        assert_eq!(TrainConfig::of_artifact(&t.artifact).folds, 2);
        assert_eq!(metric_prefix(&"ets+conformal".parse().unwrap()), "ets_conformal.");
        assert_eq!(metric_prefix(&"ensemble:ets/gbm".parse().unwrap()), "ensemble_ets_gbm.");
        // The chosen model scores the same on the same hold-out.
        assert_eq!(score(&p, &t.artifact.spec, &cfg()).unwrap(), t.score);
    }

    #[test]
    fn a_budget_stops_the_search_after_the_candidates_it_allows() {
        let p = panel();
        let mut allowed = 1;
        let t = train_within(&p, "r", &IngestOptions::default(), &cfg(), "now".into(), &mut || {
            allowed -= 1;
            allowed >= 0
        })
        .unwrap();
        assert_eq!(t.backtest.summary.len(), 2, "the first candidate and one more");
        assert_eq!(t.not_tried, vec!["mean".to_string()]);
        assert!(!t.artifact.metrics.contains_key("mean.rmse"));
        // Even a budget of nothing tries the first candidate.
        let t = train_within(&p, "r", &IngestOptions::default(), &cfg(), "now".into(), &mut || false).unwrap();
        assert_eq!(t.artifact.spec.name(), "naive");
        assert_eq!(t.not_tried.len(), 2);
    }

    #[test]
    fn forecasting_with_an_artifact_reproduces_the_stored_model_or_refits() {
        let p = panel();
        let mut c = cfg();
        c.candidates = vec!["ets".parse().unwrap()];
        let t = train(&p, "retail.csv", &IngestOptions::default(), &c, "now".into()).unwrap();
        let art = crate::artifact::Artifact::from_bytes(&t.artifact.to_bytes().unwrap(), "a").unwrap();
        let (fc, failed) = forecast_with(&art, &p, 14, &[95.0]);
        assert!(failed.is_empty());
        for ((f, src), s) in fc.iter().zip(&p.series) {
            assert_eq!(*src, Source::Stored);
            let direct = crate::forecast::fit_predict(s, &art.spec, 14, &[95.0]).unwrap().0;
            assert_eq!(f.forecast, direct, "the stored model forecasts exactly as a fresh fit");
        }
        let mut newer = p.clone();
        newer.series[0].values[5] += 3.0;
        let (fc, _) = forecast_with(&art, &newer, 14, &[95.0]);
        assert_eq!(fc[0].1, Source::Refitted);
        assert_eq!(fc[1].1, Source::Stored);
    }

    /// A trained GBM is the global model: one booster learnt from every series, stored with
    /// each series' share, and its artifact forecasts exactly as the panel's own forecast.
    #[test]
    fn a_trained_gbm_is_one_model_of_the_whole_panel() {
        let p = panel();
        let mut c = cfg();
        c.candidates = vec!["gbm".parse().unwrap()];
        let t = train(&p, "retail.csv", &IngestOptions::default(), &c, "now".into()).unwrap();
        let art = crate::artifact::Artifact::from_bytes(&t.artifact.to_bytes().unwrap(), "a").unwrap();
        for m in &art.series {
            let crate::models::FittedModel::Gbm(g) = &m.fitted else {
                panic!("a GBM share, got {:?}", m.fitted);
            };
            assert_eq!(g.panel_size, 3);
        }
        let (fc, failed) = forecast_with(&art, &p, 14, &[95.0]);
        assert!(failed.is_empty());
        let (direct, _) = crate::forecast::forecast_panel(&p, &art.spec, 14, &[95.0]);
        for ((f, src), d) in fc.iter().zip(&direct) {
            assert_eq!(*src, Source::Stored);
            assert_eq!(f.forecast, d.forecast);
        }
        // A changed series is refitted with the whole panel, as the GBM was trained — not
        // alone; the others keep their stored shares.
        let mut changed = p.clone();
        let last = changed.series[0].values.len() - 1;
        changed.series[0].values[last] += 25.0;
        let (fc, failed) = forecast_with(&art, &changed, 14, &[95.0]);
        assert!(failed.is_empty());
        let (direct, _) = crate::forecast::forecast_panel(&changed, &art.spec, 14, &[95.0]);
        let alone = crate::forecast::fit_predict(&changed.series[0], &art.spec, 14, &[95.0]).unwrap();
        assert_eq!(fc[0].1, Source::Refitted);
        assert_eq!(fc[0].0.forecast, direct[0].forecast);
        assert_ne!(fc[0].0.forecast.point, alone.0.point, "not a panel of one");
        assert_eq!((fc[1].1, fc[2].1), (Source::Stored, Source::Stored));
    }
}
