//! A folder of forecast logs (`horizon forecast --registered … --forecast-log DIR`, `horizon
//! serve --forecast-log DIR`, read by `horizon monitor`): `DIR/<model>/<file>`, one file per
//! forecast, each written whole or not at all ([`crate::local::write_atomic`]). The files are
//! opaque bytes here; `horizon-core::monitor::log` writes and checks them.

use crate::error::RegistryError;
use crate::local::write_atomic;
use crate::validate_model_name;
use std::fs;
use std::path::{Path, PathBuf};

/// The folder of forecast logs kept inside a local registry at `root` (the workbench writes
/// there; `horizon monitor` reads it when no other folder is given).
pub fn in_registry(root: &Path) -> PathBuf {
    root.join("forecast-logs")
}

/// The extension of a log file.
pub const EXTENSION: &str = "hflog";

/// Write one log of `model` as `file_name` under `dir` (created if needed): the path and
/// whether it is new — a file of that name (the same forecast, logged before) is kept as it is.
pub fn write(dir: &Path, model: &str, file_name: &str, bytes: &[u8]) -> Result<(PathBuf, bool), RegistryError> {
    validate_model_name(model).map_err(|e| RegistryError::Invalid(e.to_string()))?;
    let folder = dir.join(model);
    fs::create_dir_all(&folder).map_err(|e| RegistryError::io(&folder, &e))?;
    let path = folder.join(file_name);
    if path.exists() {
        return Ok((path, false));
    }
    write_atomic(&path, bytes)?;
    Ok((path, true))
}

/// Every log file of `model` under `dir`, oldest name first, with its bytes; the temporary
/// files of a write that never finished are left out. No folder yet: no logs.
pub fn read(dir: &Path, model: &str) -> Result<Vec<(PathBuf, Vec<u8>)>, RegistryError> {
    let folder = dir.join(model);
    let entries = match fs::read_dir(&folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(RegistryError::io(&folder, &e)),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !name.starts_with('.') && p.extension().is_some_and(|x| x == EXTENSION)
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let bytes = fs::read(&p).map_err(|e| RegistryError::io(&p, &e))?;
            Ok((p, bytes))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_skips_unfinished_ones() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (p, new) = write(dir.path(), "sales", "b.hflog", b"two").expect("written");
        assert!(p.ends_with("sales/b.hflog") && new);
        write(dir.path(), "sales", "a.hflog", b"one").expect("written");
        // The same name again (the same forecast): kept, not rewritten.
        assert!(!write(dir.path(), "sales", "a.hflog", b"uno").expect("kept").1);
        // What a crash mid-write leaves: write_atomic's temporary file.
        fs::write(dir.path().join("sales/.c.hflog.tmp-1-1"), b"half").expect("temp");
        fs::write(dir.path().join("sales/notes.txt"), b"x").expect("other");
        let logs = read(dir.path(), "sales").expect("read");
        let bytes: Vec<&[u8]> = logs.iter().map(|(_, b)| b.as_slice()).collect();
        assert_eq!(bytes, vec![b"one".as_slice(), b"two".as_slice()]);
        assert!(read(dir.path(), "other").expect("no folder").is_empty());
        assert!(
            read(&dir.path().join("missing"), "sales")
                .expect("no folder yet")
                .is_empty()
        );
        assert!(write(dir.path(), "../up", "x.hflog", b"").is_err());
    }
}
