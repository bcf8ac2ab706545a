//! Forecast a panel: the one call behind `horizon forecast` (with a model or a registered one),
//! the workbench's forecast and the Python-style `forecast(df)` of later callers. It takes a
//! panel, a model (a spec, or a trained artifact) and [`ForecastOptions`], and returns a
//! [`PanelForecast`]: each series' forecast with the description of the model that made it,
//! and each series that failed with its reason. Whether the model is fitted series by series
//! or once for the panel is decided by the model layer ([`crate::models::panel`]), never here.

use crate::artifact::Artifact;
use crate::data::{Panel, Series};
use crate::export::SeriesForecast;
use crate::models::gbm::Tuned;
use crate::models::panel::{self, Progress};
pub use crate::models::predict::{fit_predict, predict_fitted, predict_planned, predict_with};
use crate::models::{Fitted, ModelError, ModelSpec, check_levels};
use rayon::prelude::*;
use std::sync::Arc;

/// A series the model could not forecast, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesFailure {
    pub series: String,
    pub error: ModelError,
}

/// What forecasts the panel.
#[derive(Clone, Copy)]
pub enum ModelSource<'a> {
    /// A model fitted here; a GBM takes the parameters of `tuned` when a search already ran.
    Spec {
        spec: &'a ModelSpec,
        tuned: Option<&'a Tuned>,
    },
    /// A trained model: its stored fit for a series that is exactly its training data, the same
    /// model refitted for any other history.
    Artifact(&'a Artifact),
}

impl<'a> ModelSource<'a> {
    /// A model fitted here, with no search done beforehand.
    pub fn spec(spec: &'a ModelSpec) -> ModelSource<'a> {
        ModelSource::Spec { spec, tuned: None }
    }
}

/// How far, at which levels, for which series.
#[derive(Clone, Default)]
pub struct ForecastOptions {
    pub horizon: usize,
    /// Interval levels in percent.
    pub levels: Vec<f64>,
    /// Season for a seasonal model given none (`None`: the frequency's usual one).
    pub season: Option<usize>,
    /// Forecast only the series at these indices, in this order (a global model still learns
    /// from every series); `None`: every series.
    pub only: Option<Vec<usize>>,
    /// Told of the fits as they finish; answers whether to go on (Cancel).
    pub progress: Option<Arc<Progress>>,
    /// A what-if plan: the series it covers are forecast with its drivers, and keep the
    /// forecast without it as their baseline.
    pub plan: Option<Arc<crate::data::plan::Plan>>,
}

impl ForecastOptions {
    pub fn new(horizon: usize, levels: &[f64]) -> ForecastOptions {
        ForecastOptions {
            horizon,
            levels: levels.to_vec(),
            ..ForecastOptions::default()
        }
    }
}

/// How a series' forecast was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The model was fitted to this history now.
    Fitted,
    /// A trained model's stored fit: the history is exactly its training data.
    Stored,
    /// A trained model refitted, because the history differs from its training data.
    Refitted,
}

/// One series' forecast and what made it.
pub struct Described {
    pub forecast: SeriesForecast,
    /// The fitted model in words, as the workbench shows it.
    pub description: String,
    pub source: Source,
    /// The model fitted now from a spec, e.g. to show Auto's table (`None` for a trained
    /// artifact's forecasts, stored or refitted).
    pub fitted: Option<Box<dyn Fitted>>,
    /// With a what-if plan for this series: the forecast without it (`forecast` is the one
    /// with it).
    pub baseline: Option<crate::models::Forecast>,
}

