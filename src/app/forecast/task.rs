//! The forecast of one series as a task in steps: a plain model is one step; a composite one
//! (ensemble, calibrated intervals) does one of its fits per step (`horizon_core`'s
//! `stepping`), so the browser keeps drawing and Cancel works between fits.

use super::view::{AutoChoice, ForecastMsg, ResultView};
use crate::app::jobs::{Step, Task};
use crate::app::registry::RegisteredArtifact;
use horizon_core::ModelSpec;
use horizon_core::data::Series;
use horizon_core::export::SeriesForecast;
use horizon_core::forecast::{ForecastOptions, ModelSource, Source, forecast};
use horizon_core::models::gbm::Tuned;
use horizon_core::models::gbm::tune::Tuner;
use horizon_core::models::stepping::Steps;

pub struct ForecastTask {
    pub generation: u64,
    /// The series forecast: `panel.series[index]`.
    pub index: usize,
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
    /// The quick first forecast shown while Auto compares its candidates.
    pub quick: bool,
    /// The what-if plan to forecast with, and what of it could not be applied.
    pub plan: Option<std::sync::Arc<horizon_core::data::plan::Plan>>,
    pub plan_notes: Vec<String>,
}

impl ForecastTask {
    pub fn new(
        generation: u64,
        index: usize,
        series: Series,
        spec: ModelSpec,
        (horizon, levels): (usize, Vec<f64>),
        registered: Option<RegisteredArtifact>,
        panel: std::sync::Arc<horizon_core::Panel>,
    ) -> ForecastTask {
        ForecastTask {
            generation,
            index,
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
            quick: false,
            plan: None,
            plan_notes: Vec::new(),
        }
    }

    /// One trial of the GBM's parameter search while it has budget (`Some`: the step is
    /// done); `None` once there is nothing (more) to search and the fit can go ahead.
    fn tune_step(&mut self) -> Option<Step<ForecastMsg>> {
        if self.registered.is_some() || self.tuned.is_some() {
            return None;
        }
        let gbm = self.spec.gbm()?.for_panel(&self.panel);
        let tuning = gbm.tune?;
        let now = self.clock.elapsed().as_secs_f64();
        match self.tuner.take() {
            None => {
                let series = gbm.trainable(&self.panel.series);
                match Tuner::start(&gbm, &series, tuning.budget(), gbm.params.seed, now) {
                    Ok(t) => self.tuner = Some(t),
                    Err(e) => return Some(Step::Done(ForecastMsg::Forecasted(self.generation, Err(e.to_string())))),
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
    fn compute(&self) -> Result<(SeriesForecast, String, AutoChoice, Option<horizon_core::Forecast>), String> {
        let model = match &self.registered {
            // A model forecasts at the frequency it was trained on: weekly data is not read
            // onto a daily model's grid.
            Some(r) if r.artifact.training.freq != self.panel.freq => {
                return Err(format!(
                    "{} was trained on {} data and these data are {}: use a model trained on {} data",
                    r.label,
                    r.artifact.training.freq.name(),
                    self.panel.freq.name(),
                    self.panel.freq.name()
                ));
            }
            Some(r) => ModelSource::Artifact(&r.artifact),
            None => ModelSource::Spec {
                spec: &self.spec,
                tuned: self.tuned.as_ref(),
            },
        };
        let options = ForecastOptions {
            only: Some(vec![self.index]),
            plan: self.plan.clone(),
            ..ForecastOptions::new(self.horizon, &self.levels)
        };
        let mut out = forecast(&self.panel, model, &options).map_err(|e| e.to_string())?;
        if let Some(failure) = out.failures.pop() {
            return Err(failure.error.to_string());
        }
        let d = out.forecasts.pop().ok_or("the series is not in the data")?;
        let candidates = d.auto_choice();
        let description = match (&self.registered, d.source) {
            (Some(r), source) => {
                let how = match source {
                    Source::Stored => "the stored model (this series is its training data)",
                    _ => "its model refitted to this history",
                };
                format!("Registered model {}, using {how}. {}", r.label, d.description)
            }
            (None, _) => d.description,
        };
        Ok((d.forecast, description, candidates, d.baseline))
    }
}

impl Task<ForecastMsg> for ForecastTask {
    fn step(&mut self) -> Step<ForecastMsg> {
        let started = web_time::Instant::now();
        if let Some(step) = self.tune_step() {
            self.busy_ms += started.elapsed().as_secs_f64() * 1e3;
            return step;
        }
        // A composite model does one of its fits per step; a global one fits in one go.
        let mut steps = std::mem::take(&mut self.steps);
        let out = steps.step(|| self.compute());
        self.steps = steps;
        self.busy_ms += started.elapsed().as_secs_f64() * 1e3;
        let Some(result) = out else {
            let done = self.steps.fits();
            return Step::More { done, total: done + 1 };
        };
        let view = result.map(|(forecast, description, candidates, baseline)| {
            let season_note =
                horizon_core::models::season::detect_seasons(&self.series.values, self.series.freq).describe();
            // Auto's own backtest of the model it chose.
            let backtest_mae = candidates.as_ref().and_then(horizon_core::forecast::chosen_mae);
            Box::new(ResultView {
                history: self.series.clone(),
                forecast,
                description,
                candidates,
                season_note,
                id_columns: self.id_columns.clone(),
                elapsed_ms: self.busy_ms,
                quick: self.quick,
                backtest_mae,
                totals: None,
                baseline,
                plan_notes: self
                    .plan_notes
                    .iter()
                    .cloned()
                    .chain(short_history(&self.series))
                    .collect(),
            })
        });
        match view {
            Err(_) if self.quick => Step::Done(ForecastMsg::QuickFailed(self.generation)),
            view => Step::Done(ForecastMsg::Forecasted(self.generation, view)),
        }
    }
}

/// Why a forecast of a series shorter than two seasons cannot follow its season, and what to do.
pub fn short_history(series: &Series) -> Option<String> {
    let m = series.freq.default_season();
    let n = series.len();
    if m < 2 || n >= 2 * m {
        return None;
    }
    let pattern = if m == 7 { "weekly" } else { "yearly" };
    let unit = series.freq.unit();
    let units = if n == 1 { unit.to_string() } else { format!("{unit}s") };
    Some(format!(
        "Only {n} {units} of sales: too few to learn a {pattern} pattern (that needs {} or more), so the forecast \
         cannot follow one. Add these days to a series of your data (Enter sales by hand, Add to) to forecast them \
         with its history.",
        2 * m
    ))
}

/// The backtest of the model the user picked, for the headline's accuracy sentence (Auto's
/// forecasts bring their own).
pub fn measure(generation: u64, series: Series, spec: ModelSpec) -> impl FnOnce() -> ForecastMsg + Send {
    move || {
        let mae = horizon_core::models::auto::backtest_score(&series, &spec).and_then(|s| s.mae);
        ForecastMsg::Accuracy(generation, mae)
    }
}
