//! The stakeholder view, as a sales manager uses it: the headline in plain words above the
//! plot (numbers checked against the forecast on screen), the model's internals tucked into
//! *Model details*, the accuracy of a model the user picked measured in the background, and
//! presentation mode (Present, then Esc).

use eframe::egui;
use egui_kittest::kittest::Queryable;
mod common;

use horizon::app::Runner;
use horizon_core::headline::people;

#[test]
fn the_headline_states_the_forecast_on_screen_in_plain_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wb = common::workbench(dir.path(), None, Runner::Inline, |_| {});
    let mut h = common::harness(wb, [1280.0, 800.0]);
    let r = h.state().forecast.result.clone().expect("a forecast on start");
    // The total and its own 95 % range are the forecast's numbers, written for people; the
    // range is well inside the days' bounds added up (the errors of 28 days partly cancel).
    let total: f64 = r.forecast.forecast.point.iter().sum();
    let range = r.forecast.forecast.total_range(95.0).expect("a 95 % range");
    let band = r.forecast.forecast.interval(95.0).expect("a 95 % band");
    let (sum_lo, sum_hi): (f64, f64) = (band.lower.iter().sum(), band.upper.iter().sum());
    assert!(
        range.lower > sum_lo && range.upper < sum_hi,
        "{range:?} inside {sum_lo}..{sum_hi}"
    );
    let (lo, hi) = (range.lower, range.upper);
    let first = format!(
        "Next 28 days ({}): {} expected, 95 % range {} to {}.",
        horizon_core::headline::date_span(r.history.freq, r.forecast.dates[0], r.forecast.dates[27]),
        people(total),
        people(lo),
        people(hi)
    );
    h.get_by_label(&first);
    // Against the 28 days before, with the history's own numbers.
    let before: f64 = r.history.values[r.history.len() - 28..].iter().sum();
    let change = (total / before - 1.0) * 100.0;
    let word = if change > 0.0 { "more" } else { "less" };
    h.get_by_label_contains(&format!("than the 28 days before ({})", people(before)));
    h.get_by_label_contains(&format!("% {word} than"));
    // Auto's own backtest gives the accuracy; the model's internals are not in the way.
    h.get_by_label_contains("In its backtest this model was typically within ±");
    assert!(h.query_by_label_contains("sigma2").is_none() && h.query_by_label_contains("AICc").is_none());
    assert!(h.query_by_label("Auto: candidates and their backtest MASE").is_none());
    common::click(&mut h, "Model details");
    h.get_by_label("Auto: candidates and their backtest MASE");
    h.get_by_label_contains("chosen by backtest MASE");
}

#[test]
fn a_picked_model_gets_its_accuracy_measured_after_its_forecast() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wb = common::workbench(dir.path(), None, Runner::Inline, |_| {});
    let mut h = common::harness(wb, [1280.0, 800.0]);
    common::click(&mut h, "Model");
    h.get_by_label_contains("seasonal-naive —").click();
    h.run();
    common::click(&mut h, "Run forecast");
    let r = h.state().forecast.result.clone().expect("a forecast");
    assert_eq!(r.forecast.model, "seasonal-naive");
    // The backtest Auto would run for it, done as its own task after the forecast.
    let expected = horizon_core::models::auto::backtest_score(&r.history, &"seasonal-naive".parse().unwrap())
        .and_then(|s| s.mae)
        .expect("a backtest");
    let mae = r.backtest_mae.expect("measured");
    assert!((mae - expected).abs() < 1e-9, "{mae} vs {expected}");
    h.get_by_label("Model: seasonal-naive.");
    h.get_by_label_contains("In its backtest this model was typically within ±");
}

#[test]
fn presentation_mode_shows_the_headline_and_plot_alone_and_esc_leaves_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wb = common::workbench(dir.path(), None, Runner::Inline, |_| {});
    let mut h = common::harness(wb, [1280.0, 800.0]);
    assert!(h.query_by_label("Registry location").is_some());
    common::click(&mut h, "Present");
    assert!(h.state().presenting);
    for gone in [
        "Registry location",
        "Open file…",
        "Run forecast",
        "Model details",
        "Keep on plot",
    ] {
        assert!(h.query_by_label(gone).is_none(), "{gone} is hidden while presenting");
    }
    h.get_by_label_contains("Next 28 days (");
    h.get_by_label("Leave presentation");
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(!h.state().presenting);
    h.get_by_label("Registry location");
    h.get_by_label("Run forecast");
}

