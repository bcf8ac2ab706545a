//! The records both embedded stores keep per model and per version (as JSON): the local
//! folder (`local.rs`) and the key-value store of the browser (`kv.rs`).

use crate::types::now_ms;
use crate::{DamagedVersion, ModelVersion, RegisteredModel, RegistryError, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ModelFile {
    /// Name, created, tags and aliases, as the public type has them (its versions are kept
    /// apart, one record each, and left out here).
    #[serde(flatten)]
    pub model: RegisteredModel,
    /// The highest version number ever given out (deleted ones included), so none is reused.
    #[serde(default)]
    pub last_version: u64,
}

impl ModelFile {
    /// A model registered just now, without versions yet.
    pub fn new(name: &str) -> ModelFile {
        ModelFile {
            model: RegisteredModel {
                name: name.to_string(),
                created_ms: now_ms(),
                tags: BTreeMap::new(),
                aliases: BTreeMap::new(),
                versions: Vec::new(),
                damaged: Vec::new(),
            },
            last_version: 0,
        }
    }

    /// The number of the next version: above every number given out before (`stored` are the
    /// numbers the store holds, complete or not), recorded here so it is never reused.
    pub fn next_version(&mut self, stored: &[u64]) -> u64 {
        let version = stored.iter().copied().max().unwrap_or(0).max(self.last_version) + 1;
        self.last_version = version;
        version
    }

    /// Forget `version`: its aliases go, its number stays given out.
    pub fn forget_version(&mut self, version: u64) {
        self.model.aliases.retain(|_, v| *v != version);
        self.last_version = self.last_version.max(version);
    }

    /// The version `alias` points at.
    pub fn alias(&self, alias: &str) -> Result<u64> {
        self.model
            .aliases
            .get(alias)
            .copied()
            .ok_or_else(|| self.no_alias(alias))
    }

    pub fn remove_alias(&mut self, alias: &str) -> Result<()> {
        self.model
            .aliases
            .remove(alias)
            .map(|_| ())
            .ok_or_else(|| self.no_alias(alias))
    }

    fn no_alias(&self, alias: &str) -> RegistryError {
        RegistryError::NoAlias {
            name: self.model.name.clone(),
            alias: alias.to_string(),
        }
    }

    /// The public view of this model with `versions` (already in public form).
    pub fn with_versions(self, versions: Vec<ModelVersion>, damaged: Vec<DamagedVersion>) -> RegisteredModel {
        RegisteredModel {
            versions,
            damaged,
            ..self.model
        }
    }
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

impl VersionFile {
    /// `bytes` read as this version's artifact, when their length is the one recorded;
    /// `place` names where they were read from.
    pub fn check_artifact(&self, bytes: Vec<u8>, place: impl FnOnce() -> String) -> Result<Vec<u8>> {
        if bytes.len() as u64 != self.size {
            return Err(RegistryError::Corrupt {
                path: place(),
                message: format!("{} bytes, {} recorded", bytes.len(), self.size),
            });
        }
        Ok(bytes)
    }
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
