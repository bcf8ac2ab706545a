//! Transaction files to sales: polars reads Parquet and CSV, the aggregation matches totals
//! computed independently, and the Panel equals the one the CSV path builds from the same sales.

use chrono::{Datelike, Duration, NaiveDate};
use horizon_core::data::{IngestOptions, ingest_csv};
use horizon_tabular::{Aggregation, ColumnKind, Format, How, Period, Table, TableError, aggregate, guess};
use polars::prelude::*;
use std::collections::BTreeMap;

fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() // a Monday
}

/// A small deterministic generator (64-bit LCG) so the trips are the same on every run.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

const STATIONS: [&str; 3] = ["Alexanderplatz", "Bahnhof Zoo", "Checkpoint, Charlie"];
const DAYS: i64 = 70;

/// Trips per station and day: some days have none (also the first days of one station).
fn trip_counts() -> BTreeMap<(String, NaiveDate), usize> {
    let mut rng = Lcg(7);
    let mut counts = BTreeMap::new();
    for (s, station) in STATIONS.iter().enumerate() {
        for d in 0..DAYS {
            let n = if d % 9 == 4 || (s == 2 && d < 5) {
                0
            } else {
                (rng.next() % 6) as usize
            };
            counts.insert((station.to_string(), day0() + Duration::days(d)), n);
        }
    }
    counts
}

/// One row per trip: id, start time (a timestamp during the day), station, duration.
fn trips_parquet(counts: &BTreeMap<(String, NaiveDate), usize>) -> Vec<u8> {
    let mut rng = Lcg(11);
    let (mut ids, mut starts, mut stations, mut minutes) = (vec![], vec![], vec![], vec![]);
    for ((station, day), &n) in counts {
        for _ in 0..n {
            let second = (rng.next() % 86_400) as i64;
            let t = day.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_millis() + second * 1000;
            ids.push(ids.len() as i64 + 1);
            starts.push(t);
            stations.push(station.clone());
            minutes.push(3.0 + (rng.next() % 400) as f64 / 10.0);
        }
    }
    let started = Column::new("started_at".into(), starts)
        .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
        .unwrap();
    let mut df = DataFrame::new_infer_height(vec![
        Column::new("trip_id".into(), ids),
        started,
        Column::new("station".into(), stations),
        Column::new("duration_min".into(), minutes),
    ])
    .unwrap();
    Table::parquet_bytes(&mut df).unwrap()
}

/// The daily counts as the CSV a user would have written by hand: each station from its first
/// to its last day with a trip, the empty days in between as 0.
fn expected_csv(counts: &BTreeMap<(String, NaiveDate), usize>) -> String {
    let mut out = String::from("station,started_at,rows\n");
    for station in STATIONS {
        let days: Vec<(NaiveDate, usize)> = counts
            .iter()
            .filter(|((s, _), _)| s == station)
            .map(|((_, d), n)| (*d, *n))
            .collect();
        let first = days.iter().position(|(_, n)| *n > 0).unwrap();
        let last = days.iter().rposition(|(_, n)| *n > 0).unwrap();
        for (d, n) in &days[first..=last] {
            let quoted = if station.contains(',') {
                format!("\"{station}\"")
            } else {
                station.to_string()
            };
            out.push_str(&format!("{quoted},{d},{n}\n"));
        }
    }
    out
}

#[test]
fn parquet_trips_counted_per_station_and_day_give_the_csv_paths_panel() {
    let counts = trip_counts();
    let bytes = trips_parquet(&counts);
    let table = Table::from_bytes("trips.parquet", &bytes).unwrap();
    assert_eq!(table.format, Format::Parquet);
    assert_eq!(table.rows(), counts.values().sum::<usize>());
    let kinds: Vec<(String, ColumnKind)> = table.columns().into_iter().map(|c| (c.name, c.kind)).collect();
    assert_eq!(kinds[1], ("started_at".to_string(), ColumnKind::Date));

    // The guess: the timestamp is the date, the station the id (the trip id is unique per row,
    // so not an id), no sales-like number, so rows are counted.
    let agg = guess(&table);
    assert_eq!(agg.date, "started_at");
    assert_eq!(agg.ids, vec!["station".to_string()]);
    assert_eq!((agg.how, agg.value.clone()), (How::Count, None));

    let out = aggregate(&table, &agg).unwrap();
    assert_eq!(out.series, 3);
    assert_eq!(out.skipped_rows, 0);
    let zero_days_inside = expected_csv(&counts).lines().filter(|l| l.ends_with(",0")).count();
    assert_eq!(out.zero_filled, zero_days_inside);

    let from_transactions = ingest_csv(&out.csv, "trips.parquet", &out.options);
    let by_hand = ingest_csv(expected_csv(&counts).as_bytes(), "by hand", &out.options);
    let panel = from_transactions.panel.expect("the aggregated sales are a panel");
    assert!(!from_transactions.report.has_errors());
    assert_eq!(Some(&panel), by_hand.panel.as_ref());
    let total: f64 = panel.series.iter().flat_map(|s| &s.values).sum();
    assert_eq!(total as usize, table.rows());
    // The station with no trips in its first five days starts on its first trip.
    let charlie = &panel.series[panel.find(&["Checkpoint, Charlie".to_string()]).unwrap()];
    assert_eq!(charlie.dates[0], day0() + Duration::days(5));
}

