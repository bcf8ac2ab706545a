//! The Registry panel driven through AccessKit: list models and versions, load a version into
//! the Forecast panel, promote and roll back after confirming, and a registry that is down.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use horizon::app::platform::FolderPlatform;
use horizon::app::{Runner, Workbench};
use horizon_core::Panel;
use horizon_core::artifact::Artifact;
use horizon_core::data::IngestOptions;
use horizon_core::pipeline::{self, Metric, TrainConfig};
use horizon_registry::Registry;
use horizon_registry::local::LocalRegistry;
use horizon_registry::promotion::{self, PromotionPolicy};
use std::collections::BTreeMap;
use std::path::Path;

fn cfg(model: &str) -> TrainConfig {
    TrainConfig {
        candidates: vec![model.parse().expect("model")],
        horizon: 28,
        levels: vec![80.0, 95.0],
        folds: 3,
        season: None,
        metric: Metric::Rmse,
    }
}

/// Register `model` trained on the workbench's sample as the next version of `sales`.
fn register(reg: &LocalRegistry, panel: &Panel, model: &str) -> (u64, f64) {
    let t = pipeline::train(panel, "sample", &IngestOptions::default(), &cfg(model), "now".into()).expect("train");
    let tags = BTreeMap::from([("horizon.model".to_string(), model.to_string())]);
    let v = reg
        .create_version("sales", &t.artifact.to_bytes().expect("encode"), None, &tags)
        .expect("register");
    (v.version, t.score)
}

fn harness(registry: &Path) -> Harness<'static, Workbench> {
    let platform = FolderPlatform {
        dir: registry.to_path_buf(),
        to_open: None,
    };
    let mut wb = Workbench::new(Box::new(platform), Runner::Inline);
    wb.settings.registry = registry.display().to_string();
    wb.load_sample();
    let mut h = Harness::builder()
        .with_size([1600.0, 1100.0])
        .build_ui_state(|ui, wb: &mut Workbench| wb.ui(ui), wb);
    h.run();
    h
}

fn champion(reg: &LocalRegistry) -> u64 {
    reg.get_by_alias("sales", "champion").expect("a champion").version
}

#[test]
fn browse_load_promote_and_roll_back_from_the_registry_panel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reg = LocalRegistry::open(dir.path()).expect("open");
    let mut h = harness(dir.path());
    let panel = h.state().panel().expect("the sample").clone();
    let (v1, s1) = register(&reg, &panel, "seasonal-naive");
    promotion::promote(&reg, "sales", v1, s1, None, &PromotionPolicy::default()).expect("champion");
    let (v2, s2) = register(&reg, &panel, "ets");
    assert!(
        s2 < 0.9 * s1,
        "the test needs ETS to beat seasonal naive by 10 % ({s2} vs {s1})"
    );

    h.get_by_label("Refresh registry").click();
    h.run();
    h.get_by_label_contains("@champion = v1");
    h.get_by_label("sales v1 · seasonal-naive · champion");
    h.get_by_label("sales v2 · ets").click();
    h.run();
    h.get_by_label("sales version 2");
    h.get_by_label_contains("ets — exponential smoothing");

    // Load it into the Forecast panel: the forecast is the stored model's.
    h.get_by_label("Use for forecast").click();
    h.run();
    let r = h.state().result.as_ref().expect("a forecast");
    assert_eq!(r.forecast.model, "ets");
    assert!(
        r.description
            .starts_with("Registered model sales v2, using the stored model"),
        "{}",
        r.description
    );
    let art = Artifact::from_bytes(&reg.download("sales", v2).expect("v2"), "v2").expect("artifact");
    let stored = pipeline::forecast_series_with(&art, &r.history, 28, &[80.0, 95.0]).expect("forecast");
    assert_eq!(r.forecast.forecast, stored.0.forecast);
    h.get_by_label("Model: registered sales v2 (ets)");

    // Promotion asks first; Cancel changes nothing.
    h.get_by_label("Promote to champion…").click();
    h.run();
    h.get_by_label_contains("Promote sales version 2 to champion?");
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.query_by_label("Confirm").is_none());
    assert_eq!(champion(&reg), v1);
    // Confirmed: compared on the loaded data's hold-out, 10 % better, promoted.
    h.get_by_label("Promote to champion…").click();
    h.run();
    h.get_by_label("Confirm").click();
    h.run();
    assert_eq!(champion(&reg), v2);
    h.get_by_label_contains("sales version 2 promoted: rmse");
    h.get_by_label("sales v2 · ets · champion");
    let tags = reg.get_version("sales", v2).expect("v2").tags;
    assert_eq!(
        tags.get("horizon.promotion.decision").map(String::as_str),
        Some("promoted")
    );

    // Roll back, after confirming.
    h.get_by_label("Roll back sales champion…").click();
    h.run();
    h.get_by_label_contains("Move sales@champion back");
    h.get_by_label("Confirm").click();
    h.run();
    assert_eq!(champion(&reg), v1);
    h.get_by_label_contains("rolled back from version 2 to version 1");

    // Back to the model picked in the Forecast panel.
    h.get_by_label("Use own model").click();
    h.run();
    assert_eq!(h.state().result.as_ref().expect("forecast").forecast.model, "auto");
}

