use crate::names::NameError;
use thiserror::Error;

/// What went wrong in a registry call. Messages name the model, version, file or server, and
/// what the server answered; they never contain credentials.
#[derive(Debug, Error)]
pub enum RegistryError {
    #[error(transparent)]
    Name(#[from] NameError),
    #[error("no registered model named '{0}'")]
    NoModel(String),
    #[error("model '{name}' has no version {version}")]
    NoVersion { name: String, version: String },
    #[error("model '{name}' has no alias '{alias}'")]
    NoAlias { name: String, alias: String },
    #[error("no run with id '{0}'")]
    NoRun(String),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{path} is damaged: {message}")]
    Corrupt { path: String, message: String },
    #[error("{registry} did not answer {what} within {seconds} s")]
    Timeout {
        registry: String,
        what: String,
        seconds: f64,
    },
    #[error("{registry} cannot be reached ({what}): {message}")]
    Unreachable {
        registry: String,
        what: String,
        message: String,
    },
    #[error(
        "{registry} refused the credentials for {what} (HTTP 401): set the user and password (see `horizon registry --help`)"
    )]
    Unauthorized { registry: String, what: String },
    #[error("{registry} denied {what} (HTTP 403): the user lacks permission")]
    Forbidden { registry: String, what: String },
    #[error("{registry} answered HTTP {status} to {what}: {message}")]
    Server {
        registry: String,
        what: String,
        status: u16,
        message: String,
    },
    #[error(
        "'{name}@{alias}' moved from {} to {} while the candidate was compared with it (another promotion ran at the same time); compare again",
        version_words(*expected), version_words(*now)
    )]
    AliasMoved {
        name: String,
        alias: String,
        expected: Option<u64>,
        now: Option<u64>,
    },
    #[error("{0}")]
    Invalid(String),
}

fn version_words(v: Option<u64>) -> String {
    v.map_or_else(|| "no version".to_string(), |v| format!("version {v}"))
}

impl RegistryError {
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn io(path: &std::path::Path, e: &std::io::Error) -> Self {
        RegistryError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }

    /// True for errors of reaching a server (down, slow, 5xx), as opposed to a refusal or a
    /// missing model: the caller may go on with local data.
    pub fn is_connection(&self) -> bool {
        matches!(
            self,
            RegistryError::Timeout { .. }
                | RegistryError::Unreachable { .. }
                | RegistryError::Server { status: 500.., .. }
        )
    }
}