#[test]
fn weekly_sums_from_a_european_csv_start_on_mondays_and_match_the_totals() {
    // Orders with day-first dates, ';' and decimal commas, one missing amount.
    let mut csv = String::from("order_id;order_date;shop;amount\n");
    let mut rng = Lcg(3);
    let mut weekly: BTreeMap<(String, NaiveDate), f64> = BTreeMap::new();
    for i in 0..400 {
        let day = day0() + Duration::days((rng.next() % 60) as i64 + 2);
        let shop = ["north", "south"][i % 2];
        let cents = (rng.next() % 10_000) as i64;
        let monday = day - Duration::days(day.weekday().num_days_from_monday() as i64);
        *weekly.entry((shop.to_string(), monday)).or_default() += cents as f64 / 100.0;
        csv.push_str(&format!(
            "{};{};{};{},{:02}\n",
            i + 1,
            day.format("%d/%m/%Y"),
            shop,
            cents / 100,
            cents % 100
        ));
    }
    csv.push_str("401;05/01/2024;north;\n");
    let table = Table::from_bytes("orders.csv", csv.as_bytes()).unwrap();
    assert_eq!(table.format, Format::Csv { delimiter: b';' });
    let mut agg = guess(&table);
    assert_eq!(agg.date, "order_date");
    assert_eq!(agg.value.as_deref(), Some("amount"));
    assert_eq!(agg.ids, vec!["shop".to_string()]);
    agg.period = Period::Week;

    // The orders run from a Wednesday (2024-01-03) to a Saturday: both end weeks are partial.
    let first = weekly.keys().map(|k| k.1).min().unwrap();
    let last = weekly.keys().map(|k| k.1).max().unwrap();
    for keep in [true, false] {
        agg.keep_partial_ends = keep;
        let out = aggregate(&table, &agg).unwrap();
        assert_eq!(out.skipped_rows, 1);
        assert_eq!(out.skipped_examples, vec!["line 402: no 'amount'".to_string()]);
        let starts: Vec<NaiveDate> = out.partial_ends.iter().map(|p| p.start).collect();
        assert_eq!(starts, [first, last]);
        assert_eq!(out.partial_left_out, !keep);
        let panel = ingest_csv(&out.csv, "orders.csv", &out.options).panel.unwrap();
        assert_eq!(panel.freq, horizon_core::Frequency::Weekly);
        for s in &panel.series {
            assert_eq!(s.dates.contains(&first) || s.dates.contains(&last), keep);
            for (d, v) in s.dates.iter().zip(&s.values) {
                assert_eq!(d.weekday(), chrono::Weekday::Mon);
                let want = weekly.get(&(s.key[0].clone(), *d)).copied().unwrap_or(0.0);
                assert!((v - want).abs() < 1e-6, "{:?} {d}: {v} vs {want}", s.key);
            }
        }
        let total: f64 = panel.series.iter().flat_map(|s| &s.values).sum();
        let want: f64 = weekly
            .iter()
            .filter(|(k, _)| keep || (k.1 != first && k.1 != last))
            .map(|(_, v)| v)
            .sum();
        assert!((total - want).abs() < 1e-6);
    }
}

