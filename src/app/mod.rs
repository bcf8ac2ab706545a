//! The workbench: an egui shell ([`Workbench`], `workbench.rs`) that routes between one folder
//! per feature — `data` (files, columns, report, preview, manual entry, transactions),
//! `forecast` (model options, the forecast task, plot, exports), `compare` (backtests of
//! several models) and `registry` (registered models, promotion) — each with its state,
//! messages, tasks and panels. Panels get their feature's state and what they read, and
//! return effects the shell carries out; everything that takes time runs as a task off the UI
//! thread (`jobs.rs`) and comes back as a message ([`Msg`]). The UI never computes a forecast
//! itself.

pub mod compare;
pub mod data;
mod files;
pub mod forecast;
pub mod jobs;
mod msg;
pub mod platform;
pub mod registry;
pub mod settings;
mod workbench;

pub use data::ManualGrid;
pub use files::{export_file_name, timestamped_file_name};
pub use jobs::Runner;
pub use msg::Msg;
pub use platform::Platform;
pub use settings::Settings;
pub use workbench::Workbench;

/// The eframe application: the workbench plus persistence of the user's settings. (The
/// browser wraps it to mirror its state on the page: `crate::web`.)
pub struct HorizonApp {
    pub workbench: Workbench,
}

const SETTINGS_KEY: &str = "horizon.settings";

impl HorizonApp {
    pub fn new(cc: &eframe::CreationContext<'_>, platform: Box<dyn Platform>) -> Self {
        let settings: Settings = cc
            .storage
            .and_then(|s| s.get_string(SETTINGS_KEY))
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        // The browser has no threads: there long work runs in steps between frames.
        let runner = if cfg!(target_arch = "wasm32") {
            Runner::Stepped
        } else {
            Runner::Threaded
        };
        let mut workbench = Workbench::new(platform, runner);
        workbench.settings = settings;
        workbench.load_sample();
        workbench.registry_refresh();
        HorizonApp { workbench }
    }
}

impl eframe::App for HorizonApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.workbench.ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        let settings = self.workbench.settings.clone();
        // An address with a password in it is never written to disk.
        #[cfg(not(target_arch = "wasm32"))]
        let settings = if crate::registry::target::has_credentials(&settings.registry) {
            Settings {
                registry: "local".into(),
                ..settings
            }
        } else {
            settings
        };
        if let Ok(json) = serde_json::to_string(&settings) {
            storage.set_string(SETTINGS_KEY, json);
        }
    }
}

use eframe::egui;

/// Open the native workbench window.
#[cfg(not(target_arch = "wasm32"))]
pub fn run_native() -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1280.0, 800.0])
            .with_title("Horizon"),
        ..Default::default()
    };
    eframe::run_native(
        "Horizon",
        options,
        Box::new(|cc| Ok(Box::new(HorizonApp::new(cc, Box::new(platform::NativePlatform))))),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
}
