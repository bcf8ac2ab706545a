//! Screenshots of the workbench's main views, rendered on the CPU (wgpu on Mesa's lavapipe
//! Vulkan driver, installed by `scripts/setup.sh`) and compared with the images committed in
//! `tests/snapshots/` (`UPDATE_SNAPSHOTS=1 cargo test --test ui_snapshot` writes them anew).
//! README.md shows them.
//!
//! The comparison forgives what differs between CPUs and not between layouts: lavapipe's
//! anti-aliased edges of the plot's thin lines land up to a pixel apart from one machine to
//! another (measured: about 39,000 pixels of 1.3 million differed, all along lines; egui's
//! own issue #5295 describes the same). A pixel matches when the committed image has a pixel
//! of nearly the same colour within one pixel of it (and the other way round), and at most
//! [`MAX_DIFFERENT`] pixels may fail that; a moved panel or a missing band, line or word fails more.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
mod common;

use horizon::app::{ManualGrid, Runner, Workbench};
use image::RgbaImage;
use std::path::PathBuf;

fn harness(dir: &std::path::Path) -> Harness<'static, Workbench> {
    harness_opening(dir, None)
}

fn harness_opening(dir: &std::path::Path, to_open: Option<(String, Vec<u8>)>) -> Harness<'static, Workbench> {
    let wb = common::workbench(dir, to_open, Runner::Inline, |wb| {
        wb.data.manual = ManualGrid::starting(chrono::NaiveDate::from_ymd_opt(2024, 12, 24).unwrap(), 7);
        wb.settings.theme = eframe::egui::ThemePreference::Light;
    });
    let mut h = Harness::builder()
        .with_size([1440.0, 900.0])
        .wgpu()
        .build_ui_state(|ui, wb: &mut Workbench| wb.ui(ui), wb);
    h.run();
    h
}

/// The time a fit took is the one thing on screen that changes from run to run.
fn steady(h: &mut Harness<'static, Workbench>) {
    if let Some(r) = h.state_mut().forecast.result.as_mut() {
        r.elapsed_ms = 0.0;
    }
    h.run();
}

/// Largest colour difference (0–255, any channel) that still counts as the same colour.
const TOLERANCE: u8 = 24;
/// Pixels that may differ beyond the tolerance and the one-pixel shift.
const MAX_DIFFERENT: usize = 100;

/// Pixels of `new` with no pixel of nearly its colour in `old` within one pixel, marked in red
/// on a faded copy of `new` (called both ways, so what appeared and what vanished both count).
fn differences(old: &RgbaImage, new: &RgbaImage) -> (usize, RgbaImage) {
    let (w, h) = new.dimensions();
    let mut diff = RgbaImage::from_fn(w, h, |x, y| {
        let p = new.get_pixel(x, y).0;
        image::Rgba([p[0] / 4 + 191, p[1] / 4 + 191, p[2] / 4 + 191, 255])
    });
    let mut count = 0;
    for y in 0..h {
        for x in 0..w {
            let p = new.get_pixel(x, y).0;
            let near = (y.saturating_sub(1)..=(y + 1).min(h - 1)).any(|oy| {
                (x.saturating_sub(1)..=(x + 1).min(w - 1)).any(|ox| {
                    let q = old.get_pixel(ox, oy).0;
                    p.iter().zip(q).all(|(a, b)| a.abs_diff(b) <= TOLERANCE)
                })
            });
            if !near {
                count += 1;
                diff.put_pixel(x, y, image::Rgba([255, 0, 0, 255]));
            }
        }
    }
    (count, diff)
}

/// Compare the current frame with `tests/snapshots/{name}.png` (write it with
/// `UPDATE_SNAPSHOTS=1`); on a mismatch `{name}.new.png` and `{name}.diff.png` are written.
fn check(h: &mut Harness<'static, Workbench>, name: &str) {
    let new = h
        .render()
        .expect("the frame renders (lavapipe: scripts/setup.sh snapshots)");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let path = dir.join(format!("{name}.png"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        new.save(&path).expect("write the snapshot");
        return;
    }
    let old = image::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_SNAPSHOTS=1 writes it)", path.display()))
        .to_rgba8();
    assert_eq!(old.dimensions(), new.dimensions(), "{name}: the window size changed");
    // Both ways: a line or word the new frame lacks has no match in it for the old pixels.
    let (gained, diff) = differences(&old, &new);
    let (lost, _) = differences(&new, &old);
    let count = gained.max(lost);
    if count > MAX_DIFFERENT {
        new.save(dir.join(format!("{name}.new.png")))
            .expect("write the new image");
        diff.save(dir.join(format!("{name}.diff.png"))).expect("write the diff");
        panic!(
            "{name}: {count} pixels differ from the snapshot beyond a one-pixel shift (at most \
             {MAX_DIFFERENT}); see tests/snapshots/{name}.diff.png, or renew with UPDATE_SNAPSHOTS=1"
        );
    }
}

#[test]
fn the_main_views_look_as_committed() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    // The forecast view: Auto on the sample, its candidates, the plot with its bands.
    assert_eq!(
        h.state().forecast.result.as_ref().map(|r| r.forecast.model.as_str()),
        Some("auto")
    );
    steady(&mut h);
    check(&mut h, "workbench_forecast");

    // A comparison of two models and the ensemble, with their backtests on the plot.
    common::click(&mut h, "Compare models");
    common::click(&mut h, "Compare ensemble");
    common::click(&mut h, "Run comparison");
    h.get_by_label("Show backtest forecasts on the plot").click();
    steady(&mut h);
    check(&mut h, "workbench_compare");

    // Dark, with the data preview open.
    h.state_mut().settings.theme = eframe::egui::ThemePreference::Dark;
    common::click(&mut h, "Compare models");
    h.get_by_label_contains("Data preview").click();
    steady(&mut h);
    check(&mut h, "workbench_dark_preview");
}

/// The aggregation dialog on a Parquet file of order lines, with its guesses.
#[test]
fn the_aggregation_dialog_looks_as_committed() {
    let (_, _, bytes) = common::order_lines_parquet(2, 2, 120);
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_opening(dir.path(), Some(("orders.parquet".into(), bytes)));
    common::open_file(&mut h);
    assert!(h.state().data.transactions.is_some(), "the dialog is open");
    h.get_by_label("Week").click();
    steady(&mut h);
    check(&mut h, "workbench_aggregate");
}

/// A total with its parts, and a what-if plan drawn over the forecast without it.
#[test]
fn the_totals_and_a_plan_look_as_committed() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.state_mut().settings.model = "ets".parse().unwrap();
    common::click(&mut h, "Show totals");
    h.get_by_label("Total — sales forecast");
    steady(&mut h);
    check(&mut h, "workbench_totals");

    common::click(&mut h, "Show totals");
    h.state_mut().settings.model = "gbm".parse().unwrap();
    common::click(&mut h, "What-if plan");
    common::click(&mut h, "Add plan line");
    common::click(&mut h, "Apply plan");
    h.get_by_label_contains("With the plan:");
    steady(&mut h);
    check(&mut h, "workbench_plan");
}
