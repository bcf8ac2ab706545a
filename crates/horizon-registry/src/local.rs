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
//!
//! The operations themselves are those of every embedded store (`embedded.rs`); this file says
//! where each record is kept and how it is written.

use crate::embedded::{Doc, Store, next_counter};
use crate::records::VersionFile;
use crate::types::now_ms;
use crate::{RegistryError, Result, validate_model_name};
use serde::{Serialize, de::DeserializeOwned};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

const ARTIFACT: &str = "artifact.hzn";
const VERSION_FILE: &str = "version.json";
const MODEL_FILE: &str = "model.json";

/// The registry in a local folder.
#[derive(Debug, Clone)]
pub struct LocalRegistry {
    root: PathBuf,
}

/// Held while writing; released on drop. A thread that already holds the lock of a registry
/// (a promotion writes tags and aliases under its hold) gets a guard that holds nothing more.
pub(crate) struct WriteLock(Option<(File, PathBuf)>);

thread_local! {
    /// The lock files this thread holds.
    static HELD: std::cell::RefCell<Vec<PathBuf>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        if let Some((file, path)) = self.0.take() {
            HELD.with(|h| h.borrow_mut().retain(|p| *p != path));
            let _ = file.unlock();
        }
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

    fn model_dir(&self, name: &str) -> Result<PathBuf> {
        Ok(self.root.join("models").join(validate_model_name(name)?))
    }

    fn version_dir(&self, name: &str, version: u64) -> Result<PathBuf> {
        Ok(self.model_dir(name)?.join("versions").join(version.to_string()))
    }

    fn path(&self, doc: Doc<'_>) -> Result<PathBuf> {
        Ok(match doc {
            Doc::Model(name) => self.model_dir(name)?.join(MODEL_FILE),
            Doc::Version(name, version) => self.version_dir(name, version)?.join(VERSION_FILE),
            Doc::Run(id) => self.root.join("runs").join(format!("{id}.json")),
        })
    }
}

impl Store for LocalRegistry {
    type Lock = WriteLock;

    fn describe_store(&self) -> String {
        format!("local registry at {}", self.root.display())
    }

    fn lock(&self) -> Result<WriteLock> {
        let path = self.root.join(".lock");
        if HELD.with(|h| h.borrow().contains(&path)) {
            return Ok(WriteLock(None));
        }
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| RegistryError::io(&path, &e))?;
        file.lock().map_err(|e| RegistryError::io(&path, &e))?;
        HELD.with(|h| h.borrow_mut().push(path.clone()));
        Ok(WriteLock(Some((file, path))))
    }

    fn read<T: DeserializeOwned>(&self, doc: Doc<'_>) -> Result<Option<T>> {
        read_json(&self.path(doc)?)
    }

    fn write<T: Serialize>(&self, doc: Doc<'_>, value: &T) -> Result<()> {
        write_json(&self.path(doc)?, value)
    }

    fn exists(&self, doc: Doc<'_>) -> Result<bool> {
        Ok(self.path(doc)?.exists())
    }

    fn model_names(&self) -> Result<Vec<String>> {
        let dir = self.root.join("models");
        Ok(fs::read_dir(&dir)
            .map_err(|e| RegistryError::io(&dir, &e))?
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().map(String::from))
            .collect())
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

    fn new_run_id(&self, start_ms: i64) -> String {
        format!("{start_ms:x}{:x}{:04x}", std::process::id(), next_counter())
    }

    /// Every write holds the lock, so under it a temporary file is what a killed write left:
    /// those of this model, its versions and the runs, and folders of deleted models.
    fn tidy(&self, name: &str) -> Result<()> {
        let model_dir = self.model_dir(name)?;
        let mut dirs = vec![model_dir.clone(), self.root.join("runs")];
        if let Ok(entries) = fs::read_dir(model_dir.join("versions")) {
            dirs.extend(entries.filter_map(|e| e.ok()).map(|e| e.path()));
        }
        for dir in dirs {
            let Ok(entries) = fs::read_dir(&dir) else { continue };
            for e in entries.filter_map(|e| e.ok()) {
                if e.file_name().to_str().is_some_and(is_temporary) {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
        if let Ok(entries) = fs::read_dir(self.root.join("models")) {
            for e in entries.filter_map(|e| e.ok()) {
                if e.file_name().to_str().is_some_and(|n| n.starts_with(".deleted-")) {
                    let _ = fs::remove_dir_all(e.path());
                }
            }
        }
        Ok(())
    }

    fn add_model(&self, name: &str) -> Result<()> {
        let model_dir = self.model_dir(name)?;
        fs::create_dir_all(model_dir.join("versions")).map_err(|e| RegistryError::io(&model_dir, &e))
    }

    fn write_artifact(&self, name: &str, version: u64, artifact: &[u8]) -> Result<()> {
        let dir = self.version_dir(name, version)?;
        fs::create_dir_all(&dir).map_err(|e| RegistryError::io(&dir, &e))?;
        sync_dir(dir.parent().unwrap_or(&dir))?;
        write_atomic(&dir.join(ARTIFACT), artifact)
    }

    fn read_artifact(&self, name: &str, v: &VersionFile) -> Result<Vec<u8>> {
        let path = self.version_dir(name, v.version)?.join(ARTIFACT);
        let bytes = fs::read(&path).map_err(|e| RegistryError::io(&path, &e))?;
        v.check_artifact(bytes, || path.display().to_string())
    }

    /// The marker first (the version is unlisted), then the space is freed.
    fn remove_version(&self, name: &str, version: u64) -> Result<()> {
        let dir = self.version_dir(name, version)?;
        let marker = dir.join(VERSION_FILE);
        fs::remove_file(&marker).map_err(|e| RegistryError::io(&marker, &e))?;
        sync_dir(&dir)?;
        let _ = fs::remove_dir_all(&dir);
        Ok(())
    }

    /// Out of sight in one rename (a name no model can have), then removed.
    fn remove_model(&self, name: &str) -> Result<()> {
        let dir = self.model_dir(name)?;
        let trash = self.root.join("models").join(format!(".deleted-{name}-{}", now_ms()));
        fs::rename(&dir, &trash).map_err(|e| RegistryError::io(&dir, &e))?;
        sync_dir(&self.root.join("models"))?;
        let _ = fs::remove_dir_all(&trash);
        Ok(())
    }
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

/// Whether a file name is one of [`write_atomic`]'s temporary files.
fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
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
