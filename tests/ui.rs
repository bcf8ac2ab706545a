//! Workbench flows driven through AccessKit, as a user would: egui_kittest finds widgets by
//! their accessible labels and clicks or types into them.

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
mod common;

use horizon::app::{ManualGrid, Runner, Workbench};
use std::path::Path;

/// Focus the text field labelled `label` and type `text` into it.
fn type_into(h: &mut Harness<'static, Workbench>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

/// How the loaded file was read (its column roles).
fn mapping(h: &Harness<'static, Workbench>) -> horizon_core::data::Mapping {
    let loaded = h.state().data.loaded.as_ref().expect("a file");
    loaded.ingested.mapping.clone().expect("a mapping")
}

fn harness(dir: &Path, to_open: Option<(String, Vec<u8>)>, runner: Runner) -> Harness<'static, Workbench> {
    let wb = common::workbench(dir, to_open, runner, |wb| {
        wb.data.manual = ManualGrid::starting(chrono::NaiveDate::from_ymd_opt(2024, 3, 4).unwrap(), 7);
    });
    common::harness(wb, [1400.0, 1000.0])
}

#[test]
fn opens_on_the_sample_with_a_forecast_and_switches_series() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), None, Runner::Inline);
    let r = h.state().forecast.result.as_ref().expect("a forecast on start");
    assert_eq!(r.history.label(), "S01 / P001");
    assert_eq!(r.forecast.forecast.point.len(), 28);
    // Plot first: the headline in plain words and which model is on screen.
    h.get_by_label_contains("Next 28 days (");
    h.get_by_label_contains("Model: scum, chosen by Auto among");
    h.get_by_label_contains("In its backtest this model was typically within ±");
    h.get_by_label_contains("Validation: 0 error(s)");
    // Pick another series in the list.
    common::click(&mut h, "S02 / P003");
    let r = h.state().forecast.result.as_ref().unwrap();
    assert_eq!(r.history.label(), "S02 / P003");
    // Filter by store: only store S01's products are listed.
    h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "store_id")
        .click();
    h.run();
    common::click(&mut h, "S01");
    assert!(h.query_by_label("S02 / P003").is_none());
    assert!(h.query_by_label("S01 / P003").is_some());
    // Search narrows the list further.
    type_into(&mut h, "Search series", "P002");
    assert!(h.query_by_label("S01 / P001").is_none());
    assert!(h.query_by_label("S01 / P002").is_some());
}

/// Every model of the picker can be chosen and run on the sample data; the fitted model's
/// description is shown next to the plot.
#[test]
fn every_model_in_the_picker_runs_and_describes_its_fit() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), None, Runner::Inline);
    // The description is among the model details, collapsed at first.
    common::click(&mut h, "Model details");
    for spec in horizon_core::models::ModelSpec::all() {
        common::click(&mut h, "Model");
        // The list is longer than the popup: scroll the model into view as a user would.
        let item = format!("{} — {}", spec.name(), spec.summary());
        h.get_by_label(&item).scroll_to_me();
        h.run();
        common::click(&mut h, &item);
        common::click(&mut h, "Run forecast");
        let r = h
            .state()
            .forecast
            .result
            .as_ref()
            .unwrap_or_else(|| panic!("{spec}: no result"));
        assert_eq!(r.forecast.model, spec.name());
        assert!(r.forecast.forecast.point.iter().all(|v| v.is_finite()), "{spec}");
        assert!(!r.description.is_empty(), "{spec}");
        let d = r.description.clone();
        match spec.name().as_str() {
            "prophet" => assert!(d.starts_with("Prophet ("), "{d}"),
            // The ensemble's weights are shown to the user.
            "ensemble" => assert!(d.starts_with("Ensemble: ets ") && d.contains(" %, arima "), "{d}"),
            _ => {}
        }
        h.get_by_label(&d);
    }
}

