//! Rows a probe of the CLI found read as sales they are not, each now left out with a warning
//! or refused with its row and column: a daily file summed into months that it covers in part
//! at its ends, blank sales cells at a series' end, a series that ends before the others, a row
//! without its id, the sales column given as its own driver.

use chrono::NaiveDate;
use horizon_core::data::{Frequency, IngestOptions, Ingested, IssueKind, Severity, ingest_csv};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn read(text: &str, opts: &IngestOptions) -> Ingested {
    ingest_csv(text.as_bytes(), "f.csv", opts)
}

fn warnings(ing: &Ingested, kind: IssueKind) -> Vec<String> {
    ing.report
        .issues
        .iter()
        .filter(|i| i.kind == kind && i.severity == Severity::Warning)
        .map(|i| i.message.clone())
        .collect()
}

/// 20 January to 19 July 2023, ten sales a day.
fn days_jan_20_to_jul_19() -> String {
    let mut text = String::from("date,sales\n");
    for day in d(2023, 1, 20).iter_days().take_while(|x| *x <= d(2023, 7, 19)) {
        text.push_str(&format!("{day},10\n"));
    }
    text
}

#[test]
fn months_a_daily_file_covers_in_part_are_left_out_when_its_days_are_summed() {
    let monthly = IngestOptions {
        freq: Some(Frequency::Monthly),
        ..IngestOptions::default()
    };
    let ing = read(&days_jan_20_to_jul_19(), &monthly);
    let s = &ing.panel.as_ref().expect("read").series[0];
    // February to June, each its days times ten; January (12 days) and July (19) left out.
    assert_eq!(s.values, [280.0, 310.0, 300.0, 310.0, 300.0]);
    assert_eq!(s.dates.first(), Some(&d(2023, 2, 20)));
    let w = warnings(&ing, IssueKind::PartialEnd);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].contains("starts inside the month of 2023-01-01 (12 of its 31 days"),
        "{w:?}"
    );
    assert!(
        w[1].contains("ends inside the month of 2023-07-01 (19 of its 31 days"),
        "{w:?}"
    );
    // The frequency was set: the merge message does not ask to set it.
    let merged = warnings(&ing, IssueKind::Duplicate);
    let into_months: Vec<_> = merged
        .iter()
        .filter(|m| m.contains("fall in a monthly period"))
        .collect();
    assert_eq!(into_months.len(), 1, "{merged:?}");
    assert!(
        into_months[0].ends_with("merged into one period, as the frequency set asks"),
        "{merged:?}"
    );
    // Read daily, every day is kept.
    let daily = read(&days_jan_20_to_jul_19(), &IngestOptions::default());
    assert_eq!(daily.panel.as_ref().expect("read").series[0].len(), 181);
    assert!(warnings(&daily, IssueKind::PartialEnd).is_empty());
}

#[test]
fn the_files_first_and_last_day_decide_not_each_series() {
    // A sells every day from 20 January to 19 July; B is launched on 15 March.
    let mut text = String::from("product,date,sales\n");
    for day in d(2023, 1, 20).iter_days().take_while(|x| *x <= d(2023, 7, 19)) {
        text.push_str(&format!("A,{day},10\n"));
        if day >= d(2023, 3, 15) {
            text.push_str(&format!("B,{day},1\n"));
        }
    }
    let monthly = IngestOptions {
        freq: Some(Frequency::Monthly),
        ..IngestOptions::default()
    };
    let ing = read(&text, &monthly);
    let p = ing.panel.as_ref().expect("read");
    // B keeps March (its first 17 days of sales) and loses July with the file.
    let b = &p.series[1];
    assert_eq!(b.values, [17.0, 30.0, 31.0, 30.0]);
    assert_eq!(b.dates.first(), Some(&d(2023, 3, 15)));
    assert_eq!(b.dates.last(), Some(&d(2023, 6, 15)));
    // Months dated from the 20th and the 15th end in the same month: neither ends early.
    assert!(warnings(&ing, IssueKind::EarlyEnd).is_empty(), "{}", ing.report);
}

