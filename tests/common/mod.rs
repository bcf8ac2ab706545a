//! What the app's integration tests share: running the `horizon` binary as a user runs it.
#![allow(dead_code)] // each test binary uses its own part

use std::path::Path;
use std::process::{Command, Output};

/// `horizon ARGS` in `dir`, not yet run (add environment as needed).
pub fn command(args: &[&str], dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_horizon"));
    c.args(args).current_dir(dir);
    c
}

/// Run it and collect what it printed.
pub fn output(command: &mut Command) -> Output {
    command.output().expect("run horizon")
}

/// Its standard output, after checking that it succeeded (else fail with everything it said).
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `horizon sample retail` with this many stores, products and days, written to `out` in `dir`.
pub fn sample_retail(dir: &Path, stores: usize, products: usize, days: usize, out: &str) {
    let (stores, products, days) = (stores.to_string(), products.to_string(), days.to_string());
    ok(&output(&mut command(
        &[
            "sample",
            "retail",
            "--stores",
            &stores,
            "--products",
            &products,
            "--days",
            &days,
            "--out",
            out,
        ],
        dir,
    )));
}

use egui_kittest::Harness;
use horizon::app::platform::FolderPlatform;
use horizon::app::{Runner, Workbench};

/// A workbench that saves into `dir` and hands out `to_open` when the user opens a file,
/// set up by `setup`, then opened on the bundled sample.
pub fn workbench(
    dir: &Path,
    to_open: Option<(String, Vec<u8>)>,
    runner: Runner,
    setup: impl FnOnce(&mut Workbench),
) -> Workbench {
    let platform = FolderPlatform {
        dir: dir.to_path_buf(),
        to_open,
    };
    let mut wb = Workbench::new(Box::new(platform), runner);
    setup(&mut wb);
    wb.load_sample();
    wb
}

/// `wb` in a window of `size` (no renderer: AccessKit queries and clicks), run until the
/// first forecast is in (many frames when it runs in steps).
pub fn harness(wb: Workbench, size: [f32; 2]) -> Harness<'static, Workbench> {
    let mut h = Harness::builder()
        .with_size(size)
        .build_ui_state(|ui, wb: &mut Workbench| wb.ui(ui), wb);
    for _ in 0..10_000 {
        if !h.state().is_busy() {
            break;
        }
        h.step();
    }
    h.run();
    h
}

/// The one task running is `what`, part way through its `total` steps, its bar says so; its
/// Cancel button stops it and the status line says so.
pub fn cancel_midway(h: &mut Harness<'static, Workbench>, what: &str, total: usize) {
    use egui_kittest::kittest::Queryable;
    let running = h.state().tasks.running().next().cloned().expect("a task is running");
    assert_eq!((running.what, running.total), (what, total));
    assert!(running.done >= 1 && running.done < total, "{} of {total}", running.done);
    h.get_by_label(&format!("{what} {}/{total}", running.done));
    h.get_by_label(&format!("Cancel {what}")).click();
    h.step();
    h.step();
    assert!(h.state().tasks.running().next().is_none(), "the task is gone");
    assert_eq!(h.state().status, "Cancelled.");
}

/// Raw order lines of a generated retail panel, as a Parquet file's bytes: the panel, the
/// number of lines, the bytes.
pub fn order_lines_parquet(stores: usize, products: usize, days: usize) -> (horizon_core::Panel, usize, Vec<u8>) {
    use horizon_core::data::generate::{RetailParams, retail};
    let panel = retail(&RetailParams {
        stores,
        products,
        days,
        ..RetailParams::default()
    });
    let mut lines = horizon_tabular::sample::order_lines(&panel, 3).expect("order lines");
    let bytes = horizon_tabular::Table::parquet_bytes(&mut lines).expect("parquet");
    (panel, lines.height(), bytes)
}

/// Click *Open file…* and let the workbench read what the platform hands out.
pub fn open_file(h: &mut Harness<'static, Workbench>) {
    click(h, "Open file…");
    h.run();
}

/// Click the widget labelled `label` and let the workbench answer.
pub fn click(h: &mut Harness<'static, Workbench>, label: &str) {
    use egui_kittest::kittest::Queryable;
    h.get_by_label(label).click();
    h.run();
}
