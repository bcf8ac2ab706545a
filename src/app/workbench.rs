//! The workbench's shell: one state per feature (data, forecast, compare, registry), the
//! settings they share, the tasks running, and the status line. It draws the panels, each
//! given its own state and what it reads, and carries out the effects they return and the
//! messages finished work sends — the only place where one feature's outcome starts another's
//! work ("data loaded → forecast it").

use super::compare::{self, CompareEffect, CompareState};
use super::data::{self, DataEffect, DataMsg, DataState};
use super::forecast::{self, ForecastEffect, ForecastMsg, ForecastState, TotalsStart};
use super::jobs::{Event, Runner, Tasks, map};
use super::msg::Msg;
use super::platform::Platform;
use super::registry::{self, Pending, RegistryEffect, RegistryLocation, RegistryMsg, RegistryState};
use super::settings::Settings;
use eframe::egui;
use horizon_core::data::Panel;
use std::sync::Arc;

mod chrome;

pub struct Workbench {
    pub settings: Settings,
    pub status: String,
    pub data: DataState,
    pub forecast: ForecastState,
    pub compare: CompareState,
    pub registry: RegistryState,
    /// Long work under way, with its progress (for the bars and Cancel buttons).
    pub tasks: Tasks<Msg>,
    /// Where the last saved file went.
    pub last_saved: Option<String>,
    /// Presentation mode: the headline and the plot alone, large, for a projector (Esc leaves).
    pub presenting: bool,
    platform: Box<dyn Platform>,
}

/// The progress-bar names of the tasks that make the forecast on screen.
const FORECAST_TASKS: [&str; 3] = ["forecast", "tuning and forecast", "quick forecast"];

impl Workbench {
    pub fn new(platform: Box<dyn Platform>, runner: Runner) -> Self {
        Workbench {
            settings: Settings::default(),
            status: String::new(),
            data: DataState::default(),
            forecast: ForecastState::default(),
            compare: CompareState::default(),
            registry: RegistryState::default(),
            tasks: Tasks::new(runner),
            last_saved: None,
            presenting: false,
            platform,
        }
    }

    pub fn is_busy(&self) -> bool {
        self.tasks.is_busy()
    }

    pub fn panel(&self) -> Option<&Arc<Panel>> {
        self.data.panel()
    }

    /// The label of the series picked.
    fn selected_label(&self) -> Option<String> {
        Some(self.panel()?.series.get(self.data.selected)?.label())
    }

    /// The last comparison, if it is of the series selected now.
    pub fn current_comparison(&self) -> Option<&compare::Comparison> {
        self.compare.current(self.selected_label().as_deref())
    }

    /// Stop the task `id` before its next step; what it was computing is dropped.
    pub fn cancel(&mut self, id: u64) {
        if let Some(what) = self.tasks.cancel(id) {
            self.status = format!("Cancelling the {what}…");
        }
    }

    /// Read `bytes` named `name` with the current column options, off the UI thread.
    pub fn load_bytes(&mut self, name: String, bytes: Arc<Vec<u8>>) {
        self.load(name, bytes, None);
    }

    fn load(&mut self, name: String, bytes: Arc<Vec<u8>>, note: Option<String>) {
        self.status = format!("Reading {name}…");
        let work = self.data.load(name, bytes, self.settings.options.clone(), note);
        self.tasks.spawn("loading", move || Msg::Data(work()));
    }

    /// Generate and open the bundled sample (daily sales, 2 stores × 3 products, 2 years).
    pub fn load_sample(&mut self) {
        self.settings.options = self.settings.options.for_new_file();
        let (name, bytes) = data::sample_file();
        self.load_bytes(name, bytes);
    }

    /// Re-read the current file after the user changed a column option.
    pub fn reload(&mut self) {
        if let Some(d) = &self.data.loaded {
            let (name, bytes, note) = (d.name.clone(), d.bytes.clone(), d.note.clone());
            self.load(name, bytes, note);
        }
    }

    pub fn open_dialog(&mut self) {
        let reply = self.tasks.reply("opening");
        self.platform.pick_file(reply);
    }

    /// Forecast the selected series with the chosen model, off the UI thread.
    pub fn run_forecast(&mut self) {
        let Some(panel) = self.panel().cloned() else {
            self.status = "Load a file without errors first.".into();
            return;
        };
        if let Some(totals) = self.data.totals.clone() {
            let node = self.data.selected_node;
            match self.forecast.start_totals(panel, totals, node, &self.settings) {
                TotalsStart::Shown(effects) => {
                    for e in effects {
                        self.forecast_effect(e, None);
                    }
                }
                TotalsStart::Run(started) => {
                    self.status = started.status;
                    self.tasks.start(started.what, map(started.task, Msg::Forecast));
                }
            }
            return;
        }
        if let Some(started) = self.forecast.start(panel, self.data.selected, &self.settings) {
            self.status = started.status;
            // The quick forecast first: in the browser's queue it runs before Auto's backtests.
            if let Some(quick) = started.quick {
                self.tasks.start("quick forecast", map(quick, Msg::Forecast));
            }
            self.tasks.start(started.what, map(started.task, Msg::Forecast));
        }
    }