#[test]
fn export_report_writes_one_html_file_with_the_headline_plot_and_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wb = common::workbench(dir.path(), None, Runner::Inline, |_| {});
    let mut h = common::harness(wb, [1280.0, 800.0]);
    let r = h.state().forecast.result.clone().expect("a forecast");
    let headline = r.headline().expect("a headline").lines();
    common::click(&mut h, "Export report");
    let saved = h.state().last_saved.clone().expect("saved");
    let name = std::path::Path::new(&saved)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with("report_S01_P001_") && name.ends_with(".html"),
        "{name}"
    );
    let page = std::fs::read_to_string(&saved).expect("the report");
    assert!(page.starts_with("<!DOCTYPE html>") && !page.contains("<script"));
    assert!(page.contains("<h2>S01 / P001 — sales forecast</h2>"));
    for line in headline {
        assert!(page.contains(&format!("<p>{line}</p>")), "{line}");
    }
    assert!(page.contains("<svg ") && page.contains("<title>forecast</title>"));
    // One table row per forecast date, with the forecast written as the headline writes it.
    assert_eq!(page.matches("<tr><td>").count(), 28);
    let first = format!(
        "<tr><td>{}</td><td>{}</td>",
        r.forecast.dates[0],
        people(r.forecast.forecast.point[0])
    );
    assert!(page.contains(&first), "{first}");
}

#[test]
fn a_plan_edited_in_the_workbench_moves_the_forecast_and_the_headline_gives_its_uplift() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wb = common::workbench(dir.path(), None, Runner::Inline, |wb| {
        wb.settings.model = "gbm".parse().expect("a model");
    });
    let mut h = common::harness(wb, [1280.0, 800.0]);
    assert!(h.state().forecast.result.as_ref().is_some_and(|r| r.baseline.is_none()));
    common::click(&mut h, "What-if plan");
    common::click(&mut h, "Add plan line");
    // The new line: a promotion (1) on days 8-14 of the forecast, for the series on screen.
    let line = h.state().settings.plan[0].clone();
    assert_eq!((line.driver.as_str(), line.value), ("promotion", 1.0));
    let days = h
        .state()
        .forecast
        .result
        .as_ref()
        .expect("a forecast")
        .forecast
        .dates
        .clone();
    assert_eq!((line.first, line.last), (days[7], days[13]));
    common::click(&mut h, "Apply plan");
    let r = h.state().forecast.result.clone().expect("a forecast with the plan");
    let base = r.baseline.clone().expect("the forecast without the plan");
    // Before the plan's days nothing changes; on them a promotion sells more.
    assert_eq!(r.forecast.forecast.point[..7], base.point[..7]);
    let (with, without): (f64, f64) = (
        r.forecast.forecast.point[7..14].iter().sum(),
        base.point[7..14].iter().sum(),
    );
    assert!(with > without, "{with} vs {without}");
    let u = r.uplift().expect("an uplift");
    h.get_by_label(&u.line());
    assert!(u.line().contains("more than without it (+"), "{}", u.line());
    h.get_by_label_contains("Plan: promotion = 1 from");
    // The report carries the uplift; an ETS forecast says the plan is not applied.
    assert!(h.state().forecast.report().is_some());
    h.state_mut().settings.model = "ets".parse().expect("a model");
    // A frame with the new model picked, then Run.
    h.run();
    common::click(&mut h, "Run forecast");
    let r = h.state().forecast.result.clone().expect("a forecast");
    assert_eq!(r.forecast.model, "ets");
    assert!(
        r.plan_notes
            .iter()
            .any(|n| n.starts_with("The plan is not applied: ets does not learn from drivers")),
        "{:?}",
        r.plan_notes
    );
    h.get_by_label_contains("The plan is not applied: ets does not learn from drivers");
    assert!(h.state().forecast.result.as_ref().is_some_and(|r| r.baseline.is_none()));
    // Clear plan: gone from the settings, the forecast is the plain one.
    common::click(&mut h, "Clear plan");
    assert!(h.state().settings.plan.is_empty());
}

