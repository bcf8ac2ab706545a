//! The registry contract, run against every store (local folder, key-value store, live MLflow
//! server).

use horizon_registry::promotion::{self, PromotionPolicy};
use horizon_registry::{NewRun, Registry, RegistryError, VersionRef};
use std::collections::BTreeMap;

fn map<V: Clone>(pairs: &[(&str, V)]) -> BTreeMap<String, V> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// A model name no earlier run of the suite used.
fn fresh_name(prefix: &str) -> String {
    let ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}", ns % 1_000_000_000_000)
}

pub fn run_suite(reg: &dyn Registry) {
    runs_keep_params_and_metrics(reg);
    versions_aliases_and_tags(reg);
    promotion_and_rollback(reg);
    bad_names_and_missing_things(reg);
}

fn runs_keep_params_and_metrics(reg: &dyn Registry) {
    let run = reg
        .log_run(&NewRun {
            experiment: "suite".into(),
            name: "train-1".into(),
            params: map(&[("model", "ets".to_string()), ("horizon", "28".to_string())]),
            metrics: map(&[("rmse", 12.5), ("mase", 0.875)]),
            tags: map(&[("data", "retail".to_string())]),
        })
        .expect("log a run");
    let back = reg.get_run(&run.run_id).expect("read the run back");
    assert_eq!(back.params.get("model").map(String::as_str), Some("ets"));
    assert_eq!(back.params.get("horizon").map(String::as_str), Some("28"));
    assert_eq!(back.metrics.get("rmse"), Some(&12.5));
    assert_eq!(back.metrics.get("mase"), Some(&0.875));
    assert_eq!(back.tags.get("data").map(String::as_str), Some("retail"));
    assert!(matches!(
        reg.get_run("0123456789abcdef0123456789abcdef"),
        Err(RegistryError::NoRun(_))
    ));
}

