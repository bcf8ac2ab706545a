//! Writing result files without losing anything: never over the input, never over an existing
//! file unless asked, and atomically (a temporary file renamed into place).

use anyhow::{Context, bail};
use std::io::Write;
use std::path::Path;

pub fn write_new(path: &Path, content: &[u8], force: bool, inputs: &[&Path]) -> anyhow::Result<()> {
    for input in inputs {
        if same_file(path, input) {
            bail!("refusing to write {} over the input file", path.display());
        }
    }
    if path.exists() && !force {
        bail!("{} already exists; pass --force to replace it", path.display());
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(content)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write()
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
        .with_context(|| format!("cannot write {}", path.display()))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