#[test]
fn choose_model_and_horizon_then_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), None, Runner::Inline);
    common::click(&mut h, "Model");
    h.get_by_label_contains("drift —").click();
    h.run();
    common::click(&mut h, "99%");
    common::click(&mut h, "Model details");
    common::click(&mut h, "Run forecast");
    let r = h.state().forecast.result.as_ref().unwrap();
    assert_eq!(r.forecast.model, "drift");
    let levels: Vec<f64> = r.forecast.forecast.intervals.iter().map(|i| i.level).collect();
    assert_eq!(levels, vec![80.0, 95.0, 99.0]);
    assert!(r.description.starts_with("Drift"));
    // Exponential smoothing: the fitted model is named under the plot.
    common::click(&mut h, "Model");
    h.get_by_label_contains("ets —").click();
    h.run();
    common::click(&mut h, "Run forecast");
    let r = h.state().forecast.result.as_ref().unwrap();
    assert_eq!(r.forecast.model, "ets");
    assert!(r.description.starts_with("ETS("), "{}", r.description);
    h.get_by_label(&r.description.clone());
    // Calibrated intervals: the same model, bands from its own past errors.
    common::click(&mut h, "Calibrate intervals");
    common::click(&mut h, "Run forecast");
    let r = h.state().forecast.result.as_ref().unwrap();
    assert_eq!(r.forecast.model, "ets+conformal");
    assert!(
        r.description.contains("calibrated by conformal prediction"),
        "{}",
        r.description
    );
}

/// Compare three models on the selected series: the table lists each with its backtest
/// metrics, the best is named, and the exported CSV holds the same rows.
#[test]
fn compare_models_shows_a_table_and_exports_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), None, Runner::Inline);
    assert!(
        h.query_by_label("Run comparison").is_none(),
        "the section starts closed"
    );
    // A plain model, so that only the comparison lists model names.
    common::click(&mut h, "Model");
    h.get_by_label_contains("ets —").click();
    h.run();
    common::click(&mut h, "Run forecast");
    common::click(&mut h, "Compare models");
    // seasonal-naive and ets are ticked by default; add drift.
    common::click(&mut h, "Compare drift");
    common::click(&mut h, "Run comparison");
    let c = h.state().compare.comparison.clone().expect("a comparison");
    let models: Vec<&str> = c.rows.iter().map(|r| r.model.as_str()).collect();
    assert_eq!(models, ["seasonal-naive", "ets", "drift"]);
    for r in &c.rows {
        assert_eq!((r.n_ok, r.n), (3, 3), "{}", r.model);
        assert!(r.mase.is_finite() && r.mase > 0.0, "{}", r.model);
        h.get_by_label(&r.model);
        h.get_by_label(&format!("{:.3}", r.mase));
    }
    let best = c.best.clone().expect("a best model");
    let min = c.rows.iter().map(|r| r.mase).fold(f64::INFINITY, f64::min);
    assert_eq!(c.rows.iter().find(|r| r.model == best).unwrap().mase, min);
    h.get_by_label_contains(&format!("Best by MASE: {best}"));

    common::click(&mut h, "Export comparison CSV");
    let saved = h.state().last_saved.clone().expect("saved");
    let name = Path::new(&saved).file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("comparison_S01_P001_") && name.ends_with(".csv"),
        "{name}"
    );
    let text = std::fs::read_to_string(&saved).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("series,model,folds_ok,folds,mase,smape,rmse,mape,mae,coverage,msis,rmsse")
    );
    let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(str::to_string).collect()).collect();
    assert_eq!(rows.len(), 3);
    for (row, r) in rows.iter().zip(&c.rows) {
        assert_eq!(row[1], r.model);
        assert_eq!(row[4].parse::<f64>().unwrap(), r.mase);
    }
    // Another series selected: the comparison of the first is no longer shown.
    common::click(&mut h, "S01 / P002");
    assert!(h.state().current_comparison().is_none());
    assert!(h.query_by_label(&format!("{:.3}", c.rows[0].mase)).is_none());
    // Unticking every model disables the run.
    for m in ["seasonal-naive", "ets", "drift"] {
        common::click(&mut h, &format!("Compare {m}"));
    }
    assert!(h.state().settings.compare.is_empty());
}

