//! What the CLI does with files a probe found read as sales they are not, run as a user runs
//! it: a daily file forecast per month, a blank last sales cell, a `;` file with thousands
//! commas, a sample named for another format, a season of zero.

mod common;

use common::{ok, sample_retail};
use std::path::Path;
use std::process::Output;

fn horizon(args: &[&str], dir: &Path) -> Output {
    common::output(&mut common::command(args, dir))
}

fn run(dir: &Path, line: &str) -> Output {
    horizon(&line.split_whitespace().collect::<Vec<_>>(), dir)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The forecast CSV's (date, forecast) rows.
fn forecasts(dir: &Path, file: &str) -> Vec<(String, f64)> {
    let text = std::fs::read_to_string(dir.join(file)).expect("forecast written");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).expect("column");
    let (date, value) = (at("date"), at("forecast"));
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[date].to_string(), cells[value].parse().expect("number"))
        })
        .collect()
}

#[test]
fn a_daily_file_forecast_per_month_leaves_out_the_month_it_ends_inside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // 200 days from 2023-01-01: the data ends on 19 July.
    sample_retail(d, 1, 1, 200, "s.csv");
    let out = run(d, "forecast s.csv --model naive --horizon 2 --freq monthly --out m.csv");
    ok(&out);
    let said = stderr(&out);
    assert!(
        said.contains("the data ends inside the month of 2023-07-01 (19 of its 31 days have rows)"),
        "{said}"
    );
    // The naive forecast repeats June's whole month, dated from July.
    let text = std::fs::read_to_string(d.join("s.csv")).expect("sample");
    let june: f64 = text
        .lines()
        .filter(|l| l.contains(",2023-06-"))
        .map(|l| l.rsplit(',').nth(3).and_then(|v| v.parse::<f64>().ok()).expect("sales"))
        .sum();
    let f = forecasts(d, "m.csv");
    assert_eq!(f[0].0, "2023-07-01");
    assert!((f[0].1 - june).abs() < 1e-9, "{f:?} vs June {june}");
}

#[test]
fn a_blank_last_sales_cell_is_left_out_not_forecast_as_zero() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut csv = String::from("date,sales\n");
    for day in 1..30 {
        csv.push_str(&format!("2024-01-{day:02},{}\n", 10 + day % 3));
    }
    csv.push_str("2024-01-30,\n");
    std::fs::write(d.join("trail.csv"), csv).expect("write");
    let out = run(d, "forecast trail.csv --model naive --horizon 2 --out f.csv");
    ok(&out);
    assert!(stderr(&out).contains("the last 1 day(s) of this series have a blank sales cell"));
    // 29 January had 10 + 29 % 3 = 12; the forecast starts on the blank day.
    assert_eq!(
        forecasts(d, "f.csv"),
        [("2024-01-30".to_string(), 12.0), ("2024-01-31".to_string(), 12.0)]
    );
}

#[test]
fn thousands_commas_in_a_semicolon_file_are_refused_with_both_readings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut csv = String::from("date;sales\n");
    for (day, v) in (1..=28).zip(["950", "1,250", "1,100", "980"].iter().cycle()) {
        csv.push_str(&format!("2024-01-{day:02};{v}\n"));
    }
    std::fs::write(d.join("semi.csv"), csv).expect("write");
    let out = run(d, "forecast semi.csv --model mean --horizon 1 --out f.csv");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("semi.csv:row 3, column 'sales': error: '1,250' could be 1.25"),
        "{}",
        stderr(&out)
    );
    assert!(!d.join("f.csv").exists());
}

#[test]
fn a_sample_named_for_another_format_and_a_season_of_zero_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for line in ["sample retail --out r.parquet", "sample orders --out o.csv"] {
        let out = run(d, line);
        assert_eq!(out.status.code(), Some(2), "{line}: {}", stderr(&out));
    }
    assert!(!d.join("r.parquet").exists() && !d.join("o.csv").exists());
    sample_retail(d, 1, 1, 60, "s.csv");
    let out = run(d, "forecast s.csv --model seasonal-naive --season 0 --out f.csv");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--season"), "{}", stderr(&out));
}
