//! The forecast of one series as a task in steps: a plain model is one step; a composite one
//! (ensemble, calibrated intervals) does one of its fits per step (`horizon_core`'s
//! `stepping`), so the browser keeps drawing and Cancel works between fits.

use super::jobs::{Step, Task};
use super::registry::RegisteredArtifact;
use super::state::{Msg, ResultView};
use horizon_core::ModelSpec;
use horizon_core::data::Series;
use horizon_core::export::SeriesForecast;
use horizon_core::forecast::{fit_global, fit_global_model, forecast_series_fitted, global_model, trainable};
use horizon_core::models::FittedModel;
use horizon_core::models::auto::CandidateScore;
use horizon_core::models::gbm_tune::{Tuned, Tuner};
use horizon_core::models::stepping::Steps;
use horizon_core::pipeline::{Source, forecast_series_with};

/// Auto's chosen model and every candidate's backtest score (`None` for other models).
pub type AutoChoice = Option<(String, Vec<CandidateScore>)>;

pub struct ForecastTask {
    pub generation: u64,
    pub series: Series,
    pub spec: ModelSpec,
    pub horizon: usize,
    pub levels: Vec<f64>,
    pub registered: Option<RegisteredArtifact>,
    pub id_columns: Vec<String>,
    /// The whole data: a global model (GBM) learns from every series of it.
    pub panel: std::sync::Arc<horizon_core::Panel>,
    pub steps: Steps,
    /// Time spent computing, over all steps (ms).
    pub busy_ms: f64,
    /// A GBM with a tuning budget searches its parameters first, one trial per step.
    pub tuner: Option<Tuner>,
    pub tuned: Option<Tuned>,
    pub clock: web_time::Instant,
}

impl ForecastTask {
    pub fn new(
        generation: u64,
        series: Series,
        spec: ModelSpec,
        (horizon, levels): (usize, Vec<f64>),
        registered: Option<RegisteredArtifact>,
        panel: std::sync::Arc<horizon_core::Panel>,
    ) -> ForecastTask {
        ForecastTask {
            generation,
            series,
            spec,
            horizon,
            levels,
            registered,
            id_columns: panel.id_columns.clone(),
            panel,
            steps: Steps::default(),
            busy_ms: 0.0,
            tuner: None,
            tuned: None,
            clock: web_time::Instant::now(),
        }
    }

    /// One trial of the GBM's parameter search while it has budget (`Some`: the step is
    /// done); `None` once there is nothing (more) to search and the fit can go ahead.
    fn tune_step(&mut self) -> Option<Step> {
        if self.registered.is_some() || self.tuned.is_some() {
            return None;
        }
        let gbm = global_model(&self.panel, &self.spec)?;
        let tuning = gbm.tune?;
        let now = self.clock.elapsed().as_secs_f64();
        match self.tuner.take() {
            None => {
                let series = trainable(&gbm, &self.panel.series);
                match Tuner::start(&gbm, &series, tuning.budget(), gbm.params.seed, now) {
                    Ok(t) => self.tuner = Some(t),
                    Err(e) => return Some(Step::Done(Msg::Forecasted(self.generation, Err(e.to_string())))),
                }
            }
            Some(mut t) if t.has_budget(now) => {
                t.next_trial();
                self.tuner = Some(t);
            }
            Some(t) => {
                self.tuned = Some(t.finish());
                return None;
            }
        }
        let t = self.tuner.as_ref()?;
        Some(Step::More {
            done: t.trials().len(),
            total: t.max_trials() + 1,
        })
    }
}

impl ForecastTask {
    /// The forecast, the model's description and, for Auto, the candidates it compared.
    fn compute(&self) -> Result<(SeriesForecast, String, AutoChoice), String> {
        let (series, horizon, levels) = (&self.series, self.horizon, &self.levels);
        match &self.registered {
            None if self.spec.is_global() => self.global(),
            None => {
                forecast_series_fitted(series, &self.spec, horizon, levels).map(|(forecast, description, fitted)| {
                    let candidates = match fitted.to_state() {
                        FittedModel::Auto(a) => Some((a.chosen, a.table)),
                        FittedModel::Conformal(c) => match c.inner() {
                            FittedModel::Auto(a) => Some((a.chosen.clone(), a.table.clone())),
                            _ => None,
                        },
                        _ => None,
                    };
                    (forecast, description, candidates)
                })
            }
            Some(r) => forecast_series_with(&r.artifact, series, horizon, levels).map(|(f, source, d)| {
                let how = match source {
                    Source::Stored => "the stored model (this series is its training data)",
                    Source::Refitted => "its model refitted to this history",
                };
                (f, format!("Registered model {}, using {how}. {d}", r.label), None)
            }),
        }
        .map_err(|e: horizon_core::ModelError| e.to_string())
    }
}

impl ForecastTask {
    /// A global model fitted on every series of the data, then forecasting this one.
    fn global(&self) -> Result<(SeriesForecast, String, AutoChoice), horizon_core::ModelError> {
        let panel = &self.panel;
        let fitted = match global_model(panel, &self.spec) {
            Some(gbm) => fit_global_model(&gbm, &panel.series, self.tuned.as_ref()),
            None => fit_global(panel, &panel.series, &self.spec)
                .ok_or_else(|| horizon_core::ModelError::Invalid(format!("{} is not a global model", self.spec)))?,
        };
        let at = panel
            .find(&self.series.key)
            .ok_or_else(|| horizon_core::ModelError::Invalid("the series is not in the data".into()))?;
        let fitted = fitted
            .into_iter()
            .nth(at)
            .ok_or_else(|| horizon_core::ModelError::Invalid("the series is not in the data".into()))??;
        let (forecast, description) =
            horizon_core::forecast::predict_fitted(fitted.as_ref(), &self.series, self.horizon, &self.levels)?;
        Ok((
            SeriesForecast {
                key: self.series.key.clone(),
                model: self.spec.name(),
                dates: self.series.future_dates(self.horizon),
                forecast,
            },
            description,
            None,
        ))
    }
}

impl Task for ForecastTask {
    fn step(&mut self) -> Step {
        let started = web_time::Instant::now();
        if let Some(step) = self.tune_step() {
            self.busy_ms += started.elapsed().as_secs_f64() * 1e3;
            return step;
        }
        // A global model fits many series in one go: outside the stepping driver, whose cache
        // of parts serves one series.
        let out = if self.registered.is_none() && self.spec.is_global() {
            Some(self.compute())
        } else {
            let mut steps = std::mem::take(&mut self.steps);
            let out = steps.step(|| self.compute());
            self.steps = steps;
            out
        };
        self.busy_ms += started.elapsed().as_secs_f64() * 1e3;
        let Some(result) = out else {
            let done = self.steps.fits();
            return Step::More { done, total: done + 1 };
        };
        let view = result.map(|(forecast, description, candidates)| {
            let season_note =
                horizon_core::models::season::detect_seasons(&self.series.values, self.series.freq).describe();
            Box::new(ResultView {
                history: self.series.clone(),
                forecast,
                description,
                candidates,
                season_note,
                id_columns: self.id_columns.clone(),
                elapsed_ms: self.busy_ms,
            })
        });
        Step::Done(Msg::Forecasted(self.generation, view))
    }
}
