//! What the user chose, remembered between sessions.

use eframe::egui;
use horizon_core::ModelSpec;
use horizon_core::data::IngestOptions;
use horizon_core::data::generate::RetailParams;
use serde::{Deserialize, Serialize};

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
    /// How totals are made to add up: auto, mint-shrink, bottom-up, top-down or none.
    pub reconcile: String,
    /// The what-if plan: drivers set for days of the forecast.
    pub plan: Vec<crate::app::forecast::plan::PlanLine>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            model: ModelSpec::Auto(Default::default()),
            horizon: 28,
            levels: vec![80.0, 95.0],
            options: IngestOptions::default(),
            registry: "local".into(),
            registry_timeout_secs: 30.0,
            sample: sample_params(),
            compare: vec![
                ModelSpec::SeasonalNaive(Default::default()),
                ModelSpec::Ets(Default::default()),
            ],
            register_name: "sales".into(),
            theme: egui::ThemePreference::System,
            recent: Vec::new(),
            whole_history: false,
            season: None,
            reconcile: "auto".into(),
            plan: Vec::new(),
        }
    }
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
