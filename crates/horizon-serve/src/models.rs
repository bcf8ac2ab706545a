//! The models a server answers with: loaded from the registry, checked, and swapped in when
//! an alias moves.
//!
//! Each reference a client has asked for (`sales@champion`, `sales:3`, `sales` = the newest) is
//! a slot holding an immutable [`Loaded`] behind an `Arc`: a request takes the `Arc` and keeps
//! answering from that complete version even if the slot moves on meanwhile. A refresh
//! resolves every alias and "newest" again; a new version is downloaded, decoded and made to
//! forecast before it replaces the old one, and one that fails any of that leaves the old one
//! serving with the problem reported (`GET /v1/models`, the metrics, the log).

use crate::error::{ApiError, from_registry};
use horizon_core::artifact::Artifact;
use horizon_core::forecast::{ForecastOptions, stored_forecast};
use horizon_registry::{Registry, VersionRef};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// The most references held loaded at once (each is a whole artifact in memory).
pub const MAX_SLOTS: usize = 64;

/// The alias a bare model name means: the version a promotion chose.
pub const DEFAULT_ALIAS: &str = "champion";

/// One model version in memory.
#[derive(Debug)]
pub struct Loaded {
    pub name: String,
    pub version: u64,
    pub artifact: Artifact,
}

/// `NAME`, `NAME@ALIAS` or `NAME:VERSION` as a server reads it: a bare name is the champion.
pub fn parse_target(target: &str) -> Result<(String, VersionRef), ApiError> {
    let (name, r) = VersionRef::parse_target(target).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let r = match r {
        VersionRef::Latest if !target.contains(':') => VersionRef::Alias(DEFAULT_ALIAS.into()),
        r => r,
    };
    Ok((name, r))
}

/// How a reference is written: `sales@champion`, `sales:3`, `sales` (newest).
pub fn label(name: &str, r: &VersionRef) -> String {
    match r {
        VersionRef::Latest => name.to_string(),
        VersionRef::Version(v) => format!("{name}:{v}"),
        VersionRef::Alias(a) => format!("{name}@{a}"),
    }
}

struct Slot {
    name: String,
    reference: VersionRef,
    current: Option<Arc<Loaded>>,
    /// Why the newest version this reference names is not the one serving (or not loaded).
    problem: Option<String>,
}

/// What a refresh did to one slot.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Swapped {
        target: String,
        from: Option<u64>,
        to: u64,
    },
    Refused {
        target: String,
        version: Option<u64>,
        problem: String,
    },
}

/// A slot as listed by `GET /v1/models`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SlotStatus {
    pub target: String,
    pub version: Option<u64>,
    pub problem: Option<String>,
}

/// Every loaded reference, over one registry.
pub struct Models {
    registry: Arc<dyn Registry>,
    slots: RwLock<BTreeMap<String, Slot>>,
}

impl Models {
    pub fn new(registry: Arc<dyn Registry>) -> Models {
        Models {
            registry,
            slots: RwLock::new(BTreeMap::new()),
        }
    }

    pub fn registry(&self) -> &dyn Registry {
        self.registry.as_ref()
    }

    /// The loaded version `target` names, loading it first if no request asked for it yet
    /// (blocking: call from a blocking task).
    pub fn get(&self, name: &str, r: &VersionRef) -> Result<Arc<Loaded>, ApiError> {
        let key = label(name, r);
        if let Some(loaded) = self.read_slots().get(&key).and_then(|s| s.current.clone()) {
            return Ok(loaded);
        }
        let full = || {
            ApiError::unavailable(format!(
                "{MAX_SLOTS} model versions are loaded already; ask for one of them (GET /v1/models)"
            ))
        };
        if self.read_slots().len() >= MAX_SLOTS {
            return Err(full());
        }
        let version = self.registry.resolve(name, r).map_err(|e| from_registry(&e))?.version;
        let loaded = Arc::new(self.load(name, version).map_err(ApiError::unavailable)?);
        let mut slots = self.write_slots();
        if !slots.contains_key(&key) && slots.len() >= MAX_SLOTS {
            return Err(full());
        }
        let slot = slots.entry(key).or_insert_with(|| Slot {
            name: name.to_string(),
            reference: r.clone(),
            current: None,
            problem: None,
        });
        // Another request may have loaded it meanwhile: keep the first, all answer alike.
        Ok(slot.current.get_or_insert(loaded).clone())
    }

