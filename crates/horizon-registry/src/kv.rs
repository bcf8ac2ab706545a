//! The embedded registry on a key-value store: the browser's `localStorage` in the web
//! workbench (see the app's `web_storage`), an in-memory map in tests. The records, rules and
//! operations are those of the local folder (`embedded.rs`); this file says where each record
//! is kept.
//!
//! ```text
//! <prefix>model/<name>               model record (JSON)
//! <prefix>version/<name>/<n>         version record (JSON), written after its artifact
//! <prefix>artifact/<name>/<n>        artifact bytes (base64)
//! <prefix>run/<id>                   run record (JSON)
//! ```
//!
//! The browser runs one thread, so no locking is needed beyond the store's own.

use crate::embedded::{Doc, Store, next_counter};
use crate::records::VersionFile;
use crate::{RegistryError, Result};
use base64::Engine as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::sync::Mutex;

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

    fn doc_key(&self, doc: Doc<'_>) -> String {
        match doc {
            Doc::Model(name) => self.key(&["model", name]),
            Doc::Version(name, version) => self.key(&["version", name, &version.to_string()]),
            Doc::Run(id) => self.key(&["run", id]),
        }
    }

    fn artifact_key(&self, name: &str, version: u64) -> String {
        self.key(&["artifact", name, &version.to_string()])
    }

    /// Where `key` is, for messages.
    fn place(&self, key: &str) -> String {
        format!("{} key {key}", self.store.describe())
    }

    /// The part of every key under `prefix` that follows it.
    fn keys_after(&self, prefix: &str) -> Result<Vec<String>> {
        Ok(self
            .store
            .keys(prefix)?
            .into_iter()
            .filter_map(|k| k.strip_prefix(prefix).map(String::from))
            .collect())
    }
}

impl<S: KvStore> Store for KvRegistry<S> {
    /// None: the browser runs one thread (see the module documentation).
    type Lock = ();

    fn describe_store(&self) -> String {
        format!("registry in {}", self.store.describe())
    }

    fn lock(&self) -> Result<()> {
        Ok(())
    }

    fn read<T: DeserializeOwned>(&self, doc: Doc<'_>) -> Result<Option<T>> {
        let key = self.doc_key(doc);
        match self.store.get(&key)? {
            None => Ok(None),
            Some(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| RegistryError::Corrupt {
                    path: self.place(&key),
                    message: e.to_string(),
                }),
        }
    }

    fn write<T: Serialize>(&self, doc: Doc<'_>, value: &T) -> Result<()> {
        let text = serde_json::to_string(value).map_err(|e| RegistryError::Invalid(e.to_string()))?;
        self.store.set(&self.doc_key(doc), &text)
    }

    fn exists(&self, doc: Doc<'_>) -> Result<bool> {
        Ok(self.store.get(&self.doc_key(doc))?.is_some())
    }

    fn model_names(&self) -> Result<Vec<String>> {
        self.keys_after(&self.key(&["model", ""]))
    }

    fn version_numbers(&self, name: &str) -> Result<Vec<u64>> {
        let mut out: Vec<u64> = self
            .keys_after(&self.key(&["version", name, ""]))?
            .iter()
            .filter_map(|n| n.parse().ok())
            .collect();
        out.sort_unstable();
        Ok(out)
    }

    fn new_run_id(&self, start_ms: i64) -> String {
        format!("{start_ms:x}{:04x}", next_counter())
    }

    fn write_artifact(&self, name: &str, version: u64, artifact: &[u8]) -> Result<()> {
        let encoded = base64::engine::general_purpose::STANDARD.encode(artifact);
        self.store.set(&self.artifact_key(name, version), &encoded)
    }

    fn read_artifact(&self, name: &str, v: &VersionFile) -> Result<Vec<u8>> {
        let key = self.artifact_key(name, v.version);
        let corrupt = |message: String| RegistryError::Corrupt {
            path: self.place(&key),
            message,
        };
        let text = self
            .store
            .get(&key)?
            .ok_or_else(|| corrupt("the artifact is missing".into()))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| corrupt(e.to_string()))?;
        v.check_artifact(bytes, || self.place(&key))
    }

    fn remove_version(&self, name: &str, version: u64) -> Result<()> {
        self.store.remove(&self.doc_key(Doc::Version(name, version)))?;
        self.store.remove(&self.artifact_key(name, version))
    }

    fn remove_model(&self, name: &str) -> Result<()> {
        self.store.remove(&self.doc_key(Doc::Model(name)))?;
        for kind in ["version", "artifact"] {
            for key in self.store.keys(&self.key(&[kind, name, ""]))? {
                self.store.remove(&key)?;
            }
        }
        Ok(())
    }
}
