//! The Forecast feature's state: the forecast on screen and the ones kept next to it, the
//! registered model forecast with (if any), the plot's place for the PNG export; its messages,
//! and the effects it asks of the workbench.

use super::task::ForecastTask;
use super::totals::TotalsTask;
use super::view::TotalsKey;
use super::view::{ForecastMsg, ResultView};
use crate::app::data::totals::TotalsData;
use crate::app::files::{export_file_name, timestamped_file_name};
use crate::app::jobs::Task;
use crate::app::registry::RegisteredArtifact;
use crate::app::settings::Settings;
use eframe::egui;
use horizon_core::data::Panel;
use horizon_core::export::{SeriesForecast, forecast_csv};
use horizon_core::reconcile::{Choice, Reconciled};
use std::sync::Arc;

/// What the Forecast feature asks of the workbench.
pub enum ForecastEffect {
    /// Forecast the selected series with the chosen model.
    Run,
    /// Leave the registered model: forecast with the one picked in the panel.
    UseOwnModel,
    /// Hand the forecast CSV to the platform.
    Export,
    /// Take a screenshot and save the plot's part of it as PNG.
    ExportPng,
    /// Save these bytes under this name (through the platform's dialog).
    Save(String, Vec<u8>),
    /// Cut and encode the plot's pixels off the UI thread.
    Picture(Box<dyn FnOnce() -> ForecastMsg + Send>),
    /// Backtest the model on screen off the UI thread (the headline's accuracy).
    Measure(Box<dyn FnOnce() -> ForecastMsg + Send>),
    /// Keep this forecast of a registered model for monitoring (in the local registry).
    Log(Box<horizon_core::monitor::log::ForecastLog>),
    Status(String),
}

/// The Forecast feature's state.
pub struct ForecastState {
    pub result: Option<ResultView>,
    /// Earlier forecasts of the same series kept on the plot next to the current one.
    pub kept: Vec<SeriesForecast>,
    /// Draw long series decimated to the pixels shown (off only to measure what it saves).
    pub decimate: bool,
    /// A registered model loaded to forecast with, instead of the settings' model.
    pub registered: Option<RegisteredArtifact>,
    /// Where the plot was drawn last (points), for the PNG export.
    pub plot_rect: Option<egui::Rect>,
    /// The PNG export waiting for its screenshot: file name, plot rectangle, pixels per point.
    png_pending: Option<(String, egui::Rect, f32)>,
    /// Forecasts shown since start (the browser page reports it, so a script sees a new one).
    pub forecasts_shown: u64,
    /// Forecast requests so far: a result is applied only if it answers the latest.
    forecast_gen: u64,
    /// The request whose final forecast is on screen (a quick one arriving later is dropped).
    final_gen: u64,
    /// The model of the latest request, when it is the user's pick (not a registered model).
    spec: Option<horizon_core::ModelSpec>,
    /// The last set of every level forecast and reconciled, and what it answers.
    totals_cache: Option<(TotalsKey, Arc<Reconciled>)>,
    /// The level asked for by the latest totals request.
    totals_request: Option<(Arc<TotalsData>, usize)>,
    /// The set being computed, if any.
    totals_running: Option<TotalsKey>,
    /// Said under a level's headline (a plan not applied to totals).
    totals_notes: Vec<String>,
}

/// A totals request: shown at once from the last reconciled set, or a task to run.
pub enum TotalsStart {
    Shown(Vec<ForecastEffect>),
    Run(Started),
}

impl Default for ForecastState {
    fn default() -> Self {
        ForecastState {
            result: None,
            kept: Vec::new(),
            decimate: true,
            registered: None,
            plot_rect: None,
            png_pending: None,
            forecasts_shown: 0,
            forecast_gen: 0,
            final_gen: 0,
            spec: None,
            totals_cache: None,
            totals_request: None,
            totals_running: None,
            totals_notes: Vec::new(),
        }
    }
}

/// A forecast to run: what the status line says, what the progress bar says, the task; for
/// Auto also a quick forecast to show at once, while its backtests run.
pub struct Started {
    pub status: String,
    pub what: &'static str,
    pub task: Box<dyn Task<ForecastMsg>>,
    pub quick: Option<Box<dyn Task<ForecastMsg>>>,
}

/// The model of the quick first forecast: AutoETS, a few tens of milliseconds on years of
/// daily sales (Auto's backtests take seconds).
const QUICK_MODEL: &str = "ets";

