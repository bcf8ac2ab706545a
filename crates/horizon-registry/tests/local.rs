//! The local registry: the shared contract, crash safety under SIGKILL, and two processes
//! writing at once.

#[path = "common/suite.rs"]
mod suite;

use horizon_registry::local::LocalRegistry;
use horizon_registry::{Registry, RegistryError};
use std::process::{Command, Stdio};
use std::time::Duration;

const STRESS: &str = env!("CARGO_BIN_EXE_horizon-registry-stress");

#[test]
fn the_shared_suite_passes_on_the_local_registry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reg = LocalRegistry::open(dir.path().join("registry")).expect("open");
    suite::run_suite(&reg);
}

/// Rebuild what `horizon-registry-stress` wrote and compare (its first line says how).
fn artifact_is_whole(bytes: &[u8]) -> bool {
    let Some(nl) = bytes.iter().position(|b| *b == b'\n') else {
        return false;
    };
    let head = String::from_utf8_lossy(&bytes[..nl]).to_string();
    let mut parts = head.split(' ').map(|p| p.parse::<usize>());
    let (Some(Ok(seed)), Some(Ok(len))) = (parts.next(), parts.next()) else {
        return false;
    };
    let body = &bytes[nl + 1..];
    body.len() == len && body.iter().enumerate().all(|(i, b)| *b == (seed * 31 + i * 7) as u8)
}

fn check_everything_loads(reg: &LocalRegistry) -> usize {
    let models = reg.list_models().expect("the registry opens and lists after a kill");
    let mut n = 0;
    for m in &models {
        for v in &m.versions {
            let bytes = reg.download(&m.name, v.version).expect("every listed version loads");
            assert!(artifact_is_whole(&bytes), "{} v{} is half-written", m.name, v.version);
            n += 1;
        }
        for (alias, v) in &m.aliases {
            assert!(
                m.versions.iter().any(|x| x.version == *v),
                "alias {alias} points at missing version {v}"
            );
        }
    }
    n
}

#[test]
fn killing_a_writer_at_random_points_never_leaves_a_half_written_registry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("registry");
    let reg = LocalRegistry::open(&root).expect("open");
    // A small deterministic generator for the kill delays (0–40 ms).
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut last_count = 0;
    for round in 0..100 {
        let mut child = Command::new(STRESS)
            .args([root.to_str().expect("utf-8 path"), "sales", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the writer");
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        std::thread::sleep(Duration::from_micros(state % 40_000));
        child.kill().expect("SIGKILL the writer");
        let _ = child.wait();
        let count = check_everything_loads(&reg);
        assert!(
            count >= last_count,
            "round {round}: versions disappeared ({last_count} → {count})"
        );
        last_count = count;
    }
    assert!(last_count > 0, "the writer never got a version in");
    // And the registry still takes writes, with a fresh number.
    let v = reg
        .create_version("sales", b"0 0\n", None, &Default::default())
        .expect("write after crashes");
    assert!(v.version as usize > last_count);
}

#[test]
fn two_processes_registering_at_once_get_distinct_versions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("registry");
    let spawn = || {
        Command::new(STRESS)
            .args([root.to_str().expect("utf-8 path"), "shared", "25"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start a writer")
    };
    let (a, b) = (spawn(), spawn());
    let outs = [a.wait_with_output().expect("a"), b.wait_with_output().expect("b")];
    let mut all = Vec::new();
    for o in &outs {
        assert!(
            o.status.success(),
            "writer failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let got: Vec<u64> = String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| l.parse().expect("a version number"))
            .collect();
        assert_eq!(got.len(), 25);
        all.extend(got);
    }
    all.sort_unstable();
    assert_eq!(
        all,
        (1..=50).collect::<Vec<u64>>(),
        "both succeed with distinct versions"
    );
    let reg = LocalRegistry::open(&root).expect("open");
    assert_eq!(check_everything_loads(&reg), 50);
}

#[test]
fn a_damaged_file_is_reported_with_its_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reg = LocalRegistry::open(dir.path()).expect("open");
    reg.create_version("m", b"abc", None, &Default::default()).expect("v1");
    let file = dir.path().join("models/m/model.json");
    std::fs::write(&file, b"{ not json").expect("damage");
    match reg.get_model("m") {
        Err(RegistryError::Corrupt { path, .. }) => assert!(path.ends_with("model.json"), "{path}"),
        other => panic!("expected a Corrupt error, got {other:?}"),
    }
    let artifact = dir.path().join("models/m/versions/1/artifact.hzn");
    std::fs::write(&artifact, b"ab").expect("truncate");
    std::fs::write(&file, br#"{"name":"m","created_ms":0}"#).expect("repair");
    assert!(matches!(reg.download("m", 1), Err(RegistryError::Corrupt { .. })));
}
