//! The workbench's state and the messages that change it.

use super::compare::Comparison;
use super::jobs::{Queue, Runner, Running, Task, once};
use super::manual::ManualGrid;
use super::platform::Platform;
use super::registry::{Pending, RegisteredArtifact, RegistryMsg, RegistryState, ToRegister, Where};
use eframe::egui;
use horizon_core::ModelSpec;
use horizon_core::data::generate::{RetailParams, retail};
use horizon_core::data::preview::RowIndex;
use horizon_core::data::{IngestOptions, Ingested, Panel, Series, ingest_csv};
use horizon_core::export::{SeriesForecast, forecast_csv, panel_csv};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

/// What the user chose, remembered between sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub model: ModelSpec,
    pub horizon: usize,
    /// Interval levels (percent) to compute, plot and export.
    pub levels: Vec<f64>,
    pub options: IngestOptions,
    /// The model registry: "local" (this computer), a folder, or an MLflow server's URL.
    pub registry: String,
    /// Seconds before a call to an MLflow server gives up.
    pub registry_timeout_secs: f64,
    /// The sample-data generator's settings.
    pub sample: RetailParams,
    /// Models ticked in "Compare models".
    pub compare: Vec<ModelSpec>,
    /// The name the current model is registered under.
    pub register_name: String,
    /// Light, dark, or as the system is set.
    pub theme: egui::ThemePreference,
    /// Files opened lately, newest first (native; paths).
    pub recent: Vec<String>,
    /// The plot starts on the whole history instead of the recent past.
    pub whole_history: bool,
    /// The season models use (`None`: the data's calendar season).
    pub season: Option<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            model: ModelSpec::Auto { candidates: None },
            horizon: 28,
            levels: vec![80.0, 95.0],
            options: IngestOptions::default(),
            registry: "local".into(),
            registry_timeout_secs: 5.0,
            sample: sample_params(),
            compare: vec![
                ModelSpec::SeasonalNaive { season: None },
                ModelSpec::Ets { season: None },
            ],
            register_name: "sales".into(),
            theme: egui::ThemePreference::System,
            recent: Vec::new(),
            whole_history: false,
            season: None,
        }
    }
}

/// A file read and validated.
pub struct Loaded {
    pub name: String,
    pub bytes: Arc<Vec<u8>>,
    pub ingested: Ingested,
    pub panel: Option<Arc<Panel>>,
    /// The file's rows for the data preview (`None` when not even the delimiter is known).
    pub rows: Option<Arc<RowIndex>>,
    /// How the data was made, when it was not read as it is (aggregated transactions).
    pub note: Option<String>,
}

/// A forecast of the selected series, ready to plot and export.
#[derive(Debug, Clone)]
pub struct ResultView {
    pub history: Series,
    pub forecast: SeriesForecast,
    pub description: String,
    /// Auto's chosen model and its candidates with their backtest scores, best first.
    pub candidates: super::forecast_task::AutoChoice,
    /// Which calendar seasons the series has (detected, not assumed).
    pub season_note: String,
    pub id_columns: Vec<String>,
    /// How long fitting and forecasting took (wall clock, milliseconds).
    pub elapsed_ms: f64,
}

