//! The workbench's view of the model registry: what is listed and selected, what awaits the
//! user's confirmation, and the jobs that talk to the registry (off the UI thread; a registry
//! that is down or slow answers with an error within its timeout and the workbench goes on
//! with local data).

use horizon_core::artifact::Artifact;
use horizon_registry::{ModelVersion, RegisteredModel, RunRecord};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A registered version loaded to forecast with.
#[derive(Debug, Clone)]
pub struct RegisteredArtifact {
    /// `sales v2`.
    pub label: String,
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

/// Which registry the jobs talk to: the user's location setting and timeout.
#[derive(Debug, Clone, PartialEq)]
pub struct Where {
    pub location: String,
    pub timeout_secs: f64,
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
    /// A promotion or rollback finished: what happened, in words.
    Done(Result<String, String>),
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
}

impl RegistryState {
    pub fn apply(&mut self, msg: RegistryMsg) -> Option<RegisteredArtifact> {
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
                return Some(a);
            }
            RegistryMsg::Done(Ok(s)) => {
                self.error = None;
                self.outcome = Some(s);
            }
            RegistryMsg::Listed(Err(e))
            | RegistryMsg::Details(Err(e))
            | RegistryMsg::Loaded(Err(e))
            | RegistryMsg::Done(Err(e)) => self.error = Some(e),
        }
        None
    }
}

/// The jobs: each opens the registry named by the user's setting and returns a message.
/// Natively they run on a worker thread; in the browser under replay over `fetch`
/// (`horizon_registry::mlflow::replay`), so they must give the same requests when run again.
pub mod jobs {
    use super::*;
    use horizon_core::Panel;
    use horizon_core::pipeline::{self, TrainConfig};
    use horizon_registry::promotion::{self, PromotionPolicy};
    use horizon_registry::{Registry, RegistryError};

    #[cfg(not(target_arch = "wasm32"))]
    fn open(target: &Where) -> Result<Box<dyn Registry>, String> {
        crate::registry_target::RegistryTarget::parse(&target.location, Some(target.timeout_secs))
            .open()
            .map_err(|e| format!("{e:#}"))
    }

    /// Register a model trained in the workbench as the next version of its name.
    pub fn register(target: &Where, t: &ToRegister) -> RegistryMsg {
        RegistryMsg::Done((|| {
            let reg = open(target)?;
            let (version, run) =
                crate::registering::register(reg.as_ref(), &t.name, &t.artifact, &t.bytes, t.score, t.params.clone())
                    .map_err(|e| e.to_string())?;
            Ok(format!(
                "Registered {} version {version} ({}, {} {:.3}; run {run}) in {}.",
                t.name,
                t.artifact.spec,
                t.artifact.metric,
                t.score,
                reg.describe()
            ))
        })())
    }

    /// In the browser: `local` (this browser's storage), or an MLflow server by its address
    /// (`http://user:password@host:port` for basic auth). The server must allow the page's
    /// origin (MLflow allows loopback origins by default; others need `--cors-allowed-origins`).
    #[cfg(target_arch = "wasm32")]
    fn open(target: &Where) -> Result<Box<dyn Registry>, String> {
        use horizon_registry::mlflow::{MlflowConfig, MlflowRegistry};
        let location = target.location.trim();
        if location.is_empty() || location == "local" {
            return Ok(Box::new(horizon_registry::kv::KvRegistry::new(
                crate::web_storage::LocalStorage,
                "horizon.registry/",
            )));
        }
        if !(location.starts_with("http://") || location.starts_with("https://")) {
            return Err(
                "in the browser the registry is 'local' (this browser's storage) or an MLflow \
                 server's address, e.g. http://127.0.0.1:5000"
                    .into(),
            );
        }
        let config = MlflowConfig {
            timeout: std::time::Duration::from_secs_f64(target.timeout_secs.clamp(0.5, 120.0)),
            ..MlflowConfig::new(location)
        };
        MlflowRegistry::new(config)
            .map(|r| Box::new(r) as Box<dyn Registry>)
            .map_err(|e| e.to_string())
    }

    fn artifact(reg: &dyn Registry, name: &str, version: u64) -> Result<Artifact, String> {
        let bytes = reg.download(name, version).map_err(|e| e.to_string())?;
        Artifact::from_bytes(&bytes, &format!("{name} version {version}")).map_err(|e| e.to_string())
    }

    pub fn list(target: &Where) -> RegistryMsg {
        RegistryMsg::Listed((|| {
            let reg = open(target)?;
            let names = reg.list_models().map_err(|e| e.to_string())?;
            names
                .iter()
                .map(|m| reg.get_model(&m.name).map_err(|e| e.to_string()))
                .collect()
        })())
    }

    pub fn details(target: &Where, name: &str, version: u64) -> RegistryMsg {
        RegistryMsg::Details((|| {
            let reg = open(target)?;
            let v = reg.get_version(name, version).map_err(|e| e.to_string())?;
            let a = artifact(reg.as_ref(), name, version)?;
            let run = v.run_id.as_deref().and_then(|id| reg.get_run(id).ok());
            Ok(Box::new(VersionDetails {
                version: v,
                model: format!("{} — {}", a.spec, a.spec.summary()),
                trained: format!(
                    "{} on {} ({} series, {})",
                    a.created_at,
                    a.training.source,
                    a.training.series.len(),
                    a.training.freq
                ),
                metrics: a.metrics,
                run,
            }))
        })())
    }

    pub fn load(target: &Where, name: &str, version: u64) -> RegistryMsg {
        RegistryMsg::Loaded((|| {
            let reg = open(target)?;
            Ok(RegisteredArtifact {
                label: format!("{name} v{version}"),
                artifact: Arc::new(artifact(reg.as_ref(), name, version)?),
            })
        })())
    }

    /// Compare `version` with the current champion on the hold-out of `panel`, scored the way
    /// the version was when trained (its folds, horizon, season and metric), and promote it if
    /// it is better by 10 %.
    pub fn promote(target: &Where, name: &str, version: u64, panel: &Panel) -> RegistryMsg {
        RegistryMsg::Done((|| {
            let reg = open(target)?;
            let cand = artifact(reg.as_ref(), name, version)?;
            let cfg = TrainConfig::of_artifact(&cand);
            let policy = PromotionPolicy {
                metric: cfg.metric.to_string(),
                ..PromotionPolicy::default()
            };
            let score = |v: u64| -> Result<f64, String> {
                let a = artifact(reg.as_ref(), name, v)?;
                pipeline::score(panel, &a.spec, &cfg).map_err(|e| format!("scoring version {v}: {e}"))
            };
            let candidate = score(version)?;
            let champion = match reg.get_by_alias(name, &policy.alias) {
                Ok(c) if c.version != version => Some(score(c.version)?),
                Ok(_) | Err(RegistryError::NoAlias { .. }) => None,
                Err(e) => return Err(e.to_string()),
            };
            let d = promotion::promote(reg.as_ref(), name, version, candidate, champion, &policy)
                .map_err(|e| e.to_string())?;
            Ok(format!("{name} {d}"))
        })())
    }

    pub fn rollback(target: &Where, name: &str) -> RegistryMsg {
        RegistryMsg::Done((|| {
            let reg = open(target)?;
            let (from, to) = promotion::rollback(reg.as_ref(), name, "champion").map_err(|e| e.to_string())?;
            Ok(format!(
                "{name}@champion rolled back from version {from} to version {to}"
            ))
        })())
    }
}