#[test]
fn a_registry_that_cannot_be_reached_is_reported_and_local_work_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(dir.path());
    h.state_mut().settings.registry = "http://127.0.0.1:9".into();
    h.get_by_label("Refresh registry").click();
    h.run();
    h.get_by_label_contains("Registry: MLflow at http://127.0.0.1:9 cannot be reached");
    h.get_by_label("Run forecast").click();
    h.run();
    assert!(h.state().result.is_some(), "forecasting goes on");
    // The forecast view says which seasons the series has, detected from its data.
    h.get_by_label_contains("Season check: season 7: autocorrelation");
    // A server that accepts and never answers: reported within the default 5 s timeout.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    h.state_mut().settings.registry = format!("http://{}", silent.local_addr().expect("addr"));
    let start = std::time::Instant::now();
    h.get_by_label("Refresh registry").click();
    h.run();
    assert!(
        start.elapsed() < std::time::Duration::from_secs(8),
        "{:?}",
        start.elapsed()
    );
    h.get_by_label_contains("did not answer");
    // A password typed into the address is refused, and not echoed.
    h.state_mut().settings.registry = "http://bob:pa55word@127.0.0.1:9".into();
    h.get_by_label("Refresh registry").click();
    h.run();
    let err = h.state().registry.error.clone().expect("an error");
    assert!(
        err.contains("MLFLOW_TRACKING_PASSWORD") && !err.contains("pa55word"),
        "{err}"
    );
}

/// "Register current model": the model chosen in the Forecast panel is trained on every series
/// and registered with a run; the panel lists it; the stored artifact forecasts like the model.
#[test]
fn the_current_model_is_registered_from_the_workbench() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(dir.path());
    h.state_mut().settings.model = "ets".parse().expect("model");
    h.state_mut().settings.register_name = "shop".into();
    h.run();
    h.get_by_label("Register current model").click();
    h.run();
    h.run();
    let outcome = h.state().registry.outcome.clone().unwrap_or_default();
    assert!(
        outcome.starts_with("Registered shop version 1 (ets, rmse "),
        "{outcome}"
    );
    h.get_by_label("shop v1 · ets");
    let reg = LocalRegistry::open(dir.path()).expect("open");
    let v = reg.get_version("shop", 1).expect("version 1");
    let run = reg.get_run(v.run_id.as_deref().expect("a run")).expect("the run");
    assert_eq!(run.params.get("chosen_model").map(String::as_str), Some("ets"));
    assert!(run.metrics.contains_key("rmse"), "{:?}", run.metrics);
    let art = Artifact::from_bytes(&reg.download("shop", 1).expect("bytes"), "shop v1").expect("artifact");
    let panel = h.state().panel().expect("the sample").clone();
    assert_eq!(art.series.len(), panel.series.len());
    assert!(art.trained_on(&panel.series[0]));
    // A name the registry refuses is reported, nothing is trained.
    h.state_mut().settings.register_name = "no/slash".into();
    h.get_by_label("Register current model").click();
    h.run();
    assert!(h.state().status.starts_with("Cannot register:"), "{}", h.state().status);
    assert!(reg.get_model("no/slash").is_err());
}