/// Results of jobs and dialogs.
pub enum Msg {
    Picked(Option<(String, Vec<u8>)>),
    /// A file read; the number is the load request it answers (older ones are dropped).
    Loaded(u64, Box<Loaded>),
    /// A forecast; the number is the forecast request it answers (older ones are dropped).
    Forecasted(u64, Result<Box<ResultView>, String>),
    /// A model comparison; the number is the comparison request it answers.
    Compared(u64, Result<Box<Comparison>, String>),
    Saved(Result<String, String>),
    Status(String),
    Registry(RegistryMsg),
    /// A task's progress: `done` of `total` steps.
    Progress {
        id: u64,
        done: usize,
        total: usize,
    },
    /// The task stopped at the user's request.
    Cancelled(u64),
    /// The window's pixels, for the PNG export.
    Screenshot(Arc<egui::ColorImage>),
    /// The plot as PNG bytes, to save under this name.
    Picture(String, Result<Vec<u8>, String>),
    /// The model to register was trained (on every series of the data).
    Trained(Result<Box<ToRegister>, String>),
    /// A recent file could not be read again (path, why): it leaves the list.
    RecentGone(String, String),
    /// Task `id` finished with this message.
    Done(u64, Box<Msg>),
    /// A Parquet or transactions file read by polars, for the aggregation dialog.
    #[cfg(not(target_arch = "wasm32"))]
    TableRead(Result<Box<super::transactions::Dialog>, String>),
    /// The aggregated sales of the file named.
    #[cfg(not(target_arch = "wasm32"))]
    Aggregated(String, Result<Box<horizon_tabular::Aggregated>, String>),
}

pub struct Workbench {
    pub settings: Settings,
    pub data: Option<Loaded>,
    pub selected: usize,
    pub filter: String,
    /// Per id column: show only series with this value (`None` = all).
    pub id_filters: Vec<Option<String>>,
    pub result: Option<ResultView>,
    /// Earlier forecasts of the same series kept on the plot next to the current one.
    pub kept: Vec<SeriesForecast>,
    /// Draw long series decimated to the pixels shown (off only to measure what it saves).
    pub decimate: bool,
    /// Draw the comparison's backtest forecasts on the plot.
    pub show_backtests: bool,
    /// The record marked in the data preview (0-based), and a scroll to it pending.
    pub preview_row: Option<usize>,
    pub preview_jump: Option<usize>,
    pub status: String,
    pub manual: ManualGrid,
    pub show_manual: bool,
    pub last_saved: Option<String>,
    pub registry: RegistryState,
    /// A registered model loaded to forecast with, instead of `settings.model`.
    pub registered: Option<RegisteredArtifact>,
    /// The sample generator's preview series and the settings it was made with.
    pub sample_preview: Option<(RetailParams, Vec<f64>)>,
    /// The last model comparison.
    pub comparison: Option<Comparison>,
    /// Where the plot was drawn last (points), for the PNG export.
    pub plot_rect: Option<egui::Rect>,
    /// The PNG export waiting for its screenshot: file name, plot rectangle, pixels per point.
    png_pending: Option<(String, egui::Rect, f32)>,
    /// Forecasts shown since start (the browser page reports it, so a script sees a new one).
    pub forecasts_shown: u64,
    /// The aggregation dialog of a Parquet or transactions file (desktop).
    #[cfg(not(target_arch = "wasm32"))]
    pub transactions: Option<Box<super::transactions::Dialog>>,
    busy: usize,
    /// Long work under way, with its progress (for the bars and Cancel buttons).
    pub tasks: Vec<Running>,
    task_id: u64,
    /// Tasks waiting for their steps (browser).
    queue: Queue,
    /// How long each frame may spend on queued steps (at least one step runs per frame).
    pub step_budget: std::time::Duration,
    /// Request counters: a result is applied only if it answers the latest request.
    load_gen: u64,
    forecast_gen: u64,
    pub(super) compare_gen: u64,
    platform: Box<dyn Platform>,
    runner: Runner,
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
}

/// How many recent files the Data panel lists.
pub const RECENT_FILES: usize = 8;

/// The sample the workbench opens with: the same as `sample_data/retail_small.csv`.
pub fn sample_params() -> RetailParams {
    RetailParams {
        stores: 2,
        products: 3,
        days: 730,
        ..Default::default()
    }
}

