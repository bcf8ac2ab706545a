//! Training: backtest every candidate model on the panel (rolling origin), keep the one with
//! the best score on the chosen metric, fit it to every series and wrap it all in an
//! [`Artifact`]. Also the other call of the registry flow: scoring a model on the same
//! hold-out (for champion comparisons). Forecasting with a trained artifact is
//! [`crate::forecast::forecast`] with [`crate::forecast::ModelSource::Artifact`].

use crate::artifact::{Artifact, HORIZON_VERSION, SCHEMA_VERSION, SeriesModel, TrainingSummary};
use crate::data::{IngestOptions, Panel};
use crate::eval::backtest::{BacktestConfig, BacktestError, BacktestResult, ModelSummary, backtest_panel};
pub use crate::eval::selection::Metric;
use crate::forecast::{SeriesFailure, check_horizon};
use crate::models::{ModelError, ModelSpec, check_levels};
use std::collections::BTreeMap;
use thiserror::Error;

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
    check_levels(&cfg.levels)?;
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
    let best = best.clone();
    let (mut artifact, failures) = fit(panel, &best, source, preprocessing, cfg, created_at)?;
    artifact.metrics = metrics;
    Ok(Trained {
        artifact,
        backtest,
        score,
        failures,
        not_tried,
    })
}

/// Fit `spec` to every series of the panel, with no backtest: an [`Artifact`] with no
/// metrics (what [`train`] makes of its chosen model, and a Python `fit(df)`). Series the model
/// cannot be fitted to are left out and listed; none fitted is an error.
pub fn fit(
    panel: &Panel,
    spec: &ModelSpec,
    source: &str,
    preprocessing: &IngestOptions,
    cfg: &TrainConfig,
    created_at: String,
) -> Result<(Artifact, Vec<SeriesFailure>), TrainError> {
    check_horizon(cfg.horizon)?;
    let levels = check_levels(&cfg.levels)?;
    let spec = spec.clone().with_default_season(cfg.season);
    let fits = crate::models::panel::fit(panel, &panel.series, &spec, None);
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
            model: spec.name(),
            first: failures.first().map(|f| f.error.to_string()).unwrap_or_default(),
        });
    }
    let artifact = Artifact {
        schema_version: SCHEMA_VERSION,
        horizon_version: HORIZON_VERSION.into(),
        created_at,
        spec,
        preprocessing: preprocessing.clone(),
        horizon: cfg.horizon,
        levels,
        folds: cfg.folds,
        season: cfg.season,
        metric: cfg.metric,
        training: TrainingSummary::of(panel, source),
        metrics: BTreeMap::new(),
        series,
    };
    Ok((artifact, failures))
}

/// `ets.` for the metrics of a candidate; `+` (as in `ets+conformal`) becomes `_`, since
/// MLflow accepts only letters, digits, `_ - . /` and spaces in metric names.
pub fn metric_prefix(spec: &ModelSpec) -> String {
    format!("{}.", spec.name().replace(['+', ':', '/'], "_"))
}

fn summary_metrics(s: &ModelSummary) -> [(&'static str, f64); 8] {
    [
        ("rmse", s.rmse),
        ("mase", s.mase),
        ("smape", s.smape),
        ("mae", s.mae),
        ("mape", s.mape),
        ("coverage95", s.coverage),
        ("msis", s.msis),
        ("rmsse", s.rmsse),
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