#[test]
fn export_writes_a_timestamped_csv_with_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), None, Runner::Inline);
    common::click(&mut h, "Export CSV");
    let saved = h.state().last_saved.clone().expect("saved");
    let name = Path::new(&saved).file_name().unwrap().to_string_lossy().into_owned();
    // forecast_<series>_<YYYYMMDD-HHMMSS>.csv
    assert!(
        name.starts_with("forecast_S01_P001_") && name.ends_with(".csv"),
        "{name}"
    );
    let stamp = &name["forecast_S01_P001_".len()..name.len() - 4];
    assert!(
        chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S").is_ok(),
        "{stamp}"
    );
    let text = std::fs::read_to_string(&saved).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("store_id,product_id,date,model,forecast,lo_80,hi_80,lo_95,hi_95")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 28);
    assert!(rows[0].starts_with("S01,P001,2024-12-31,auto,"), "{}", rows[0]);
    for row in rows {
        let v: Vec<f64> = row.split(',').skip(4).map(|x| x.parse().unwrap()).collect();
        assert!(v[3] <= v[1] && v[1] <= v[0] && v[0] <= v[2] && v[2] <= v[4], "{row}");
    }
}

#[test]
fn a_broken_file_shows_its_errors_and_cannot_be_forecast() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("date,sales\n");
    for d in 1..=28 {
        csv.push_str(&format!(
            "{},{d}\n",
            if d == 16 {
                "2024-01-XX".to_string()
            } else {
                format!("2024-01-{d:02}")
            }
        ));
    }
    let mut h = harness(
        dir.path(),
        Some(("broken.csv".into(), csv.into_bytes())),
        Runner::Inline,
    );
    common::click(&mut h, "Open file…");
    h.get_by_label_contains("Validation: 1 error(s)");
    h.get_by_label("broken.csv:row 17, column 'date': error: '2024-01-XX' is not a date (YYYY-MM-DD)");
    assert!(h.state().forecast.result.is_none());
    assert!(h.state().status.contains("1 error(s)"));
    // Back to the sample: usable again.
    common::click(&mut h, "Load sample data");
    assert!(h.state().forecast.result.is_some());
}

#[test]
fn columns_can_be_picked_by_hand_even_when_the_guess_fails() {
    let dir = tempfile::tempdir().unwrap();
    // Too many broken dates, and a name that says nothing: no date column is guessed.
    let mut csv = String::from("when,units_a,units_b\n");
    for d in 1..=10 {
        let date = if d == 3 || d == 7 {
            format!("2024-01-{d:02}x")
        } else {
            format!("2024-01-{d:02}")
        };
        csv.push_str(&format!("{date},{d},{}\n", 100 + d));
    }
    let mut h = harness(dir.path(), Some(("odd.csv".into(), csv.into_bytes())), Runner::Inline);
    common::click(&mut h, "Open file…");
    h.get_by_label_contains("no column holds dates");
    // Pick the date column: the file is read again and the two bad rows are named.
    common::click(&mut h, "Date column");
    common::click(&mut h, "when");
    h.get_by_label_contains("odd.csv:row 4, column 'when': error: '2024-01-03x'");
    h.get_by_label_contains("odd.csv:row 8, column 'when'");
    assert!(h.state().forecast.result.is_none());

    // A clean file: the guess forecasts units_a; the user switches to units_b.
    let mut csv = String::from("period,units_a,units_b\n");
    for d in 1..=20 {
        csv.push_str(&format!("2024-01-{d:02},{d},{}\n", 100 + d));
    }
    let dir2 = tempfile::tempdir().unwrap();
    let mut h = harness(dir2.path(), Some(("two.csv".into(), csv.into_bytes())), Runner::Inline);
    common::click(&mut h, "Open file…");
    assert_eq!(h.state().forecast.result.as_ref().unwrap().history.values[0], 1.0);
    common::click(&mut h, "Value column");
    // The open list's entry, not the checkbox of the same name.
    h.get_all_by_label("units_b")
        .find(|n| n.accesskit_node().role() != egui::accesskit::Role::CheckBox)
        .expect("units_b in the list")
        .click();
    h.run();
    let r = h.state().forecast.result.as_ref().expect("a forecast of units_b");
    assert_eq!(r.history.values[0], 101.0);
    // units_a is now a driver; untick it.
    let m = mapping(&h);
    assert_eq!(m.exog_columns, vec!["units_a".to_string()]);
    let boxes = h
        .get_all_by_label("units_a")
        .filter(|n| n.accesskit_node().role() == egui::accesskit::Role::CheckBox)
        .collect::<Vec<_>>();
    assert_eq!(boxes.len(), 2, "an id and an exogenous checkbox");
    boxes[1].click();
    h.run();
    let m = mapping(&h);
    assert!(m.exog_columns.is_empty());
    assert_eq!(m.value_column, "units_b");
    assert!(h.state().forecast.result.is_some());
}

