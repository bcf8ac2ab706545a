//! The two embedded registries, the local folder (`local.rs`) and the key-value store of the
//! browser (`kv.rs`), as one [`Registry`]: every operation is written here once, over the few
//! things a store does ([`Store`]: read and write a record, keep an artifact, list, remove).
//! Both keep the same records (`records.rs`) under the same rules: version numbers are never
//! reused, a version's record is written after its artifact (a version exists once its record
//! does), aliases go with their version, and artifact sizes are checked on download.

use crate::records::{ModelFile, VersionFile, to_version};
use crate::types::now_ms;
use crate::{
    DamagedVersion, Hold, ModelVersion, NewRun, NewVersion, RegisteredModel, Registry, RegistryError, Result, RunRecord,
};
use crate::{validate_alias, validate_model_name};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::atomic::{AtomicU64, Ordering};

/// A record of an embedded store.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Doc<'a> {
    /// The model record of a model name.
    Model(&'a str),
    /// The record of one version of a model.
    Version(&'a str, u64),
    /// A run record, by run id.
    Run(&'a str),
}

/// What an embedded store does; [`Registry`] is built on it below. Model names reach these
/// methods checked.
pub(crate) trait Store: Send + Sync {
    /// Held while a change is made (released on drop).
    type Lock;

    /// Where the registry is, for messages ([`Registry::describe`]).
    fn describe_store(&self) -> String;
    /// Taken by every change, so that changes do not interleave.
    fn lock(&self) -> Result<Self::Lock>;

    /// `None` when the record does not exist.
    fn read<T: DeserializeOwned>(&self, doc: Doc<'_>) -> Result<Option<T>>;
    fn write<T: Serialize>(&self, doc: Doc<'_>, value: &T) -> Result<()>;
    fn exists(&self, doc: Doc<'_>) -> Result<bool>;

    /// The names the store holds models under (unchecked: anything else there included).
    fn model_names(&self) -> Result<Vec<String>>;
    /// Every version number stored for `name`, complete or not, in ascending order.
    fn version_numbers(&self, name: &str) -> Result<Vec<u64>>;
    /// A candidate id for a run started at `start_ms` (taken only when no run has it yet).
    fn new_run_id(&self, start_ms: i64) -> String;

    /// Make room for a model new to the store, before its record is written.
    fn add_model(&self, _name: &str) -> Result<()> {
        Ok(())
    }
    /// Keep the artifact of `version`, before the version's record is written.
    fn write_artifact(&self, name: &str, version: u64, artifact: &[u8]) -> Result<()>;
    /// The artifact of `v`, checked against its recorded size ([`VersionFile::check_artifact`]).
    fn read_artifact(&self, name: &str, v: &VersionFile) -> Result<Vec<u8>>;
    /// Remove what is left of a version once the model record has forgotten it.
    fn remove_version(&self, name: &str, version: u64) -> Result<()>;
    /// Remove a model with all its versions.
    fn remove_model(&self, name: &str) -> Result<()>;

    fn read_model(&self, name: &str) -> Result<ModelFile> {
        validate_model_name(name)?;
        self.read(Doc::Model(name))?
            .ok_or_else(|| RegistryError::NoModel(name.to_string()))
    }

    /// The record of `version`; one that names another number than its own (a copied or
    /// tampered folder) is damaged.
    fn read_version(&self, name: &str, version: u64) -> Result<VersionFile> {
        validate_model_name(name)?;
        let file: VersionFile = self
            .read(Doc::Version(name, version))?
            .ok_or_else(|| RegistryError::NoVersion {
                name: name.to_string(),
                version: version.to_string(),
            })?;
        if file.version != version {
            return Err(RegistryError::Corrupt {
                path: format!("version {version} of '{name}'"),
                message: format!("its record says it is version {}", file.version),
            });
        }
        Ok(file)
    }

    /// Remove what writes cut short left behind (temporary files, half-deleted folders);
    /// called under the lock, when no write is under way.
    fn tidy(&self, _name: &str) -> Result<()> {
        Ok(())
    }

    /// Change the model record of `name` under the lock.
    fn update_model(&self, name: &str, change: impl FnOnce(&mut ModelFile) -> Result<()>) -> Result<()> {
        let _lock = self.lock()?;
        let mut model = self.read_model(name)?;
        change(&mut model)?;
        self.write(Doc::Model(name), &model)
    }

    /// The model with its complete versions (a version whose record is missing, a write cut
    /// short, is not one); a damaged record is listed apart, the others stay usable.
    fn model_with_versions(&self, name: &str) -> Result<RegisteredModel> {
        let model = self.read_model(name)?;
        let mut versions = Vec::new();
        let mut damaged = Vec::new();
        for n in self.version_numbers(name)? {
            match self.read_version(name, n) {
                Ok(v) => versions.push(to_version(name, v, &model.model.aliases)),
                Err(RegistryError::NoVersion { .. }) => {}
                Err(e @ RegistryError::Corrupt { .. }) => damaged.push(DamagedVersion {
                    version: n,
                    problem: e.to_string(),
                }),
                Err(e) => return Err(e),
            }
        }
        Ok(model.with_versions(versions, damaged))
    }
}

/// A number for names that must differ within this process (run ids, temporary files).
pub(crate) fn next_counter() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    COUNTER.fetch_add(1, Ordering::Relaxed) & 0xffff
}

impl<S: Store> Registry for S
where
    S::Lock: 'static,
{
    fn describe(&self) -> String {
        self.describe_store()
    }

    fn hold(&self) -> Result<Hold> {
        Ok(Hold::new(self.lock()?))
    }

    fn log_run(&self, run: &NewRun) -> Result<RunRecord> {
        let _lock = self.lock()?;
        let start_ms = now_ms();
        let mut run_id;
        loop {
            run_id = self.new_run_id(start_ms);
            if !self.exists(Doc::Run(&run_id))? {
                break;
            }
        }
        let record = RunRecord::new(run_id, run.experiment.clone(), start_ms, run);
        self.write(Doc::Run(&record.run_id), &record)?;
        Ok(record)
    }

    fn get_run(&self, run_id: &str) -> Result<RunRecord> {
        if run_id.is_empty() || !run_id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(RegistryError::NoRun(run_id.to_string()));
        }
        self.read(Doc::Run(run_id))?
            .ok_or_else(|| RegistryError::NoRun(run_id.to_string()))
    }

    fn list_models(&self) -> Result<Vec<RegisteredModel>> {
        let mut names = self.model_names()?;
        names.retain(|n| validate_model_name(n).is_ok());
        names.sort();
        let mut out = Vec::new();
        for name in names {
            match self.model_with_versions(&name) {
                Ok(m) => out.push(m),
                Err(RegistryError::NoModel(_)) => {} // a model cut short before its record
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    fn get_model(&self, name: &str) -> Result<RegisteredModel> {
        self.model_with_versions(name)
    }

    fn add_version(&self, name: &str, new: NewVersion<'_>) -> Result<ModelVersion> {
        validate_model_name(name)?;
        if let Some(id) = new.run_id {
            self.get_run(id)?;
        }
        let _lock = self.lock()?;
        self.tidy(name)?;
        let mut model = match self.read_model(name) {
            Ok(m) => m,
            Err(RegistryError::NoModel(_)) => {
                self.add_model(name)?;
                ModelFile::new(name)
            }
            Err(e) => return Err(e),
        };
        // Above every number given out before, deleted or cut short; recorded before the
        // version is written, so a crash can skip a number but never reuse one.
        let version = model.next_version(&self.version_numbers(name)?);
        self.write(Doc::Model(name), &model)?;
        self.write_artifact(name, version, new.artifact)?;
        let file = VersionFile {
            version,
            created_ms: now_ms(),
            run_id: new.run_id.map(String::from),
            tags: new.tags.clone(),
            size: new.artifact.len() as u64,
        };
        self.write(Doc::Version(name, version), &file)?;
        Ok(to_version(name, file, &model.model.aliases))
    }

    fn get_version(&self, name: &str, version: u64) -> Result<ModelVersion> {
        let model = self.read_model(name)?;
        let v = self.read_version(name, version)?;
        Ok(to_version(name, v, &model.model.aliases))
    }

    fn download(&self, name: &str, version: u64) -> Result<Vec<u8>> {
        let v = self.read_version(name, version)?;
        self.read_artifact(name, &v)
    }

    fn set_alias(&self, name: &str, alias: &str, version: u64) -> Result<()> {
        validate_alias(alias)?;
        self.update_model(name, |m| {
            self.read_version(name, version)?;
            m.model.aliases.insert(alias.to_string(), version);
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
        Ok(to_version(name, self.read_version(name, v)?, &model.model.aliases))
    }

    fn set_model_tag(&self, name: &str, key: &str, value: &str) -> Result<()> {
        self.update_model(name, |m| {
            m.model.tags.insert(key.to_string(), value.to_string());
            Ok(())
        })
    }

    fn set_version_tag(&self, name: &str, version: u64, key: &str, value: &str) -> Result<()> {
        let _lock = self.lock()?;
        let mut v = self.read_version(name, version)?;
        v.tags.insert(key.to_string(), value.to_string());
        self.write(Doc::Version(name, version), &v)
    }

    fn delete_version(&self, name: &str, version: u64) -> Result<()> {
        let _lock = self.lock()?;
        let mut model = self.read_model(name)?;
        // A damaged record can be deleted; a missing one is not there to delete.
        match self.read_version(name, version) {
            Ok(_) | Err(RegistryError::Corrupt { .. }) => {}
            Err(e) => return Err(e),
        }
        // Aliases go first (an alias never points at a missing version), then the version.
        model.forget_version(version);
        self.write(Doc::Model(name), &model)?;
        self.remove_version(name, version)
    }

    fn delete_model(&self, name: &str) -> Result<()> {
        let _lock = self.lock()?;
        self.read_model(name)?;
        self.remove_model(name)
    }
}
