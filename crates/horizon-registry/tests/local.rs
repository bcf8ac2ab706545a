//! The local registry: the shared contract, crash safety under SIGKILL, and two processes
//! writing at once.

#[path = "common/rng.rs"]
mod rng;
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
    // Deterministic kill delays (0–40 ms).
    let mut delays = rng::Rng(0x9e37_79b9_7f4a_7c15);
    let mut last_count = 0;
    for round in 0..100 {
        let mut child = Command::new(STRESS)
            .args([root.to_str().expect("utf-8 path"), "sales", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the writer");
        std::thread::sleep(Duration::from_micros(delays.next(40_000) as u64));
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
    // What the killed writers left is gone with that write.
    let mut dirs = vec![root.join("models/sales"), root.join("runs")];
    dirs.extend(
        std::fs::read_dir(root.join("models/sales/versions"))
            .expect("versions")
            .map(|e| e.expect("entry").path()),
    );
    for d in dirs {
        for e in std::fs::read_dir(&d).expect("dir") {
            let name = e.expect("entry").file_name();
            assert!(
                !name.to_string_lossy().contains(".tmp-"),
                "{} left in {}",
                name.to_string_lossy(),
                d.display()
            );
        }
    }
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

/// Trainings of one model promote at the same time: each decides under the registry's lock
/// against the champion of that moment, so exactly one finds no champion, the alias history
/// lists every promotion in order (each 10 % better than the one before), and rollback goes
/// back to the previous champion.
#[test]
fn concurrent_promotions_decide_one_after_the_other() {
    use horizon_registry::promotion::{self, PromotionPolicy};
    use std::sync::{Arc, Barrier};
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("registry");
    for round in 0..5 {
        let name = format!("m{round}");
        let scores = [100.0, 85.0, 60.0, 95.0, 40.0, 70.0];
        let barrier = Arc::new(Barrier::new(scores.len()));
        let threads: Vec<_> = scores
            .iter()
            .map(|&score| {
                let (root, name, barrier) = (root.clone(), name.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let reg = LocalRegistry::open(&root).expect("open");
                    let tags = [("score".to_string(), score.to_string())].into();
                    barrier.wait();
                    let v = reg.create_version(&name, b"x", None, &tags).expect("version").version;
                    let stored = |v: u64| -> Result<promotion::Rival, RegistryError> {
                        let tags = reg.get_version(&name, v)?.tags;
                        Ok(promotion::Rival::Score(
                            tags.get("score").and_then(|s| s.parse().ok()).unwrap_or(f64::NAN),
                        ))
                    };
                    promotion::promote_with(&reg, &name, v, score, &PromotionPolicy::default(), stored)
                        .expect("promotion decides")
                })
            })
            .collect();
        let decisions: Vec<_> = threads.into_iter().map(|t| t.join().expect("thread")).collect();
        let first = decisions.iter().filter(|d| d.champion.is_none()).count();
        assert_eq!(first, 1, "round {round}: {decisions:?}");
        let reg = LocalRegistry::open(&root).expect("open");
        let history = promotion::alias_history(&reg, &name, "champion").expect("history");
        let mut promoted: Vec<u64> = decisions.iter().filter(|d| d.promoted).map(|d| d.candidate).collect();
        promoted.sort_by_key(|v| history.iter().position(|h| h == v));
        assert_eq!(
            history, promoted,
            "round {round}: every promotion in the history, in order"
        );
        let score = |v: u64| decisions.iter().find(|d| d.candidate == v).map(|d| d.candidate_score);
        for w in history.windows(2) {
            let (a, b) = (score(w[0]).expect("a"), score(w[1]).expect("b"));
            assert!(b <= 0.9 * a, "round {round}: {b} replaced {a}");
        }
        let champion = reg.get_by_alias(&name, "champion").expect("champion").version;
        assert_eq!(Some(&champion), history.last());
        if history.len() > 1 {
            let back = promotion::rollback(&reg, &name, "champion").expect("rollback");
            assert_eq!(back, (champion, history[history.len() - 2]));
        }
    }
}

/// One damaged or misplaced version record spoils only itself: the model lists its other
/// versions and the damaged one apart, and takes new versions.
#[test]
fn a_damaged_version_is_listed_apart_and_the_rest_stay_usable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reg = LocalRegistry::open(dir.path()).expect("open");
    for _ in 0..3 {
        reg.create_version("m", b"abc", None, &Default::default())
            .expect("version");
    }
    reg.create_version("other", b"abc", None, &Default::default())
        .expect("version");
    let versions = dir.path().join("models/m/versions");
    std::fs::write(versions.join("2/version.json"), b"{ damaged").expect("damage");
    // Version 1's folder copied to 7: its record says 1.
    std::fs::create_dir(versions.join("7")).expect("folder");
    for f in ["version.json", "artifact.hzn"] {
        std::fs::copy(versions.join("1").join(f), versions.join("7").join(f)).expect("copy");
    }
    let models = reg.list_models().expect("the registry lists");
    assert_eq!(models.len(), 2);
    let m = &models[0];
    assert_eq!(m.versions.iter().map(|v| v.version).collect::<Vec<_>>(), [1, 3]);
    assert_eq!(m.damaged.iter().map(|d| d.version).collect::<Vec<_>>(), [2, 7]);
    assert!(
        m.damaged[0].problem.contains("version.json is damaged"),
        "{:?}",
        m.damaged
    );
    assert!(m.damaged[1].problem.contains("says it is version 1"), "{:?}", m.damaged);
    assert!(matches!(reg.download("m", 7), Err(RegistryError::Corrupt { .. })));
    assert_eq!(reg.download("m", 3).expect("v3"), b"abc");
    // "latest" is not silently an older version than the damaged newest; a damaged version can
    // be deleted.
    let latest = reg.resolve("m", &horizon_registry::VersionRef::Latest);
    assert!(latest.is_err_and(|e| e.to_string().contains("latest version of 'm' is damaged")));
    reg.delete_version("m", 7).expect("a damaged version is deleted");
    assert_eq!(
        reg.resolve("m", &horizon_registry::VersionRef::Latest)
            .expect("latest")
            .version,
        3
    );
    let v = reg
        .create_version("m", b"new", None, &Default::default())
        .expect("a new version");
    assert_eq!(v.version, 8);
}

/// What killed writes leave (temporary files, the folder of a model being deleted) is removed
/// by the next version registered.
#[test]
fn leftovers_of_killed_writes_are_cleaned_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reg = LocalRegistry::open(dir.path()).expect("open");
    reg.create_version("m", b"abc", None, &Default::default()).expect("v1");
    let leftovers = [
        "models/m/.model.json.tmp-123-4",
        "models/m/versions/1/.artifact.hzn.tmp-123-5",
        "models/m/versions/1/.version.json.tmp-99-0",
        "runs/.abc.json.tmp-7-7",
    ];
    for f in leftovers {
        std::fs::write(dir.path().join(f), b"half").expect("leftover");
    }
    std::fs::create_dir_all(dir.path().join("models/.deleted-old-1/versions")).expect("trash");
    reg.create_version("m", b"def", None, &Default::default()).expect("v2");
    for f in leftovers {
        assert!(!dir.path().join(f).exists(), "{f} is left");
    }
    assert!(!dir.path().join("models/.deleted-old-1").exists());
    assert_eq!(reg.download("m", 1).expect("v1"), b"abc");
}
