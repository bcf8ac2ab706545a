//! The GBM's parameter search in the workbench: the user ticks *Tune parameters*, the progress
//! bar counts the trials, Cancel stops the search, and a finished search is named in the
//! model's description.

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
mod common;

use horizon::app::{Runner, Workbench};

fn harness(dir: &std::path::Path) -> Harness<'static, Workbench> {
    let wb = common::workbench(dir, None, Runner::Stepped, |wb| {
        wb.settings.model = horizon_core::ModelSpec::Naive;
    });
    let mut h = common::harness(wb, [1400.0, 1000.0]);
    // One step per frame, so the test does not depend on this machine's speed.
    h.state_mut().tasks.step_budget = std::time::Duration::ZERO;
    h
}

/// Type a new value into a number field, as into a spreadsheet cell.
fn set_number(h: &mut Harness<'static, Workbench>, label: &str, value: &str) {
    common::click(h, label);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label(label).type_text(value);
    h.key_press(egui::Key::Enter);
    h.run();
}

#[test]
fn tuning_shows_its_trials_can_be_cancelled_and_is_described() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let gbm: horizon_core::ModelSpec = "gbm".parse().unwrap();
    common::click(&mut h, "Model");
    common::click(&mut h, &format!("gbm — {}", gbm.summary()));
    common::click(&mut h, "Tune parameters");
    // 20 trials by default; the user asks for 6.
    assert!(matches!(
        h.state().settings.model,
        horizon_core::ModelSpec::Gbm(horizon_core::models::gbm::GbmSpec {
            tune: Some(horizon_core::models::gbm::Tuning { trials: 20, .. }),
            ..
        })
    ));
    set_number(&mut h, "Trials", "6");

    // The search runs one trial per step: the bar counts them; Cancel stops it.
    h.get_by_label("Run forecast").click();
    for _ in 0..4 {
        h.step();
    }
    common::cancel_midway(&mut h, "tuning and forecast", 7);
    assert_eq!(
        h.state().forecast.result.as_ref().map(|r| r.forecast.model.as_str()),
        Some("naive")
    );

    // Run again to the end: the forecast is the GBM's, its description names the search.
    h.get_by_label("Run forecast").click();
    h.step();
    for _ in 0..200 {
        if !h.state().is_busy() {
            break;
        }
        h.step();
    }
    h.run();
    let r = h.state().forecast.result.as_ref().expect("a forecast");
    assert_eq!(r.forecast.model, "gbm");
    assert!(
        r.description.contains("tuned by a TPE search of 6 trials"),
        "{}",
        r.description
    );
}