impl Workbench {
    pub fn new(platform: Box<dyn Platform>, runner: Runner) -> Self {
        let (tx, rx) = channel();
        Workbench {
            settings: Settings::default(),
            data: None,
            selected: 0,
            filter: String::new(),
            id_filters: Vec::new(),
            result: None,
            kept: Vec::new(),
            decimate: true,
            show_backtests: false,
            preview_row: None,
            preview_jump: None,
            status: String::new(),
            manual: ManualGrid::default(),
            show_manual: false,
            last_saved: None,
            registry: RegistryState::default(),
            registered: None,
            sample_preview: None,
            comparison: None,
            forecasts_shown: 0,
            plot_rect: None,
            png_pending: None,
            #[cfg(not(target_arch = "wasm32"))]
            transactions: None,
            busy: 0,
            tasks: Vec::new(),
            task_id: 0,
            queue: Queue::default(),
            step_budget: std::time::Duration::from_millis(30),
            load_gen: 0,
            forecast_gen: 0,
            compare_gen: 0,
            platform,
            runner,
            tx,
            rx,
        }
    }

    pub fn is_busy(&self) -> bool {
        self.busy > 0
    }

    /// Run `work` (one step) off the UI thread; `what` names it on the progress bar.
    pub(super) fn spawn(&mut self, what: &'static str, work: impl FnOnce() -> Msg + Send + 'static) {
        self.start(what, once(work));
    }

    /// Start a task of several steps; `what` names it on the progress bar and its Cancel button.
    pub(super) fn start(&mut self, what: &'static str, task: Box<dyn Task>) {
        self.busy += 1;
        self.task_id += 1;
        let running = Running::new(self.task_id, what);
        self.tasks.push(running.clone());
        self.runner.start(&self.tx, &mut self.queue, task, running);
    }

    /// Stop the task `id` before its next step; what it was computing is dropped.
    pub fn cancel(&mut self, id: u64) {
        if let Some(t) = self.tasks.iter().find(|t| t.id == id) {
            t.cancel();
            self.status = format!("Cancelling the {}…", t.what);
        }
    }

    /// Read `bytes` named `name` with the current column options, off the UI thread.
    pub fn load_bytes(&mut self, name: String, bytes: Arc<Vec<u8>>) {
        self.load_bytes_noted(name, bytes, None);
    }

    /// [`Workbench::load_bytes`] with a note that stays with this load (e.g. how transactions
    /// were aggregated into these bytes) and is shown under the file name.
    pub fn load_bytes_noted(&mut self, name: String, bytes: Arc<Vec<u8>>, note: Option<String>) {
        let opts = self.settings.options.clone();
        self.status = format!("Reading {name}…");
        self.load_gen += 1;
        let generation = self.load_gen;
        self.spawn("loading", move || {
            let ingested = ingest_csv(&bytes, &name, &opts);
            let panel = ingested.panel.clone().map(Arc::new);
            let delimiter = opts
                .delimiter
                .or(ingested.mapping.as_ref().map(|m| m.delimiter))
                .or_else(|| {
                    horizon_core::data::sniff::sniff_delimiter(&String::from_utf8_lossy(
                        &bytes[..bytes.len().min(64 * 1024)],
                    ))
                });
            let rows = delimiter.map(|d| Arc::new(RowIndex::build(&bytes, d)));
            Msg::Loaded(
                generation,
                Box::new(Loaded {
                    name,
                    bytes,
                    ingested,
                    panel,
                    rows,
                    note,
                }),
            )
        });
    }

    /// Generate and open the bundled sample (daily sales, 2 stores × 3 products, 2 years).
    pub fn load_sample(&mut self) {
        self.settings.options = self.settings.options.for_new_file();
        let csv = panel_csv(&retail(&sample_params()));
        self.load_bytes("sample retail data".into(), Arc::new(csv.into_bytes()));
    }

    /// Generate retail data with `params` and open it like a file (generated off the UI thread).
    pub fn load_generated(&mut self, params: RetailParams) {
        self.status = "Generating sample data…".into();
        self.spawn("generating", move || {
            let name = format!(
                "generated: {} stores × {} products × {} days, seed {}",
                params.stores, params.products, params.days, params.seed
            );
            Msg::Picked(Some((name, panel_csv(&retail(&params)).into_bytes())))
        });
    }

