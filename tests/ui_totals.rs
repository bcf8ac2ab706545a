//! Totals that add up, as a planner uses them: *Show totals* lists the total, each store,
//! each product and every series; the total's forecast is made of its parts (the numbers on
//! screen add up), picking a part shows it at once from the same reconciled set, and the
//! method can be changed.

use egui_kittest::kittest::Queryable;
mod common;

use horizon::app::Runner;
use horizon_core::headline::people;

fn expected(r: &horizon::app::forecast::ResultView) -> f64 {
    r.forecast.forecast.point.iter().sum()
}

#[test]
fn the_total_is_made_of_its_parts_and_each_part_shows_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wb = common::workbench(dir.path(), None, Runner::Inline, |wb| {
        wb.settings.model = "ets".parse().expect("a model");
    });
    let mut h = common::harness(wb, [1280.0, 800.0]);
    common::click(&mut h, "Show totals");
    let total = h.state().forecast.result.clone().expect("the total's forecast");
    h.get_by_label("Total — sales forecast");
    let t = total.totals.clone().expect("a level of the totals");
    // The total of the sample (2 stores) is made of the two stores, and they add up.
    let names: Vec<&str> = t.parts.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(names, ["S01 (all product_id)", "S02 (all product_id)"]);
    let sum: f64 = t.parts.iter().map(|p| p.expected).sum();
    assert!(
        (sum - expected(&total)).abs() <= 1e-9 * sum,
        "{sum} vs {}",
        expected(&total)
    );
    h.get_by_label_contains(&format!(
        "Made of S01 (all product_id) {} + S02 (all product_id) {} = {} expected.",
        people(t.parts[0].expected),
        people(t.parts[1].expected),
        people(expected(&total))
    ));
    h.get_by_label_contains("Totals add up:");
    // Every level is in the list: 1 total, 2 stores, 3 products, 6 series.
    h.get_by_label("Series (12)");
    // A store, from the same reconciled set: its forecast is the part the total showed.
    h.get_by_label("S01 (all product_id)").click();
    h.run();
    let store = h.state().forecast.result.clone().expect("the store's forecast");
    assert_eq!(
        store.totals.as_ref().map(|t| t.title.as_str()),
        Some("S01 (all product_id)")
    );
    assert_eq!(expected(&store), t.parts[0].expected);
    let parts = store.totals.clone().expect("a level").parts;
    assert_eq!(parts.len(), 3, "the store's three products");
    let sum: f64 = parts.iter().map(|p| p.expected).sum();
    assert!((sum - expected(&store)).abs() <= 1e-9 * sum);
    // Bottom-up: a series' forecast is its own forecast alone, and the total adds them up.
    common::click(&mut h, "add up by");
    h.get_by_label("bottom-up").click();
    h.run();
    h.get_by_label("S01 / P001").click();
    h.run();
    let series = h.state().forecast.result.clone().expect("a series' forecast");
    let panel = h.state().panel().cloned().expect("data");
    let (alone, _) = horizon_core::forecast::fit_predict(&panel.series[0], &"ets".parse().unwrap(), 28, &[80.0, 95.0])
        .expect("a plain forecast");
    assert_eq!(series.forecast.forecast.point, alone.point);
    // Off again: the list is the series alone.
    common::click(&mut h, "Show totals");
    h.get_by_label("Series (6)");
}