/// Seven days typed by hand alone give a flat forecast, and the headline says why; added to a
/// series of the data they are forecast with its history and weekly pattern.
#[test]
fn a_typed_week_added_to_a_series_gets_its_weekly_pattern() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wb = common::workbench(dir.path(), None, Runner::Inline, |wb| {
        wb.settings.model = "ets".parse().expect("a model");
    });
    let mut h = common::harness(wb, [1280.0, 1000.0]);
    // The week after the sample's last day, typed as a planner would.
    let last = h.state().panel().expect("the sample").series[0]
        .dates
        .last()
        .copied()
        .expect("dates");
    let week: Vec<String> = (1..=7).map(|k| (last + chrono::Days::new(k)).to_string()).collect();
    common::click(&mut h, "Enter sales by hand");
    for (k, (date, value)) in week.iter().zip([9, 8, 9, 10, 12, 15, 11]).enumerate() {
        let row = &mut h.state_mut().data.manual.rows[k];
        row.date = date.clone();
        row.value = value.to_string();
    }
    h.state_mut().data.manual.validate();
    h.run();
    // Alone: seven values, no weekly pattern to learn, and the headline says so.
    h.get_by_label("Forecast these values").scroll_to_me();
    h.run();
    common::click(&mut h, "Forecast these values");
    let alone = h.state().forecast.result.clone().expect("a forecast of the typed week");
    assert_eq!(alone.history.len(), 7);
    h.get_by_label_contains("Only 7 days of sales: too few to learn a weekly pattern");
    // The sample again, and the same week added to S01 / P001.
    common::click(&mut h, "Load sample data");
    common::click(&mut h, "Add to");
    // The series list has one too: the combo box's entry is the last drawn.
    h.get_all_by_label("S01 / P001").last().expect("an entry").click();
    h.run();
    assert_eq!(
        h.state().data.manual_target.as_deref(),
        Some(&["S01".to_string(), "P001".to_string()][..])
    );
    for (k, date) in week.iter().enumerate() {
        h.state_mut().data.manual.rows[k].date = date.clone();
    }
    h.state_mut().data.manual.validate();
    h.run();
    h.get_by_label("Forecast these values").scroll_to_me();
    h.run();
    common::click(&mut h, "Forecast these values");
    let r = h
        .state()
        .forecast
        .result
        .clone()
        .expect("a forecast of the extended series");
    assert_eq!(r.history.key, ["S01", "P001"]);
    let n = r.history.len();
    assert_eq!(r.history.values[n - 7..], [9.0, 8.0, 9.0, 10.0, 12.0, 15.0, 11.0]);
    // ETS with the series' history: a weekly pattern, not a flat line.
    let week1 = &r.forecast.forecast.point[..7];
    let spread = week1.iter().copied().fold(f64::MIN, f64::max) - week1.iter().copied().fold(f64::MAX, f64::min);
    assert!(spread > 1.0, "{week1:?}");
    assert!(h.query_by_label_contains("Only 7 days of sales").is_none());
    // A just-trained global model (GBM: lags, calendar, ids, over every series) on the same data.
    h.state_mut().settings.model = "gbm".parse().expect("a model");
    h.run();
    common::click(&mut h, "Run forecast");
    let g = h.state().forecast.result.clone().expect("the GBM's forecast");
    assert_eq!(g.forecast.model, "gbm");
    assert_eq!(
        g.history.values[g.history.len() - 7..],
        [9.0, 8.0, 9.0, 10.0, 12.0, 15.0, 11.0]
    );
    let week1 = &g.forecast.forecast.point[..7];
    let spread = week1.iter().copied().fold(f64::MIN, f64::max) - week1.iter().copied().fold(f64::MAX, f64::min);
    assert!(spread > 1.0, "the GBM's week follows a pattern: {week1:?}");
    assert!(
        h.state().status.contains("typed day(s) of S01 / P001")
            || h.state()
                .data
                .loaded
                .as_ref()
                .is_some_and(|d| d.name.contains("+ 7 typed day(s) of S01 / P001"))
    );
}
