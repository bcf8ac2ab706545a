//! The jobs that talk to the registry: each opens the registry named by the user's setting and
//! returns a message. Natively they run on a worker thread; in the browser under replay over
//! `fetch` (`horizon_registry::mlflow::replay`), so they must give the same requests when run
//! again. A registry that is down or slow answers with an error within its timeout and the
//! workbench goes on with local data.

use super::state::{RegisteredArtifact, RegistryLocation, RegistryMsg, ToRegister, VersionDetails};
use crate::app::settings::Settings;
use horizon_core::Panel;
use horizon_core::artifact::Artifact;
use horizon_core::pipeline::{self, TrainConfig};
use horizon_registry::promotion::{self, PromotionPolicy};
use horizon_registry::{Registry, RegistryError};
use std::sync::Arc;

#[cfg(not(target_arch = "wasm32"))]
fn open(target: &RegistryLocation) -> Result<Box<dyn Registry>, String> {
    crate::registry::target::RegistryTarget::parse(&target.location, Some(target.timeout_secs))?
        .open()
        .map_err(|e| format!("{e:#}"))
}

/// Register a model trained in the workbench as the next version of its name.
pub fn register(target: &RegistryLocation, t: &ToRegister) -> RegistryMsg {
    RegistryMsg::Changed((|| {
        let reg = open(target)?;
        let (version, run) = crate::registry::register::register(
            reg.as_ref(),
            &t.name,
            &t.artifact,
            &t.bytes,
            t.score,
            t.params.clone(),
            Default::default(),
        )
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
fn open(target: &RegistryLocation) -> Result<Box<dyn Registry>, String> {
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

pub fn list(target: &RegistryLocation) -> RegistryMsg {
    RegistryMsg::Listed((|| {
        let reg = open(target)?;
        let names = reg.list_models().map_err(|e| e.to_string())?;
        names
            .iter()
            .map(|m| reg.get_model(&m.name).map_err(|e| e.to_string()))
            .collect()
    })())
}

pub fn details(target: &RegistryLocation, name: &str, version: u64) -> RegistryMsg {
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

pub fn load(target: &RegistryLocation, name: &str, version: u64) -> RegistryMsg {
    RegistryMsg::Loaded((|| {
        let reg = open(target)?;
        Ok(RegisteredArtifact {
            label: format!("{name} v{version}"),
            name: name.to_string(),
            version,
            artifact: Arc::new(artifact(reg.as_ref(), name, version)?),
        })
    })())
}

/// The folder of forecast logs of the registry the workbench uses, when it is a local one
/// (`<registry>/forecast-logs`, which `horizon monitor` reads by default); `None` for a server.
/// Native only: the browser has no folder.
#[cfg(not(target_arch = "wasm32"))]
pub fn forecast_log_dir(target: &RegistryLocation) -> Option<std::path::PathBuf> {
    let root = crate::registry::target::RegistryTarget::parse(&target.location, None)
        .ok()?
        .local_root()?;
    Some(horizon_registry::forecast_log::in_registry(&root))
}

/// Keep a forecast of a registered model in `dir` (see [`forecast_log_dir`]).
#[cfg(not(target_arch = "wasm32"))]
pub fn log_forecast(dir: &std::path::Path, log: &horizon_core::monitor::log::ForecastLog) -> RegistryMsg {
    RegistryMsg::Logged(
        horizon_registry::forecast_log::write(dir, &log.model, &log.file_name(), &log.to_bytes())
            .map(|(path, _)| path.display().to_string())
            .map_err(|e| e.to_string()),
    )
}

/// Check `panel` (the data on screen, named `data`) against `version`: drift of every series
/// against the training data the version keeps, and a verdict per series and overall.
pub fn monitor(target: &RegistryLocation, name: &str, version: u64, panel: &Panel, data: &str) -> RegistryMsg {
    RegistryMsg::Monitored((|| {
        let reg = open(target)?;
        let art = artifact(reg.as_ref(), name, version)?;
        let inputs = horizon_core::monitor::Inputs {
            artifact: &art,
            model: name,
            version,
            panel,
            data,
            logs: &[],
            checked_at: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        };
        let options = horizon_core::monitor::MonitorOptions::default();
        Ok(Box::new(horizon_core::monitor::monitor(&inputs, &options)))
    })())
}

/// Compare `version` with the current champion on the hold-out of `panel`, scored the way
/// the version was when trained (its folds, horizon, season and metric), and promote it if
/// it is better by 10 %.
pub fn promote(target: &RegistryLocation, name: &str, version: u64, panel: &Panel) -> RegistryMsg {
    RegistryMsg::Changed((|| {
        let reg = open(target)?;
        let cand = artifact(reg.as_ref(), name, version)?;
        let cfg = TrainConfig::of_artifact(&cand);
        let policy = PromotionPolicy {
            metric: cfg.metric.to_string(),
            ..PromotionPolicy::default()
        };
        let score = |v: u64, a: &Artifact| -> Result<f64, String> {
            pipeline::score(panel, &a.spec, &cfg).map_err(|e| format!("scoring version {v}: {e}"))
        };
        let candidate = score(version, &cand)?;
        let d = promotion::promote_with(reg.as_ref(), name, version, candidate, &policy, |v| {
            let champ = artifact(reg.as_ref(), name, v).map_err(RegistryError::Invalid)?;
            let s = score(v, &champ).map_err(RegistryError::Invalid)?;
            Ok(match cand.refit_of(&champ) {
                Some(why) => promotion::Rival::Refit { score: s, why },
                None => promotion::Rival::Score(s),
            })
        })
        .map_err(|e| e.to_string())?;
        Ok(format!("{name} {d}"))
    })())
}

pub fn rollback(target: &RegistryLocation, name: &str) -> RegistryMsg {
    RegistryMsg::Changed((|| {
        let reg = open(target)?;
        let (from, to) = promotion::rollback(reg.as_ref(), name, "champion").map_err(|e| e.to_string())?;
        Ok(format!(
            "{name}@champion rolled back from version {from} to version {to}"
        ))
    })())
}

/// Train the chosen model of `settings` on every series of `panel` (scored on a 3-fold
/// backtest of the horizon) to register it under `settings.register_name`: the status line and
/// the work, or why not.
pub fn train(
    panel: Arc<Panel>,
    source: String,
    settings: &Settings,
) -> Result<(String, impl FnOnce() -> RegistryMsg + Send + 'static), String> {
    let name = settings.register_name.trim().to_string();
    horizon_registry::validate_model_name(&name).map_err(|e| format!("Cannot register: {e}"))?;
    let options = settings.options.clone();
    let cfg = TrainConfig {
        candidates: vec![settings.model.clone().with_default_season(settings.season)],
        horizon: settings.horizon,
        levels: settings.levels.clone(),
        folds: 3,
        season: settings.season,
        metric: pipeline::Metric::Rmse,
    };
    let status = format!(
        "Training {} on all {} series to register it…",
        cfg.candidates[0],
        panel.series.len()
    );
    let created_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let work = move || {
        let trained = pipeline::train(&panel, &source, &options, &cfg, created_at)
            .map_err(|e| e.to_string())
            .and_then(|t| {
                let bytes = t.artifact.to_bytes().map_err(|e| e.to_string())?;
                let params = crate::registry::register::training_params(&cfg, &t.artifact);
                Ok(Box::new(ToRegister {
                    name,
                    artifact: t.artifact,
                    bytes,
                    score: t.score,
                    params,
                }))
            });
        RegistryMsg::Trained(trained)
    };
    Ok((status, work))
}
