//! More workbench flows through AccessKit: Auto's explained choice, the theme, recent files,
//! and every malformed file of the corpus opened through the UI.

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use horizon::app::platform::FolderPlatform;
use horizon::app::{Runner, Workbench};
use std::path::{Path, PathBuf};

fn harness(dir: &Path, to_open: Option<(String, Vec<u8>)>) -> Harness<'static, Workbench> {
    harness_with(dir, to_open, horizon_core::ModelSpec::Auto { candidates: None })
}

fn harness_with(
    dir: &Path,
    to_open: Option<(String, Vec<u8>)>,
    model: horizon_core::ModelSpec,
) -> Harness<'static, Workbench> {
    let platform = FolderPlatform {
        dir: dir.to_path_buf(),
        to_open,
    };
    let mut wb = Workbench::new(Box::new(platform), Runner::Inline);
    wb.settings.model = model;
    wb.load_sample();
    let mut h = Harness::builder()
        .with_size([1400.0, 1000.0])
        .build_ui_state(|ui, wb: &mut Workbench| wb.ui(ui), wb);
    h.run();
    h
}

fn pick_model(h: &mut Harness<'static, Workbench>, spec: &horizon_core::ModelSpec) {
    h.get_by_label("Model").click();
    h.run();
    h.get_by_label(&format!("{} — {}", spec.name(), spec.summary())).click();
    h.run();
}

/// Auto compares its candidates on the series' own history and shows the table: the chosen
/// model marked, every candidate with its backtest MASE, the lowest first.
#[test]
fn auto_shows_its_candidates_and_the_choice() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), None);
    pick_model(&mut h, &horizon_core::ModelSpec::Auto { candidates: None });
    h.get_by_label("Run forecast").click();
    h.run();
    let r = h.state().result.as_ref().expect("a forecast");
    assert_eq!(r.forecast.model, "auto");
    let (chosen, table) = r.candidates.clone().expect("Auto's candidates");
    assert_eq!(table.len(), 6, "{table:?}");
    let scores: Vec<f64> = table.iter().filter_map(|c| c.mase).collect();
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");
    assert!(
        r.description
            .starts_with(&format!("Auto: {chosen} chosen by backtest MASE"))
    );
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
        h.get_by_label("Theme").click();
        h.run();
        h.get_by_label(pick).click();
        h.run();
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
    h.get_by_label("Open CSV…").click();
    h.run();
    assert_eq!(h.state().settings.recent, vec![name.clone()]);
    h.get_by_label("Load sample data").click();
    h.run();
    assert_eq!(h.state().data.as_ref().unwrap().name, "sample retail data");
    // The sample is no file: the list keeps only the CSV.
    assert_eq!(h.state().settings.recent, vec![name.clone()]);
    h.get_by_label("Recent files").click();
    h.run();
    h.get_by_label("Open weekly_sales.csv").click();
    h.run();
    h.run();
    assert_eq!(h.state().data.as_ref().unwrap().name, name);
    assert!(h.state().result.is_some());
    std::fs::remove_file(&path).unwrap();
    h.get_by_label("Open weekly_sales.csv").click();
    h.run();
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
            horizon_core::ModelSpec::SeasonalNaive { season: None },
        );
        h.get_by_label("Open CSV…").click();
        h.run();
        h.run();
        let wb = h.state();
        let data = wb.data.as_ref().unwrap_or_else(|| panic!("{file}: nothing loaded"));
        assert_eq!(data.name, file);
        let report = &data.ingested.report;
        h.get_by_label_contains(&format!(
            "Validation: {} error(s), {} warning(s)",
            report.error_count(),
            report.warning_count()
        ));
        if severity == "Error" {
            assert!(wb.result.is_none(), "{file}: forecast despite an error");
            assert!(wb.status.contains("error(s) — fix them"), "{file}: {}", wb.status);
            assert!(h.query_by_label("Run forecast").is_some());
        } else {
            assert!(report.warning_count() > 0, "{file}: no warning shown");
        }
        h.get_by_label("Load sample data").click();
        h.run();
        assert!(h.state().result.is_some(), "{file}: the sample no longer loads");
        seen += 1;
    }
    assert!(seen >= 30, "only {seen} corpus files");
}

/// Several forecasts on one plot: a kept forecast stays next to the next model's, both in the
/// legend; keeping the same model again replaces it; another series starts afresh.
#[test]
fn forecasts_can_be_kept_on_the_plot_and_compared() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_with(dir.path(), None, horizon_core::ModelSpec::Ets { season: None });
    h.get_by_label("Keep on plot").click();
    h.run();
    assert!(
        h.get_by_label("Keep on plot").accesskit_node().is_disabled(),
        "the shown model is kept already"
    );
    pick_model(&mut h, &horizon_core::ModelSpec::Drift);
    h.get_by_label("Run forecast").click();
    h.run();
    let wb = h.state();
    assert_eq!(wb.result.as_ref().unwrap().forecast.model, "drift");
    assert_eq!(wb.kept.iter().map(|k| k.model.as_str()).collect::<Vec<_>>(), ["ets"]);
    h.get_by_label("forecast (ets)");
    h.get_by_label("forecast (drift)");
    h.get_by_label("95% interval (ets)");
    h.get_by_label("Keep on plot").click();
    h.run();
    assert_eq!(h.state().kept.len(), 2);
    h.get_by_label("Clear kept forecasts").click();
    h.run();
    assert!(h.state().kept.is_empty());
    assert!(h.query_by_label("forecast (ets)").is_none());
    // Kept forecasts belong to their series.
    h.get_by_label("Keep on plot").click();
    h.run();
    h.get_by_label("S02 / P003").click();
    h.run();
    assert!(h.state().kept.is_empty());
}