impl ForecastState {
    /// The forecast of series `index` of `panel` with the chosen model (or the registered one).
    pub fn start(&mut self, panel: Arc<Panel>, index: usize, settings: &Settings) -> Option<Started> {
        let series = panel.series.get(index)?.clone();
        let spec = settings.model.clone().with_default_season(settings.season);
        let registered = self.registered.clone();
        let model_label = registered
            .as_ref()
            .map_or_else(|| spec.to_string(), |r| r.label.clone());
        let status = format!("Forecasting {} with {model_label}…", series.label());
        self.forecast_gen += 1;
        let what = if matches!(spec, horizon_core::ModelSpec::Gbm(g) if g.tune.is_some()) {
            "tuning and forecast"
        } else {
            "forecast"
        };
        let quick = match (&spec, &registered) {
            (horizon_core::ModelSpec::Auto(_), None) => QUICK_MODEL.parse::<horizon_core::ModelSpec>().ok().map(|q| {
                let mut t = ForecastTask::new(
                    self.forecast_gen,
                    index,
                    series.clone(),
                    q.with_default_season(settings.season),
                    (settings.horizon, settings.levels.clone()),
                    None,
                    panel.clone(),
                );
                t.quick = true;
                Box::new(t) as Box<dyn Task<ForecastMsg>>
            }),
            _ => None,
        };
        self.spec = registered.is_none().then(|| spec.clone());
        // The plan moves only models that read drivers (the global ones).
        let (plan, mut plan_notes) = super::plan::to_plan(&settings.plan, &panel, settings.horizon);
        let reads_drivers = registered
            .as_ref()
            .map_or_else(|| spec.is_global(), |r| r.artifact.spec.is_global());
        let plan = match plan {
            Some(p) if reads_drivers && !panel.exog_columns.is_empty() => {
                let lines = settings.plan.iter().map(super::plan::PlanLine::describe);
                plan_notes.splice(0..0, lines);
                Some(Arc::new(p))
            }
            Some(_) => {
                plan_notes.push(format!(
                    "The plan is not applied: {model_label} does not learn from drivers; pick gbm to see what the plan does."
                ));
                None
            }
            None => None,
        };
        let mut task = ForecastTask::new(
            self.forecast_gen,
            index,
            series,
            spec,
            (settings.horizon, settings.levels.clone()),
            registered,
            panel,
        );
        task.plan = plan;
        task.plan_notes = plan_notes;
        Some(Started {
            status,
            what,
            task: Box::new(task),
            quick,
        })
    }

    /// Level `node` of the totals of `panel`: every level forecast with the chosen model (or the
    /// registered one) and reconciled by the settings' method; from the last set at once when it
    /// answers the same request.
    pub fn start_totals(
        &mut self,
        panel: Arc<Panel>,
        totals: Arc<TotalsData>,
        node: usize,
        settings: &Settings,
    ) -> TotalsStart {
        let spec = settings.model.clone().with_default_season(settings.season);
        let registered = self.registered.clone();
        let model = registered
            .as_ref()
            .map_or_else(|| spec.to_string(), |r| r.label.clone());
        let choice: Choice = settings.reconcile.parse().unwrap_or_default();
        let key = TotalsKey::new(&panel, model.clone(), settings.horizon, &settings.levels, choice);
        self.forecast_gen += 1;
        self.spec = registered.is_none().then(|| spec.clone());
        self.totals_request = Some((totals, node));
        if let Some((k, r)) = &self.totals_cache
            && *k == key
        {
            let r = r.clone();
            return TotalsStart::Shown(self.apply(ForecastMsg::Totals(self.forecast_gen, key, Ok(r), 0.0)));
        }
        self.totals_running = Some(key.clone());
        TotalsStart::Run(Started {
            status: format!("Forecasting every level with {model} and making the totals add up…"),
            what: "forecast",
            task: Box::new(TotalsTask {
                generation: self.forecast_gen,
                key,
                panel,
                spec,
                registered,
                horizon: settings.horizon,
                levels: settings.levels.clone(),
                choice,
            }),
            quick: None,
        })
    }

    /// What was computed on other data goes (and answers still on their way are dropped).
    pub fn clear(&mut self) {
        self.totals_cache = None;
        self.totals_running = None;
        self.result = None;
        self.kept.clear();
        self.forecast_gen += 1;
    }

