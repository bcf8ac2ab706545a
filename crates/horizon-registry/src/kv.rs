//! The embedded registry on a key-value store: the browser's `localStorage` in the web
//! workbench (see the app's `web_storage`), an in-memory map in tests. Same records and rules
//! as the local folder (`records.rs`): version numbers never reused, aliases removed with their
//! version, artifact sizes checked on download.
//!
//! ```text
//! <prefix>model/<name>               model record (JSON)
//! <prefix>version/<name>/<n>         version record (JSON), written after its artifact
//! <prefix>artifact/<name>/<n>        artifact bytes (base64)
//! <prefix>run/<id>                   run record (JSON)
//! ```
//!
//! The browser runs one thread, so no locking is needed beyond the store's own.

use crate::records::{ModelFile, VersionFile, to_version};
use crate::types::now_ms;
use crate::{ModelVersion, NewRun, RegisteredModel, Registry, RegistryError, Result, RunRecord};
use crate::{validate_alias, validate_model_name};
use base64::Engine as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Strings under string keys.
pub trait KvStore: Send + Sync {
    /// What the store is, for messages ("this browser's storage").
    fn describe(&self) -> String;
    fn get(&self, key: &str) -> Result<Option<String>>;
    /// Fails with a clear message when the store is full.
    fn set(&self, key: &str, value: &str) -> Result<()>;
    fn remove(&self, key: &str) -> Result<()>;
    /// Every key that starts with `prefix`.
    fn keys(&self, prefix: &str) -> Result<Vec<String>>;
}

/// A store in memory (tests, and a page whose storage is disabled).
#[derive(Default)]
pub struct MemoryStore(Mutex<BTreeMap<String, String>>);

impl KvStore for MemoryStore {
    fn describe(&self) -> String {
        "memory".into()
    }
    fn get(&self, key: &str) -> Result<Option<String>> {
        Ok(self.0.lock().map_err(poisoned)?.get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<()> {
        self.0.lock().map_err(poisoned)?.insert(key.into(), value.into());
        Ok(())
    }
    fn remove(&self, key: &str) -> Result<()> {
        self.0.lock().map_err(poisoned)?.remove(key);
        Ok(())
    }
    fn keys(&self, prefix: &str) -> Result<Vec<String>> {
        let map = self.0.lock().map_err(poisoned)?;
        Ok(map.keys().filter(|k| k.starts_with(prefix)).cloned().collect())
    }
}

fn poisoned<T>(_: std::sync::PoisonError<T>) -> RegistryError {
    RegistryError::Invalid("the in-memory store was left inconsistent by a panic".into())
}

/// The registry in a key-value store, its keys under `prefix`.
pub struct KvRegistry<S> {
    store: S,
    prefix: String,
}

impl<S: KvStore> KvRegistry<S> {
    pub fn new(store: S, prefix: impl Into<String>) -> Self {
        KvRegistry {
            store,
            prefix: prefix.into(),
        }
    }

    fn key(&self, parts: &[&str]) -> String {
        format!("{}{}", self.prefix, parts.join("/"))
    }

    fn read<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        match self.store.get(key)? {
            None => Ok(None),
            Some(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| RegistryError::Corrupt {
                    path: format!("{} key {key}", self.store.describe()),
                    message: e.to_string(),
                }),
        }
    }

    fn write<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let text = serde_json::to_string(value).map_err(|e| RegistryError::Invalid(e.to_string()))?;
        self.store.set(key, &text)
    }

    fn read_model(&self, name: &str) -> Result<ModelFile> {
        validate_model_name(name)?;
        self.read(&self.key(&["model", name]))?
            .ok_or_else(|| RegistryError::NoModel(name.to_string()))
    }

    fn read_version(&self, name: &str, version: u64) -> Result<VersionFile> {
        self.read(&self.key(&["version", name, &version.to_string()]))?
            .ok_or_else(|| RegistryError::NoVersion {
                name: name.to_string(),
                version: version.to_string(),
            })
    }

    fn version_numbers(&self, name: &str) -> Result<Vec<u64>> {
        let prefix = self.key(&["version", name, ""]);
        let mut out: Vec<u64> = self
            .store
            .keys(&prefix)?
            .iter()
            .filter_map(|k| k[prefix.len()..].parse().ok())
            .collect();
        out.sort_unstable();
        Ok(out)
    }

    fn model_with_versions(&self, name: &str) -> Result<RegisteredModel> {
        let model = self.read_model(name)?;
        let mut versions = Vec::new();
        for n in self.version_numbers(name)? {
            versions.push(to_version(name, self.read_version(name, n)?, &model.aliases));
        }
        Ok(model.with_versions(versions))
    }

    fn update_model(&self, name: &str, change: impl FnOnce(&mut ModelFile) -> Result<()>) -> Result<()> {
        let mut model = self.read_model(name)?;
        change(&mut model)?;
        self.write(&self.key(&["model", name]), &model)
    }
}

impl<S: KvStore> Registry for KvRegistry<S> {
    fn describe(&self) -> String {
        format!("registry in {}", self.store.describe())
    }

