//! Horizon's model registry: registered models, their versions (each one artifact file),
//! aliases such as `champion`, tags, and training runs with params and metrics.
//!
//! One [`Registry`] trait, three stores: [`local::LocalRegistry`] (the embedded default, a
//! folder in the per-user data dir), [`kv::KvRegistry`] (the same records in a key-value store:
//! the browser's `localStorage`) and [`mlflow::MlflowRegistry`] (a shared MLflow server over its
//! REST API). The two embedded stores share one implementation of every operation
//! (`embedded.rs`). [`promotion`] builds champion promotion and rollback on the trait alone, so
//! all stores behave the same. Artifacts are opaque bytes here: `horizon-core::artifact` writes
//! and checks them.

mod embedded;
mod error;
#[cfg(not(target_arch = "wasm32"))]
pub mod forecast_log;
pub mod kv;
#[cfg(not(target_arch = "wasm32"))]
pub mod local;
pub mod mlflow;
mod names;
pub mod promotion;
mod records;
mod types;

pub use error::RegistryError;
#[cfg(not(target_arch = "wasm32"))]
pub use names::default_local_root;
pub use names::{NameError, validate_alias, validate_model_name};
pub use types::{DamagedVersion, ModelVersion, NewRun, NewVersion, RegisteredModel, RunRecord, VersionRef};

use std::collections::BTreeMap;

pub type Result<T> = std::result::Result<T, RegistryError>;

/// A registry held by [`Registry::hold`]; released on drop.
pub struct Hold {
    _guard: Option<Box<dyn std::any::Any>>,
}

impl Hold {
    pub(crate) fn new(guard: impl std::any::Any) -> Hold {
        Hold {
            _guard: Some(Box::new(guard)),
        }
    }

    /// A hold of a store that has no lock.
    pub fn nothing() -> Hold {
        Hold { _guard: None }
    }
}

/// The operations every registry offers. Versions are numbered from 1 per model and never
/// reused; a version holds exactly one artifact file.
pub trait Registry: Send + Sync {
    /// Where this registry is, for messages ("local registry at …", "MLflow at http://…");
    /// never contains credentials.
    fn describe(&self) -> String;

    /// Hold the registry for a read-decide-write sequence (a promotion): writes of other
    /// processes wait until the guard is dropped, and this thread's own go through. A store
    /// without a lock (MLflow) holds nothing; promotion re-reads and checks there instead.
    fn hold(&self) -> Result<Hold> {
        Ok(Hold::nothing())
    }

    /// Record a finished training run with its params, metrics and tags.
    fn log_run(&self, run: &NewRun) -> Result<RunRecord>;
    fn get_run(&self, run_id: &str) -> Result<RunRecord>;

    /// Every registered model with its aliases and tags (versions may be left empty; use
    /// [`Registry::get_model`] for them).
    fn list_models(&self) -> Result<Vec<RegisteredModel>>;
    /// One model with all its versions, oldest first.
    fn get_model(&self, name: &str) -> Result<RegisteredModel>;

    /// Register `artifact` as the next version of `name` (the model is created when new),
    /// linked to `run_id` when given: [`Registry::add_version`] with the parts of a
    /// [`NewVersion`].
    fn create_version(
        &self,
        name: &str,
        artifact: &[u8],
        run_id: Option<&str>,
        tags: &BTreeMap<String, String>,
    ) -> Result<ModelVersion> {
        self.add_version(name, NewVersion { artifact, run_id, tags })
    }
    /// Register `new` as the next version of `name` (the model is created when new), linked to
    /// its run when it names one.
    fn add_version(&self, name: &str, new: NewVersion<'_>) -> Result<ModelVersion>;
    fn get_version(&self, name: &str, version: u64) -> Result<ModelVersion>;
    /// The artifact bytes of a version.
    fn download(&self, name: &str, version: u64) -> Result<Vec<u8>>;

    /// Point `alias` at `version` (moving it if it exists).
    fn set_alias(&self, name: &str, alias: &str, version: u64) -> Result<()>;
    fn delete_alias(&self, name: &str, alias: &str) -> Result<()>;
    /// The version an alias points at.
    fn get_by_alias(&self, name: &str, alias: &str) -> Result<ModelVersion>;

    fn set_model_tag(&self, name: &str, key: &str, value: &str) -> Result<()>;
    fn set_version_tag(&self, name: &str, version: u64, key: &str, value: &str) -> Result<()>;

    /// Delete one version (its aliases go with it).
    fn delete_version(&self, name: &str, version: u64) -> Result<()>;
    /// Delete a model and all its versions.
    fn delete_model(&self, name: &str) -> Result<()>;

    /// The version `r` names: the newest, a number, or an alias.
    fn resolve(&self, name: &str, r: &VersionRef) -> Result<ModelVersion> {
        validate_model_name(name)?;
        match r {
            VersionRef::Version(v) => self.get_version(name, *v),
            VersionRef::Alias(a) => self.get_by_alias(name, a),
            VersionRef::Latest => {
                let model = self.get_model(name)?;
                let newest = model.versions.iter().map(|v| v.version).max();
                // The newest version is damaged: an older one is not what "latest" asks for.
                if let Some(d) = model
                    .damaged
                    .iter()
                    .filter(|d| Some(d.version) > newest)
                    .max_by_key(|d| d.version)
                {
                    return Err(RegistryError::Invalid(format!(
                        "the latest version of '{name}' is damaged: {}",
                        d.problem
                    )));
                }
                model
                    .versions
                    .into_iter()
                    .max_by_key(|v| v.version)
                    .ok_or_else(|| RegistryError::NoVersion {
                        name: name.to_string(),
                        version: "latest".into(),
                    })
            }
        }
    }
}