    /// Backtest every model to compare on the selected series, off the UI thread.
    pub fn run_comparison(&mut self) {
        let Some(panel) = self.panel().cloned() else {
            self.status = "Load a file without errors first.".into();
            return;
        };
        match self.compare.start(&panel, self.data.selected, &self.settings) {
            Ok((status, task)) => {
                self.status = status;
                self.tasks.start("comparison", map(task, Msg::Compare));
            }
            Err(Some(why)) => self.status = why,
            Err(None) => {}
        }
    }

    /// Hand `bytes` to the platform to save under the default name `name`.
    fn save(&mut self, name: String, bytes: Vec<u8>) {
        let reply = self.tasks.reply("saving");
        self.platform.save_file(name, bytes, reply);
    }

    /// Apply finished work.
    pub fn poll(&mut self) {
        while let Some(event) = self.tasks.next_event() {
            match event {
                Event::Progress { .. } => {}
                Event::Cancelled(_) => self.status = "Cancelled.".into(),
                Event::Failed(_, why) => self.status = format!("Internal error, the task was stopped: {why}"),
                Event::Done(_, msg) => self.apply(msg),
            }
        }
        // Auto's task was cancelled or failed behind a quick forecast: say what stays on screen.
        let forecasting = self.tasks.running().any(|t| FORECAST_TASKS.contains(&t.what));
        if !forecasting && let Some(status) = self.forecast.abandon() {
            self.status = status;
        }
    }

    fn apply(&mut self, msg: Msg) {
        match msg {
            Msg::Data(m) => {
                for e in self.data.apply(m, &mut self.settings) {
                    self.data_effect(e);
                }
            }
            Msg::Forecast(m) => {
                for e in self.forecast.apply(m) {
                    self.forecast_effect(e, None);
                }
            }
            Msg::Compare(m) => {
                if let Some(status) = self.compare.apply(m) {
                    self.status = status;
                }
            }
            Msg::Registry(m) => {
                for e in self.registry.apply(m) {
                    self.registry_effect(e);
                }
            }
            Msg::Saved(Ok(path)) => {
                self.status = format!("Saved {path}");
                self.last_saved = Some(path);
            }
            Msg::Saved(Err(e)) | Msg::Status(e) => self.status = e,
        }
    }

    fn data_effect(&mut self, effect: DataEffect) {
        match effect {
            DataEffect::OpenDialog => self.open_dialog(),
            DataEffect::LoadSample => self.load_sample(),
            DataEffect::Generate(params) => {
                self.status = "Generating sample data…".into();
                self.tasks
                    .spawn("generating", move || Msg::Data(data::generate(params)));
            }
            #[cfg(not(target_arch = "wasm32"))]
            DataEffect::OpenRecent(path) => {
                self.status = format!("Reading {path}…");
                self.tasks.spawn("reading", move || Msg::Data(data::read_recent(path)));
            }
            #[cfg(target_arch = "wasm32")]
            DataEffect::OpenRecent(_) => {}
            DataEffect::Load { name, bytes, note } => self.load(name, bytes, note),
            DataEffect::Encode(name, panel, note) => {
                self.status = format!("Opening {name}…");
                self.tasks.spawn("writing", move || {
                    let bytes = horizon_core::export::panel_csv(&panel).into_bytes();
                    Msg::Data(DataMsg::Encoded(name, bytes, note))
                });
            }
            DataEffect::Reload => self.reload(),
            #[cfg(not(target_arch = "wasm32"))]
            DataEffect::OpenTransactions(name, bytes) => {
                self.status = format!("Reading {name} with polars…");
                self.tasks.spawn("reading", move || {
                    Msg::Data(DataMsg::TableRead(data::transactions::read(name, bytes)))
                });
            }
            #[cfg(not(target_arch = "wasm32"))]
            DataEffect::Aggregate => {
                let Some(d) = &self.data.transactions else { return };
                self.status = format!("Aggregating {}…", d.table.name);
                let work = d.aggregation();
                self.tasks.spawn("aggregating", move || {
                    let (name, out) = work();
                    Msg::Data(DataMsg::Aggregated(name, out))
                });
            }
            DataEffect::NewData => {
                self.forecast.clear();
                self.compare.clear();
            }
            DataEffect::Forecast => self.run_forecast(),
            DataEffect::Status(s) => self.status = s,
        }
    }