    fn log_run(&self, run: &NewRun) -> Result<RunRecord> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let start_ms = now_ms();
        let mut run_id;
        loop {
            run_id = format!("{start_ms:x}{:04x}", COUNTER.fetch_add(1, Ordering::Relaxed) & 0xffff);
            if self.store.get(&self.key(&["run", &run_id]))?.is_none() {
                break;
            }
        }
        let record = RunRecord {
            run_id: run_id.clone(),
            experiment: run.experiment.clone(),
            name: run.name.clone(),
            start_ms,
            params: run.params.clone(),
            metrics: run.metrics.clone(),
            tags: run.tags.clone(),
        };
        self.write(&self.key(&["run", &run_id]), &record)?;
        Ok(record)
    }

    fn get_run(&self, run_id: &str) -> Result<RunRecord> {
        if run_id.is_empty() || !run_id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(RegistryError::NoRun(run_id.to_string()));
        }
        self.read(&self.key(&["run", run_id]))?
            .ok_or_else(|| RegistryError::NoRun(run_id.to_string()))
    }

    fn list_models(&self) -> Result<Vec<RegisteredModel>> {
        let prefix = self.key(&["model", ""]);
        let mut names: Vec<String> = self
            .store
            .keys(&prefix)?
            .into_iter()
            .map(|k| k[prefix.len()..].to_string())
            .filter(|n| validate_model_name(n).is_ok())
            .collect();
        names.sort();
        names.iter().map(|n| self.model_with_versions(n)).collect()
    }

    fn get_model(&self, name: &str) -> Result<RegisteredModel> {
        self.model_with_versions(name)
    }

    fn create_version(
        &self,
        name: &str,
        artifact: &[u8],
        run_id: Option<&str>,
        tags: &BTreeMap<String, String>,
    ) -> Result<ModelVersion> {
        validate_model_name(name)?;
        if let Some(id) = run_id {
            self.get_run(id)?;
        }
        let mut model = match self.read_model(name) {
            Ok(m) => m,
            Err(RegistryError::NoModel(_)) => ModelFile::new(name),
            Err(e) => return Err(e),
        };
        let version = model.next_version(&self.version_numbers(name)?);
        self.write(&self.key(&["model", name]), &model)?;
        let n = version.to_string();
        let encoded = base64::engine::general_purpose::STANDARD.encode(artifact);
        self.store.set(&self.key(&["artifact", name, &n]), &encoded)?;
        let file = VersionFile {
            version,
            created_ms: now_ms(),
            run_id: run_id.map(String::from),
            tags: tags.clone(),
            size: artifact.len() as u64,
        };
        self.write(&self.key(&["version", name, &n]), &file)?;
        Ok(to_version(name, file, &model.aliases))
    }

    fn get_version(&self, name: &str, version: u64) -> Result<ModelVersion> {
        let model = self.read_model(name)?;
        Ok(to_version(name, self.read_version(name, version)?, &model.aliases))
    }

    fn download(&self, name: &str, version: u64) -> Result<Vec<u8>> {
        validate_model_name(name)?;
        let v = self.read_version(name, version)?;
        let key = self.key(&["artifact", name, &version.to_string()]);
        let corrupt = |message: String| RegistryError::Corrupt {
            path: format!("{} key {key}", self.store.describe()),
            message,
        };
        let text = self
            .store
            .get(&key)?
            .ok_or_else(|| corrupt("the artifact is missing".into()))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| corrupt(e.to_string()))?;
        if bytes.len() as u64 != v.size {
            return Err(corrupt(format!("{} bytes, {} recorded", bytes.len(), v.size)));
        }
        Ok(bytes)
    }

    fn set_alias(&self, name: &str, alias: &str, version: u64) -> Result<()> {
        validate_alias(alias)?;
        self.update_model(name, |m| {
            self.read_version(name, version)?;
            m.aliases.insert(alias.to_string(), version);
            Ok(())
        })
    }

    fn delete_alias(&self, name: &str, alias: &str) -> Result<()> {
        self.update_model(name, |m| m.remove_alias(alias))
    }

    fn get_by_alias(&self, name: &str, alias: &str) -> Result<ModelVersion> {
        validate_alias(alias)?;
        let model = self.read_model(name)?;
        let v = model.alias(alias)?;
        Ok(to_version(name, self.read_version(name, v)?, &model.aliases))
    }

    fn set_model_tag(&self, name: &str, key: &str, value: &str) -> Result<()> {
        self.update_model(name, |m| {
            m.tags.insert(key.to_string(), value.to_string());
            Ok(())
        })
    }

    fn set_version_tag(&self, name: &str, version: u64, key: &str, value: &str) -> Result<()> {
        validate_model_name(name)?;
        let mut v = self.read_version(name, version)?;
        v.tags.insert(key.to_string(), value.to_string());
        self.write(&self.key(&["version", name, &version.to_string()]), &v)
    }

    fn delete_version(&self, name: &str, version: u64) -> Result<()> {
        let mut model = self.read_model(name)?;
        self.read_version(name, version)?;
        model.forget_version(version);
        self.write(&self.key(&["model", name]), &model)?;
        let n = version.to_string();
        self.store.remove(&self.key(&["version", name, &n]))?;
        self.store.remove(&self.key(&["artifact", name, &n]))
    }

    fn delete_model(&self, name: &str) -> Result<()> {
        self.read_model(name)?;
        self.store.remove(&self.key(&["model", name]))?;
        for kind in ["version", "artifact"] {
            for key in self.store.keys(&self.key(&[kind, name, ""]))? {
                self.store.remove(&key)?;
            }
        }
        Ok(())
    }
}