    /// Re-read the current file after the user changed a column option.
    pub fn reload(&mut self) {
        if let Some(d) = &self.data {
            let (name, bytes, note) = (d.name.clone(), d.bytes.clone(), d.note.clone());
            self.load_bytes_noted(name, bytes, note);
        }
    }

    /// Put a file that was opened from disk at the top of the recent files (at most
    /// [`RECENT_FILES`]); generated data and browser uploads are not files to reopen.
    fn remember_recent(&mut self, name: &str) {
        if cfg!(target_arch = "wasm32") || !std::path::Path::new(name).is_file() {
            return;
        }
        self.settings.recent.retain(|r| r != name);
        self.settings.recent.insert(0, name.to_string());
        self.settings.recent.truncate(RECENT_FILES);
    }

    /// Open a recent file again (read off the UI thread); one that is gone leaves the list.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open_recent(&mut self, path: String) {
        self.status = format!("Reading {path}…");
        self.spawn("reading", move || match std::fs::read(&path) {
            Ok(bytes) => Msg::Picked(Some((path, bytes))),
            Err(e) => Msg::RecentGone(path.clone(), format!("cannot read {path}: {e}")),
        });
    }

    /// A picked or dropped file: Parquet goes to the aggregation dialog (desktop), anything
    /// else is read as CSV.
    fn open_picked(&mut self, name: String, bytes: Vec<u8>) {
        #[cfg(not(target_arch = "wasm32"))]
        if super::transactions::is_parquet(&name, &bytes) {
            self.open_transactions(name, Arc::new(bytes));
            return;
        }
        #[cfg(target_arch = "wasm32")]
        if bytes.starts_with(b"PAR1") {
            self.status =
                format!("{name} is a Parquet file: the desktop app opens Parquet; in the browser, open it as CSV.");
            return;
        }
        self.load_bytes(name, Arc::new(bytes));
    }

    pub fn open_dialog(&mut self) {
        self.busy += 1;
        self.platform.pick_file(self.tx.clone());
    }

    pub fn panel(&self) -> Option<&Arc<Panel>> {
        self.data.as_ref().and_then(|d| d.panel.as_ref())
    }

    /// Forecast the selected series with the chosen model, off the UI thread.
    pub fn run_forecast(&mut self) {
        let Some(panel) = self.panel().cloned() else {
            self.status = "Load a file without errors first.".into();
            return;
        };
        let Some(series) = panel.series.get(self.selected).cloned() else {
            return;
        };
        let (spec, horizon, levels) = (
            self.settings.model.clone().with_default_season(self.settings.season),
            self.settings.horizon,
            self.settings.levels.clone(),
        );
        let registered = self.registered.clone();
        let model_label = registered
            .as_ref()
            .map_or_else(|| spec.to_string(), |r| r.label.clone());
        self.status = format!("Forecasting {} with {model_label}…", series.label());
        self.forecast_gen += 1;
        let what = if matches!(spec, ModelSpec::Gbm { tune: Some(_), .. }) {
            "tuning and forecast"
        } else {
            "forecast"
        };
        let task = super::forecast_task::ForecastTask::new(
            self.forecast_gen,
            series,
            spec,
            (horizon, levels),
            registered,
            panel,
        );
        self.start(what, Box::new(task));
    }

    /// Mark spreadsheet row `row` of the file in the data preview and scroll to it.
    pub fn show_row(&mut self, row: usize) {
        let index = self
            .data
            .as_ref()
            .and_then(|d| d.rows.as_ref())
            .and_then(|r| r.index_of_row(row));
        if let Some(i) = index {
            self.preview_row = Some(i);
            self.preview_jump = Some(i);
        }
    }

    /// Keep the current forecast on the plot, to compare the next ones with it (a forecast is
    /// kept once; another run of the same model is kept as `model #2`).
    pub fn keep_forecast(&mut self) {
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

    /// Hand the forecast CSV to the platform under a timestamped name.
    pub fn export(&mut self) {
        let Some(r) = &self.result else { return };
        let name = export_file_name(&r.history.label(), chrono::Local::now().naive_local());
        let csv = forecast_csv(&r.id_columns, std::slice::from_ref(&r.forecast));
        self.save(name, csv.into_bytes());
    }

    /// Ask for a screenshot; when it comes, save the plot's part of it as
    /// `plot_<series>_<YYYYMMDD-HHMMSS>.png`.
    pub fn export_png(&mut self, ctx: &egui::Context) {
        let (Some(r), Some(rect)) = (&self.result, self.plot_rect) else {
            return;
        };
        let name = timestamped_file_name("plot", &r.history.label(), "png", chrono::Local::now().naive_local());
        self.png_pending = Some((name, rect, ctx.pixels_per_point()));
        self.busy += 1;
        let (tx, repaint) = (self.tx.clone(), ctx.clone());
        ctx.request_screenshot(move |image| {
            let _ = tx.send(Msg::Screenshot(image));
            repaint.request_repaint();
        });
    }

    /// Hand `bytes` to the platform to save under the default name `name`.
    pub(super) fn save(&mut self, name: String, bytes: Vec<u8>) {
        self.busy += 1;
        self.platform.save_file(name, bytes, self.tx.clone());
    }

    /// Apply finished jobs.
    pub fn poll(&mut self) {
        while let Ok(msg) = self.rx.try_recv() {
            match msg {
                Msg::Progress { id, done, total } => {
                    if let Some(t) = self.tasks.iter_mut().find(|t| t.id == id) {
                        (t.done, t.total) = (done, total);
                    }
                    continue;
                }
                Msg::Done(id, _) | Msg::Cancelled(id) => self.tasks.retain(|t| t.id != id),
                _ => {}
            }
            self.busy = self.busy.saturating_sub(1);
            let msg = match msg {
                Msg::Done(_, inner) => *inner,
                other => other,
            };
            match msg {
                Msg::Progress { .. } | Msg::Done(..) => {}
                Msg::Cancelled(_) => self.status = "Cancelled.".into(),
                Msg::Picked(None) => self.status = "No file chosen.".into(),
                Msg::Picked(Some((name, bytes))) => {
                    self.remember_recent(&name);
                    self.settings.options = self.settings.options.for_new_file();
                    // A season given for one file is not another file's.
                    self.settings.season = None;
                    self.open_picked(name, bytes);
                }
                #[cfg(not(target_arch = "wasm32"))]
                Msg::TableRead(Ok(dialog)) => {
                    self.status = format!(
                        "{}: {} rows read; choose how to aggregate them.",
                        dialog.table.name,
                        dialog.table.rows()
                    );
                    self.transactions = Some(dialog);
                }
                #[cfg(not(target_arch = "wasm32"))]
                Msg::TableRead(Err(e)) => self.status = e,
                #[cfg(not(target_arch = "wasm32"))]
                Msg::Aggregated(name, out) => self.aggregated(name, out),
                // A newer request superseded these: drop them, the newer answer follows.
                Msg::Loaded(generation, _) if generation != self.load_gen => {}
                Msg::Forecasted(generation, _) if generation != self.forecast_gen => {}
                Msg::Compared(generation, _) if generation != self.compare_gen => {}
                Msg::Compared(_, Ok(c)) => {
                    self.status = format!("Comparison on {} ready.", c.series);
                    self.comparison = Some(*c);
                }
                Msg::Compared(_, Err(e)) => self.status = format!("Cannot compare: {e}"),
                Msg::Loaded(_, loaded) => {
                    let r = &loaded.ingested.report;
                    self.status = match &loaded.panel {
                        Some(p) => format!(
                            "{}: {} series, {} rows, {} warning(s).",
                            loaded.name,
                            p.series.len(),
                            loaded.ingested.stats.rows,
                            r.warning_count()
                        ),
                        None => format!("{}: {} error(s) — fix them to forecast.", loaded.name, r.error_count()),
                    };
                    if let Some(note) = &loaded.note {
                        self.status = format!("{} {note}", self.status);
                    }
                    let keep_selection = self.data.as_ref().is_some_and(|d| d.name == loaded.name);
                    if !keep_selection {
                        self.selected = 0;
                        self.id_filters.clear();
                        self.filter.clear();
                    }
                    if let Some(p) = &loaded.panel {
                        self.selected = self.selected.min(p.series.len().saturating_sub(1));
                    }
                    self.result = None;
                    self.kept.clear();
                    self.preview_row = None;
                    // A comparison of the previous data (or one still running) is dropped.
                    self.comparison = None;
                    self.compare_gen += 1;
                    self.data = Some(*loaded);
                    if self.panel().is_some() {
                        self.run_forecast();
                    }
                }
                Msg::Forecasted(_, Ok(view)) => {
                    self.status = format!("Forecast of {} ready.", view.history.label());
                    // Kept forecasts belong to one series.
                    if self.kept.first().is_some_and(|k| k.key != view.forecast.key) {
                        self.kept.clear();
                    }
                    self.result = Some(*view);
                    self.forecasts_shown += 1;
                }
                Msg::Forecasted(_, Err(e)) => {
                    self.status = format!("Cannot forecast: {e}");
                    self.result = None;
                }
                Msg::Saved(Ok(path)) => {
                    self.status = format!("Saved {path}");
                    self.last_saved = Some(path);
                }
                Msg::Saved(Err(e)) => self.status = e,
                Msg::Trained(Ok(t)) => {
                    self.status = format!("Registering {} ({})…", t.name, t.artifact.spec);
                    let (target, t) = (self.registry_where(), Arc::new(*t));
                    self.registry_job(move || super::registry::jobs::register(&target, &t));
                }
                Msg::Trained(Err(e)) => self.status = format!("Cannot register: {e}"),
                Msg::Screenshot(image) => {
                    if let Some((name, rect, ppp)) = self.png_pending.take() {
                        // Cutting and encoding a window's pixels is not work for the UI thread.
                        self.spawn("picture", move || {
                            Msg::Picture(name, super::png_export::plot_png(&image, rect, ppp))
                        });
                    }
                }
                Msg::Picture(name, Ok(bytes)) => self.save(name, bytes),
                Msg::Picture(_, Err(e)) => self.status = format!("Cannot export the plot: {e}"),
                Msg::Status(s) => self.status = s,
                Msg::RecentGone(path, why) => {
                    self.settings.recent.retain(|r| *r != path);
                    self.status = why;
                }
                Msg::Registry(m) => {
                    let refresh = matches!(m, RegistryMsg::Done(Ok(_)));
                    if refresh {
                        // The outcome itself is shown in the Registry panel.
                        self.status = "Registry updated.".into();
                    }
                    if let Some(loaded) = self.registry.apply(m) {
                        self.status = format!("Forecasting with the registered model {}.", loaded.label);
                        self.registered = Some(loaded);
                        self.run_forecast();
                    }
                    if refresh {
                        self.registry_refresh();
                    }
                }
            }
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
                self.theme_picker(ui);
                if self.is_busy() {
                    ui.add(egui::Spinner::new());
                }
                ui.label(&self.status);
            });
            self.progress_bars(ui);
        });
        egui::Panel::left("data").default_size(330.0).show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                super::data_panel::show(self, ui);
                ui.separator();
                super::manual::show(self, ui);
            });
        });
        egui::Panel::right("registry").default_size(300.0).show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| super::registry_panel::show(self, ui));
        });
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical().id_salt("central").show(ui, |ui| {
                super::preview::show(self, ui);
                super::forecast_panel::show(self, ui);
            });
        });
        #[cfg(not(target_arch = "wasm32"))]
        super::transactions::show(self, ui.ctx());
        if !self.queue.is_empty() {
            // The browser: steps of the queued tasks, a frame's worth at a time, after this
            // frame's clicks (a Cancel takes effect before the next step).
            self.queue.pump(&self.tx, self.step_budget);
            ui.ctx().request_repaint();
        }
    }

    /// Ctrl+O opens a file, Ctrl+Enter runs the forecast, Ctrl+E exports it (Ctrl+Shift+E the
    /// plot as PNG), Ctrl+Shift+S registers the model (⌘ on a Mac).
    fn shortcuts(&mut self, ctx: &egui::Context) {
        use egui::{Key, KeyboardShortcut};
        let pressed =
            |key| ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(egui::Modifiers::COMMAND, key)));
        if pressed(Key::O) {
            self.open_dialog();
        }
        if pressed(Key::Enter) && self.panel().is_some() {
            self.run_forecast();
        }
        let picture = KeyboardShortcut::new(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, Key::E);
        if ctx.input_mut(|i| i.consume_shortcut(&picture)) && self.result.is_some() {
            self.export_png(ctx);
        }
        if pressed(Key::E) && self.result.is_some() {
            self.export();
        }
        let register = KeyboardShortcut::new(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, Key::S);
        if ctx.input_mut(|i| i.consume_shortcut(&register)) && self.panel().is_some() {
            self.register_current();
        }
    }

    /// Light, dark or system theme (remembered with the other settings).
    fn theme_picker(&mut self, ui: &mut egui::Ui) {
        use egui::ThemePreference::{Dark, Light, System};
        let name = |t: egui::ThemePreference| match t {
            System => "System",
            Light => "Light",
            Dark => "Dark",
        };
        let l = ui.label("Theme");
        egui::ComboBox::from_id_salt("theme")
            .selected_text(name(self.settings.theme))
            .width(80.0)
            .show_ui(ui, |ui| {
                for t in [System, Light, Dark] {
                    ui.selectable_value(&mut self.settings.theme, t, name(t));
                }
            })
            .response
            .labelled_by(l.id);
    }

    /// A bar and a Cancel button per running task.
    fn progress_bars(&mut self, ui: &mut egui::Ui) {
        let mut cancel = None;
        for t in &self.tasks {
            ui.horizontal(|ui| {
                let text = format!("{} {}/{}", t.what, t.done, t.total);
                ui.add(egui::ProgressBar::new(t.fraction()).desired_width(240.0).text(text));
                let label = format!("Cancel {}", t.what);
                if ui.add_enabled(!t.is_cancelled(), egui::Button::new(label)).clicked() {
                    cancel = Some(t.id);
                }
            });
        }
        if let Some(id) = cancel {
            self.cancel(id);
        }
    }

    /// List the registry's models again.
    pub fn registry_refresh(&mut self) {
        let target = self.registry_where();
        self.registry_job(move || super::registry::jobs::list(&target));
    }

    /// Select a version and fetch its details.
    pub fn registry_select(&mut self, name: &str, version: u64) {
        self.registry.selected = Some((name.to_string(), version));
        let (target, name) = (self.registry_where(), name.to_string());
        self.registry_job(move || super::registry::jobs::details(&target, &name, version));
    }

    /// Load a version to forecast with (the forecast follows).
    pub fn registry_load(&mut self, name: &str, version: u64) {
        let (target, name) = (self.registry_where(), name.to_string());
        self.registry_job(move || super::registry::jobs::load(&target, &name, version));
    }

    /// Carry out a confirmed promotion or rollback.
    pub fn registry_run(&mut self, p: Pending) {
        let target = self.registry_where();
        match p {
            Pending::Promote { name, version } => {
                let Some(panel) = self.panel().cloned() else {
                    self.registry.error =
                        Some("load data first: the promotion compares both models on its hold-out".into());
                    return;
                };
                self.status = format!("Comparing {name} version {version} with the champion…");
                self.registry_job(move || super::registry::jobs::promote(&target, &name, version, &panel));
            }
            Pending::Rollback { name } => {
                self.registry_job(move || super::registry::jobs::rollback(&target, &name));
            }
        }
    }

    /// Train the chosen model on every series of the data (scored on a 3-fold backtest of the
    /// horizon) and register it under `settings.register_name`.
    pub fn register_current(&mut self) {
        let Some(panel) = self.panel().cloned() else {
            self.status = "Load a file without errors first.".into();
            return;
        };
        let name = self.settings.register_name.trim().to_string();
        if let Err(e) = horizon_registry::validate_model_name(&name) {
            self.status = format!("Cannot register: {e}");
            return;
        }
        let source = self.data.as_ref().map(|d| d.name.clone()).unwrap_or_default();
        let options = self.settings.options.clone();
        let cfg = horizon_core::pipeline::TrainConfig {
            candidates: vec![self.settings.model.clone().with_default_season(self.settings.season)],
            horizon: self.settings.horizon,
            levels: self.settings.levels.clone(),
            folds: 3,
            season: self.settings.season,
            metric: horizon_core::pipeline::Metric::Rmse,
        };
        self.status = format!(
            "Training {} on all {} series to register it…",
            cfg.candidates[0],
            panel.series.len()
        );
        let created_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        self.spawn("training", move || {
            let trained = horizon_core::pipeline::train(&panel, &source, &options, &cfg, created_at)
                .map_err(|e| e.to_string())
                .and_then(|t| {
                    let bytes = t.artifact.to_bytes().map_err(|e| e.to_string())?;
                    let params = crate::registering::training_params(&cfg, &t.artifact);
                    Ok(Box::new(ToRegister {
                        name,
                        artifact: t.artifact,
                        bytes,
                        score: t.score,
                        params,
                    }))
                });
            Msg::Trained(trained)
        });
    }

    /// Go back to the model picked in the Forecast panel.
    pub fn use_own_model(&mut self) {
        self.registered = None;
        self.run_forecast();
    }

    fn registry_where(&self) -> Where {
        Where {
            location: self.settings.registry.clone(),
            timeout_secs: self.settings.registry_timeout_secs,
        }
    }

    /// A registry call: natively on a worker thread; in the browser run under replay, each
    /// request sent with `fetch` between runs (so `work` may run several times).
    fn registry_job(&mut self, work: impl Fn() -> RegistryMsg + Send + 'static) {
        #[cfg(not(target_arch = "wasm32"))]
        self.spawn("registry call", move || Msg::Registry(work()));
        #[cfg(target_arch = "wasm32")]
        {
            let tx = self.tx.clone();
            self.busy += 1;
            wasm_bindgen_futures::spawn_local(async move {
                let msg = horizon_registry::mlflow::replay::replay_fetch(work).await;
                let _ = tx.send(Msg::Registry(msg));
            });
        }
    }

    fn handle_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        let Some(file) = dropped.into_iter().next() else { return };
        let name = file.path().display().to_string();
        #[cfg(not(target_arch = "wasm32"))]
        self.spawn("reading", move || match file.bytes() {
            Ok(bytes) => Msg::Picked(Some((name, bytes))),
            Err(e) => Msg::Status(format!("cannot read {name}: {e}")),
        });
        #[cfg(target_arch = "wasm32")]
        {
            let tx = self.tx.clone();
            self.busy += 1;
            wasm_bindgen_futures::spawn_local(async move {
                let msg = match file.bytes_async().await {
                    Ok(bytes) => Msg::Picked(Some((name, bytes))),
                    Err(e) => Msg::Status(format!("cannot read {name}: {e}")),
                };
                let _ = tx.send(msg);
            });
        }
    }
}

/// `forecast_<series>_<YYYYMMDD-HHMMSS>.csv`, the series label made safe for a file name.
pub fn export_file_name(series: &str, at: chrono::NaiveDateTime) -> String {
    timestamped_file_name("forecast", series, "csv", at)
}

/// `<what>_<series>_<YYYYMMDD-HHMMSS>.<ext>`, the series label made safe for a file name.
pub fn timestamped_file_name(what: &str, series: &str, ext: &str, at: chrono::NaiveDateTime) -> String {
    let safe: String = series
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    format!(
        "{what}_{}_{}.{ext}",
        if safe.is_empty() { "series" } else { &safe },
        at.format("%Y%m%d-%H%M%S")
    )
}