impl Described {
    /// Auto's chosen model and every candidate's backtest score, when Auto (calibrated or
    /// not) made this forecast.
    pub fn auto_choice(&self) -> Option<(String, Vec<crate::models::auto::CandidateScore>)> {
        use crate::models::FittedModel;
        match self.fitted.as_ref()?.to_state() {
            FittedModel::Auto(a) => Some((a.chosen, a.table)),
            FittedModel::Conformal(c) => match c.inner() {
                FittedModel::Auto(a) => Some((a.chosen.clone(), a.table.clone())),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The mean absolute error per period of Auto's chosen model in its backtest.
pub fn chosen_mae(choice: &(String, Vec<crate::models::auto::CandidateScore>)) -> Option<f64> {
    let (chosen, table) = choice;
    table.iter().find(|c| &c.model == chosen).and_then(|c| c.mae)
}

/// Every series' forecast, or why it has none.
#[derive(Default)]
pub struct PanelForecast {
    pub forecasts: Vec<Described>,
    pub failures: Vec<SeriesFailure>,
}

impl PanelForecast {
    /// The forecasts alone (for the CSV table).
    pub fn series_forecasts(&self) -> Vec<SeriesForecast> {
        self.forecasts.iter().map(|d| d.forecast.clone()).collect()
    }

    /// How many forecasts came from `source`.
    pub fn count(&self, source: Source) -> usize {
        self.forecasts.iter().filter(|d| d.source == source).count()
    }
}

/// Forecast the series of `panel` (all, or `options.only`) with `model`. Fails only on a
/// horizon or levels that no model could meet; a series that cannot be forecast is listed in
/// [`PanelForecast::failures`], not dropped.
pub fn forecast(panel: &Panel, model: ModelSource, options: &ForecastOptions) -> Result<PanelForecast, ModelError> {
    check_horizon(options.horizon)?;
    check_levels(&options.levels)?;
    let wanted: Vec<usize> = match &options.only {
        Some(only) => only.clone(),
        None => (0..panel.series.len()).collect(),
    };
    let progress = options.progress.as_deref();
    let outcomes: Vec<(usize, Result<Described, ModelError>)> = match model {
        ModelSource::Spec { spec, tuned } => {
            let spec = spec.clone().with_default_season(options.season);
            let fits = panel::fit_some(panel, &panel.series, &wanted, &spec, tuned, progress);
            wanted
                .into_par_iter()
                .zip(fits)
                .map(|(i, fit)| {
                    let described = fit.and_then(|fitted| {
                        describe(&panel.series[i], &spec, fitted.as_ref(), Source::Fitted, options).map(|d| Described {
                            fitted: Some(fitted),
                            ..d
                        })
                    });
                    (i, described)
                })
                .collect()
        }
        ModelSource::Artifact(artifact) => from_artifact(panel, artifact, &wanted, options),
    };
    let mut out = PanelForecast::default();
    for (i, outcome) in outcomes {
        match outcome {
            Ok(d) => out.forecasts.push(d),
            Err(error) => out.failures.push(SeriesFailure {
                series: panel.series.get(i).map(Series::label).unwrap_or_default(),
                error,
            }),
        }
    }
    Ok(out)
}

/// A trained artifact's forecasts: the stored fit of each series that is exactly its training
/// data; for the others the artifact's model refitted as it was trained (a global model once
/// on the whole panel, not on each changed series alone). A series that failed at training
/// was trained on too: it is fitted alone again, and fails again.
fn from_artifact(
    panel: &Panel,
    artifact: &Artifact,
    wanted: &[usize],
    options: &ForecastOptions,
) -> Vec<(usize, Result<Described, ModelError>)> {
    let spec = &artifact.spec;
    let series = &panel.series;
    let stored = |i: usize| {
        series
            .get(i)
            .filter(|s| artifact.trained_on(s))
            .and_then(|s| artifact.model_for(&s.key))
    };
    let changed: Vec<usize> = wanted
        .iter()
        .copied()
        .filter(|&i| series.get(i).is_some_and(|s| !artifact.trained_on(s)))
        .collect();
    let mut refits = panel::fit_some(panel, series, &changed, spec, None, options.progress.as_deref())
        .into_iter()
        .zip(&changed)
        .map(|(f, &i)| (i, f))
        .collect::<std::collections::HashMap<_, _>>();
    let work: Vec<(usize, Option<panel::Fit>)> = wanted.iter().map(|&i| (i, refits.remove(&i))).collect();
    work.into_par_iter()
        .map(|(i, refit)| {
            let Some(s) = series.get(i) else {
                return (i, Err(ModelError::Invalid("the series is not in the panel".into())));
            };
            let described = match (stored(i), refit) {
                (Some(model), _) => describe(s, spec, model, Source::Stored, options),
                (None, refit) => refit
                    .unwrap_or_else(|| spec.build().fit(s))
                    .and_then(|f| describe(s, spec, f.as_ref(), Source::Refitted, options)),
            };
            (i, described)
        })
        .collect()
}

/// A trained artifact's forecasts of the series with `keys` from its stored fits alone, without
/// their history: what a served model answers when a request names series and sends no data.
/// Each equals [`forecast`]'s with [`ModelSource::Artifact`] on the training data itself (the
/// stored fit predicts; bounds are raised to zero when the training history was never
/// negative). A key the model was not trained on, or whose fit failed at training, is a
/// failure with its reason.
pub fn stored_forecast(
    artifact: &Artifact,
    keys: &[Vec<String>],
    options: &ForecastOptions,
) -> Result<PanelForecast, ModelError> {
    check_horizon(options.horizon)?;
    check_levels(&options.levels)?;
    let outcomes: Vec<Result<Described, (String, ModelError)>> = keys
        .par_iter()
        .map(|key| {
            let label = crate::data::key_label(key);
            let Some(summary) = artifact.training.series.iter().find(|s| &s.key == key) else {
                return Err((
                    label,
                    ModelError::Invalid("the model was not trained on this series".into()),
                ));
            };
            let Some(fitted) = artifact.model_for(key) else {
                return Err((
                    label,
                    ModelError::Invalid("the model has no fit of this series: it failed at training".into()),
                ));
            };
            let never_negative = summary.min >= 0.0;
            let (forecast, description) =
                predict_with(fitted, never_negative, options.horizon, &options.levels).map_err(|e| (label, e))?;
            let freq = artifact.training.freq;
            Ok(Described {
                forecast: SeriesForecast {
                    key: key.clone(),
                    model: artifact.spec.name(),
                    dates: (1..=options.horizon)
                        .map(|k| freq.advance(summary.end, k as i64))
                        .collect(),
                    forecast,
                },
                description,
                source: Source::Stored,
                fitted: None,
                baseline: None,
            })
        })
        .collect();
    let mut out = PanelForecast::default();
    for outcome in outcomes {
        match outcome {
            Ok(d) => out.forecasts.push(d),
            Err((series, error)) => out.failures.push(SeriesFailure { series, error }),
        }
    }
    Ok(out)
}

/// The forecast of `fitted` for series `s`, with its description.
fn describe(
    s: &Series,
    spec: &ModelSpec,
    fitted: &dyn Fitted,
    source: Source,
    options: &ForecastOptions,
) -> Result<Described, ModelError> {
    let (forecast, description) = predict_fitted(fitted, s, options.horizon, &options.levels)?;
    let future = match &options.plan {
        Some(plan) => plan.future(&s.key, &fitted.drivers(), options.horizon)?,
        None => None,
    };
    let (forecast, baseline, description) = match future {
        Some(future) => {
            let (planned, _) = predict_planned(fitted, s, options.horizon, &options.levels, &future)?;
            let said = format!(
                "{description} The what-if plan sets the drivers on its days; the other days keep their usual values."
            );
            (planned, Some(forecast), said)
        }
        None => (forecast, None, description),
    };
    Ok(Described {
        forecast: SeriesForecast {
            key: s.key.clone(),
            model: spec.name(),
            dates: s.future_dates(options.horizon),
            forecast,
        },
        description,
        source,
        fitted: None,
        baseline,
    })
}

/// The longest forecast Horizon makes: far beyond any planning use, small enough to keep
/// memory and dates in range.
pub const MAX_HORIZON: usize = 10_000;

/// A horizon must be 1..=[`MAX_HORIZON`].
pub fn check_horizon(horizon: usize) -> Result<(), ModelError> {
    if horizon == 0 || horizon > MAX_HORIZON {
        return Err(ModelError::Invalid(format!(
            "the horizon must be between 1 and {MAX_HORIZON} (got {horizon})"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Frequency;
    use chrono::NaiveDate;

    fn series(values: &[f64]) -> Series {
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        Series {
            key: vec!["a".into()],
            ..Series::starting(Frequency::Daily, start, values.to_vec())
        }
    }

    fn panel(series: Vec<Series>) -> Panel {
        Panel {
            id_columns: vec!["id".into()],
            date_column: "date".into(),
            value_column: "y".into(),
            exog_columns: vec![],
            freq: Frequency::Daily,
            series,
        }
    }

    #[test]
    fn sales_bounds_are_never_negative_but_returns_may_be() {
        let opts = ForecastOptions::new(3, &[95.0]);
        let p = panel(vec![series(&[0.0, 9.0, 0.0, 8.0, 1.0, 0.0])]);
        let out = forecast(&p, ModelSource::spec(&ModelSpec::Naive), &opts).unwrap();
        let f = &out.forecasts[0];
        assert!(f.forecast.forecast.intervals[0].lower.iter().all(|v| *v == 0.0));
        assert!(f.description.contains("raised to zero"));
        assert_eq!(f.forecast.dates[0], NaiveDate::from_ymd_opt(2024, 1, 7).unwrap());
        let p = panel(vec![series(&[0.0, 9.0, -3.0, 8.0, 1.0, 0.0])]);
        let out = forecast(&p, ModelSource::spec(&ModelSpec::Naive), &opts).unwrap();
        assert!(out.forecasts[0].forecast.forecast.intervals[0].lower[0] < 0.0);
    }

    #[test]
    fn panel_failures_are_reported_not_dropped() {
        let p = panel(vec![
            series(&[1.0, 2.0, 3.0]),
            Series {
                key: vec!["b".into()],
                ..series(&[4.0])
            },
        ]);
        let out = forecast(
            &p,
            ModelSource::spec(&ModelSpec::Drift),
            &ForecastOptions::new(2, &[80.0, 95.0]),
        )
        .unwrap();
        assert_eq!(out.forecasts.len(), 1);
        assert_eq!(out.failures.len(), 1);
        assert_eq!(out.failures[0].series, "b");
        assert!(matches!(out.failures[0].error, ModelError::TooShort { .. }));
        assert!(
            forecast(
                &p,
                ModelSource::spec(&ModelSpec::Drift),
                &ForecastOptions::new(0, &[95.0])
            )
            .is_err()
        );
    }

    #[test]
    fn only_the_chosen_series_are_forecast_and_cancel_stops_the_rest() {
        let p = panel(
            (0..6)
                .map(|k| Series {
                    key: vec![format!("s{k}")],
                    ..series(&[1.0, 2.0, 3.0, 4.0 + k as f64])
                })
                .collect(),
        );
        let only = ForecastOptions {
            only: Some(vec![4, 1]),
            ..ForecastOptions::new(2, &[95.0])
        };
        let out = forecast(&p, ModelSource::spec(&ModelSpec::Naive), &only).unwrap();
        let keys: Vec<&str> = out.forecasts.iter().map(|d| d.forecast.key[0].as_str()).collect();
        assert_eq!(keys, ["s4", "s1"]);
        assert_eq!(out.count(Source::Fitted), 2);
        // A hook that stops after the first fit: the rest fail as cancelled, none is lost (one
        // thread, so no other fit has started when the first one reports).
        let stop = ForecastOptions {
            progress: Some(Arc::new(|done: usize, _| done < 1)),
            ..ForecastOptions::new(2, &[95.0])
        };
        let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let out = one_thread
            .install(|| forecast(&p, ModelSource::spec(&ModelSpec::Naive), &stop))
            .unwrap();
        assert_eq!(out.forecasts.len(), 1);
        assert_eq!(out.failures.len(), 5);
        assert!(out.failures.iter().all(|f| f.error == ModelError::Cancelled));
    }
}
