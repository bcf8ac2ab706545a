//! The records both embedded stores keep per model and per version (as JSON): the local
//! folder (`local.rs`) and the key-value store of the browser (`kv.rs`).

use crate::ModelVersion;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ModelFile {
    pub name: String,
    pub created_ms: i64,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub aliases: BTreeMap<String, u64>,
    /// The highest version number ever given out (deleted ones included), so none is reused.
    #[serde(default)]
    pub last_version: u64,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct VersionFile {
    pub version: u64,
    pub created_ms: i64,
    pub run_id: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Length of the artifact file, checked when it is read.
    pub size: u64,
}

/// The public view of version `v` of model `name`, with the aliases pointing at it.
pub(crate) fn to_version(name: &str, v: VersionFile, aliases: &BTreeMap<String, u64>) -> ModelVersion {
    ModelVersion {
        name: name.to_string(),
        version: v.version,
        created_ms: v.created_ms,
        run_id: v.run_id,
        tags: v.tags,
        aliases: aliases
            .iter()
            .filter(|(_, n)| **n == v.version)
            .map(|(a, _)| a.clone())
            .collect(),
    }
}