    /// A forecast that may be exported: one on screen, not the quick one shown while Auto
    /// still compares models.
    pub fn exportable(&self) -> bool {
        self.result.as_ref().is_some_and(|r| !r.quick)
    }

    /// Auto's forecast will not come (its task was cancelled or failed) while the quick one is
    /// on screen: the quick one stays, said to be what it is. The status line's words, if so.
    pub fn abandon(&mut self) -> Option<String> {
        let r = self.result.as_mut().filter(|r| r.quick)?;
        r.quick = false;
        let said = format!(
            "Auto did not finish: the quick {} forecast stays on screen.",
            r.forecast.model
        );
        r.description = format!("{said} {}", r.description);
        self.final_gen = self.forecast_gen;
        Some(said)
    }

    /// Keep the current forecast on the plot, to compare the next ones with it (a forecast is
    /// kept once; another run of the same model is kept as `model #2`).
    pub fn keep(&mut self) {
        let Some(r) = &self.result else { return };
        if self.is_kept(&r.forecast) {
            return;
        }
        let mut f = r.forecast.clone();
        // Runs of one model with other options (season, orders) get their own legend entries.
        let same = self
            .kept
            .iter()
            .filter(|k| k.model.split(" #").next() == Some(&f.model))
            .count();
        if same > 0 {
            f.model = format!("{} #{}", f.model, same + 1);
        }
        self.kept.push(f);
    }

    /// Whether this very forecast (same model, same numbers) is kept already.
    pub fn is_kept(&self, f: &SeriesForecast) -> bool {
        self.kept
            .iter()
            .any(|k| k.model.split(" #").next() == Some(&f.model) && k.dates == f.dates && k.forecast == f.forecast)
    }

    /// The forecast CSV under a timestamped name.
    pub fn export(&self) -> Option<ForecastEffect> {
        let r = self.result.as_ref().filter(|r| !r.quick)?;
        let name = export_file_name(&r.history.label(), chrono::Local::now().naive_local());
        let rows = std::slice::from_ref(&r.forecast);
        let csv = match &r.baseline {
            Some(b) => horizon_core::export::planned_csv(&r.id_columns, rows, &[Some(b)]),
            None => forecast_csv(&r.id_columns, rows),
        };
        Some(ForecastEffect::Save(name, csv.into_bytes()))
    }

    /// The forecast on screen as an HTML report (`report_<series>_<YYYYMMDD-HHMMSS>.html`).
    pub fn report(&self) -> Option<ForecastEffect> {
        let r = self.result.as_ref().filter(|r| !r.quick)?;
        let now = chrono::Local::now().naive_local();
        let name = timestamped_file_name("report", &r.history.label(), "html", now);
        let section = horizon_core::report::Section {
            history: &r.history,
            forecast: &r.forecast,
            description: &r.description,
            backtest_mae: r.backtest_mae,
            notes: r.notes(),
        };
        let made = format!("Made on {} with Horizon's workbench.", now.format("%-d %b %Y %H:%M"));
        let page = horizon_core::report::html("Sales forecast", &made, &[section]);
        Some(ForecastEffect::Save(name, page.into_bytes()))
    }

    /// Prepare the PNG export (`plot_<series>_<YYYYMMDD-HHMMSS>.png`): true when there is a
    /// plot to take; the screenshot that follows completes it.
    pub fn prepare_png(&mut self, pixels_per_point: f32) -> bool {
        let (Some(r), Some(rect)) = (self.result.as_ref().filter(|r| !r.quick), self.plot_rect) else {
            return false;
        };
        let name = timestamped_file_name("plot", &r.history.label(), "png", chrono::Local::now().naive_local());
        self.png_pending = Some((name, rect, pixels_per_point));
        true
    }

