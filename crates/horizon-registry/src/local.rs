//! The embedded registry: a folder (by default in the per-user data dir, see
//! [`crate::default_local_root`]).
//!
//! ```text
//! <root>/.lock                                   exclusive lock held by every write
//! <root>/models/<name>/model.json                tags, aliases, created
//! <root>/models/<name>/versions/<n>/artifact.hzn the artifact bytes
//! <root>/models/<name>/versions/<n>/version.json written last: a version exists once it is there
//! <root>/runs/<run id>.json                      params, metrics, tags
//! ```
//!
//! Every file is written atomically (temp file in the same folder, fsync, rename, fsync of the
//! folder), and every write holds an exclusive lock on `.lock` (`flock`), so two processes
//! cannot interleave and a process killed at any point leaves either the old state or the new
//! one. A version folder without `version.json` (a write cut short) is never listed, and its
//! number is never reused.

use crate::records::{ModelFile, VersionFile, to_version};
use crate::types::now_ms;
use crate::{ModelVersion, NewRun, RegisteredModel, Registry, RegistryError, Result, RunRecord};
use crate::{validate_alias, validate_model_name};
use serde::{Serialize, de::DeserializeOwned};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

const ARTIFACT: &str = "artifact.hzn";
const VERSION_FILE: &str = "version.json";
const MODEL_FILE: &str = "model.json";

/// The registry in a local folder.
#[derive(Debug, Clone)]
pub struct LocalRegistry {
    root: PathBuf,
}

/// Held while writing; released on drop.
struct WriteLock(File);

impl Drop for WriteLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

