//! The workbench: egui panels over the state in [`Workbench`]. Everything that takes time
//! (reading and validating a file, fitting, writing) runs as a job off the UI thread and
//! comes back as a [`Msg`]; the UI never computes a forecast itself.

mod columns;
mod compare;
mod data_panel;
mod decimate;
mod forecast_panel;
mod forecast_task;
mod jobs;
mod manual;
pub mod platform;
mod plot;
mod png_export;
mod preview;
mod registry;
mod registry_panel;
mod sample_dialog;
mod state;
#[cfg(not(target_arch = "wasm32"))]
mod transactions;

pub use compare::Comparison;
pub use jobs::Runner;
pub use manual::ManualGrid;
pub use platform::Platform;
pub use registry::{Pending, RegisteredArtifact, RegistryMsg, RegistryState};
pub use state::{Loaded, Msg, ResultView, Settings, Workbench};

/// The eframe application: the workbench plus persistence of the user's settings.
pub struct HorizonApp {
    pub workbench: Workbench,
    /// What the page was last told (browser): status, busy, series and model of the forecast.
    #[cfg(target_arch = "wasm32")]
    published: Vec<(&'static str, String)>,
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
        HorizonApp {
            workbench,
            #[cfg(target_arch = "wasm32")]
            published: Vec::new(),
        }
    }
}

impl eframe::App for HorizonApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        #[cfg(target_arch = "wasm32")]
        let started = web_time::Instant::now();
        self.workbench.ui(ui);
        #[cfg(target_arch = "wasm32")]
        {
            crate::web::frame_took(started.elapsed());
            let now = crate::web::page_state(&self.workbench);
            if now != self.published {
                crate::web::publish(&now);
                self.published = now;
            }
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        let settings = self.workbench.settings.clone();
        // An address with a password in it is never written to disk.
        #[cfg(not(target_arch = "wasm32"))]
        let settings = if crate::registry_target::has_credentials(&settings.registry) {
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
