//! `horizon serve`: forecasts over HTTP from the models of Horizon's registry, on axum and
//! tokio. Routes: `POST /v1/models/{target}/forecast`, MLflow's `POST /invocations`,
//! `GET /v1/models`, `/health`, `/ready`, `/metrics` (Prometheus) and `/openapi.json`.
//! Alias moves are picked up by a periodic refresh without a restart ([`models`]).

mod api;
mod auth;
mod error;
pub mod metrics;
pub mod models;
mod openapi;
pub mod query;
mod scoring;

pub use api::{AppState, ROUTES, router};
pub use auth::Token;
pub use error::ApiError;
pub use query::Limits;

use horizon_registry::{Registry, VersionRef};
use models::{Change, Models};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// How a server runs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The models served (`sales@champion`, `sales:3`); empty: every registered model.
    pub models: Vec<String>,
    pub token: Option<Token>,
    pub max_body_bytes: usize,
    pub limits: Limits,
    pub request_timeout: Duration,
    /// How often aliases are resolved again.
    pub refresh: Duration,
    /// Keep every forecast answered in this folder of forecast logs (for `horizon monitor`).
    pub forecast_log: Option<std::path::PathBuf>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            models: Vec::new(),
            token: None,
            max_body_bytes: 16 << 20,
            limits: Limits {
                max_horizon: 1000,
                max_series: 10_000,
            },
            request_timeout: Duration::from_secs(60),
            refresh: Duration::from_secs(10),
            forecast_log: None,
        }
    }
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("--model {target}: {message}")]
    Model { target: String, message: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Load the `--model` list (each must load: a server that starts is a server that answers).
pub fn state(config: &ServeConfig, registry: Arc<dyn Registry>) -> Result<Arc<AppState>, ServeError> {
    let models = Models::new(registry);
    let mut served: Vec<(String, VersionRef)> = Vec::new();
    for target in &config.models {
        let fail = |e: ApiError| ServeError::Model {
            target: target.clone(),
            message: e.message,
        };
        let (name, r) = models::parse_target(target).map_err(fail)?;
        models.get(&name, &r).map_err(fail)?;
        served.push((name, r));
    }
    if served.is_empty() {
        // Every registered model: load the champions now, so that the server is ready before
        // the first request (one that does not load is reported and loaded on demand later).
        match models.registry().list_models() {
            Ok(list) => {
                for m in list.iter().filter(|m| m.aliases.contains_key(models::DEFAULT_ALIAS)) {
                    let r = VersionRef::Alias(models::DEFAULT_ALIAS.into());
                    if let Err(e) = models.get(&m.name, &r) {
                        eprintln!(
                            "horizon serve: {}: not loaded: {}",
                            models::label(&m.name, &r),
                            e.message
                        );
                    }
                }
            }
            Err(e) => eprintln!("horizon serve: the registry's models could not be listed: {e}"),
        }
    }
    Ok(Arc::new(AppState {
        models,
        limits: config.limits.clone(),
        metrics: metrics::Metrics::new(),
        served: (!served.is_empty()).then_some(served),
        token: config.token.clone(),
        forecast_log: config.forecast_log.clone(),
    }))
}

/// Serve on `listener` until `shutdown` completes; requests in flight then finish.
pub async fn serve(
    config: &ServeConfig,
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let app = router(state.clone(), config.max_body_bytes, config.request_timeout);
    let refresher = tokio::spawn(refresh_loop(state, config.refresh));
    let result = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    refresher.abort();
    Ok(result?)
}

/// Resolve the aliases again every `every`, and say what moved.
async fn refresh_loop(state: Arc<AppState>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let st = state.clone();
        let Ok(changes) = tokio::task::spawn_blocking(move || st.models.refresh()).await else {
            continue;
        };
        for c in changes {
            match c {
                Change::Swapped { target, from, to } => match from {
                    Some(from) => {
                        eprintln!("horizon serve: {target} moved from version {from} to {to}: now serving {to}")
                    }
                    None => eprintln!("horizon serve: {target} now serving version {to}"),
                },
                Change::Refused {
                    target,
                    version,
                    problem,
                } => {
                    state.metrics.load_failures.inc();
                    let v = version.map_or(String::new(), |v| format!(" version {v}"));
                    eprintln!("horizon serve: {target}{v} not loaded, the previous version keeps serving: {problem}");
                }
            }
        }
    }
}

/// SIGTERM or Ctrl-C, whichever comes first.
pub async fn termination() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}