#[test]
fn monthly_means_are_not_zero_filled() {
    let csv = "date,basket\n2024-01-03,10\n2024-01-20,20\n2024-03-02,7\n";
    let table = Table::from_bytes("baskets.csv", csv.as_bytes()).unwrap();
    let agg = Aggregation {
        date: "date".into(),
        value: Some("basket".into()),
        how: How::Mean,
        period: Period::Month,
        empty_periods_are_zero: true,
        ..Aggregation::default()
    };
    let out = aggregate(&table, &agg).unwrap();
    assert_eq!(
        String::from_utf8(out.csv).unwrap(),
        "date,basket_mean\n2024-01-01,15\n2024-03-01,7\n"
    );
    assert_eq!(out.zero_filled, 0);
}

#[test]
fn errors_name_the_file_the_row_and_the_column() {
    let csv = "date,store,units\n2024-01-01,a,1\n2024-01-02,a,2\n2024-13-45,a,3\n";
    let table = Table::from_bytes("sales.csv", csv.as_bytes()).unwrap();
    let mut agg = Aggregation {
        date: "date".into(),
        date_format: Some(horizon_core::data::dates::DateFormat::Iso),
        value: Some("units".into()),
        ids: vec!["store".into()],
        ..Aggregation::default()
    };
    let e = aggregate(&table, &agg).unwrap_err();
    assert!(matches!(e, TableError::Cell { .. }));
    assert_eq!(
        e.to_string(),
        "sales.csv: line 4, column 'date': '2024-13-45' is not a date in the layout YYYY-MM-DD"
    );

    agg.value = Some("unit".into());
    let e = aggregate(&table, &agg).unwrap_err().to_string();
    assert_eq!(e, "sales.csv: there is no column 'unit' (columns: date, store, units)");

    agg.value = Some("store".into());
    assert!(
        aggregate(&table, &agg)
            .unwrap_err()
            .to_string()
            .contains("cannot be the value")
    );

    let e = Table::from_bytes("broken.parquet", b"PAR1 this is not parquet").unwrap_err();
    assert!(matches!(e, TableError::Unreadable { format: "Parquet", .. }), "{e}");
    assert!(e.to_string().starts_with("broken.parquet: cannot read it as Parquet"));
}

/// A mistyped cell among many good ones is named by its line when the columns are guessed too:
/// the quantity is summed (not rows counted unasked), the date column still found.
#[test]
fn a_mistyped_cell_is_named_when_the_columns_are_guessed() {
    let lines = |bad_at: usize, bad: &str, column: usize| {
        let mut csv = String::from("ordered_at,store_id,quantity\n");
        for i in 0..100 {
            let mut cells = [format!("2024-01-{:02} 10:00:00", i % 28 + 1), "S1".into(), "3".into()];
            if i == bad_at {
                cells[column] = bad.to_string();
            }
            csv.push_str(&format!("{}\n", cells.join(",")));
        }
        Table::from_bytes("orders.csv", csv.as_bytes()).unwrap()
    };
    let typo = lines(40, "3O", 2);
    let agg = guess(&typo);
    assert_eq!((agg.how, agg.value.as_deref()), (How::Sum, Some("quantity")));
    let e = aggregate(&typo, &agg).unwrap_err().to_string();
    assert_eq!(e, "orders.csv: line 42, column 'quantity': '3O' is not a number");
    let huge = lines(7, "1e150", 2);
    let e = aggregate(&huge, &guess(&huge)).unwrap_err().to_string();
    assert_eq!(
        e,
        "orders.csv: line 9, column 'quantity': 1e150 is too large for a sales figure (beyond 1e100)"
    );
    let date = lines(60, "2024-02-30 10:00:00", 0);
    let agg = guess(&date);
    assert_eq!(agg.date, "ordered_at");
    let e = aggregate(&date, &agg).unwrap_err().to_string();
    assert!(
        e.starts_with("orders.csv: line 62, column 'ordered_at': '2024-02-30 10:00:00' is not a date"),
        "{e}"
    );
    // A text column named like sales that holds no numbers is not summed: rows are counted.
    let channel = Table::from_bytes("o.csv", b"date,sales_channel\n2024-01-01,web\n2024-01-02,shop\n").unwrap();
    assert_eq!(guess(&channel).how, How::Count);
}

