//! The registry on a shared MLflow server (3.x), over its REST API.
//!
//! | trait | MLflow |
//! |---|---|
//! | `log_run` | `experiments/get-by-name` (or `create`), `runs/create`, `runs/log-batch`, `runs/update` FINISHED |
//! | `create_version` | `registered-models/create` (if new), `runs/get` (or `runs/create`), PUT of the bytes to `<run artifacts>/model/<unique>/artifact.hzn` through the artifact proxy (with the `MLmodel` and `requirements.txt` of the Python flavour, [`flavour`]), `model-versions/create` with that folder as `source` |
//! | `download` | `GET /model-versions/get-artifact?path=artifact.hzn` |
//! | aliases, tags | `registered-models/alias`, `registered-models/set-tag`, `model-versions/set-tag` |
//! | `get_model` | `registered-models/get` + `model-versions/search` (paged) |
//!
//! Each version's artifact goes in a folder of its own, so several versions may come from the
//! same run. When `create_version` gets no run, it records one (in the configured experiment)
//! and the version is linked to it. Timeouts and retries: see [`MlflowConfig`].

#[cfg(target_arch = "wasm32")]
mod browser;
mod calls;
mod flavour;
mod http;
mod registry;
pub mod replay;
mod wire;

use crate::{RegistryError, Result};
use http::Http;
use std::fmt;
use std::time::Duration;

/// The file name of a version's artifact inside its `source` folder.
const ARTIFACT_FILE: &str = "artifact.hzn";

/// How to reach an MLflow server.
///
/// Every HTTP request gives up `timeout` after it starts, retries included (connection
/// failures and 5xx are retried at most `retries` times after 200 ms, 400 ms, …, and only while
/// time is left), so a failing operation reports within `timeout` (plus a few milliseconds)
/// of its last successful request. An operation makes one to seven requests (more when it
/// pages through many models or versions), each bounded so.
#[derive(Clone)]
pub struct MlflowConfig {
    /// `http(s)://host:port[/prefix]`; `user:password@` in it is used when `username` is unset.
    pub url: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub timeout: Duration,
    pub retries: u32,
    /// The experiment of runs that name none (and of the runs `create_version` records).
    pub experiment: String,
}

impl MlflowConfig {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    pub const DEFAULT_RETRIES: u32 = 2;
    pub const DEFAULT_EXPERIMENT: &str = "horizon";

    /// The server at `url`, without credentials, with the default timeout, retries and
    /// experiment.
    pub fn new(url: impl Into<String>) -> MlflowConfig {
        MlflowConfig {
            url: url.into(),
            username: None,
            password: None,
            timeout: Self::DEFAULT_TIMEOUT,
            retries: Self::DEFAULT_RETRIES,
            experiment: Self::DEFAULT_EXPERIMENT.into(),
        }
    }

    /// As [`MlflowConfig::new`], with the credentials of `MLFLOW_TRACKING_USERNAME` and
    /// `MLFLOW_TRACKING_PASSWORD` (as MLflow's own clients read them).
    pub fn from_env(url: impl Into<String>) -> MlflowConfig {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        MlflowConfig {
            username: var("MLFLOW_TRACKING_USERNAME"),
            password: var("MLFLOW_TRACKING_PASSWORD"),
            ..MlflowConfig::new(url)
        }
    }
}

/// `url` for messages: without credentials (whatever precedes an `@` goes).
fn redacted_url(url: &str) -> String {
    http::split_url(url).map_or_else(
        || url.rsplit('@').next().unwrap_or_default().to_string(),
        |(base, _)| base,
    )
}

impl fmt::Debug for MlflowConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MlflowConfig")
            .field("url", &redacted_url(&self.url))
            .field("username", &self.username.as_ref().map(|_| "<set>"))
            .field("password", &self.password.as_ref().map(|_| "<set>"))
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("experiment", &self.experiment)
            .finish()
    }
}

/// A registry on an MLflow server.
pub struct MlflowRegistry {
    http: Http,
    experiment: String,
}

impl fmt::Debug for MlflowRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MlflowRegistry")
            .field("url", &self.http.base)
            .field("credentials", &if self.http.has_auth() { "<set>" } else { "none" })
            .field("timeout", &self.http.timeout)
            .field("retries", &self.http.retries)
            .field("experiment", &self.experiment)
            .finish()
    }
}

impl MlflowRegistry {
    /// A client of the server in `config` (no request is made yet).
    pub fn new(config: MlflowConfig) -> Result<MlflowRegistry> {
        let (base, url_credentials) = http::split_url(&config.url).ok_or_else(|| {
            RegistryError::Invalid(format!(
                "'{}' is not an MLflow server URL (http://host:port or https://…)",
                redacted_url(&config.url)
            ))
        })?;
        if config.timeout.is_zero() {
            return Err(RegistryError::Invalid(
                "the MLflow timeout must be more than 0 s".into(),
            ));
        }
        let credentials = match (config.username, config.password) {
            (None, None) => url_credentials,
            (user, password) => Some((user.unwrap_or_default(), password.unwrap_or_default())),
        };
        Ok(MlflowRegistry {
            http: Http::new(base, credentials, config.timeout, config.retries),
            experiment: config.experiment,
        })
    }

    /// The server's URL, without credentials.
    pub fn url(&self) -> &str {
        &self.http.base
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Registry;

    #[test]
    fn credentials_stay_out_of_debug_describe_and_errors() {
        let secret = "pw-Secret-9f3";
        for config in [
            MlflowConfig {
                username: Some("alice".into()),
                password: Some(secret.into()),
                timeout: Duration::from_secs(2),
                retries: 0,
                ..MlflowConfig::new("http://127.0.0.1:9")
            },
            MlflowConfig {
                timeout: Duration::from_secs(2),
                retries: 0,
                ..MlflowConfig::new(format!("http://alice:{secret}@127.0.0.1:9/"))
            },
        ] {
            let shown = format!("{config:?}");
            let registry = MlflowRegistry::new(config).unwrap();
            let err = registry.get_model("sales").unwrap_err();
            assert!(err.is_connection(), "{err:?}");
            for text in [
                shown,
                format!("{registry:?}"),
                registry.describe(),
                err.to_string(),
                format!("{err:?}"),
            ] {
                assert!(!text.contains(secret) && !text.contains("alice"), "{text}");
                assert!(!text.contains(&base64_of(&format!("alice:{secret}"))), "{text}");
            }
            assert_eq!(registry.describe(), "MLflow at http://127.0.0.1:9");
            assert!(registry.http.has_auth());
        }
        let err = MlflowRegistry::new(MlflowConfig::new(format!("alice:{secret}@127.0.0.1:5000"))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "'127.0.0.1:5000' is not an MLflow server URL (http://host:port or https://…)"
        );
    }

    fn base64_of(s: &str) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(s)
    }
}
