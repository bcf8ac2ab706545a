//! More workbench flows through AccessKit: Auto's explained choice, the theme, recent files,
//! and every malformed file of the corpus opened through the UI.

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
mod common;

use chrono::{Datelike, Weekday};
use horizon::app::{Runner, Workbench};
use std::path::{Path, PathBuf};

fn harness(dir: &Path, to_open: Option<(String, Vec<u8>)>) -> Harness<'static, Workbench> {
    harness_with(dir, to_open, horizon_core::ModelSpec::Auto(Default::default()))
}

fn harness_with(
    dir: &Path,
    to_open: Option<(String, Vec<u8>)>,
    model: horizon_core::ModelSpec,
) -> Harness<'static, Workbench> {
    let wb = common::workbench(dir, to_open, Runner::Inline, |wb| wb.settings.model = model);
    common::harness(wb, [1400.0, 1000.0])
}

fn pick_model(h: &mut Harness<'static, Workbench>, spec: &horizon_core::ModelSpec) {
    common::click(h, "Model");
    common::click(h, &format!("{} — {}", spec.name(), spec.summary()));
}

/// Auto compares its candidates on the series' own history and shows the table: the chosen
/// model marked, every candidate with its backtest MASE, the lowest first.
#[test]
fn auto_shows_its_candidates_and_the_choice() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), None);
    pick_model(&mut h, &horizon_core::ModelSpec::Auto(Default::default()));
    common::click(&mut h, "Run forecast");
    let r = h.state().forecast.result.as_ref().expect("a forecast");
    assert_eq!(r.forecast.model, "auto");
    let (chosen, table) = r.candidates.clone().expect("Auto's candidates");
    assert_eq!(table.len(), 8, "{table:?}");
    let scores: Vec<f64> = table.iter().filter_map(|c| c.mase).collect();
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");
    assert!(
        r.description
            .starts_with(&format!("Auto: {chosen} chosen by backtest MASE"))
    );
    common::click(&mut h, "Model details");
    h.get_by_label("Auto: candidates and their backtest MASE");
    h.get_by_label(&format!("{chosen} (chosen)"));
    h.get_by_label(&format!("{:.3}", table[0].mase.expect("scored")));
}

/// The theme follows the user's pick at once and is remembered with the settings.
#[test]
fn the_theme_can_be_switched() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), None);
    for (pick, dark) in [("Dark", true), ("Light", false)] {
        common::click(&mut h, "Theme");
        common::click(&mut h, pick);
        h.run();
        assert_eq!(h.ctx.theme() == eframe::egui::Theme::Dark, dark, "{pick}");
        let json = serde_json::to_string(&h.state().settings).unwrap();
        assert!(json.contains(&format!("\"theme\":\"{pick}\"")), "{json}");
    }
}

/// A file opened from disk is listed under Recent files and opens again from there; one that
/// has gone since says so and leaves the list.
#[test]
fn recent_files_open_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("weekly_sales.csv");
    let mut csv = String::from("week,sales\n");
    for k in 0..60 {
        let d = chrono::NaiveDate::from_ymd_opt(2023, 1, 2).unwrap() + chrono::Days::new(7 * k);
        csv.push_str(&format!("{d},{}\n", 100 + (k * 7) % 13));
    }
    std::fs::write(&path, &csv).unwrap();
    let name = path.display().to_string();
    let mut h = harness(dir.path(), Some((name.clone(), csv.into_bytes())));
    common::click(&mut h, "Open file…");
    assert_eq!(h.state().settings.recent, vec![name.clone()]);
    common::click(&mut h, "Load sample data");
    assert_eq!(h.state().data.loaded.as_ref().unwrap().name, "sample retail data");
    // The sample is no file: the list keeps only the CSV.
    assert_eq!(h.state().settings.recent, vec![name.clone()]);
    common::click(&mut h, "Recent files");
    common::click(&mut h, "Open weekly_sales.csv");
    h.run();
    assert_eq!(h.state().data.loaded.as_ref().unwrap().name, name);
    assert!(h.state().forecast.result.is_some());
    std::fs::remove_file(&path).unwrap();
    common::click(&mut h, "Open weekly_sales.csv");
    h.run();
    assert!(
        h.state().status.starts_with(&format!("cannot read {name}")),
        "{}",
        h.state().status
    );
    assert!(h.state().settings.recent.is_empty());
}