#[test]
fn blank_sales_cells_at_a_series_end_are_left_out_not_filled() {
    let mut text = String::from("date,sales\n2024-01-01,\n");
    for (i, day) in d(2024, 1, 2).iter_days().take(28).enumerate() {
        text.push_str(&format!("{day},{}\n", 10 + i % 3));
    }
    text.push_str("2024-01-30,\n2024-01-31,\n");
    let ing = read(&text, &IngestOptions::default());
    let s = &ing.panel.as_ref().expect("read").series[0];
    // Filled with zero, the last value was 0 and a naive forecast said 0.
    assert_eq!(s.len(), 28);
    assert_eq!(s.dates.first(), Some(&d(2024, 1, 2)));
    assert_eq!(s.dates.last(), Some(&d(2024, 1, 29)));
    assert_eq!(s.values.last(), Some(&(10.0 + (27 % 3) as f64)));
    let w = warnings(&ing, IssueKind::PartialEnd);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].contains("first 1 day(s)") && w[0].contains("from 2024-01-01"),
        "{w:?}"
    );
    assert!(
        w[1].contains("last 2 day(s)") && w[1].contains("from 2024-01-30"),
        "{w:?}"
    );
    // With a blank inside too, blanks are the export's way to write no sale: every one is
    // filled by the gap policy, the ends included.
    let inside = text.replace("2024-01-10,12", "2024-01-10,");
    assert_ne!(inside, text);
    let ing = read(&inside, &IngestOptions::default());
    let s = &ing.panel.as_ref().expect("read").series[0];
    assert_eq!((s.len(), s.values[0], s.values[9], s.values[30]), (31, 0.0, 0.0, 0.0));
    assert!(warnings(&ing, IssueKind::PartialEnd).is_empty());
}

#[test]
fn a_series_that_ends_before_the_others_is_named() {
    let mut text = String::from("store,date,sales\n");
    for day in d(2024, 1, 1).iter_days().take(30) {
        text.push_str(&format!("A,{day},5\n"));
    }
    for day in d(2024, 1, 1).iter_days().take(20) {
        text.push_str(&format!("B,{day},7\n"));
    }
    let ing = read(&text, &IngestOptions::default());
    assert!(ing.panel.is_some());
    let early: Vec<_> = ing
        .report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::EarlyEnd)
        .collect();
    assert_eq!(early.len(), 1);
    assert_eq!(early[0].series.as_deref(), Some("B"));
    assert!(
        early[0]
            .message
            .contains("ends on 2024-01-20, 10 day(s) before the data's last date (2024-01-30)"),
        "{}",
        early[0].message
    );
}

#[test]
fn a_row_without_its_id_is_refused_with_its_row_and_column() {
    let mut text = String::from("store,date,sales\n");
    for (store, n) in [("S1", 20), ("S2", 20)] {
        for day in d(2024, 1, 1).iter_days().take(n) {
            text.push_str(&format!("{store},{day},5\n"));
        }
    }
    // Line 27 of the file (row 27 as a spreadsheet shows it) loses its store.
    let text: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 26 {
                format!("{}\n", l.replacen("S2", "", 1))
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let ing = read(&text, &IngestOptions::default());
    assert!(ing.panel.is_none());
    let e: Vec<_> = ing
        .report
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .collect();
    assert_eq!(e.len(), 1, "{}", ing.report);
    assert_eq!(
        (e[0].kind, e[0].row, e[0].column.as_deref()),
        (IssueKind::MissingId, Some(27), Some("store"))
    );
}

#[test]
fn the_sales_column_cannot_be_its_own_driver() {
    let mut text = String::from("date,sales,price\n");
    for day in d(2024, 1, 1).iter_days().take(30) {
        text.push_str(&format!("{day},5,2.5\n"));
    }
    for (given, role) in [("sales", "the sales (value) column"), ("date", "the date column")] {
        let opts = IngestOptions {
            exog_columns: Some(vec![given.to_string(), "price".to_string()]),
            ..IngestOptions::default()
        };
        let ing = read(&text, &opts);
        assert!(ing.panel.is_none(), "{given}");
        assert!(
            ing.report
                .to_string()
                .contains(&format!("column '{given}' is {role}; it cannot also be a driver")),
            "{}",
            ing.report
        );
    }
    // A numeric column left out of the drivers given is said to be so.
    let opts = IngestOptions {
        exog_columns: Some(vec![]),
        ..IngestOptions::default()
    };
    let ing = read(&text, &opts);
    assert!(
        warnings(&ing, IssueKind::IgnoredColumn)
            .iter()
            .any(|m| m.contains("'price' is not among the drivers given")),
        "{}",
        ing.report
    );
}