#[test]
fn seven_days_by_hand_forecast_like_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), None, Runner::Inline);
    common::click(&mut h, "Enter sales by hand");
    for (i, v) in [12, 15, 11, 14, 18, 25, 21].iter().enumerate() {
        type_into(&mut h, &format!("Sales {}", i + 1), &v.to_string());
    }
    assert!(
        !h.state().data.manual.report.has_errors(),
        "{}",
        h.state().data.manual.report
    );
    // A typo is caught live, with its row.
    type_into(&mut h, "Date 3", "x");
    h.get_by_label_contains("manual entry:row 4, column 'date': error");
    assert!(h.state().data.manual.report.has_errors());
    h.get_by_label("Date 3").focus();
    h.key_press(egui::Key::Backspace);
    h.run();
    assert!(
        !h.state().data.manual.report.has_errors(),
        "{}",
        h.state().data.manual.report
    );
    h.get_by_label("Forecast these values").scroll_to_me();
    h.run();
    common::click(&mut h, "Forecast these values");
    let r = h
        .state()
        .forecast
        .result
        .as_ref()
        .expect("forecast of the manual values");
    assert_eq!(r.history.values, vec![12.0, 15.0, 11.0, 14.0, 18.0, 25.0, 21.0]);
    assert_eq!(
        r.forecast.dates[0],
        chrono::NaiveDate::from_ymd_opt(2024, 3, 11).unwrap()
    );
    // Seven days are too few to compare candidates: Auto keeps the combination and says so.
    assert!(
        r.description
            .starts_with("Auto: scum (the series is too short to compare")
            && r.description.contains("the combination is kept"),
        "{}",
        r.description
    );
}

#[test]
fn work_runs_on_a_worker_thread_and_the_ui_keeps_drawing() {
    let dir = tempfile::tempdir().unwrap();
    let wb = common::workbench(dir.path(), None, Runner::Threaded, |_| {});
    let mut h = Harness::builder()
        .with_size([1400.0, 1000.0])
        .build_ui_state(|ui, wb: &mut Workbench| wb.ui(ui), wb);
    let mut frames = 0;
    let mut quick_seen = false;
    // A quick ETS forecast comes first, while Auto's backtests run; Auto's replaces it.
    while (h.state().is_busy() || h.state().forecast.result.is_none()) && frames < 6000 {
        h.step();
        frames += 1;
        if h.state().forecast.result.as_ref().is_some_and(|r| r.quick) && !quick_seen {
            quick_seen = true;
            assert!(h.state().is_busy(), "Auto still runs behind the quick forecast");
            assert_eq!(h.state().forecast.result.as_ref().unwrap().forecast.model, "ets");
            h.get_by_label_contains("On screen: a quick ets forecast — Auto is still comparing models");
            h.get_by_label_contains("Next 28 days (");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(quick_seen, "a quick forecast was shown first");
    let r = h.state().forecast.result.as_ref().expect("the worker finished");
    assert!(!r.quick && r.forecast.model == "auto", "{}", r.forecast.model);
    assert!(!h.state().is_busy());
    h.get_by_label_contains("Model: scum, chosen by Auto among");
}

#[test]
fn a_superseded_load_never_overwrites_the_newer_one() {
    let dir = tempfile::tempdir().unwrap();
    let platform = horizon::app::platform::FolderPlatform {
        dir: dir.path().to_path_buf(),
        to_open: None,
    };
    // Inline jobs finish at once, but their messages wait until the next poll: two loads in a
    // row arrive in order, and only the second may stand.
    let mut wb = Workbench::new(Box::new(platform), Runner::Inline);
    let first = std::sync::Arc::new(b"date,sales\n2024-01-01,1\n2024-01-02,2\n".to_vec());
    let second = std::sync::Arc::new(std::fs::read("sample_data/books_weekly.csv").unwrap());
    wb.load_bytes("first.csv".into(), first);
    wb.load_bytes("books_weekly.csv".into(), second);
    wb.poll();
    wb.poll();
    assert_eq!(wb.data.loaded.as_ref().unwrap().name, "books_weekly.csv");
    let r = wb.forecast.result.as_ref().expect("the forecast of the second file");
    assert!(r.id_columns.contains(&"ISBN".to_string()), "{:?}", r.id_columns);
    assert!(!wb.is_busy());
}

use eframe::egui;

#[test]
fn generate_sample_data_with_chosen_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), None, Runner::Inline);
    common::click(&mut h, "Generate sample data");
    // The preview and the size follow the parameters.
    h.get_by_label_contains("6 series × 730 days = 4380 rows");
    // Type new values, as into a spreadsheet cell.
    for (label, value) in [("Stores", "1"), ("Products", "4")] {
        common::click(&mut h, label);
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        h.get_by_label(label).type_text(value);
        h.key_press(egui::Key::Enter);
        h.run();
    }
    h.get_by_label_contains("4 series × 730 days = 2920 rows");
    common::click(&mut h, "Generate");
    let panel = h.state().panel().expect("generated data loaded").clone();
    assert_eq!(panel.series.len(), 4);
    assert_eq!(panel.n_obs(), 4 * 730);
    assert!(h.state().forecast.result.is_some(), "and forecast like a file");
    // Too big for the workbench: Generate is off and says why.
    h.state_mut().settings.sample.stores = 50;
    h.state_mut().settings.sample.products = 100;
    h.run();
    h.get_by_label_contains("At most 2000000 rows");
    assert!(h.get_by_label("Generate").accesskit_node().is_disabled());
}

