//! Writing result files without losing anything: never over the input, never over an existing
//! file unless asked, and atomically (a temporary file renamed into place).

use anyhow::{Context, bail};
use std::path::Path;

pub fn write_new(path: &Path, content: &[u8], force: bool, inputs: &[&Path]) -> anyhow::Result<()> {
    check_new(path, force, inputs)?;
    horizon_registry::local::write_atomic(path, content).with_context(|| format!("cannot write {}", path.display()))
}

/// Whether [`write_new`] may write `path`: checked before long work too, so that a run that
/// cannot write its output stops before it starts.
pub fn check_new(path: &Path, force: bool, inputs: &[&Path]) -> anyhow::Result<()> {
    for input in inputs {
        if same_file(path, input) {
            bail!("refusing to write {} over the input file", path.display());
        }
    }
    if path.is_dir() {
        bail!("cannot write {}: it is a folder", path.display());
    }
    if path.exists() && !force {
        bail!("{} already exists; pass --force to replace it", path.display());
    }
    // Checked before the work that makes the output, so that nothing is done (or registered)
    // for a file that cannot be written.
    if let Some(folder) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !folder.is_dir()
    {
        bail!(
            "cannot write {}: the folder {} does not exist",
            path.display(),
            folder.display()
        );
    }
    Ok(())
}

/// Refuse two outputs of one command (flag, path) that name the same file: the second would
/// replace the first.
pub fn check_distinct(outputs: &[(&str, &Path)]) -> anyhow::Result<()> {
    for (i, (flag, path)) in outputs.iter().enumerate() {
        for (other, earlier) in &outputs[..i] {
            let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
            if same_file(path, earlier) || absolute(path) == absolute(earlier) {
                bail!(
                    "{other} and {flag} both name {}: give each its own file",
                    path.display()
                );
            }
        }
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