/// Every malformed file of the corpus, opened through the UI as a user would: the app shows
/// the validation report (an error stops the forecast, a warning doesn't), never panics, and
/// the sample still loads afterwards.
#[test]
fn the_malformed_corpus_through_the_ui_never_crashes() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let expected = std::fs::read_to_string(corpus.join("EXPECTED.tsv")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut seen = 0;
    for line in expected.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (file, severity) = (f[0], f[1]);
        let bytes = std::fs::read(corpus.join(file)).unwrap();
        // A quick model: this test is about reading files.
        let mut h = harness_with(
            dir.path(),
            Some((file.to_string(), bytes)),
            horizon_core::ModelSpec::SeasonalNaive(Default::default()),
        );
        common::click(&mut h, "Open file…");
        h.run();
        let wb = h.state();
        let data = wb
            .data
            .loaded
            .as_ref()
            .unwrap_or_else(|| panic!("{file}: nothing loaded"));
        assert_eq!(data.name, file);
        let report = &data.ingested.report;
        h.get_by_label_contains(&format!(
            "Validation: {} error(s), {} warning(s)",
            report.error_count(),
            report.warning_count()
        ));
        if severity == "Error" {
            assert!(wb.forecast.result.is_none(), "{file}: forecast despite an error");
            assert!(wb.status.contains("error(s) — fix them"), "{file}: {}", wb.status);
        } else {
            assert!(report.warning_count() > 0, "{file}: no warning shown");
        }
        common::click(&mut h, "Load sample data");
        assert!(
            h.state().forecast.result.is_some(),
            "{file}: the sample no longer loads"
        );
        seen += 1;
    }
    assert!(seen >= 30, "only {seen} corpus files");
}

/// Several forecasts on one plot: a kept forecast stays next to the next model's, both in the
/// legend; the same forecast is kept once; another series starts afresh.
#[test]
fn forecasts_can_be_kept_on_the_plot_and_compared() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_with(dir.path(), None, horizon_core::ModelSpec::Ets(Default::default()));
    common::click(&mut h, "Keep on plot");
    assert!(
        h.get_by_label("Keep on plot").accesskit_node().is_disabled(),
        "the shown model is kept already"
    );
    pick_model(&mut h, &horizon_core::ModelSpec::Drift);
    common::click(&mut h, "Run forecast");
    let wb = h.state();
    assert_eq!(wb.forecast.result.as_ref().unwrap().forecast.model, "drift");
    assert_eq!(
        wb.forecast.kept.iter().map(|k| k.model.as_str()).collect::<Vec<_>>(),
        ["ets"]
    );
    h.get_by_label("forecast (ets)");
    h.get_by_label("forecast (drift)");
    h.get_by_label("95% interval (ets)");
    common::click(&mut h, "Keep on plot");
    assert_eq!(h.state().forecast.kept.len(), 2);
    common::click(&mut h, "Clear kept forecasts");
    assert!(h.state().forecast.kept.is_empty());
    assert!(h.query_by_label("forecast (ets)").is_none());
    // Kept forecasts belong to their series.
    common::click(&mut h, "Keep on plot");
    common::click(&mut h, "S02 / P003");
    assert!(h.state().forecast.kept.is_empty());
}

/// A validation issue names its row; a click on it opens the data preview on that row, marked,
/// and the cells show what is wrong there. Fixing the file by hand (here: the column mapping)
/// then lets the forecast run.
#[test]
fn a_click_on_an_issue_shows_its_row_in_the_data_preview() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("date,sales\n");
    for d in 1..=200 {
        let date = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(d - 1);
        let date = if d == 150 {
            "2024-05-3X".to_string()
        } else {
            date.to_string()
        };
        csv.push_str(&format!("{date},{d}\n"));
    }
    let mut h = harness_with(
        dir.path(),
        Some(("broken.csv".into(), csv.into_bytes())),
        horizon_core::ModelSpec::Naive,
    );
    common::click(&mut h, "Open file…");
    let line = "broken.csv:row 151, column 'date': error: '2024-05-3X' is not a date (YYYY-MM-DD)";
    common::click(&mut h, line);
    h.run();
    let wb = h.state();
    let rows = wb.data.loaded.as_ref().unwrap().rows.clone().expect("a row index");
    assert_eq!(rows.len(), 200);
    let marked = wb.data.preview_row.expect("a marked row");
    assert_eq!(rows.row_number(marked), Some(151));
    h.get_by_label_contains("Data preview (200 rows)");
    h.get_by_label("Row 151 is marked.");
    // The table scrolled to it: the bad cell is on screen.
    h.get_by_label("2024-05-3X");
}

