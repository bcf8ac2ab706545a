//! CPU time of one workbench frame: egui's layout of every panel and the tessellation of what
//! it draws (what eframe does on the CPU before handing triangles to the GPU), on a 10-year
//! daily series with its 80/95 % bands and three forecasts on the plot (two kept, one
//! current), with and without decimating the plot to the pixels shown.
//!
//! ```text
//! cargo bench --bench frame_time
//! ```

use eframe::egui;
use horizon::app::platform::FolderPlatform;
use horizon::app::{Runner, Workbench};
use horizon_core::ModelSpec;
use std::sync::Arc;

fn main() {
    divan::main();
}

fn ten_years_daily() -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or_default();
    let mut csv = String::from("date,sales\n");
    for t in 0..3653u64 {
        let d = start + chrono::Days::new(t);
        let x = t as f64;
        let y = 200.0
            + 0.02 * x
            + 30.0 * (x * std::f64::consts::TAU / 7.0).sin()
            + 50.0 * (x * std::f64::consts::TAU / 365.25).sin()
            + ((t * 7919) % 23) as f64;
        csv.push_str(&format!("{d},{y:.1}\n"));
    }
    csv
}

/// One frame; the number of vertices it drew.
fn frame(ctx: &egui::Context, wb: &mut Workbench) -> usize {
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 800.0))),
        ..Default::default()
    };
    let out = ctx.run_ui(input, |ui| wb.ui(ui));
    ctx.tessellate(out.shapes, out.pixels_per_point)
        .iter()
        .map(|p| match &p.primitive {
            egui::epaint::Primitive::Mesh(m) => m.vertices.len(),
            egui::epaint::Primitive::Callback(_) => 0,
        })
        .sum()
}

/// The workbench showing the series with three forecasts of 90 days.
fn workbench(decimate: bool) -> (egui::Context, Workbench) {
    let platform = FolderPlatform {
        dir: std::env::temp_dir(),
        to_open: None,
    };
    let mut wb = Workbench::new(Box::new(platform), Runner::Inline);
    wb.forecast.decimate = decimate;
    wb.settings.horizon = 90;
    wb.settings.levels = vec![80.0, 95.0];
    wb.settings.model = ModelSpec::Drift;
    // The whole history in view (as when zoomed out): every day is on screen.
    wb.settings.whole_history = true;
    wb.load_bytes("ten_years.csv".into(), Arc::new(ten_years_daily().into_bytes()));
    let ctx = egui::Context::default();
    for _ in 0..3 {
        frame(&ctx, &mut wb);
    }
    for model in [ModelSpec::Naive, ModelSpec::SeasonalNaive(Default::default())] {
        wb.forecast.keep();
        wb.settings.model = model;
        wb.run_forecast();
        for _ in 0..3 {
            frame(&ctx, &mut wb);
        }
    }
    assert_eq!(wb.forecast.kept.len(), 2, "two kept forecasts");
    eprintln!("decimate={decimate}: {} vertices a frame", frame(&ctx, &mut wb));
    assert_eq!(wb.forecast.result.as_ref().map(|r| r.history.len()), Some(3653));
    (ctx, wb)
}

#[divan::bench(args = [true, false])]
fn frame_10y_daily_3_forecasts(bencher: divan::Bencher, decimate: bool) {
    let (ctx, mut wb) = workbench(decimate);
    bencher.bench_local(|| frame(&ctx, &mut wb));
}