    /// `ctx` is needed by the PNG export (from the panel or a shortcut).
    fn forecast_effect(&mut self, effect: ForecastEffect, ctx: Option<&egui::Context>) {
        match effect {
            ForecastEffect::Run => self.run_forecast(),
            ForecastEffect::UseOwnModel => {
                self.forecast.registered = None;
                self.run_forecast();
            }
            ForecastEffect::Export => {
                if let Some(e) = self.forecast.export() {
                    self.forecast_effect(e, ctx);
                }
            }
            ForecastEffect::ExportPng => {
                let Some(ctx) = ctx else { return };
                if self.forecast.prepare_png(ctx.pixels_per_point()) {
                    let (reply, repaint) = (self.tasks.reply("picture"), ctx.clone());
                    ctx.request_screenshot(move |image| {
                        reply.send(Msg::Forecast(ForecastMsg::Screenshot(image)));
                        repaint.request_repaint();
                    });
                }
            }
            ForecastEffect::Save(name, bytes) => self.save(name, bytes),
            ForecastEffect::Picture(work) => self.tasks.spawn("picture", move || Msg::Forecast(work())),
            ForecastEffect::Measure(work) => self.tasks.spawn("backtest", move || Msg::Forecast(work())),
            // Natively, into a local registry's folder; a server registry or the browser keeps none.
            #[cfg(not(target_arch = "wasm32"))]
            ForecastEffect::Log(log) => {
                if let Some(dir) = registry::jobs::forecast_log_dir(&RegistryLocation::of(&self.settings)) {
                    self.tasks.spawn("forecast log", move || {
                        Msg::Registry(registry::jobs::log_forecast(&dir, &log))
                    });
                }
            }
            #[cfg(target_arch = "wasm32")]
            ForecastEffect::Log(_) => {}
            ForecastEffect::Status(s) => self.status = s,
        }
    }

    fn compare_effect(&mut self, effect: CompareEffect) {
        match effect {
            CompareEffect::Run => self.run_comparison(),
            CompareEffect::Export => {
                let selected = self.selected_label();
                if let Some((name, bytes)) = self.compare.export(selected.as_deref()) {
                    self.save(name, bytes);
                }
            }
        }
    }

    fn registry_effect(&mut self, effect: RegistryEffect) {
        let target = RegistryLocation::of(&self.settings);
        match effect {
            RegistryEffect::Refresh => self.registry_job(move || registry::jobs::list(&target)),
            RegistryEffect::Select(name, version) => {
                self.registry.selected = Some((name.clone(), version));
                self.registry_job(move || registry::jobs::details(&target, &name, version));
            }
            RegistryEffect::Load(name, version) => {
                self.registry_job(move || registry::jobs::load(&target, &name, version));
            }
            RegistryEffect::Run(Pending::Promote { name, version }) => {
                let Some(panel) = self.panel().cloned() else {
                    self.registry.error =
                        Some("load data first: the promotion compares both models on its hold-out".into());
                    return;
                };
                self.status = format!("Comparing {name} version {version} with the champion…");
                self.registry_job(move || registry::jobs::promote(&target, &name, version, &panel));
            }
            RegistryEffect::Run(Pending::Rollback { name }) => {
                self.registry_job(move || registry::jobs::rollback(&target, &name));
            }
            RegistryEffect::RegisterCurrent => self.register_current(),
            RegistryEffect::Register(t) => self.registry_job(move || registry::jobs::register(&target, &t)),
            RegistryEffect::UseModel(loaded) => {
                self.status = format!("Forecasting with the registered model {}.", loaded.label);
                self.forecast.registered = Some(loaded);
                self.run_forecast();
            }
            RegistryEffect::Monitor(name, version) => {
                let Some(panel) = self.panel().cloned() else {
                    self.registry.error =
                        Some("load data first: the check compares it with the model's training data".into());
                    return;
                };
                let data = self
                    .data
                    .loaded
                    .as_ref()
                    .map_or_else(|| "the data".to_string(), |l| l.name.clone());
                self.status = format!("Checking the data against {name} version {version}…");
                self.registry_job(move || registry::jobs::monitor(&target, &name, version, &panel, &data));
            }
            RegistryEffect::Status(s) => self.status = s,
        }
    }

    /// List the registry's models again.
    pub fn registry_refresh(&mut self) {
        self.registry_effect(RegistryEffect::Refresh);
    }

    /// Train the chosen model on every series of the data (scored on a 3-fold backtest of the
    /// horizon) and register it under `settings.register_name`.
    pub fn register_current(&mut self) {
        let Some(panel) = self.panel().cloned() else {
            self.status = "Load a file without errors first.".into();
            return;
        };
        let source = self.data.loaded.as_ref().map(|d| d.name.clone()).unwrap_or_default();
        match registry::jobs::train(panel, source, &self.settings) {
            Ok((status, work)) => {
                self.status = status;
                self.tasks.spawn("training", move || Msg::Registry(work()));
            }
            Err(why) => self.status = why,
        }
    }

