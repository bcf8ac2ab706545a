//! The Registry feature's state: what is listed and selected, what awaits the user's
//! confirmation, the last error and outcome; its messages and effects.

use crate::app::settings::Settings;
use horizon_core::artifact::Artifact;
use horizon_core::monitor::MonitorReport;
use horizon_registry::{ModelVersion, RegisteredModel, RunRecord};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A registered version loaded to forecast with.
#[derive(Debug, Clone)]
pub struct RegisteredArtifact {
    /// `sales v2`.
    pub label: String,
    pub name: String,
    pub version: u64,
    pub artifact: Arc<Artifact>,
}

/// What the Registry panel shows about one version.
#[derive(Debug, Clone)]
pub struct VersionDetails {
    pub version: ModelVersion,
    pub model: String,
    pub trained: String,
    pub metrics: BTreeMap<String, f64>,
    pub run: Option<RunRecord>,
}

/// Which registry the jobs talk to, as the user set it: `local`, a folder, or an MLflow
/// server's address, and the timeout of its calls. (The CLI's `RegistryTarget` is the same
/// setting parsed; the jobs parse it where they run, natively or in the browser.)
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryLocation {
    pub location: String,
    pub timeout_secs: f64,
}

impl RegistryLocation {
    pub fn of(settings: &Settings) -> RegistryLocation {
        RegistryLocation {
            location: settings.registry.clone(),
            timeout_secs: settings.registry_timeout_secs,
        }
    }
}

/// A model trained in the workbench, waiting to be registered.
pub struct ToRegister {
    pub name: String,
    pub artifact: Artifact,
    pub bytes: Vec<u8>,
    pub score: f64,
    pub params: BTreeMap<String, String>,
}

/// An action waiting for the user's confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Promote { name: String, version: u64 },
    Rollback { name: String },
}

/// Results of registry jobs.
pub enum RegistryMsg {
    Listed(Result<Vec<RegisteredModel>, String>),
    Details(Result<Box<VersionDetails>, String>),
    Loaded(Result<RegisteredArtifact, String>),
    /// A registration, promotion or rollback finished: what happened, in words.
    Changed(Result<String, String>),
    /// The model to register was trained (on every series of the data).
    Trained(Result<Box<ToRegister>, String>),
    /// The current data was checked against a registered version.
    Monitored(Result<Box<MonitorReport>, String>),
    /// A forecast of a registered model was kept for monitoring (the file), or could not be.
    Logged(Result<String, String>),
}

/// What the Registry feature asks of the workbench.
pub enum RegistryEffect {
    /// List the registry's models again.
    Refresh,
    /// Select a version and fetch its details.
    Select(String, u64),
    /// Load a version to forecast with.
    Load(String, u64),
    /// Carry out a confirmed promotion or rollback.
    Run(Pending),
    /// Train the chosen model on every series and register it.
    RegisterCurrent,
    /// Register this trained model.
    Register(Arc<ToRegister>),
    /// Forecast with this registered version.
    UseModel(RegisteredArtifact),
    /// Check the current data against this version: drift and a verdict per series.
    Monitor(String, u64),
    Status(String),
}

#[derive(Default)]
pub struct RegistryState {
    /// `None` until the first refresh.
    pub models: Option<Vec<RegisteredModel>>,
    pub selected: Option<(String, u64)>,
    pub details: Option<VersionDetails>,
    pub pending: Option<Pending>,
    /// The last error of a registry call, shown in the panel.
    pub error: Option<String>,
    /// The last promotion or rollback, in words.
    pub outcome: Option<String>,
    /// The last check of the current data against a version.
    pub monitor: Option<MonitorReport>,
}

impl RegistryState {
    /// The version *Check current data* (Ctrl+Shift+K) checks: the one selected in the panel,
    /// else the newest of `register_name` (the name models are registered under).
    pub fn monitor_target(&self, register_name: &str) -> Option<(String, u64)> {
        if let Some(selected) = &self.selected {
            return Some(selected.clone());
        }
        let m = self.models.as_ref()?.iter().find(|m| m.name == register_name)?;
        let newest = m.versions.iter().map(|v| v.version).max()?;
        Some((m.name.clone(), newest))
    }

    /// Apply a job's answer.
    pub fn apply(&mut self, msg: RegistryMsg) -> Vec<RegistryEffect> {
        match msg {
            RegistryMsg::Listed(Ok(models)) => {
                self.error = None;
                if let Some((name, v)) = &self.selected
                    && !models
                        .iter()
                        .any(|m| &m.name == name && m.versions.iter().any(|x| x.version == *v))
                {
                    self.selected = None;
                    self.details = None;
                }
                self.models = Some(models);
            }
            RegistryMsg::Details(Ok(d)) => {
                self.error = None;
                // Details of a version the user has since moved away from are dropped.
                if self.selected.as_ref() == Some(&(d.version.name.clone(), d.version.version)) {
                    self.details = Some(*d);
                }
            }
            RegistryMsg::Loaded(Ok(a)) => {
                self.error = None;
                return vec![RegistryEffect::UseModel(a)];
            }
            RegistryMsg::Changed(Ok(s)) => {
                self.error = None;
                self.outcome = Some(s);
                // The outcome itself is shown in the Registry panel.
                return vec![
                    RegistryEffect::Status("Registry updated.".into()),
                    RegistryEffect::Refresh,
                ];
            }
            RegistryMsg::Trained(Ok(t)) => {
                return vec![
                    RegistryEffect::Status(format!("Registering {} ({})…", t.name, t.artifact.spec)),
                    RegistryEffect::Register(Arc::new(*t)),
                ];
            }
            RegistryMsg::Trained(Err(e)) => return vec![RegistryEffect::Status(format!("Cannot register: {e}"))],
            RegistryMsg::Monitored(Ok(r)) => {
                self.error = None;
                let status = format!(
                    "Checked the data against {} version {}: {}.",
                    r.model, r.version, r.verdict
                );
                self.monitor = Some(*r);
                return vec![RegistryEffect::Status(status)];
            }
            RegistryMsg::Listed(Err(e))
            | RegistryMsg::Details(Err(e))
            | RegistryMsg::Loaded(Err(e))
            | RegistryMsg::Changed(Err(e))
            | RegistryMsg::Monitored(Err(e)) => self.error = Some(e),
            RegistryMsg::Logged(Ok(_)) => {}
            RegistryMsg::Logged(Err(e)) => self.error = Some(format!("the forecast was not kept for monitoring: {e}")),
        }
        Vec::new()
    }
}