#[test]
fn gaps_stay_gaps_when_empty_periods_are_not_zero() {
    let csv = "date,units\n2024-01-01,1\n2024-01-04,2\n";
    let table = Table::from_bytes("s.csv", csv.as_bytes()).unwrap();
    let agg = Aggregation {
        date: "date".into(),
        value: Some("units".into()),
        empty_periods_are_zero: false,
        ..Aggregation::default()
    };
    let out = aggregate(&table, &agg).unwrap();
    assert_eq!(
        String::from_utf8(out.csv.clone()).unwrap(),
        "date,units\n2024-01-01,1\n2024-01-04,2\n"
    );
    // The ingestion sees the two missing days and handles them by its gap policy.
    let ingested = ingest_csv(&out.csv, "s.csv", &IngestOptions { ..out.options });
    assert_eq!(ingested.panel.unwrap().series[0].len(), 4);
}

/// The sample order lines, aggregated back per store, product and day, give the generator's
/// own daily sales (inside each series' first and last day with a sale).
#[test]
fn sample_orders_aggregate_back_to_the_generators_sales() {
    use horizon_core::data::generate::{RetailParams, retail};
    let panel = retail(&RetailParams {
        stores: 2,
        products: 2,
        days: 120,
        ..RetailParams::default()
    });
    let mut orders = horizon_tabular::sample::order_lines(&panel, 5).unwrap();
    let bytes = Table::parquet_bytes(&mut orders).unwrap();
    let table = Table::from_bytes("orders.parquet", &bytes).unwrap();
    let agg = guess(&table);
    assert_eq!(agg.date, "ordered_at");
    assert_eq!(agg.ids, vec!["store_id".to_string(), "product_id".to_string()]);
    assert_eq!((agg.how, agg.value.as_deref()), (How::Sum, Some("quantity")));
    let out = aggregate(&table, &agg).unwrap();
    let back = ingest_csv(&out.csv, "orders.parquet", &out.options).panel.unwrap();
    assert_eq!(back.series.len(), panel.series.len());
    for s in &back.series {
        let orig = &panel.series[panel.find(&s.key).unwrap()];
        let offset = orig.dates.iter().position(|d| *d == s.dates[0]).unwrap();
        assert_eq!(&orig.values[offset..offset + s.len()], &s.values[..], "{:?}", s.key);
        assert!(orig.values[..offset].iter().all(|v| *v == 0.0));
        assert!(orig.values[offset + s.len()..].iter().all(|v| *v == 0.0));
    }
}

/// In a `;` file, `1,250` is 1.25 with a decimal comma and 1250 with a thousands comma; polars
/// reads it as 1.25 without a word. Unless another cell of the column shows decimal commas, the
/// aggregation refuses it with the line, the column and both readings, as the CSV ingestion does.
#[test]
fn a_thousands_comma_in_a_semicolon_file_is_refused_unless_its_column_settles_it() {
    let file = |cells: &[&str]| {
        let mut csv = String::from("order_date;shop;quantity\n");
        for (i, q) in cells.iter().cycle().take(40).enumerate() {
            csv.push_str(&format!("2024-01-{:02};north;{q}\n", 1 + i % 28));
        }
        Table::from_bytes("orders.csv", csv.as_bytes()).unwrap()
    };
    let table = file(&["950", "1,250", "1,100", "980"]);
    let e = aggregate(&table, &guess(&table)).unwrap_err().to_string();
    assert!(
        e.contains("line 3") && e.contains("quantity") && e.contains("'1,250' could be 1.25") && e.contains("or 1250"),
        "{e}"
    );
    let table = file(&["0,95", "1,250", "1,1", "0,98"]);
    let out = aggregate(&table, &guess(&table)).unwrap();
    let panel = ingest_csv(&out.csv, "orders.csv", &out.options).panel.unwrap();
    let total: f64 = panel.series.iter().flat_map(|s| &s.values).sum();
    assert!((total - 10.0 * (0.95 + 1.25 + 1.1 + 0.98)).abs() < 1e-9, "{total}");
}

/// A row with a field too many stops polars, whose message names neither the line nor the file's
/// layout; the error names the line.
#[test]
fn a_row_with_a_field_too_many_is_named_by_its_line() {
    let csv = "store,date,quantity\nS1,2024-01-01,3\nS1,2024-01-02,4\nS2,2024-01-02,1,000\nS1,2024-01-03,5\n";
    let e = match Table::from_bytes("orders.csv", csv.as_bytes()) {
        Err(e) => e.to_string(),
        Ok(_) => String::from("read"),
    };
    assert!(
        e.contains("orders.csv") && e.contains("line 4 has 4 field(s), the header has 3"),
        "{e}"
    );
}