    /// A registry call: natively on a worker thread; in the browser run under replay, each
    /// request sent with `fetch` between runs (so `work` may run several times).
    fn registry_job(&mut self, work: impl Fn() -> RegistryMsg + Send + 'static) {
        #[cfg(not(target_arch = "wasm32"))]
        self.tasks.spawn("registry call", move || Msg::Registry(work()));
        #[cfg(target_arch = "wasm32")]
        {
            let reply = self.tasks.reply("registry call");
            let timeout = std::time::Duration::from_secs_f64(self.settings.registry_timeout_secs.clamp(0.5, 120.0));
            wasm_bindgen_futures::spawn_local(async move {
                let msg = horizon_registry::mlflow::replay::replay_fetch(work, timeout).await;
                reply.send(Msg::Registry(msg));
            });
        }
    }

    /// Draw the whole workbench.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        self.poll();
        self.shortcuts(ui.ctx());
        self.handle_dropped_files(ui.ctx());
        if self.is_busy() {
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(30));
        }
        if ui.ctx().options(|o| o.theme_preference) != self.settings.theme {
            ui.ctx().set_theme(self.settings.theme);
        }
        egui::Panel::top("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading("Horizon");
                if !self.presenting {
                    self.theme_picker(ui);
                }
                let (text, tip) = if self.presenting {
                    ("Leave presentation", "Back to the workbench (Esc)")
                } else {
                    (
                        "Present",
                        "The headline and the plot alone, large, for a projector (Esc leaves)",
                    )
                };
                if ui.button(text).on_hover_text(tip).clicked() {
                    self.presenting = !self.presenting;
                }
                if self.is_busy() {
                    ui.add(egui::Spinner::new());
                }
                ui.label(&self.status);
            });
            if !self.presenting {
                self.progress_bars(ui);
            }
        });
        let (mut data_effects, mut registry_effects) = (Vec::new(), Vec::new());
        if !self.presenting {
            egui::Panel::left("data").default_size(330.0).show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    data_effects.extend(data::panel::show(&mut self.data, &mut self.settings, ui));
                    ui.separator();
                    data_effects.extend(data::manual_panel::show(&mut self.data, &mut self.settings, ui));
                });
            });
            egui::Panel::right("registry").default_size(300.0).show(ui, |ui| {
                let can_register = self.data.panel().is_some();
                egui::ScrollArea::vertical().show(ui, |ui| {
                    registry_effects = registry::panel::show(&mut self.registry, &mut self.settings, can_register, ui);
                });
            });
        }
        let (mut forecast_effects, mut compare_effect) = (Vec::new(), None);
        egui::CentralPanel::default().show(ui, |ui| {
            if self.presenting {
                let backtests = Vec::new();
                forecast::panel::result(&mut self.forecast, &mut self.settings, &backtests, true, ui);
                return;
            }
            egui::ScrollArea::vertical().id_salt("central").show(ui, |ui| {
                data::preview::show(&mut self.data, ui);
                let panel = self.data.panel().cloned();
                forecast_effects = forecast::panel::controls(&self.forecast, &mut self.settings, panel.as_deref(), ui);
                let on_screen = self.forecast.result.as_ref().map(|r| &r.history);
                let drivers = panel.as_ref().map(|p| p.exog_columns.clone()).unwrap_or_default();
                forecast_effects.extend(forecast::plan_panel::show(&mut self.settings, &drivers, on_screen, ui));
                let selected = self.selected_label();
                compare_effect = compare::panel::show(
                    &mut self.compare,
                    &mut self.settings,
                    selected.as_deref(),
                    panel.is_some(),
                    ui,
                );
                ui.separator();
                let backtests = match self.compare.current(selected.as_deref()) {
                    Some(c) if self.compare.show_backtests => c.backtests.clone(),
                    _ => Vec::new(),
                };
                forecast::panel::result(&mut self.forecast, &mut self.settings, &backtests, false, ui);
            });
        });
        #[cfg(not(target_arch = "wasm32"))]
        data_effects.extend(data::transactions_panel::show(&mut self.data, ui.ctx()));
        for e in data_effects {
            self.data_effect(e);
        }
        for e in registry_effects {
            self.registry_effect(e);
        }
        for e in forecast_effects {
            self.forecast_effect(e, Some(ui.ctx()));
        }
        if let Some(e) = compare_effect {
            self.compare_effect(e);
        }
        if self.tasks.pump() {
            // The browser: steps of the queued tasks, a frame's worth at a time, after this
            // frame's clicks (a Cancel takes effect before the next step).
            ui.ctx().request_repaint();
        }
    }
}