/// Long work as the browser runs it (steps between frames): the comparison shows a progress
/// bar that moves, and Cancel stops it before the next model; no result appears.
#[test]
fn a_long_comparison_shows_progress_and_can_be_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), None, Runner::Stepped);
    // One step per frame, so the test does not depend on this machine's speed.
    h.state_mut().tasks.step_budget = std::time::Duration::ZERO;
    common::click(&mut h, "Compare models");
    for m in ["Compare drift", "Compare arima", "Compare mstl", "Compare prophet"] {
        common::click(&mut h, m);
    }
    h.get_by_label("Run comparison").click();
    h.step();
    h.step();
    common::cancel_midway(&mut h, "comparison", 6);
    assert!(
        h.state().compare.comparison.is_none(),
        "a cancelled comparison shows nothing"
    );
    assert!(!h.state().is_busy());
    // The workbench goes on: the next comparison runs to the end.
    h.get_by_label("Compare arima").click();
    h.get_by_label("Compare mstl").click();
    common::click(&mut h, "Compare prophet");
    common::click(&mut h, "Run comparison");
    let c = h.state().compare.comparison.clone().expect("a comparison");
    assert_eq!(c.rows.len(), 3);
}

/// A composite model (the ensemble) is forecast one fit per frame in the browser's mode: the
/// progress bar counts fits, and the result is the same as computed at once.
#[test]
fn an_ensemble_forecast_runs_one_fit_per_frame() {
    let dir = tempfile::tempdir().unwrap();
    let mut at_once = harness(dir.path(), None, Runner::Inline);
    at_once.state_mut().settings.model = "ensemble".parse().unwrap();
    at_once.state_mut().run_forecast();
    at_once.run();
    let expected = at_once.state().forecast.result.clone().expect("a forecast").forecast;

    let mut h = harness(dir.path(), None, Runner::Stepped);
    h.state_mut().tasks.step_budget = std::time::Duration::ZERO;
    h.state_mut().settings.model = "ensemble".parse().unwrap();
    h.state_mut().run_forecast();
    let mut seen = Vec::new();
    for _ in 0..200 {
        h.step();
        match h.state().tasks.running().find(|t| t.what == "forecast") {
            Some(t) => seen.push(t.done),
            None => break,
        }
    }
    assert!(seen.len() >= 10, "fits seen frame by frame: {seen:?}");
    assert!(seen.windows(2).all(|w| w[1] >= w[0]), "{seen:?}");
    let got = h.state().forecast.result.clone().expect("a forecast").forecast;
    assert!(
        got.forecast == expected.forecast,
        "the stepped ensemble differs from the one-go fit"
    );
    assert_eq!(got.model, "ensemble");
}
