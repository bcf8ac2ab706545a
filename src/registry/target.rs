//! Which registry to use — the embedded local one (default) or an MLflow server — as the CLI,
//! a pipeline config and the workbench choose it, and opening it.

use anyhow::Context;
use horizon_registry::Registry;
use horizon_registry::local::LocalRegistry;
use horizon_registry::mlflow::{MlflowConfig, MlflowRegistry};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// Where models are registered. Credentials are never stored here: only the names of the
/// environment variables that hold them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "target", rename_all = "lowercase", deny_unknown_fields)]
pub enum RegistryTarget {
    Local {
        /// The registry folder; default: the per-user data dir (or `HORIZON_REGISTRY_DIR`).
        #[serde(default)]
        path: Option<PathBuf>,
    },
    Mlflow {
        url: String,
        /// Environment variables holding the user and password for HTTP basic auth.
        #[serde(default = "default_user_env")]
        username_env: String,
        #[serde(default = "default_password_env")]
        password_env: String,
        /// Seconds before a call to the server gives up (retries included).
        #[serde(default = "default_timeout")]
        timeout_secs: f64,
        #[serde(default = "default_experiment")]
        experiment: String,
    },
}

fn default_user_env() -> String {
    "MLFLOW_TRACKING_USERNAME".into()
}
fn default_password_env() -> String {
    "MLFLOW_TRACKING_PASSWORD".into()
}
fn default_timeout() -> f64 {
    5.0
}
fn default_experiment() -> String {
    "horizon".into()
}

impl Default for RegistryTarget {
    fn default() -> Self {
        RegistryTarget::Local { path: None }
    }
}

impl RegistryTarget {
    /// `local`, a folder path, or an `http(s)://` MLflow URL (credentials from the usual
    /// `MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`).
    pub fn parse(s: &str, timeout_secs: Option<f64>) -> RegistryTarget {
        let s = s.trim();
        if s.starts_with("http://") || s.starts_with("https://") {
            RegistryTarget::Mlflow {
                url: s.to_string(),
                username_env: default_user_env(),
                password_env: default_password_env(),
                timeout_secs: timeout_secs.unwrap_or_else(default_timeout),
                experiment: default_experiment(),
            }
        } else if s.is_empty() || s == "local" {
            RegistryTarget::Local { path: None }
        } else {
            RegistryTarget::Local {
                path: Some(PathBuf::from(s)),
            }
        }
    }

    /// `HORIZON_REGISTRY` (same forms as [`RegistryTarget::parse`]), else the local default.
    pub fn from_env() -> RegistryTarget {
        std::env::var("HORIZON_REGISTRY")
            .map(|s| RegistryTarget::parse(&s, None))
            .unwrap_or_default()
    }

    pub fn open(&self) -> anyhow::Result<Box<dyn Registry>> {
        match self {
            RegistryTarget::Local { path: Some(p) } => Ok(Box::new(
                LocalRegistry::open(p).with_context(|| "cannot open the local registry")?,
            )),
            RegistryTarget::Local { path: None } => Ok(Box::new(
                LocalRegistry::open_default().with_context(|| "cannot open the local registry")?,
            )),
            RegistryTarget::Mlflow {
                url,
                username_env,
                password_env,
                timeout_secs,
                experiment,
            } => {
                if has_credentials(url) {
                    anyhow::bail!(
                        "the registry address has a user or password in it: give the address alone and put the \
                         credentials in {username_env} / {password_env}, so they stay out of settings, logs and shell history"
                    );
                }
                let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
                if !(timeout_secs.is_finite() && *timeout_secs > 0.0 && *timeout_secs <= 600.0) {
                    anyhow::bail!("registry timeout_secs must be between 0 and 600 (got {timeout_secs})");
                }
                let config = MlflowConfig {
                    username: var(username_env),
                    password: var(password_env),
                    timeout: Duration::from_secs_f64(*timeout_secs),
                    experiment: experiment.clone(),
                    ..MlflowConfig::new(url.clone())
                };
                Ok(Box::new(MlflowRegistry::new(config)?))
            }
        }
    }
}

/// True when `url` carries `user[:password]@` before its host.
pub fn has_credentials(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_with_credentials_are_refused_without_echoing_them() {
        assert!(has_credentials("http://alice:pw@host:5000"));
        assert!(has_credentials("https://alice@host"));
        assert!(!has_credentials("http://host:5000/path@x"));
        assert!(!has_credentials("http://127.0.0.1:5000"));
        let err = RegistryTarget::parse("http://alice:hunter2@127.0.0.1:5000", None)
            .open()
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(err.contains("MLFLOW_TRACKING_PASSWORD"), "{err}");
        assert!(!err.contains("hunter2") && !err.contains("alice"), "{err}");
        assert_eq!(RegistryTarget::parse("", None), RegistryTarget::Local { path: None });
        assert_eq!(
            RegistryTarget::parse("/srv/models", None),
            RegistryTarget::Local {
                path: Some(PathBuf::from("/srv/models"))
            }
        );
    }
}
