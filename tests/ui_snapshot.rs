//! Screenshots of the workbench's main views, rendered on the CPU (wgpu on Mesa's lavapipe
//! Vulkan driver, installed by `scripts/setup.sh`) and compared with the images committed in
//! `tests/snapshots/` (`UPDATE_SNAPSHOTS=1 cargo test --test ui_snapshot` writes them anew).
//! README.md shows them.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use horizon::app::platform::FolderPlatform;
use horizon::app::{ManualGrid, Runner, Workbench};

fn harness(dir: &std::path::Path) -> Harness<'static, Workbench> {
    let platform = FolderPlatform {
        dir: dir.to_path_buf(),
        to_open: None,
    };
    let mut wb = Workbench::new(Box::new(platform), Runner::Inline);
    wb.manual = ManualGrid::starting(chrono::NaiveDate::from_ymd_opt(2024, 12, 24).unwrap(), 7);
    wb.settings.theme = eframe::egui::ThemePreference::Light;
    wb.load_sample();
    let mut h = Harness::builder()
        .with_size([1440.0, 900.0])
        .wgpu()
        .build_ui_state(|ui, wb: &mut Workbench| wb.ui(ui), wb);
    h.run();
    h
}

/// The time a fit took is the one thing on screen that changes from run to run.
fn steady(h: &mut Harness<'static, Workbench>) {
    if let Some(r) = h.state_mut().result.as_mut() {
        r.elapsed_ms = 0.0;
    }
    h.run();
}

#[test]
fn the_main_views_look_as_committed() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    // The forecast view: Auto on the sample, its candidates, the plot with its bands.
    assert_eq!(
        h.state().result.as_ref().map(|r| r.forecast.model.as_str()),
        Some("auto")
    );
    steady(&mut h);
    h.snapshot("workbench_forecast");

    // A comparison of two models and the ensemble, with their backtests on the plot.
    h.get_by_label("Compare models").click();
    h.run();
    h.get_by_label("Compare ensemble").click();
    h.run();
    h.get_by_label("Run comparison").click();
    h.run();
    h.get_by_label("Show backtest forecasts on the plot").click();
    steady(&mut h);
    h.snapshot("workbench_compare");

    // Dark, with the data preview open.
    h.state_mut().settings.theme = eframe::egui::ThemePreference::Dark;
    h.get_by_label("Compare models").click();
    h.run();
    h.get_by_label_contains("Data preview").click();
    steady(&mut h);
    h.snapshot("workbench_dark_preview");
}
