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
/// MLflow's own client waits up to 120 s; an artifact upload to a busy server can take more
/// than a few seconds, so the default is not tight.
fn default_timeout() -> f64 {
    30.0
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
    /// `local`, a folder path, or an `http(s)://` MLflow URL (the scheme in any case;
    /// credentials from the usual `MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`).
    /// Anything that looks like an address but is not one of those is refused — it is never
    /// taken for a folder — and the refusal does not repeat the address (it may hold a password).
    pub fn parse(s: &str, timeout_secs: Option<f64>) -> Result<RegistryTarget, String> {
        let s = s.trim();
        if let Some((scheme, rest)) = s.split_once("://") {
            let scheme = scheme.to_ascii_lowercase();
            if scheme != "http" && scheme != "https" {
                return Err(format!(
                    "'{}://…' is not a registry Horizon can use: give 'local', a folder, or an MLflow \
                     server's http:// or https:// address",
                    printable_scheme(&scheme)
                ));
            }
            return Ok(RegistryTarget::Mlflow {
                url: format!("{scheme}://{rest}"),
                username_env: default_user_env(),
                password_env: default_password_env(),
                timeout_secs: timeout_secs.unwrap_or_else(default_timeout),
                experiment: default_experiment(),
            });
        }
        let lower = s.to_ascii_lowercase();
        if ["http:", "https:", "ftp:", "file:"]
            .iter()
            .any(|p| lower.starts_with(p))
        {
            return Err(
                "the registry looks like an address but is not one: write an MLflow server as \
                 http://host:port (or https://), or give 'local' or a folder"
                    .into(),
            );
        }
        Ok(if s.is_empty() || s == "local" {
            RegistryTarget::Local { path: None }
        } else {
            RegistryTarget::Local {
                path: Some(PathBuf::from(s)),
            }
        })
    }

    /// The folder of a local registry (the per-user default when none was given); `None` for a
    /// server.
    pub fn local_root(&self) -> Option<PathBuf> {
        match self {
            RegistryTarget::Local { path: Some(p) } => Some(p.clone()),
            RegistryTarget::Local { path: None } => horizon_registry::default_local_root(),
            RegistryTarget::Mlflow { .. } => None,
        }
    }

    /// `HORIZON_REGISTRY` (same forms as [`RegistryTarget::parse`]), else the local default.
    pub fn from_env() -> Result<RegistryTarget, String> {
        match std::env::var("HORIZON_REGISTRY") {
            Ok(s) => RegistryTarget::parse(&s, None).map_err(|e| format!("HORIZON_REGISTRY: {e}")),
            Err(_) => Ok(RegistryTarget::default()),
        }
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

/// A URL scheme as shown in a message: letters, digits and `+-.` only, at most 10 of them.
fn printable_scheme(scheme: &str) -> String {
    let shown: String = scheme
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "+-.".contains(*c))
        .take(10)
        .collect();
    if shown.is_empty() { "?".into() } else { shown }
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
        for address in [
            "http://alice:hunter2@127.0.0.1:5000",
            "HTTP://alice:hunter2@127.0.0.1:5000/",
        ] {
            let err = RegistryTarget::parse(address, None)
                .expect("an MLflow address")
                .open()
                .err()
                .map(|e| format!("{e:#}"))
                .unwrap_or_default();
            assert!(err.contains("MLFLOW_TRACKING_PASSWORD"), "{err}");
            assert!(!err.contains("hunter2") && !err.contains("alice"), "{err}");
        }
        assert_eq!(
            RegistryTarget::parse("", None),
            Ok(RegistryTarget::Local { path: None })
        );
        assert_eq!(
            RegistryTarget::parse("/srv/models", None),
            Ok(RegistryTarget::Local {
                path: Some(PathBuf::from("/srv/models"))
            })
        );
    }

    #[test]
    fn an_address_is_never_taken_for_a_folder() {
        let Ok(RegistryTarget::Mlflow { url, .. }) = RegistryTarget::parse("HTTPS://mlflow.example:5000", None) else {
            panic!("the scheme in capitals is an MLflow address");
        };
        assert_eq!(url, "https://mlflow.example:5000");
        for bad in [
            "ftp://bob:secret@host/",
            "http:/host:5000",
            "https:host",
            "file:///srv/x",
            "s3://bucket/x",
        ] {
            let err = RegistryTarget::parse(bad, None).expect_err(bad);
            assert!(
                ["secret", "bob", "host:5000", "bucket", "/srv"]
                    .iter()
                    .all(|w| !err.contains(w)),
                "{err}"
            );
            assert!(err.contains("http://"), "{err}");
        }
    }
}
