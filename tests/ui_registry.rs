//! The Registry panel driven through AccessKit: list models and versions, load a version into
//! the Forecast panel, promote and roll back after confirming, and a registry that is down.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
mod common;

use horizon::app::{Runner, Workbench};
use horizon_core::Panel;
use horizon_core::artifact::Artifact;
use horizon_core::data::IngestOptions;
use horizon_core::forecast::{ForecastOptions, ModelSource, Source, forecast};
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
    let wb = common::workbench(registry, None, Runner::Inline, |wb| {
        wb.settings.registry = registry.display().to_string();
    });
    common::harness(wb, [1600.0, 1100.0])
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

    common::click(&mut h, "Refresh registry");
    h.get_by_label_contains("@champion = v1");
    h.get_by_label("sales v1 · seasonal-naive · champion");
    common::click(&mut h, "sales v2 · ets");
    h.get_by_label("sales version 2");
    h.get_by_label_contains("ets — exponential smoothing");

    // Load it into the Forecast panel: the forecast is the stored model's.
    common::click(&mut h, "Use for forecast");
    let r = h.state().forecast.result.as_ref().expect("a forecast");
    assert_eq!(r.forecast.model, "ets");
    assert!(
        r.description
            .starts_with("Registered model sales v2, using the stored model"),
        "{}",
        r.description
    );
    let art = Artifact::from_bytes(&reg.download("sales", v2).expect("v2"), "v2").expect("artifact");
    let one = horizon_core::Panel {
        series: vec![r.history.clone()],
        ..(*panel).clone()
    };
    let options = ForecastOptions::new(28, &[80.0, 95.0]);
    let stored = forecast(&one, ModelSource::Artifact(&art), &options).expect("forecast");
    assert_eq!(r.forecast.forecast, stored.forecasts[0].forecast.forecast);
    assert_eq!(stored.forecasts[0].source, Source::Stored);
    h.get_by_label("Model: registered sales v2 (ets)");

    // Promotion asks first; Cancel changes nothing.
    common::click(&mut h, "Promote to champion…");
    h.get_by_label_contains("Promote sales version 2 to champion?");
    common::click(&mut h, "Cancel");
    assert!(h.query_by_label("Confirm").is_none());
    assert_eq!(champion(&reg), v1);
    // Confirmed: compared on the loaded data's hold-out, 10 % better, promoted.
    common::click(&mut h, "Promote to champion…");
    common::click(&mut h, "Confirm");
    assert_eq!(champion(&reg), v2);
    h.get_by_label_contains("sales version 2 promoted: rmse");
    h.get_by_label("sales v2 · ets · champion");
    let tags = reg.get_version("sales", v2).expect("v2").tags;
    assert_eq!(
        tags.get("horizon.promotion.decision").map(String::as_str),
        Some("promoted")
    );

    // Roll back, after confirming.
    common::click(&mut h, "Roll back sales champion…");
    h.get_by_label_contains("Move sales@champion back");
    common::click(&mut h, "Confirm");
    assert_eq!(champion(&reg), v1);
    h.get_by_label_contains("rolled back from version 2 to version 1");

    // Back to the model picked in the Forecast panel.
    common::click(&mut h, "Use own model");
    assert_eq!(
        h.state().forecast.result.as_ref().expect("forecast").forecast.model,
        "auto"
    );

    // A model trained on weekly sales is not used on the daily sample (it would read six days
    // a week as missing): the forecast fails and says why.
    let weekly = horizon_core::data::generate::books(&Default::default());
    let (v3, _) = register(&reg, &weekly, "seasonal-naive");
    common::click(&mut h, "Refresh registry");
    common::click(&mut h, &format!("sales v{v3} · seasonal-naive"));
    common::click(&mut h, "Use for forecast");
    h.run();
    h.get_by_label_contains("was trained on weekly data and these data are daily");
}

#[test]
fn a_registry_that_cannot_be_reached_is_reported_and_local_work_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(dir.path());
    h.state_mut().settings.registry = "http://127.0.0.1:9".into();
    common::click(&mut h, "Refresh registry");
    h.get_by_label_contains("Registry: MLflow at http://127.0.0.1:9 cannot be reached");
    common::click(&mut h, "Run forecast");
    assert!(h.state().forecast.result.is_some(), "forecasting goes on");
    // The forecast view says which seasons the series has, detected from its data (in the
    // model details).
    common::click(&mut h, "Model details");
    h.get_by_label_contains("Season check: season 7: autocorrelation");
    // A server that accepts and never answers: reported once the timeout set in the panel
    // (2 s here; 30 s by default) has passed, not after the default.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    h.state_mut().settings.registry = format!("http://{}", silent.local_addr().expect("addr"));
    h.state_mut().settings.registry_timeout_secs = 2.0;
    let start = std::time::Instant::now();
    common::click(&mut h, "Refresh registry");
    assert!(
        start.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    h.get_by_label_contains("did not answer");
    // A password typed into the address is refused, and not echoed.
    h.state_mut().settings.registry = "http://bob:pa55word@127.0.0.1:9".into();
    common::click(&mut h, "Refresh registry");
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
    common::click(&mut h, "Register current model");
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
    common::click(&mut h, "Register current model");
    assert!(h.state().status.starts_with("Cannot register:"), "{}", h.state().status);
    assert!(reg.get_model("no/slash").is_err());
}