fn versions_aliases_and_tags(reg: &dyn Registry) {
    let name = fresh_name("suite-versions");
    let run = reg
        .log_run(&NewRun {
            experiment: "suite".into(),
            name: "v".into(),
            ..Default::default()
        })
        .expect("run");
    let artifacts: Vec<Vec<u8>> = (0..3u8)
        .map(|i| (0..5000u32).map(|b| (b as u8) ^ i).collect())
        .collect();
    let mut numbers = Vec::new();
    for (i, a) in artifacts.iter().enumerate() {
        let run_id = (i == 0).then_some(run.run_id.as_str());
        let v = reg
            .create_version(&name, a, run_id, &map(&[("n", i.to_string())]))
            .expect("register a version");
        assert_eq!(v.name, name);
        assert_eq!(v.tags.get("n"), Some(&i.to_string()));
        numbers.push(v.version);
    }
    assert_eq!(numbers, vec![1, 2, 3], "versions count from 1");
    let model = reg.get_model(&name).expect("the model");
    assert_eq!(
        model.versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(model.versions[0].run_id.as_deref(), Some(run.run_id.as_str()));
    assert!(reg.list_models().expect("list").iter().any(|m| m.name == name));
    for (i, a) in artifacts.iter().enumerate() {
        assert_eq!(
            &reg.download(&name, i as u64 + 1).expect("download"),
            a,
            "artifact {i} intact"
        );
    }
    reg.set_alias(&name, "champion", 2).expect("alias");
    reg.set_alias(&name, "challenger", 3).expect("alias");
    assert_eq!(reg.get_by_alias(&name, "champion").expect("by alias").version, 2);
    let model = reg.get_model(&name).expect("model");
    assert_eq!(model.aliases, map(&[("champion", 2u64), ("challenger", 3u64)]));
    assert_eq!(model.versions[1].aliases, vec!["champion".to_string()]);
    reg.set_alias(&name, "champion", 1).expect("move alias");
    assert_eq!(
        reg.resolve(&name, &VersionRef::Alias("champion".into()))
            .expect("resolve")
            .version,
        1
    );
    assert_eq!(reg.resolve(&name, &VersionRef::Latest).expect("latest").version, 3);
    assert_eq!(reg.resolve(&name, &VersionRef::Version(2)).expect("v2").version, 2);
    reg.delete_alias(&name, "challenger").expect("delete alias");
    assert!(matches!(
        reg.get_by_alias(&name, "challenger"),
        Err(RegistryError::NoAlias { .. })
    ));

    reg.set_model_tag(&name, "owner", "planning").expect("model tag");
    reg.set_version_tag(&name, 3, "validated", "true").expect("version tag");
    assert_eq!(
        reg.get_model(&name).expect("m").tags.get("owner").map(String::as_str),
        Some("planning")
    );
    assert_eq!(
        reg.get_version(&name, 3)
            .expect("v3")
            .tags
            .get("validated")
            .map(String::as_str),
        Some("true")
    );

    reg.delete_version(&name, 2).expect("delete v2");
    assert!(matches!(
        reg.get_version(&name, 2),
        Err(RegistryError::NoVersion { .. })
    ));
    assert_eq!(reg.download(&name, 3).expect("v3 still there"), artifacts[2]);
    let v4 = reg.create_version(&name, b"four", None, &BTreeMap::new()).expect("v4");
    assert_eq!(v4.version, 4);
    reg.delete_version(&name, 4).expect("delete the newest");
    let v5 = reg.create_version(&name, b"five", None, &BTreeMap::new()).expect("v5");
    assert_eq!(v5.version, 5, "a deleted number, even the newest, is not reused");
    reg.delete_model(&name).expect("delete model");
    assert!(matches!(reg.get_model(&name), Err(RegistryError::NoModel(_))));
}

fn promotion_and_rollback(reg: &dyn Registry) {
    let name = fresh_name("suite-promotion");
    for i in 0..4u8 {
        reg.create_version(&name, &[i; 16], None, &BTreeMap::new())
            .expect("version");
    }
    let policy = PromotionPolicy::default();
    let first = promotion::promote(reg, &name, 1, 100.0, None, &policy).expect("promote v1");
    assert!(first.promoted, "{first}");
    let small = promotion::promote(reg, &name, 2, 95.0, Some((1, 100.0)), &policy).expect("v2");
    assert!(!small.promoted, "5 % is below the 10 % threshold: {small}");
    let tags = reg.get_version(&name, 2).expect("v2").tags;
    assert_eq!(tags.get("horizon.promotion.decision").map(String::as_str), Some("kept"));
    assert_eq!(
        tags.get("horizon.promotion.candidate_score").map(String::as_str),
        Some("95")
    );
    assert_eq!(
        tags.get("horizon.promotion.champion_score").map(String::as_str),
        Some("100")
    );
    assert_eq!(
        tags.get("horizon.promotion.champion_version").map(String::as_str),
        Some("1")
    );
    assert_eq!(reg.get_by_alias(&name, "champion").expect("champion").version, 1);
    let big = promotion::promote(reg, &name, 3, 80.0, Some((1, 100.0)), &policy).expect("v3");
    assert!(big.promoted, "{big}");
    assert_eq!(
        reg.get_version(&name, 3)
            .expect("v3")
            .tags
            .get("horizon.promotion.decision")
            .map(String::as_str),
        Some("promoted")
    );
    // A candidate compared with a champion that has moved since is not decided on.
    let stale = promotion::promote(reg, &name, 4, 50.0, Some((1, 100.0)), &policy);
    assert!(
        matches!(
            stale,
            Err(horizon_registry::RegistryError::AliasMoved { now: Some(3), .. })
        ),
        "{stale:?}"
    );
    let again = promotion::promote(reg, &name, 4, 50.0, Some((3, 80.0)), &policy).expect("v4");
    assert!(again.promoted);
    assert_eq!(
        promotion::alias_history(reg, &name, "champion").expect("history"),
        vec![1, 3, 4]
    );
    assert_eq!(promotion::rollback(reg, &name, "champion").expect("rollback"), (4, 3));
    assert_eq!(reg.get_by_alias(&name, "champion").expect("champion").version, 3);
    // An alias moved by hand elsewhere (not through promotion) still rolls back along the history.
    reg.set_alias(&name, "champion", 2).expect("move by hand");
    assert_eq!(promotion::rollback(reg, &name, "champion").expect("rollback"), (2, 3));
    // Moved by hand to a version earlier in the history: back to the last champion, not past it.
    reg.set_alias(&name, "champion", 1).expect("move by hand");
    assert_eq!(promotion::rollback(reg, &name, "champion").expect("rollback"), (1, 3));
    // Version 1 deleted: the next rollback has nowhere to go.
    reg.delete_version(&name, 1).expect("delete v1");
    assert!(promotion::rollback(reg, &name, "champion").is_err());
    assert_eq!(reg.get_by_alias(&name, "champion").expect("champion").version, 3);
    reg.delete_model(&name).expect("clean up");
}

fn bad_names_and_missing_things(reg: &dyn Registry) {
    assert!(matches!(
        reg.create_version("../escape", b"x", None, &BTreeMap::new()),
        Err(RegistryError::Name(_))
    ));
    assert!(matches!(
        reg.get_model("no-such-model-anywhere"),
        Err(RegistryError::NoModel(_))
    ));
    let name = fresh_name("suite-missing");
    reg.create_version(&name, b"x", None, &BTreeMap::new()).expect("v1");
    assert!(matches!(
        reg.get_version(&name, 9),
        Err(RegistryError::NoVersion { .. })
    ));
    assert!(matches!(reg.download(&name, 9), Err(RegistryError::NoVersion { .. })));
    assert!(matches!(
        reg.get_by_alias(&name, "champion"),
        Err(RegistryError::NoAlias { .. })
    ));
    assert!(reg.set_alias(&name, "not valid", 1).is_err());
    reg.delete_model(&name).expect("clean up");
}
