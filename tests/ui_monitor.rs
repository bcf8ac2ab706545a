//! The Registry panel's *Check current data*: the data on screen checked against a registered
//! version's training data, the verdict and the series that need attention shown.

use eframe::egui;
use egui_kittest::kittest::Queryable;
mod common;

use horizon::app::Runner;
use horizon_core::Panel;
use horizon_core::data::IngestOptions;
use horizon_core::pipeline::{self, Metric, TrainConfig};
use horizon_registry::Registry;
use horizon_registry::local::LocalRegistry;
use std::collections::BTreeMap;

/// Register ETS trained on all but the last 28 days of `panel`, each value times `factor`.
fn register(reg: &LocalRegistry, panel: &Panel, factor: f64) -> u64 {
    let mut train = panel.clone();
    for s in &mut train.series {
        let n = s.len() - 28;
        *s = s.head(n);
        s.values.iter_mut().for_each(|v| *v *= factor);
    }
    let cfg = TrainConfig {
        candidates: vec!["ets".parse().expect("model")],
        horizon: 28,
        levels: vec![95.0],
        folds: 1,
        season: None,
        metric: Metric::Mase,
    };
    let t = pipeline::train(&train, "sample", &IngestOptions::default(), &cfg, "now".into()).expect("train");
    let tags = BTreeMap::from([("horizon.model".to_string(), "ets".to_string())]);
    reg.create_version("sales", &t.artifact.to_bytes().expect("encode"), None, &tags)
        .expect("register")
        .version
}

#[test]
fn check_current_data_shows_the_verdict_and_the_series_to_retrain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reg = LocalRegistry::open(dir.path()).expect("open");
    let wb = common::workbench(dir.path(), None, Runner::Inline, |wb| {
        wb.settings.registry = dir.path().display().to_string();
    });
    let mut h = common::harness(wb, [1600.0, 1100.0]);
    let panel = h.state().panel().expect("the sample").as_ref().clone();
    let n = panel.series.len();
    // Version 1 saw the sample as it is; version 2 saw a third of every sale.
    register(&reg, &panel, 1.0);
    register(&reg, &panel, 1.0 / 3.0);

    common::click(&mut h, "Refresh registry");
    common::click(&mut h, "sales v2 · ets");
    common::click(&mut h, "Check current data");
    let r = h.state().registry.monitor.clone().expect("a check");
    assert_eq!(r.version, 2);
    assert_eq!(r.counts.retrain, n, "{:?}", r.reasons);
    h.get_by_label(&format!(
        "Check against sales v2: retrain — 0 ok, 0 to watch, {n} to retrain"
    ));
    h.get_by_label_contains(&format!("{n} of {n} series changed enough to retrain"));
    // Each series with its finding: the level roughly tripled.
    let first = &r.series[0];
    h.get_by_label(&first.reasons[0]);
    assert!(first.reasons[0].starts_with("Level +"), "{:?}", first.reasons);

    // Against the version that saw the data as it is, most series are as expected (the
    // sample's last weeks are December's rush, which a weekly-season check sees in a few).
    common::click(&mut h, "sales v1 · ets");
    common::click(&mut h, "Check current data");
    let r = h.state().registry.monitor.clone().expect("a check");
    assert_eq!(r.version, 1);
    assert!(r.counts.retrain <= n / 2, "{:?}", r.reasons);
    assert!(
        r.series
            .iter()
            .flat_map(|c| &c.reasons)
            .all(|x| !x.contains("differs from the training data")),
        "{:?}",
        r.reasons
    );
    h.get_by_label_contains("Check against sales v1:");

    // Forecasting with a registered version keeps the forecast in the registry's folder of
    // forecast logs, for `horizon monitor` to judge later.
    common::click(&mut h, "sales v2 · ets");
    common::click(&mut h, "Use for forecast");
    let logs: Vec<_> = std::fs::read_dir(dir.path().join("forecast-logs/sales"))
        .expect("the registry's forecast logs")
        .filter_map(Result::ok)
        .collect();
    assert_eq!(logs.len(), 1);
    let bytes = std::fs::read(logs[0].path()).expect("read");
    let log = horizon_core::monitor::log::ForecastLog::from_bytes(&bytes, "log").expect("a whole log");
    assert_eq!(
        (log.model.as_str(), log.version, log.by.as_str()),
        ("sales", 2, "workbench")
    );
    let shown = &h.state().forecast.result.as_ref().expect("a forecast").forecast;
    assert_eq!(log.forecasts, vec![shown.clone()]);

    // Ctrl+Shift+K with nothing selected checks the newest version of the *Register as* name.
    h.state_mut().registry.selected = None;
    h.state_mut().registry.monitor = None;
    h.state_mut().settings.register_name = "sales".into();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, egui::Key::K);
    h.run();
    let r = h.state().registry.monitor.clone().expect("a check by the shortcut");
    assert_eq!((r.model.as_str(), r.version), ("sales", 2));
}