    /// Download, decode and check one version: it must forecast its first series.
    pub fn load(&self, name: &str, version: u64) -> Result<Loaded, String> {
        let source = format!("{name} version {version} ({})", self.registry.describe());
        let bytes = self
            .registry
            .download(name, version)
            .map_err(|e| format!("{source}: {e}"))?;
        let artifact = Artifact::from_bytes(&bytes, &source).map_err(|e| e.to_string())?;
        let Some(first) = artifact.series.first() else {
            return Err(format!("{source} holds no fitted series"));
        };
        let check = stored_forecast(
            &artifact,
            std::slice::from_ref(&first.key),
            &ForecastOptions::new(1, &artifact.levels),
        )
        .map_err(|e| format!("{source} does not forecast: {e}"))?;
        if let Some(f) = check.failures.first() {
            return Err(format!("{source} does not forecast series '{}': {}", f.series, f.error));
        }
        Ok(Loaded {
            name: name.to_string(),
            version,
            artifact,
        })
    }

    /// Resolve every alias and "newest" again and swap in the versions they name now, each
    /// checked first; a version that does not load leaves the old one serving.
    pub fn refresh(&self) -> Vec<Change> {
        let moving: Vec<(String, String, VersionRef, Option<u64>)> = self
            .read_slots()
            .iter()
            .filter(|(_, s)| !matches!(s.reference, VersionRef::Version(_)))
            .map(|(k, s)| {
                (
                    k.clone(),
                    s.name.clone(),
                    s.reference.clone(),
                    s.current.as_ref().map(|l| l.version),
                )
            })
            .collect();
        let mut changes = Vec::new();
        for (key, name, r, serving) in moving {
            let outcome = match self.registry.resolve(&name, &r) {
                Ok(v) if Some(v.version) == serving => {
                    // Back on the version serving (a rollback, a registry that answers again).
                    if let Some(slot) = self.write_slots().get_mut(&key) {
                        slot.problem = None;
                    }
                    continue;
                }
                Ok(v) => self
                    .load(&name, v.version)
                    .map(Arc::new)
                    .map_err(|p| (Some(v.version), p)),
                Err(e) => Err((None, e.to_string())),
            };
            let mut slots = self.write_slots();
            let Some(slot) = slots.get_mut(&key) else { continue };
            match outcome {
                Ok(loaded) => {
                    changes.push(Change::Swapped {
                        target: key.clone(),
                        from: serving,
                        to: loaded.version,
                    });
                    slot.current = Some(loaded);
                    slot.problem = None;
                }
                Err((version, problem)) => {
                    if slot.problem.as_ref() != Some(&problem) {
                        changes.push(Change::Refused {
                            target: key.clone(),
                            version,
                            problem: problem.clone(),
                        });
                    }
                    slot.problem = Some(problem);
                }
            }
        }
        changes
    }

    /// Every slot, for listing and the metrics.
    pub fn status(&self) -> Vec<SlotStatus> {
        self.read_slots()
            .iter()
            .map(|(k, s)| SlotStatus {
                target: k.clone(),
                version: s.current.as_ref().map(|l| l.version),
                problem: s.problem.clone(),
            })
            .collect()
    }

    /// Whether any model is loaded (what `GET /ready` answers).
    pub fn any_loaded(&self) -> bool {
        self.read_slots().values().any(|s| s.current.is_some())
    }

    fn read_slots(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Slot>> {
        // A panic while a guard was held leaves the map as it was (each write is one insert or
        // one swap): keep serving it.
        self.slots.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write_slots(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Slot>> {
        self.slots.write().unwrap_or_else(|p| p.into_inner())
    }
}