impl LocalRegistry {
    /// Open (creating the folder if needed) the registry at `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<LocalRegistry> {
        let root = root.into();
        for dir in [root.join("models"), root.join("runs")] {
            fs::create_dir_all(&dir).map_err(|e| RegistryError::io(&dir, &e))?;
        }
        Ok(LocalRegistry { root })
    }

    /// Open the per-user default registry (or `HORIZON_REGISTRY_DIR`).
    pub fn open_default() -> Result<LocalRegistry> {
        let root = crate::default_local_root()
            .ok_or_else(|| RegistryError::Invalid("no home folder to keep the local registry in".into()))?;
        LocalRegistry::open(root)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn lock(&self) -> Result<WriteLock> {
        let path = self.root.join(".lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| RegistryError::io(&path, &e))?;
        file.lock().map_err(|e| RegistryError::io(&path, &e))?;
        Ok(WriteLock(file))
    }

    fn model_dir(&self, name: &str) -> Result<PathBuf> {
        Ok(self.root.join("models").join(validate_model_name(name)?))
    }

    fn version_dir(&self, name: &str, version: u64) -> Result<PathBuf> {
        Ok(self.model_dir(name)?.join("versions").join(version.to_string()))
    }

    fn read_model(&self, name: &str) -> Result<ModelFile> {
        let path = self.model_dir(name)?.join(MODEL_FILE);
        read_json(&path)?.ok_or_else(|| RegistryError::NoModel(name.to_string()))
    }

    fn read_version(&self, name: &str, version: u64) -> Result<VersionFile> {
        let path = self.version_dir(name, version)?.join(VERSION_FILE);
        read_json(&path)?.ok_or_else(|| RegistryError::NoVersion {
            name: name.to_string(),
            version: version.to_string(),
        })
    }

    /// Every number used by a version folder, complete or not.
    fn version_numbers(&self, name: &str) -> Result<Vec<u64>> {
        let dir = self.model_dir(name)?.join("versions");
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(RegistryError::io(&dir, &e)),
        };
        let mut out: Vec<u64> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse().ok()))
            .collect();
        out.sort_unstable();
        Ok(out)
    }

    fn model_with_versions(&self, name: &str, with_versions: bool) -> Result<RegisteredModel> {
        let model = self.read_model(name)?;
        let mut versions = Vec::new();
        if with_versions {
            for n in self.version_numbers(name)? {
                match self.read_version(name, n) {
                    Ok(v) => versions.push(to_version(name, v, &model.aliases)),
                    Err(RegistryError::NoVersion { .. }) => {} // cut short: not a version
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(model.with_versions(versions))
    }

    fn update_model(&self, name: &str, change: impl FnOnce(&mut ModelFile) -> Result<()>) -> Result<()> {
        let _lock = self.lock()?;
        let mut model = self.read_model(name)?;
        change(&mut model)?;
        write_json(&self.model_dir(name)?.join(MODEL_FILE), &model)
    }
}

impl Registry for LocalRegistry {
    fn describe(&self) -> String {
        format!("local registry at {}", self.root.display())
    }

    fn log_run(&self, run: &NewRun) -> Result<RunRecord> {
        let _lock = self.lock()?;
        let start_ms = now_ms();
        let mut run_id;
        loop {
            run_id = format!("{start_ms:x}{:x}{:04x}", std::process::id(), next_counter());
            if !self.root.join("runs").join(format!("{run_id}.json")).exists() {
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
        write_json(&self.root.join("runs").join(format!("{run_id}.json")), &record)?;
        Ok(record)
    }

    fn get_run(&self, run_id: &str) -> Result<RunRecord> {
        if run_id.is_empty() || !run_id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(RegistryError::NoRun(run_id.to_string()));
        }
        read_json(&self.root.join("runs").join(format!("{run_id}.json")))?
            .ok_or_else(|| RegistryError::NoRun(run_id.to_string()))
    }

    fn list_models(&self) -> Result<Vec<RegisteredModel>> {
        let dir = self.root.join("models");
        let mut names: Vec<String> = fs::read_dir(&dir)
            .map_err(|e| RegistryError::io(&dir, &e))?
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().map(String::from))
            .filter(|n| validate_model_name(n).is_ok())
            .collect();
        names.sort();
        let mut out = Vec::new();
        for name in names {
            match self.model_with_versions(&name, true) {
                Ok(m) => out.push(m),
                Err(RegistryError::NoModel(_)) => {} // a model folder cut short before model.json
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    fn get_model(&self, name: &str) -> Result<RegisteredModel> {
        self.model_with_versions(name, true)
    }

    fn create_version(
        &self,
        name: &str,
        artifact: &[u8],
        run_id: Option<&str>,
        tags: &BTreeMap<String, String>,
    ) -> Result<ModelVersion> {
        if let Some(id) = run_id {
            self.get_run(id)?;
        }
        let model_dir = self.model_dir(name)?;
        let _lock = self.lock()?;
        let mut model = match self.read_model(name) {
            Ok(m) => m,
            Err(RegistryError::NoModel(_)) => {
                fs::create_dir_all(model_dir.join("versions")).map_err(|e| RegistryError::io(&model_dir, &e))?;
                ModelFile::new(name)
            }
            Err(e) => return Err(e),
        };
        // Above every number given out before, deleted or cut short; recorded before the
        // version is written, so a crash can skip a number but never reuse one.
        let version = model.next_version(&self.version_numbers(name)?);
        write_json(&model_dir.join(MODEL_FILE), &model)?;
        let dir = self.version_dir(name, version)?;
        fs::create_dir_all(&dir).map_err(|e| RegistryError::io(&dir, &e))?;
        sync_dir(dir.parent().unwrap_or(&dir))?;
        write_atomic(&dir.join(ARTIFACT), artifact)?;
        let file = VersionFile {
            version,
            created_ms: now_ms(),
            run_id: run_id.map(String::from),
            tags: tags.clone(),
            size: artifact.len() as u64,
        };
        write_json(&dir.join(VERSION_FILE), &file)?;
        Ok(to_version(name, file, &model.aliases))
    }

    fn get_version(&self, name: &str, version: u64) -> Result<ModelVersion> {
        let model = self.read_model(name)?;
        let v = self.read_version(name, version)?;
        Ok(to_version(name, v, &model.aliases))
    }

    fn download(&self, name: &str, version: u64) -> Result<Vec<u8>> {
        let v = self.read_version(name, version)?;
        let path = self.version_dir(name, version)?.join(ARTIFACT);
        let bytes = fs::read(&path).map_err(|e| RegistryError::io(&path, &e))?;
        if bytes.len() as u64 != v.size {
            return Err(RegistryError::Corrupt {
                path: path.display().to_string(),
                message: format!("{} bytes, {} recorded", bytes.len(), v.size),
            });
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
        let _lock = self.lock()?;
        let mut v = self.read_version(name, version)?;
        v.tags.insert(key.to_string(), value.to_string());
        write_json(&self.version_dir(name, version)?.join(VERSION_FILE), &v)
    }

    fn delete_version(&self, name: &str, version: u64) -> Result<()> {
        let _lock = self.lock()?;
        let mut model = self.read_model(name)?;
        self.read_version(name, version)?;
        let dir = self.version_dir(name, version)?;
        // Aliases go first (an alias never points at a missing version), then the marker
        // (the version is unlisted), then the space is freed.
        model.forget_version(version);
        write_json(&self.model_dir(name)?.join(MODEL_FILE), &model)?;
        let marker = dir.join(VERSION_FILE);
        fs::remove_file(&marker).map_err(|e| RegistryError::io(&marker, &e))?;
        sync_dir(&dir)?;
        let _ = fs::remove_dir_all(&dir);
        Ok(())
    }

    fn delete_model(&self, name: &str) -> Result<()> {
        let _lock = self.lock()?;
        self.read_model(name)?;
        let dir = self.model_dir(name)?;
        // Out of sight in one rename (a name no model can have), then removed.
        let trash = self.root.join("models").join(format!(".deleted-{name}-{}", now_ms()));
        fs::rename(&dir, &trash).map_err(|e| RegistryError::io(&dir, &e))?;
        sync_dir(&self.root.join("models"))?;
        let _ = fs::remove_dir_all(&trash);
        Ok(())
    }
}

fn next_counter() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    COUNTER.fetch_add(1, Ordering::Relaxed) & 0xffff
}

/// `None` when the file does not exist.
fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(RegistryError::io(path, &e)),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| RegistryError::Corrupt {
            path: path.display().to_string(),
            message: e.to_string(),
        })
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|e| RegistryError::Invalid(e.to_string()))?;
    write_atomic(path, &bytes)
}

/// Write `bytes` to `path` so that readers see the old file or the whole new one: a temp file
/// beside it, fsync, rename over, fsync of the folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp-{}-{}", std::process::id(), next_counter()));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(RegistryError::io(path, &e));
    }
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| RegistryError::io(dir, &e))
}
