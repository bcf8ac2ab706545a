//! `horizon serve --registry local|DIR|URL --bind 127.0.0.1:8080 [--model NAME@ALIAS ...]`:
//! the forecast service of `horizon-serve` on this command line's registry.

use super::CliError;
use super::registry::RegistryArgs;
use anyhow::{Context, anyhow};
use clap::Args;
use horizon_serve::{Limits, ServeConfig, Token};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback unless told otherwise; port 0 picks a free one)
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// A model to serve: NAME (its @champion), NAME@ALIAS or NAME:VERSION; repeat for several
    /// (the first answers POST /invocations). Default: every registered model
    #[arg(long = "model", value_name = "NAME[@ALIAS|:VERSION]")]
    pub models: Vec<String>,
    /// Require `Authorization: Bearer <token>`, the token read from this environment variable
    #[arg(long, value_name = "NAME")]
    pub token_env: Option<String>,
    /// Largest request body in bytes
    #[arg(long, default_value_t = 16 << 20)]
    pub max_body_bytes: usize,
    /// Longest horizon a request may ask for
    #[arg(long, default_value_t = 1000)]
    pub max_horizon: usize,
    /// Most series one request may ask for
    #[arg(long, default_value_t = 10_000)]
    pub max_series: usize,
    /// Seconds before a request is answered 503 (it took too long)
    #[arg(long, default_value_t = 60.0)]
    pub request_timeout: f64,
    /// Seconds between checks of the aliases (a promotion or rollback is served after at most this)
    #[arg(long, default_value_t = 10.0)]
    pub refresh: f64,
    /// Keep every forecast answered in this folder of forecast logs, for `horizon monitor`
    #[arg(long, value_name = "DIR")]
    pub forecast_log: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

fn seconds(flag: &str, s: f64) -> Result<Duration, CliError> {
    Duration::try_from_secs_f64(s)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| CliError::Data(format!("{flag}: a positive number of seconds, got {s}")))
}

pub fn run(a: ServeArgs) -> Result<(), CliError> {
    let token = match &a.token_env {
        None => None,
        Some(var) => match std::env::var(var) {
            Ok(t) if !t.is_empty() => Some(Token::new(&t)),
            _ => {
                return Err(CliError::Data(format!(
                    "--token-env {var}: the variable is not set or empty"
                )));
            }
        },
    };
    let port = a
        .bind
        .rsplit_once(':')
        .and_then(|(host, port)| (!host.is_empty()).then_some(port));
    if port.is_none_or(|p| p.parse::<u16>().is_err()) {
        return Err(CliError::Data(format!(
            "--bind: '{}' is not HOST:PORT (e.g. 127.0.0.1:8080, or 127.0.0.1:0 for any free port)",
            a.bind
        )));
    }
    if a.max_horizon == 0 || a.max_series == 0 || a.max_body_bytes == 0 {
        return Err(CliError::Data(
            "--max-horizon, --max-series and --max-body-bytes must be at least 1".into(),
        ));
    }
    let config = ServeConfig {
        models: a.models.clone(),
        token,
        max_body_bytes: a.max_body_bytes,
        limits: Limits {
            max_horizon: a.max_horizon.min(horizon_core::forecast::MAX_HORIZON),
            max_series: a.max_series,
        },
        request_timeout: seconds("--request-timeout", a.request_timeout)?,
        refresh: seconds("--refresh", a.refresh)?,
        forecast_log: a.forecast_log.clone(),
    };
    let registry: Arc<dyn horizon_registry::Registry> = Arc::from(a.registry.open_existing()?);
    let describe = registry.describe();
    let state = horizon_serve::state(&config, registry).map_err(|e| CliError::Failure(anyhow!(e)))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&a.bind)
            .await
            .with_context(|| format!("cannot listen on {}", a.bind))?;
        let addr = listener.local_addr().context("the listening address")?;
        let models = if a.models.is_empty() {
            "every registered model".to_string()
        } else {
            a.models.join(", ")
        };
        eprintln!("horizon serve: listening on http://{addr} ({describe}; {models})");
        horizon_serve::serve(&config, state, listener, horizon_serve::termination())
            .await
            .map_err(|e| anyhow!(e))?;
        eprintln!("horizon serve: stopped (requests in flight were answered)");
        Ok::<(), anyhow::Error>(())
    })?;
    // Work a timed-out request left running on the blocking pool is not waited for long.
    runtime.shutdown_timeout(Duration::from_secs(5));
    Ok(())
}