/// Two columns copied from a spreadsheet fill the grid, are checked at once, and forecast.
#[test]
fn rows_pasted_from_a_spreadsheet_fill_the_grid() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_with(dir.path(), None, horizon_core::ModelSpec::Naive);
    common::click(&mut h, "Enter sales by hand");
    h.get_by_label("Paste from a spreadsheet").scroll_to_me();
    h.run();
    common::click(&mut h, "Paste from a spreadsheet");
    h.get_by_label("Pasted rows").scroll_to_me();
    h.run();
    let pasted: String = (1..=10).map(|d| format!("2024-02-{d:02}\t{}\n", 20 + d)).collect();
    // What Ctrl+V delivers: the clipboard's text in one paste event.
    h.get_by_label("Pasted rows").focus();
    h.run();
    h.event(eframe::egui::Event::Paste(pasted));
    h.run();
    assert!(!h.state().data.manual.pasted.is_empty(), "nothing pasted");
    h.get_by_label("Fill the grid").scroll_to_me();
    h.run();
    common::click(&mut h, "Fill the grid");
    let g = &h.state().data.manual;
    assert_eq!(g.rows.len(), 10);
    assert_eq!(
        (g.rows[9].date.as_str(), g.rows[9].value.as_str()),
        ("2024-02-10", "30")
    );
    assert!(!g.report.has_errors(), "{:?}", g.report.lines());
    h.get_by_label("Forecast these values").scroll_to_me();
    h.run();
    common::click(&mut h, "Forecast these values");
    h.run();
    let r = h
        .state()
        .forecast
        .result
        .as_ref()
        .expect("a forecast of the pasted rows");
    assert_eq!(r.history.values.len(), 10);
}

/// A model's main options: ARIMA with pinned orders and a season the user gives (here 14 days
/// instead of the week), shown in the fitted model's description.
#[test]
fn arima_orders_and_the_season_can_be_given() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_with(dir.path(), None, horizon_core::ModelSpec::Naive);
    pick_model(&mut h, &horizon_core::ModelSpec::AUTO_ARIMA);
    common::click(&mut h, "Pin orders");
    common::click(&mut h, "auto");
    assert_eq!(
        h.state().settings.season,
        Some(7),
        "unticking starts from the calendar's season"
    );
    h.state_mut().settings.season = Some(14);
    h.run();
    common::click(&mut h, "Run forecast");
    let r = h.state().forecast.result.as_ref().expect("a forecast");
    assert!(
        r.description
            .starts_with("ARIMA(1,1,1)(0,1,1)[14] with the orders as set"),
        "{}",
        r.description
    );
    // Back to automatic orders and the calendar's season.
    common::click(&mut h, "Pin orders");
    common::click(&mut h, "auto");
    common::click(&mut h, "Run forecast");
    let r = h.state().forecast.result.as_ref().expect("a forecast");
    assert!(
        r.description.contains("chosen by a stepwise AICc search"),
        "{}",
        r.description
    );
    assert_eq!(h.state().settings.season, None);
}

/// Compare two models and the ensemble on the selected series: the table has a row for each
/// (the ensemble's included), and their backtest forecasts can be shown on the plot, dashed,
/// one legend entry per model, over the dates they forecast.
#[test]
fn two_models_and_the_ensemble_compared_with_their_backtests_on_the_plot() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_with(dir.path(), None, horizon_core::ModelSpec::Naive);
    common::click(&mut h, "Compare models");
    // Seasonal naive and ETS are ticked at first; add the ensemble.
    common::click(&mut h, "Compare ensemble");
    common::click(&mut h, "Run comparison");
    h.run();
    let c = h.state().compare.comparison.clone().expect("a comparison");
    let models: Vec<&str> = c.rows.iter().map(|r| r.model.as_str()).collect();
    assert_eq!(models, ["seasonal-naive", "ets", "ensemble"]);
    for r in &c.rows {
        assert_eq!((r.n_ok, r.n), (3, 3), "{}", r.model);
        h.get_by_label(&format!("{:.3}", r.mase));
    }
    assert_eq!(c.backtests.len(), 9, "three origins of three models");
    let history = h.state().forecast.result.as_ref().unwrap().history.clone();
    for b in &c.backtests {
        assert_eq!(b.dates.len(), 28);
        let start = history
            .dates
            .iter()
            .position(|d| *d == b.dates[0])
            .expect("inside the history");
        assert_eq!(&history.dates[start..start + 28], &b.dates[..]);
    }
    assert!(h.query_by_label("backtest (ensemble)").is_none());
    common::click(&mut h, "Show backtest forecasts on the plot");
    for m in ["seasonal-naive", "ets", "ensemble"] {
        h.get_by_label(&format!("backtest ({m})"));
    }
}

