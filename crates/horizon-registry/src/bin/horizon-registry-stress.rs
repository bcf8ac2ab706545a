//! Writes versions to a local registry as fast as it can, for the crash and concurrency tests
//! (`tests/local.rs`): `horizon-registry-stress ROOT MODEL COUNT` registers COUNT versions
//! (0 = until killed), each a self-checking artifact (see [`artifact_for`]), moving the
//! `champion` alias and tagging as it goes, and prints each version number it got.

use horizon_registry::local::LocalRegistry;
use horizon_registry::{Registry, promotion};
use std::collections::BTreeMap;
use std::process::ExitCode;

/// An artifact whose first line says how to rebuild the rest: `seed len\n` then `len` bytes.
fn artifact_for(seed: u64) -> Vec<u8> {
    let len = 20_000 + (seed % 7) as usize * 3_000;
    let mut out = format!("{seed} {len}\n").into_bytes();
    out.extend((0..len).map(|i| (seed as usize * 31 + i * 7) as u8));
    out
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, root, model, count] = args.as_slice() else {
        eprintln!("usage: horizon-registry-stress ROOT MODEL COUNT");
        return ExitCode::from(2);
    };
    let Ok(count) = count.parse::<u64>() else {
        eprintln!("COUNT must be a whole number");
        return ExitCode::from(2);
    };
    let reg = match LocalRegistry::open(root) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let seed0 = u64::from(std::process::id()) << 20;
    let mut i = 0;
    while count == 0 || i < count {
        let seed = seed0 + i;
        let tags = BTreeMap::from([("seed".to_string(), seed.to_string())]);
        let step = reg
            .create_version(model, &artifact_for(seed), None, &tags)
            .and_then(|v| {
                println!("{}", v.version);
                reg.set_version_tag(model, v.version, "checked", "yes")?;
                promotion::move_alias(&reg, model, "champion", v.version)
            });
        if let Err(e) = step {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
        i += 1;
    }
    ExitCode::SUCCESS
}
