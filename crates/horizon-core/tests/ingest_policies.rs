//! Ingestion policies end to end, on small hand-written files whose right answer is known:
//! duplicate aggregation (sum, mean), gap filling (zero, linear), exogenous columns, row numbers.

use horizon_core::data::{DuplicatePolicy, GapPolicy, IngestOptions, IssueKind, Severity, ingest_csv};

fn read(csv: &str, opts: &IngestOptions) -> horizon_core::data::Ingested {
    ingest_csv(csv.as_bytes(), "t.csv", opts)
}

const DUPLICATES: &str = "date,sales,price\n\
    2024-01-01,1,1.0\n\
    2024-01-02,2,2.0\n\
    2024-01-02,4,4.0\n\
    2024-01-02,9,9.0\n\
    2024-01-03,3,3.0\n";

#[test]
fn duplicates_are_summed_by_default_and_drivers_averaged() {
    let ing = read(DUPLICATES, &IngestOptions::default());
    let p = ing.panel.expect("usable");
    let s = &p.series[0];
    assert_eq!(s.values, vec![1.0, 15.0, 3.0]);
    // The price of a merged day is the mean of its three rows, not a running pairwise mean.
    assert_eq!(s.exog[0], vec![1.0, 5.0, 3.0]);
    assert_eq!(ing.stats.duplicates_merged, 2);
    let dup = ing
        .report
        .issues
        .iter()
        .find(|i| i.kind == IssueKind::Duplicate)
        .unwrap();
    assert_eq!((dup.severity, dup.row), (Severity::Warning, Some(4)));
}

#[test]
fn duplicates_can_be_averaged() {
    let opts = IngestOptions {
        duplicates: DuplicatePolicy::Mean,
        ..Default::default()
    };
    let p = read(DUPLICATES, &opts).panel.unwrap();
    assert_eq!(p.series[0].values, vec![1.0, 5.0, 3.0]);
}

const GAPPY: &str = "date,sales\n2024-01-01,2\n2024-01-04,8\n2024-01-05,10\n";

#[test]
fn gaps_are_zero_filled_by_default_or_interpolated() {
    let ing = read(GAPPY, &IngestOptions::default());
    assert_eq!(ing.panel.unwrap().series[0].values, vec![2.0, 0.0, 0.0, 8.0, 10.0]);
    assert_eq!(ing.stats.gaps_filled, 2);
    let opts = IngestOptions {
        gaps: GapPolicy::Linear,
        ..Default::default()
    };
    let ing = read(GAPPY, &opts);
    assert_eq!(ing.panel.unwrap().series[0].values, vec![2.0, 4.0, 6.0, 8.0, 10.0]);
    assert!(
        ing.report
            .lines()
            .iter()
            .any(|l| l.contains("2 missing daily period(s) filled with linear"))
    );
}

#[test]
fn rows_are_numbered_as_a_spreadsheet_shows_them() {
    // A blank line and a quoted line break before the bad row: it is still named by its line.
    let csv = "date,store,sales\n2024-01-01,\"A\nmain\",1\n\n2024-01-02,\"A\nmain\",2\n2024-01-0x,\"A\nmain\",3\n";
    let ing = read(csv, &IngestOptions::default());
    let bad = ing.report.issues.iter().find(|i| i.kind == IssueKind::BadDate).unwrap();
    assert_eq!(bad.row, Some(7), "{}", ing.report);
    assert_eq!(ing.stats.rows, 3);
    // Right after blank lines (csv reports the first blank line's number; we skip them).
    let csv = "date,sales\n2024-01-01,1\n\n\r\n2024-01-0x,2\n";
    let ing = read(csv, &IngestOptions::default());
    let bad = ing.report.issues.iter().find(|i| i.kind == IssueKind::BadDate).unwrap();
    assert_eq!(bad.row, Some(5), "{}", ing.report);
}

#[test]
fn two_days_of_one_month_in_a_monthly_file_are_reported_not_silently_merged() {
    let mut csv = String::from("date,sales\n");
    for m in 1..=12 {
        csv.push_str(&format!("2024-{m:02}-01,{m}\n"));
    }
    csv.push_str("2024-06-15,100\n");
    let ing = read(&csv, &IngestOptions::default());
    let p = ing.panel.as_ref().expect("usable");
    assert_eq!(p.series[0].values[5], 106.0);
    let w = ing
        .report
        .issues
        .iter()
        .find(|i| i.kind == IssueKind::Duplicate && i.message.contains("2024-06-15 joins 2024-06-01"))
        .unwrap_or_else(|| panic!("{}", ing.report));
    assert_eq!(w.row, Some(14));
}

#[test]
fn a_bad_driver_cell_is_a_warning_and_interpolated() {
    let mut csv = String::from("date,sales,price\n");
    for d in 1..=12 {
        let price = if d == 6 { "cheap".to_string() } else { format!("{d}.0") };
        csv.push_str(&format!("2024-01-{d:02},{d},{price}\n"));
    }
    let ing = read(&csv, &IngestOptions::default());
    let p = ing.panel.as_ref().unwrap_or_else(|| panic!("{}", ing.report));
    assert_eq!(p.exog_columns, vec!["price".to_string()]);
    let want: Vec<f64> = (1..=12).map(f64::from).collect();
    assert_eq!(p.series[0].exog[0], want);
    let w = ing
        .report
        .issues
        .iter()
        .find(|i| i.kind == IssueKind::BadNumber)
        .unwrap();
    assert_eq!(
        (w.severity, w.row, w.column.as_deref()),
        (Severity::Warning, Some(7), Some("price"))
    );
}

#[test]
fn ids_with_stray_spaces_make_one_series() {
    let csv = "date,store,sales\n2024-01-01,A,1\n2024-01-02, A ,2\n2024-01-03,A\u{a0},3\n";
    let p = read(csv, &IngestOptions::default()).panel.unwrap();
    // ASCII spaces are trimmed; a no-break space is part of the name (one rule for both paths).
    assert_eq!(p.series.len(), 2);
    assert_eq!(p.series[0].key, vec!["A".to_string()]);
    assert_eq!(p.series[0].values.len(), 2);
}
