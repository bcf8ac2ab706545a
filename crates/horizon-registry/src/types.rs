use crate::names::{validate_alias, validate_model_name};
use crate::{RegistryError, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One version of a registered model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelVersion {
    pub name: String,
    pub version: u64,
    /// Milliseconds since the Unix epoch.
    pub created_ms: i64,
    pub run_id: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Aliases pointing at this version.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A registered model: its aliases, tags and versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisteredModel {
    pub name: String,
    pub created_ms: i64,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Alias → version.
    #[serde(default)]
    pub aliases: BTreeMap<String, u64>,
    /// Oldest first. Left out of the JSON when empty (so the embedded stores' model records,
    /// which keep versions apart, hold no `versions`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<ModelVersion>,
    /// Versions whose record cannot be read (damaged on disk), with what is wrong: listed
    /// apart so that the others stay listed and usable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub damaged: Vec<DamagedVersion>,
}

/// A version whose record is damaged, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DamagedVersion {
    pub version: u64,
    pub problem: String,
}

/// A training run to record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewRun {
    /// Experiment (MLflow) or group (local) the run belongs to.
    pub experiment: String,
    pub name: String,
    pub params: BTreeMap<String, String>,
    pub metrics: BTreeMap<String, f64>,
    pub tags: BTreeMap<String, String>,
}

/// A recorded run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub run_id: String,
    pub experiment: String,
    pub name: String,
    pub start_ms: i64,
    pub params: BTreeMap<String, String>,
    pub metrics: BTreeMap<String, f64>,
    pub tags: BTreeMap<String, String>,
}

impl RunRecord {
    /// The record of `run`, recorded as `run_id` in `experiment`, started at `start_ms`.
    pub(crate) fn new(run_id: String, experiment: String, start_ms: i64, run: &NewRun) -> RunRecord {
        RunRecord {
            run_id,
            experiment,
            name: run.name.clone(),
            start_ms,
            params: run.params.clone(),
            metrics: run.metrics.clone(),
            tags: run.tags.clone(),
        }
    }
}

/// A version to register: what [`crate::Registry::add_version`] takes.
#[derive(Debug, Clone, Copy)]
pub struct NewVersion<'a> {
    /// The artifact bytes.
    pub artifact: &'a [u8],
    /// The run the version comes from, when there is one.
    pub run_id: Option<&'a str>,
    pub tags: &'a BTreeMap<String, String>,
}

/// Which version of a model: `sales` (newest), `sales:3`, `sales@champion`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionRef {
    Latest,
    Version(u64),
    Alias(String),
}

impl VersionRef {
    /// Split `NAME[@alias|:version]` into a checked name and the reference.
    pub fn parse_target(s: &str) -> Result<(String, VersionRef)> {
        let s = s.trim();
        let (name, r) = if let Some((n, a)) = s.split_once('@') {
            (n, VersionRef::Alias(validate_alias(a)?.to_string()))
        } else if let Some((n, v)) = s.split_once(':') {
            let v =
                v.parse::<u64>().ok().filter(|v| *v >= 1).ok_or_else(|| {
                    RegistryError::Invalid(format!("'{v}' in '{s}' is not a version number (1, 2, …)"))
                })?;
            (n, VersionRef::Version(v))
        } else {
            (s, VersionRef::Latest)
        };
        Ok((validate_model_name(name)?.to_string(), r))
    }
}

impl fmt::Display for VersionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionRef::Latest => f.write_str("latest"),
            VersionRef::Version(v) => write!(f, "version {v}"),
            VersionRef::Alias(a) => write!(f, "@{a}"),
        }
    }
}

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> i64 {
    // web-time: the browser's clock on wasm32 (std's panics there), std's elsewhere.
    web_time::SystemTime::now()
        .duration_since(web_time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_name_alias_and_version() {
        assert_eq!(
            VersionRef::parse_target("sales@champion").unwrap(),
            ("sales".into(), VersionRef::Alias("champion".into()))
        );
        assert_eq!(
            VersionRef::parse_target("sales:3").unwrap(),
            ("sales".into(), VersionRef::Version(3))
        );
        assert_eq!(
            VersionRef::parse_target("sales").unwrap(),
            ("sales".into(), VersionRef::Latest)
        );
        for bad in ["sales:0", "sales:x", "../x@a", "sales@", "sales@a/b"] {
            assert!(VersionRef::parse_target(bad).is_err(), "{bad}");
        }
    }
}