    /// Apply what the feature's work handed back.
    pub fn apply(&mut self, msg: ForecastMsg) -> Vec<ForecastEffect> {
        match msg {
            // A newer request superseded it: drop it, the newer answer follows.
            ForecastMsg::Forecasted(generation, _) if generation != self.forecast_gen => Vec::new(),
            // A quick forecast that failed, or came after the final one: Auto's answer stands.
            ForecastMsg::QuickFailed(_) => Vec::new(),
            ForecastMsg::Forecasted(generation, Ok(view)) if view.quick && generation == self.final_gen => Vec::new(),
            ForecastMsg::Forecasted(generation, Ok(view)) => {
                let label = view.history.label();
                let status = if view.quick {
                    format!(
                        "Quick forecast of {label} by {} shown; Auto is comparing models…",
                        view.forecast.model
                    )
                } else {
                    self.final_gen = generation;
                    format!("Forecast of {label} ready.")
                };
                // Kept forecasts belong to one series.
                if self.kept.first().is_some_and(|k| k.key != view.forecast.key) {
                    self.kept.clear();
                }
                // Natively only: the backtest is one step, which would hold a browser frame.
                let measure = match &self.spec {
                    Some(spec)
                        if cfg!(not(target_arch = "wasm32"))
                            && !view.quick
                            && view.backtest_mae.is_none()
                            && !spec.is_global()
                            && view.candidates.is_none()
                            && view.totals.is_none() =>
                    {
                        Some(super::task::measure(generation, view.history.clone(), spec.clone()))
                    }
                    _ => None,
                };
                // A registered model's forecast is kept, so that `horizon monitor` can judge it
                // against the sales that arrive later.
                let log = self.registered.as_ref().filter(|_| !view.quick).map(|r| {
                    Box::new(horizon_core::monitor::log::ForecastLog {
                        model: r.name.clone(),
                        version: r.version,
                        made_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                        by: "workbench".into(),
                        freq: view.history.freq,
                        id_columns: r.artifact.training.id_columns.clone(),
                        forecasts: vec![view.forecast.clone()],
                    })
                });
                self.result = Some(*view);
                self.forecasts_shown += 1;
                let mut effects = vec![ForecastEffect::Status(status)];
                effects.extend(log.map(ForecastEffect::Log));
                if let Some(m) = measure {
                    effects.push(ForecastEffect::Measure(Box::new(m)));
                }
                effects
            }
            ForecastMsg::Forecasted(generation, Err(e)) => {
                self.result = None;
                self.final_gen = generation;
                vec![ForecastEffect::Status(format!("Cannot forecast: {e}"))]
            }
            ForecastMsg::Totals(generation, key, result, _) if generation != self.forecast_gen => {
                // An older request's set: keep it for a later pick of the same settings.
                if self.totals_running.as_ref() == Some(&key) {
                    self.totals_running = None;
                }
                if let Ok(r) = result {
                    self.totals_cache = Some((key, r));
                }
                Vec::new()
            }
            ForecastMsg::Totals(generation, key, Ok(r), elapsed_ms) => {
                self.totals_running = None;
                self.totals_cache = Some((key, r.clone()));
                let view = self
                    .totals_request
                    .as_ref()
                    .and_then(|(t, node)| super::totals::view(&r, t, *node, elapsed_ms))
                    .map(|mut v| {
                        v.plan_notes = self.totals_notes.clone();
                        v
                    })
                    .ok_or_else(|| "the level picked is not in the data".to_string());
                self.apply(ForecastMsg::Forecasted(generation, view.map(Box::new)))
            }
            ForecastMsg::Totals(generation, _, Err(e), _) => {
                self.totals_running = None;
                self.apply(ForecastMsg::Forecasted(generation, Err(e)))
            }
            ForecastMsg::Accuracy(generation, mae) => {
                if let Some(r) = self
                    .result
                    .as_mut()
                    .filter(|r| !r.quick && generation == self.final_gen)
                {
                    r.backtest_mae = mae;
                }
                Vec::new()
            }
            ForecastMsg::Screenshot(image) => match self.png_pending.take() {
                // Cutting and encoding a window's pixels is not work for the UI thread.
                Some((name, rect, ppp)) => vec![ForecastEffect::Picture(Box::new(move || {
                    ForecastMsg::Picture(name, super::png_export::plot_png(&image, rect, ppp))
                }))],
                None => Vec::new(),
            },
            ForecastMsg::Picture(name, Ok(bytes)) => vec![ForecastEffect::Save(name, bytes)],
            ForecastMsg::Picture(_, Err(e)) => {
                vec![ForecastEffect::Status(format!("Cannot export the plot: {e}"))]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use horizon_core::Series;
    use horizon_core::models::{Forecast, Interval};

    fn view(model: &str, quick: bool) -> Box<ResultView> {
        let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let history = Series::starting(horizon_core::Frequency::Daily, start, vec![5.0; 30]);
        let forecast = SeriesForecast {
            key: Vec::new(),
            model: model.into(),
            dates: history.future_dates(2),
            forecast: Forecast {
                point: vec![5.0; 2],
                intervals: vec![Interval {
                    level: 95.0,
                    lower: vec![1.0; 2],
                    upper: vec![9.0; 2],
                }],
            },
        };
        Box::new(ResultView {
            history,
            forecast,
            description: String::new(),
            candidates: None,
            season_note: String::new(),
            id_columns: Vec::new(),
            elapsed_ms: 0.0,
            quick,
            backtest_mae: None,
            totals: None,
            baseline: None,
            plan_notes: Vec::new(),
        })
    }

    /// A state waiting for the answers of request 1 (Auto, with a quick forecast).
    fn waiting() -> ForecastState {
        let mut s = ForecastState {
            forecast_gen: 1,
            ..ForecastState::default()
        };
        s.spec = Some(horizon_core::ModelSpec::Auto(Default::default()));
        s
    }

    fn shown(s: &ForecastState) -> Option<(String, bool)> {
        s.result.as_ref().map(|r| (r.forecast.model.clone(), r.quick))
    }

    #[test]
    fn the_quick_forecast_shows_until_autos_replaces_it_and_never_after() {
        let mut s = waiting();
        s.apply(ForecastMsg::Forecasted(1, Ok(view("ets", true))));
        assert_eq!(shown(&s), Some(("ets".into(), true)));
        assert!(!s.exportable(), "the quick forecast is not exported");
        s.apply(ForecastMsg::Forecasted(1, Ok(view("auto", false))));
        assert_eq!(shown(&s), Some(("auto".into(), false)));
        assert!(s.exportable());
        // Quick after final (threads may answer in any order): dropped.
        let mut s2 = waiting();
        s2.apply(ForecastMsg::Forecasted(1, Ok(view("auto", false))));
        s2.apply(ForecastMsg::Forecasted(1, Ok(view("ets", true))));
        assert_eq!(shown(&s2), Some(("auto".into(), false)));
        // A quick failure changes nothing; Auto's failure clears the quick forecast.
        let mut s3 = waiting();
        s3.apply(ForecastMsg::Forecasted(1, Ok(view("ets", true))));
        s3.apply(ForecastMsg::QuickFailed(1));
        assert_eq!(shown(&s3), Some(("ets".into(), true)));
        s3.apply(ForecastMsg::Forecasted(1, Err("no".into())));
        assert_eq!(shown(&s3), None);
        s3.apply(ForecastMsg::Forecasted(1, Ok(view("ets", true))));
        assert_eq!(shown(&s3), None, "a late quick forecast after Auto's error");
    }

    #[test]
    fn stale_answers_and_accuracy_are_dropped() {
        let mut s = waiting();
        s.apply(ForecastMsg::Forecasted(1, Ok(view("auto", false))));
        // Another request, then the first one's accuracy: not applied to the new forecast.
        s.forecast_gen = 2;
        s.apply(ForecastMsg::Forecasted(2, Ok(view("drift", false))));
        s.apply(ForecastMsg::Accuracy(1, Some(3.0)));
        assert_eq!(s.result.as_ref().unwrap().backtest_mae, None);
        s.apply(ForecastMsg::Accuracy(2, Some(4.0)));
        assert_eq!(s.result.as_ref().unwrap().backtest_mae, Some(4.0));
        s.apply(ForecastMsg::Forecasted(1, Ok(view("auto", false))));
        assert_eq!(shown(&s), Some(("drift".into(), false)));
        // New data: whatever was on its way for the old data is dropped.
        s.clear();
        s.apply(ForecastMsg::Forecasted(2, Ok(view("drift", false))));
        assert_eq!(shown(&s), None);
    }

    #[test]
    fn when_auto_does_not_finish_the_quick_forecast_stays_and_says_so() {
        let mut s = waiting();
        assert_eq!(s.abandon(), None, "nothing quick on screen");
        s.apply(ForecastMsg::Forecasted(1, Ok(view("ets", true))));
        let said = s.abandon().expect("abandoned");
        assert_eq!(said, "Auto did not finish: the quick ets forecast stays on screen.");
        let r = s.result.as_ref().unwrap();
        assert!(!r.quick && r.description.starts_with(&said));
        assert!(s.exportable());
        s.apply(ForecastMsg::Forecasted(1, Ok(view("ets", true))));
        assert!(!s.result.as_ref().unwrap().quick);
    }
}
