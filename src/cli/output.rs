//! Writing result files without losing anything: never over the input, never over an existing
//! file unless asked, and atomically (a temporary file renamed into place).

use anyhow::{Context, bail};
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
    horizon_registry::local::write_atomic(path, content).with_context(|| format!("cannot write {}", path.display()))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