/// A Parquet file of order lines opens in the aggregation dialog with its guesses; the user
/// picks weekly sums, and the weekly sales load like a CSV file (same validation, same
/// forecast). A CSV already loaded can be aggregated the same way (here per month).
#[test]
fn parquet_order_lines_are_aggregated_in_a_dialog() {
    use horizon_tabular::Period;
    let (panel, lines, bytes) = common::order_lines_parquet(2, 1, 300);
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), Some(("orders.parquet".into(), bytes)));
    common::open_file(&mut h);
    let d = h.state().data.transactions.as_ref().expect("the aggregation dialog");
    assert_eq!(d.agg.date, "ordered_at");
    assert_eq!(d.agg.value.as_deref(), Some("quantity"));
    h.get_by_label("ordered_at");
    common::click(&mut h, "Week");
    assert_eq!(h.state().data.transactions.as_ref().unwrap().agg.period, Period::Week);
    common::click(&mut h, "Aggregate and load");
    h.run();
    h.run();
    assert!(h.state().data.transactions.is_none(), "{}", h.state().status);
    let data = h.state().data.loaded.as_ref().expect("loaded");
    assert!(
        data.name.starts_with("orders.parquet — Sum of 'quantity' per week"),
        "{}",
        data.name
    );
    let weekly = data.panel.as_ref().expect("a panel");
    assert_eq!(weekly.freq, horizon_core::Frequency::Weekly);
    assert_eq!(weekly.series.len(), 2);
    // The orders run from the first to the last day with a sale; the weeks they cover only in
    // part are left out, and the note says which.
    let days = || {
        panel
            .series
            .iter()
            .flat_map(|s| s.dates.iter().zip(&s.values))
            .filter(|(_, v)| **v > 0.0)
    };
    let (first, last) = (days().map(|d| *d.0).min().unwrap(), days().map(|d| *d.0).max().unwrap());
    let monday = |d: chrono::NaiveDate| d - chrono::Days::new(d.weekday().num_days_from_monday().into());
    let whole = |d: &chrono::NaiveDate| {
        (first == monday(first) || monday(*d) > monday(first))
            && (last.weekday() == Weekday::Sun || monday(*d) < monday(last))
    };
    let units: f64 = days().filter(|(d, _)| whole(d)).map(|(_, v)| v).sum();
    let weekly_units: f64 = weekly.series.iter().flat_map(|s| &s.values).sum();
    assert_eq!(units, weekly_units);
    // What the aggregation did stays under the file's name (the status line moves on).
    let note = format!("{lines} rows aggregated into 2 series");
    let shown = data.note.clone().unwrap_or_default();
    assert!(shown.starts_with(&note), "{shown}");
    assert!(
        shown.contains(&format!("Left out the week of {}", monday(first))),
        "{shown}"
    );
    h.get_by_label(&shown);
    assert!(h.state().forecast.result.is_some(), "the weekly sales are forecast");
    // Re-read (as after a column option changed), the same data keeps its note.
    let before = data.panel.clone().expect("a panel");
    h.state_mut().reload();
    h.run();
    h.run();
    h.run();
    let data = h.state().data.loaded.as_ref().expect("reloaded");
    let after = data.panel.clone().expect("a panel");
    assert!(!std::sync::Arc::ptr_eq(&before, &after), "read again");
    assert_eq!(data.note.as_deref(), Some(shown.as_str()));

    // The bundled sample (a CSV) per month.
    common::click(&mut h, "Load sample data");
    h.run();
    assert!(
        h.state().data.loaded.as_ref().is_some_and(|d| d.note.is_none()),
        "another file has no aggregation note"
    );
    common::click(&mut h, "Aggregate transactions…");
    h.run();
    common::click(&mut h, "Month");
    common::click(&mut h, "Aggregate and load");
    h.run();
    h.run();
    let monthly = h.state().panel().expect("monthly panel");
    assert_eq!(monthly.freq, horizon_core::Frequency::Monthly);
    assert_eq!(monthly.series.len(), 6);
    // The sample ends on 30 December 2024: its last month is partial and left out.
    assert_eq!(monthly.series[0].len(), 23);
    let note = h
        .state()
        .data
        .loaded
        .as_ref()
        .and_then(|d| d.note.clone())
        .unwrap_or_default();
    assert!(
        note.contains("Left out the month of 2024-12-01 (30 of 31 days)"),
        "{note}"
    );
}
