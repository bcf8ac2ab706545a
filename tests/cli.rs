//! The pipeline CLI, run as a user runs it.

mod common;

use common::{ok, sample_retail};
use std::path::Path;
use std::process::Output;

fn horizon(args: &[&str], dir: &Path) -> Output {
    common::output(&mut common::command(args, dir))
}

/// `horizon` with the words of `line` as its arguments (none of them holds a space).
fn run(dir: &Path, line: &str) -> Output {
    horizon(&line.split_whitespace().collect::<Vec<_>>(), dir)
}

#[test]
fn sample_then_seasonal_naive_forecast_brackets_every_point() {
    let dir = tempfile::tempdir().unwrap();
    sample_retail(dir.path(), 3, 5, 400, "s.csv");
    ok(&run(
        dir.path(),
        "forecast s.csv --model seasonal-naive --horizon 28 --level 80 --level 95 --out f.csv",
    ));
    let text = std::fs::read_to_string(dir.path().join("f.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("store_id,product_id,date,model,forecast,lo_80,hi_80,lo_95,hi_95")
    );
    let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(String::from).collect()).collect();
    assert_eq!(rows.len(), 15 * 28, "one row per series and step");
    let mut keys = std::collections::BTreeSet::new();
    for r in &rows {
        keys.insert((r[0].clone(), r[1].clone()));
        let v: Vec<f64> = r[4..].iter().map(|x| x.parse().unwrap()).collect();
        let (f, lo80, hi80, lo95, hi95) = (v[0], v[1], v[2], v[3], v[4]);
        assert!(lo95 <= lo80 && lo80 <= f && f <= hi80 && hi80 <= hi95, "{r:?}");
        assert!(lo95 >= 0.0, "sales bounds are clipped at zero: {r:?}");
    }
    assert_eq!(keys.len(), 15);
    // First forecast date is the day after the last observation (2023-01-01 + 400 days).
    assert_eq!(rows[0][2], "2024-02-05");
}

#[test]
fn validate_names_row_17_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("store,date,sales\n");
    for d in 1..=30 {
        // Row 1 is the header, so day 16 is on row 17.
        let date = if d == 16 {
            "2024-01-1b".to_string()
        } else {
            format!("2024-01-{d:02}")
        };
        csv.push_str(&format!("A,{date},{d}\n"));
    }
    std::fs::write(dir.path().join("bad.csv"), csv).unwrap();
    let out = horizon(&["validate", "bad.csv"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.csv:row 17, column 'date'"), "{err}");
    assert!(err.contains("'2024-01-1b' is not a date"), "{err}");
    // forecast refuses the same file with exit 2 and writes nothing.
    let out = horizon(&["forecast", "bad.csv", "--horizon", "7", "--out", "f.csv"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("f.csv").exists());
}

#[test]
fn overrides_read_a_european_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("Filiale;Tag;Umsatz\n");
    for d in 1..=28 {
        csv.push_str(&format!("Berlin;{d:02}.02.2024;{},5\n", 10 + d % 7));
    }
    std::fs::write(dir.path().join("de.csv"), csv).unwrap();
    let out = ok(&horizon(&["validate", "de.csv"], dir.path()));
    assert!(out.contains("delimiter:  semicolon"), "{out}");
    assert!(out.contains("date:       Tag (DD/MM/YYYY)"), "{out}");
    assert!(out.contains("value:      Umsatz"), "{out}");
    assert!(out.contains("ids:        Filiale"), "{out}");
    // Overriding the value column with one that does not exist is a clear error.
    let out = horizon(&["validate", "de.csv", "--value-col", "Menge"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("no value column named 'Menge'; the columns are: Filiale, Tag, Umsatz")
    );
    ok(&horizon(
        &[
            "forecast",
            "de.csv",
            "--model",
            "mean",
            "--horizon",
            "3",
            "--id-cols",
            "",
            "--out",
            "f.csv",
        ],
        dir.path(),
    ));
    let f = std::fs::read_to_string(dir.path().join("f.csv")).unwrap();
    assert!(
        f.starts_with("date,model,forecast,lo_95,hi_95\n2024-02-29,mean,"),
        "{f}"
    );
}

#[test]
fn ets_forecasts_weekly_books_with_a_52_week_season() {
    let dir = tempfile::tempdir().unwrap();
    ok(&horizon(
        &["sample", "books", "--titles", "2", "--weeks", "160", "--out", "b.csv"],
        dir.path(),
    ));
    ok(&run(dir.path(), "forecast b.csv --model ets --horizon 52 --out f.csv"));
    let text = std::fs::read_to_string(dir.path().join("f.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("ISBN,date,model,forecast,lo_95,hi_95"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2 * 52);
    for r in &rows {
        assert_eq!(r[2], "ets");
        let v: Vec<f64> = r[3..].iter().map(|x| x.parse().unwrap()).collect();
        assert!(v.iter().all(|x| x.is_finite()) && v[1] <= v[0] && v[0] <= v[2], "{r:?}");
    }
    // The backtest ranks ets with the baselines.
    let out = ok(&run(
        dir.path(),
        "backtest b.csv --models seasonal-naive,ets,mstl --horizon 13 --folds 2",
    ));
    assert!(out.lines().any(|l| l.starts_with("ets") && l.contains("4/4")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("mstl") && l.contains("4/4")), "{out}");
}

#[test]
fn sarima_with_pinned_orders_and_a_52_week_season() {
    let dir = tempfile::tempdir().unwrap();
    ok(&horizon(
        &["sample", "books", "--titles", "1", "--weeks", "160", "--out", "b.csv"],
        dir.path(),
    ));
    let args = [
        "forecast",
        "b.csv",
        "--model",
        "arima",
        "--order",
        "0,1,1",
        "--seasonal-order",
        "0,1,1",
        "--season",
        "52",
        "--horizon",
        "52",
        "--out",
        "f.csv",
    ];
    ok(&horizon(&args, dir.path()));
    let text = std::fs::read_to_string(dir.path().join("f.csv")).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 52);
    for r in &rows {
        assert_eq!(r[2], "arima");
        let v: Vec<f64> = r[3..].iter().map(|x| x.parse().unwrap()).collect();
        assert!(v.iter().all(|x| x.is_finite()) && v[1] <= v[0] && v[0] <= v[2], "{r:?}");
    }
    // Orders belong to arima: refused for another model, with exit code 2.
    let out = run(
        dir.path(),
        "forecast b.csv --model ets --order 1,1,1 --horizon 4 --out g.csv",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("apply to arima"));
    let out = run(
        dir.path(),
        "forecast b.csv --model arima --order 1,x,1 --horizon 4 --out g.csv",
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn backtest_prints_a_table_and_writes_per_fold_metrics() {
    let dir = tempfile::tempdir().unwrap();
    ok(&horizon(
        &["sample", "books", "--titles", "3", "--weeks", "160", "--out", "b.csv"],
        dir.path(),
    ));
    let out = ok(&run(
        dir.path(),
        "backtest b.csv --models naive,seasonal-naive --horizon 8 --folds 2 --out m.csv",
    ));
    assert!(out.contains("3 series, 2 fold(s) of 8 weekly period(s)"), "{out}");
    assert!(
        out.lines().any(|l| l.starts_with("naive") && l.contains("6/6")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("seasonal-naive") && l.contains("6/6")),
        "{out}"
    );
    let m = std::fs::read_to_string(dir.path().join("m.csv")).unwrap();
    assert_eq!(m.lines().count(), 1 + 3 * 2 * 2);
    let out = horizon(
        &["backtest", "b.csv", "--models", "thetas", "--horizon", "8"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown model 'thetas'"));
    let out = horizon(&["backtest", "b.csv", "--horizon", "8", "--step", "0"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--step must be at least 1"));
    // A series of zeros has no MASE: the choice is by MAE, and says so.
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let zeros: String = (0..60)
        .map(|k| format!("{},0\n", start + chrono::Days::new(k)))
        .collect();
    std::fs::write(dir.path().join("z.csv"), format!("date,sales\n{zeros}")).unwrap();
    let out = ok(&horizon(
        &[
            "backtest",
            "z.csv",
            "--models",
            "naive,mean",
            "--horizon",
            "7",
            "--freq",
            "daily",
        ],
        dir.path(),
    ));
    assert!(out.contains("best by MAE (no model has a MASE"), "{out}");
}

#[test]
fn nothing_is_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    ok(&horizon(
        &["sample", "books", "--titles", "1", "--out", "b.csv"],
        dir.path(),
    ));
    let before = std::fs::read(dir.path().join("b.csv")).unwrap();
    // Writing the forecast over the input is refused, even with --force.
    let out = horizon(
        &["forecast", "b.csv", "--horizon", "4", "--out", "b.csv", "--force"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("over the input file"));
    let out = horizon(&["sample", "books", "--titles", "2", "--out", "b.csv"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists; pass --force"));
    assert_eq!(std::fs::read(dir.path().join("b.csv")).unwrap(), before);
    ok(&horizon(
        &["sample", "books", "--titles", "2", "--out", "b.csv", "--force"],
        dir.path(),
    ));
    assert_ne!(std::fs::read(dir.path().join("b.csv")).unwrap(), before);
    // Into a folder that does not exist: refused before anything is made.
    let out = horizon(&["sample", "books", "--out", "no/b.csv"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the folder no does not exist"));
}

/// Sample settings: a declining trend written the ordinary way; settings that would make
/// numbers or dates the ingestion refuses are refused first (exit 2, nothing written).
#[test]
fn sample_settings_out_of_range_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    ok(&horizon(
        &["sample", "retail", "--trend", "-0.05", "--days", "30", "--out", "t.csv"],
        dir.path(),
    ));
    for (flags, says) in [
        (&["--demand", "1e300"][..], "--demand must be between"),
        (&["--noise", "100"][..], "--noise must be between"),
        (&["--start", "9999-12-30", "--days", "5"][..], "past 9999-12-31"),
    ] {
        let args = [&["sample", "retail", "--out", "x.csv"][..], flags].concat();
        let out = horizon(&args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{flags:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(says), "{flags:?}");
        assert!(!dir.path().join("x.csv").exists());
    }
}

#[test]
fn help_documents_exit_codes_and_missing_files_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&horizon(&["forecast", "--help"], dir.path()));
    assert!(
        out.contains("Exit codes:") && out.contains("2  the input data has errors"),
        "{out}"
    );
    let out = horizon(&["validate", "nope.csv"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read nope.csv"));
}

#[test]
fn bundled_sample_files_are_what_the_generator_makes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    sample_retail(dir.path(), 2, 3, 730, "r.csv");
    ok(&horizon(&["sample", "books", "--out", "b.csv"], dir.path()));
    for (ours, bundled) in [
        ("r.csv", "sample_data/retail_small.csv"),
        ("b.csv", "sample_data/books_weekly.csv"),
    ] {
        let a = std::fs::read(dir.path().join(ours)).unwrap();
        let b = std::fs::read(root.join(bundled)).unwrap();
        assert!(
            a == b,
            "{bundled} differs from the generator's output; regenerate it (see sample_data/README.md)"
        );
    }
}

#[test]
fn validate_says_which_calendar_seasons_the_series_have() {
    let dir = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/retail_small.csv");
    let out = ok(&horizon(&["validate", sample.to_str().unwrap()], dir.path()));
    assert!(
        out.contains("seasons:    7: present in 6 of 6 series; 365: too few cycles to tell"),
        "{out}"
    );
}

#[cfg(unix)]
#[test]
fn output_into_a_closed_pipe_ends_quietly_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/retail_small.csv");
    let mut child = common::command(&["validate", sample.to_str().unwrap()], dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run horizon");
    drop(child.stdout.take()); // the reader goes away before anything is written
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}

/// Raw order lines (Parquet) to weekly sales per store and product, then a forecast of them;
/// the weekly file is written once, never over an existing file, and a wrong column name is
/// a data error that names the file and the columns there are.
#[test]
fn order_lines_aggregated_per_week_then_forecast() {
    let dir = tempfile::tempdir().unwrap();
    let sample = [
        "sample",
        "orders",
        "--stores",
        "2",
        "--products",
        "2",
        "--days",
        "400",
        "--out",
        "orders.parquet",
    ];
    let said = horizon(&sample, dir.path());
    ok(&said);
    assert!(String::from_utf8_lossy(&said.stderr).contains("order lines to orders.parquet"));
    let aggregate = ["aggregate", "orders.parquet", "--period", "week", "--out", "weekly.csv"];
    let said = horizon(&aggregate, dir.path());
    ok(&said);
    let err = String::from_utf8_lossy(&said.stderr);
    assert!(
        err.contains("Sum of 'quantity' per week (Monday to Sunday) of 'ordered_at', by 'store_id' × 'product_id'"),
        "{err}"
    );
    assert!(err.contains("wrote 4 series"), "{err}");
    // 400 days from Sunday 2023-01-01 to Sunday 2024-02-04: the first week holds one day and
    // is left out, said so; the last is whole.
    assert!(
        err.contains("left out the week of 2022-12-26 (1 of 7 days): the data covers only part of it"),
        "{err}"
    );
    let weekly = std::fs::read_to_string(dir.path().join("weekly.csv")).unwrap();
    assert!(
        weekly.starts_with("store_id,product_id,ordered_at,quantity\n"),
        "{weekly}"
    );
    let again = horizon(&aggregate, dir.path());
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(dir.path().join("weekly.csv")).unwrap(), weekly);

    let bad = horizon(
        &["aggregate", "orders.parquet", "--value-col", "qty", "--out", "x.csv"],
        dir.path(),
    );
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("orders.parquet: there is no column 'qty' (columns: order_id, ordered_at"),
        "{err}"
    );
    assert!(!dir.path().join("x.csv").exists());

    ok(&run(
        dir.path(),
        "forecast weekly.csv --model ets --horizon 8 --out f.csv",
    ));
    let f = std::fs::read_to_string(dir.path().join("f.csv")).unwrap();
    assert_eq!(f.lines().count(), 1 + 4 * 8, "{f}");
}

/// `--tune-trials` searches the GBM's parameters first, one line per trial; other models
/// refuse it.
#[test]
fn gbm_tuning_reports_each_trial_and_forecasts() {
    let dir = tempfile::tempdir().unwrap();
    sample_retail(dir.path(), 2, 2, 300, "s.csv");
    let out = run(
        dir.path(),
        "forecast s.csv --model gbm --tune-trials 4 --horizon 7 --out f.csv",
    );
    ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("gbm: trial 1/4 (the defaults): validation loss"), "{err}");
    assert!(err.contains("gbm: trial 4/4"), "{err}");
    assert!(err.contains("4 trial(s) in"), "{err}");
    // Sales of zero or more: the search chose a loss among three and says which.
    assert!(
        ["loss squared error", "loss poisson", "loss tweedie (power "]
            .iter()
            .any(|l| err.contains(l)),
        "{err}"
    );
    let f = std::fs::read_to_string(dir.path().join("f.csv")).unwrap();
    assert_eq!(f.lines().count(), 1 + 4 * 7, "{f}");
    let out = run(
        dir.path(),
        "forecast s.csv --model ets --tune-trials 4 --horizon 7 --out g.csv",
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--tune-trials applies to gbm, not ets"), "{err}");
    assert!(!dir.path().join("g.csv").exists());
    // A backtest without the GBM among its models refuses the search instead of ignoring it.
    let out = run(
        dir.path(),
        "backtest s.csv --models ets,seasonal-naive --tune-trials 4 --horizon 7",
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--tune-trials tunes the GBM: add gbm to --models"),
        "{err}"
    );
}

/// `--model gbm` forecasts and backtests a panel with one global model.
#[test]
fn gbm_forecasts_and_backtests_a_panel_globally() {
    let dir = tempfile::tempdir().unwrap();
    sample_retail(dir.path(), 2, 3, 400, "s.csv");
    ok(&run(dir.path(), "forecast s.csv --model gbm --horizon 14 --out f.csv"));
    let f = std::fs::read_to_string(dir.path().join("f.csv")).unwrap();
    assert_eq!(f.lines().count(), 1 + 6 * 14, "{f}");
    assert!(f.lines().nth(1).unwrap().contains(",gbm,"), "{f}");
    let table = ok(&run(
        dir.path(),
        "backtest s.csv --models seasonal-naive,gbm --horizon 14 --folds 2",
    ));
    let gbm_line = table.lines().find(|l| l.starts_with("gbm ")).expect("a gbm row");
    assert!(
        gbm_line.contains(" 12/12 "),
        "every fold of every series scored: {table}"
    );
    // A global ensemble: the log names the first series' model, with the panel's weights.
    let out = run(
        dir.path(),
        "forecast s.csv --model ensemble:seasonal-naive/gbm --horizon 14 --out e.csv",
    );
    ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("S01 / P001: Ensemble: seasonal-naive "), "{err}");
    assert!(
        err.contains("weights for the whole panel by inverse mean squared error on"),
        "{err}"
    );
}

/// Whatever `forecast` writes with exit 0 is finite and ordered (lo ≤ forecast ≤ hi), on files
/// whose values strain the arithmetic; values beyond any sales figure are refused up front.
#[test]
fn every_forecast_written_with_exit_0_is_finite_and_ordered() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let start = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    let files: [(&str, &dyn Fn(usize) -> String); 5] = [
        ("spike.csv", &|i| {
            if i == 60 {
                "1e99".into()
            } else {
                format!("{}", 100 + i % 7 * 5)
            }
        }),
        ("huge.csv", &|_| "1e99".into()),
        ("alternating.csv", &|i| {
            if i % 2 == 0 { "1e99".into() } else { "0".into() }
        }),
        ("skewed.csv", &|i| format!("{}", ((i % 7) as f64 + 1.0).powi(6))),
        ("beyond.csv", &|i| if i == 60 { "1e154".into() } else { "5".into() }),
    ];
    let mut written = 0;
    for (name, value) in files {
        let mut text = String::from("date,sales\n");
        for i in 0..120 {
            text.push_str(&format!("{},{}\n", start + chrono::Days::new(i as u64), value(i)));
        }
        std::fs::write(d.join(name), text).unwrap();
        for model in ["naive", "ets", "arima", "gbm", "prophet", "ensemble"] {
            let out = common::output(&mut common::command(
                &[
                    "forecast",
                    name,
                    "--model",
                    model,
                    "--horizon",
                    "14",
                    "--level",
                    "10",
                    "--level",
                    "95",
                    "--out",
                    "f.csv",
                    "--force",
                ],
                d,
            ));
            if name == "beyond.csv" {
                assert_eq!(out.status.code(), Some(2), "{name} {model}");
                continue;
            }
            if !out.status.success() {
                continue;
            }
            written += 1;
            let csv = std::fs::read_to_string(d.join("f.csv")).unwrap();
            let mut lines = csv.lines();
            let header: Vec<&str> = lines.next().unwrap().split(',').collect();
            let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
            let (f, lo10, hi10, lo95, hi95) = (col("forecast"), col("lo_10"), col("hi_10"), col("lo_95"), col("hi_95"));
            for line in lines {
                let cells: Vec<&str> = line.split(',').collect();
                let v = |j: usize| cells[j].parse::<f64>().unwrap();
                for j in [f, lo10, hi10, lo95, hi95] {
                    assert!(v(j).is_finite(), "{name} {model}: {line}");
                }
                assert!(v(lo95) <= v(f) && v(f) <= v(hi95), "{name} {model}: {line}");
                assert!(v(lo10) <= v(f) && v(f) <= v(hi10), "{name} {model}: {line}");
            }
        }
    }
    assert!(written >= 12, "only {written} forecasts written");
}

/// `horizon report`: the forecast of every series as one HTML page, with the CSV's numbers;
/// nothing overwritten without --force.
#[test]
fn report_writes_a_self_contained_html_page_per_file() {
    let dir = tempfile::tempdir().unwrap();
    sample_retail(dir.path(), 1, 2, 200, "s.csv");
    ok(&run(dir.path(), "forecast s.csv --model ets --horizon 14 --out f.csv"));
    ok(&run(dir.path(), "report s.csv --model ets --horizon 14 --out r.html"));
    let page = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && !page.contains("<script"));
    assert_eq!(page.matches("<section>").count(), 2);
    assert!(page.contains("<h2>S01 / P001 — sales forecast</h2>"));
    assert!(page.contains("In its backtest this model was typically within ±"));
    assert_eq!(page.matches("<tr><td>").count(), 28);
    // The table holds the CSV's forecasts.
    let csv = std::fs::read_to_string(dir.path().join("f.csv")).unwrap();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    let f: f64 = row[4].parse().unwrap();
    let cell = format!("<tr><td>{}</td><td>{}</td>", row[2], horizon_core::headline::people(f));
    assert!(page.contains(&cell), "{cell}");
    let again = run(dir.path(), "report s.csv --model ets --horizon 14 --out r.html");
    let said = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(1), "{said}");
    assert!(said.contains("already exists; pass --force"), "{said}");
    // Refused before any model was fitted (no description of a fit printed).
    assert!(!said.contains("S01 / P001:"), "{said}");
    assert_eq!(std::fs::read_to_string(dir.path().join("r.html")).unwrap(), page);
    ok(&run(
        dir.path(),
        "report s.csv --model naive --horizon 7 --out r.html --force",
    ));
    let page = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(page.contains("with naive.") && page.matches("<tr><td>").count() == 14);
}

/// `forecast --hierarchy` rows: (level, ids, date) -> forecast.
fn level_rows(csv: &str) -> std::collections::HashMap<(String, String, String, String), f64> {
    csv.lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (
                (c[0].into(), c[1].into(), c[2].into(), c[3].into()),
                c[5].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn hierarchy_writes_every_level_and_the_totals_add_up() {
    let dir = tempfile::tempdir().unwrap();
    sample_retail(dir.path(), 2, 3, 200, "s.csv");
    ok(&run(
        dir.path(),
        "forecast s.csv --model ets --horizon 14 --out plain.csv",
    ));
    for method in ["mint-shrink", "bottom-up", "top-down"] {
        let out = run(
            dir.path(),
            &format!(
                "forecast s.csv --model ets --horizon 14 --hierarchy store_id/product_id --reconcile {method} --out {method}.csv"
            ),
        );
        ok(&out);
        assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("Totals reconciled by {method}")));
        let csv = std::fs::read_to_string(dir.path().join(format!("{method}.csv"))).unwrap();
        assert!(csv.starts_with("level,store_id,product_id,date,model,forecast,lo_95,hi_95\n"));
        let rows = level_rows(&csv);
        // 1 total + 2 stores + 3 products + 6 series, 14 days each.
        assert_eq!(rows.len(), 12 * 14);
        let all = "(all)".to_string();
        for ((level, store, product, date), v) in &rows {
            let parts: Vec<f64> = rows
                .iter()
                .filter(|((l, s, p, d), _)| {
                    l == "store_id/product_id"
                        && d == date
                        && (store == &all || s == store)
                        && (product == &all || p == product)
                })
                .map(|(_, v)| *v)
                .collect();
            let sum: f64 = parts.iter().sum();
            assert!(
                (v - sum).abs() <= 1e-9 * sum.abs().max(1.0),
                "{method} {level} {store} {product} {date}: {v} vs {sum}"
            );
        }
        if method == "bottom-up" {
            // The lowest level is the plain forecast of each series, to the last digit.
            let plain = std::fs::read_to_string(dir.path().join("plain.csv")).unwrap();
            for l in plain.lines().skip(1) {
                let c: Vec<&str> = l.split(',').collect();
                let key = (
                    "store_id/product_id".to_string(),
                    c[0].to_string(),
                    c[1].to_string(),
                    c[2].to_string(),
                );
                assert_eq!(rows[&key].to_string(), c[4]);
            }
        }
    }
    let bad = run(
        dir.path(),
        "forecast s.csv --model ets --horizon 14 --hierarchy region --out x.csv",
    );
    assert_eq!(bad.status.code(), Some(2));
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(
        said.contains(
            "--hierarchy region: 'region' is not an id column of the data (id columns: store_id, product_id)"
        ),
        "{said}"
    );
    assert!(!dir.path().join("x.csv").exists());
    // The report shows the total first.
    ok(&run(
        dir.path(),
        "report s.csv --model ets --horizon 14 --hierarchy store_id/product_id --out r.html",
    ));
    let page = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(page.contains("<h2>Total — sales forecast</h2>"), "{}", &page[..400]);
    assert!(page.contains("Totals reconciled by"));
}

#[test]
fn a_plan_file_moves_the_gbm_forecast_and_bad_plans_are_refused_with_their_row() {
    let dir = tempfile::tempdir().unwrap();
    sample_retail(dir.path(), 1, 2, 200, "s.csv");
    // The first forecast day of the sample (200 days from 2023-01-01).
    let first = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap() + chrono::Days::new(200);
    let mut plan = String::from("store_id,product_id,date,promotion,discount\n");
    for k in 7..14 {
        plan.push_str(&format!("S01,P001,{},1,0.2\n", first + chrono::Days::new(k)));
    }
    std::fs::write(dir.path().join("plan.csv"), &plan).unwrap();
    let out = run(
        dir.path(),
        "forecast s.csv --model gbm --horizon 14 --future-drivers plan.csv --out p.csv",
    );
    ok(&out);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("S01 / P001: With the plan:") && said.contains("than without it"),
        "{said}"
    );
    let csv = std::fs::read_to_string(dir.path().join("p.csv")).unwrap();
    assert!(
        csv.starts_with("store_id,product_id,date,model,forecast,baseline,lo_95,hi_95\n"),
        "{csv}"
    );
    let mut moved = 0;
    for l in csv.lines().skip(1) {
        let c: Vec<&str> = l.split(',').collect();
        let (f, b): (f64, f64) = (c[4].parse().unwrap(), c[5].parse().unwrap());
        if c[1] == "P002" {
            assert_eq!(f, b, "a series the plan leaves alone");
        } else if f != b {
            moved += 1;
        }
    }
    assert!(moved >= 7, "the plan's days move the forecast: {moved}");
    assert!(
        !said.contains("outside every"),
        "the plan is within the history: {said}"
    );
    // A price below any in the history is forecast (trees take it as the lowest seen), and said.
    std::fs::write(
        dir.path().join("cheap.csv"),
        format!("store_id,product_id,date,price\nS01,P002,{first},-3\n"),
    )
    .unwrap();
    let cheap = run(
        dir.path(),
        "forecast s.csv --model gbm --horizon 14 --future-drivers cheap.csv --out c.csv",
    );
    ok(&cheap);
    let said = String::from_utf8_lossy(&cheap.stderr);
    assert!(
        said.contains(&format!(
            "warning: cheap.csv: price: the plan sets -3 for S01 / P002 on {first}, outside every price of this series ("
        )),
        "{said}"
    );
    // Refused, with the row, and nothing written.
    std::fs::write(
        dir.path().join("bad.csv"),
        format!("store_id,product_id,date,promotion\nS01,P001,{first},1\nS07,P001,{first},1\n"),
    )
    .unwrap();
    let bad = run(
        dir.path(),
        "forecast s.csv --model gbm --horizon 14 --future-drivers bad.csv --out b.csv",
    );
    assert_eq!(bad.status.code(), Some(2));
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(
        said.contains("bad.csv: row 3: 'S07 / P001' is not a series of the data"),
        "{said}"
    );
    assert!(!dir.path().join("b.csv").exists());
    // A model that does not read drivers cannot follow a plan: said, nothing written.
    let ets = run(
        dir.path(),
        "forecast s.csv --model ets --horizon 14 --future-drivers plan.csv --out e.csv",
    );
    assert_eq!(ets.status.code(), Some(1));
    let said = String::from_utf8_lossy(&ets.stderr);
    assert!(
        said.contains("does not forecast from a plan's drivers") && said.contains("nothing written"),
        "{said}"
    );
    assert!(!dir.path().join("e.csv").exists());
}

/// Files laid out as public sales data often are: the columns forecast are said on stderr
/// every time (a wrong guess would forecast the wrong column with exit 0), Walmart's numeric
/// store and department are ids and `Weekly_Sales` the value, a price before `total_sales`
/// is not forecast, and a date order settled by a tie is said by `forecast`, not only by
/// `validate`.
#[test]
fn forecast_says_which_column_it_forecasts_and_reads_public_layouts_right() {
    let dir = tempfile::tempdir().unwrap();
    let mut walmart = String::from("Store,Dept,Date,Weekly_Sales,IsHoliday\n");
    for (k, date) in ["2010-02-05", "2010-02-12", "2010-02-19", "2010-02-26"]
        .iter()
        .enumerate()
    {
        for store in 1..=2 {
            for dept in 1..=3 {
                let holiday = if k == 1 { "TRUE" } else { "FALSE" };
                walmart.push_str(&format!(
                    "{store},{dept},{date},{}.5,{holiday}\n",
                    1000 * store + 100 * dept + k
                ));
            }
        }
    }
    std::fs::write(dir.path().join("walmart.csv"), walmart).unwrap();
    let out = run(dir.path(), "forecast walmart.csv --model naive --horizon 1 --out w.csv");
    ok(&out);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("walmart.csv: forecasting 'Weekly_Sales' per week of 'Date' by Store, Dept (6 series)"),
        "{said}"
    );
    assert!(
        said.contains("column 'IsHoliday'") && said.contains("it is not used"),
        "{said}"
    );
    let csv = std::fs::read_to_string(dir.path().join("w.csv")).unwrap();
    assert!(csv.starts_with("Store,Dept,date,model,forecast"), "{csv}");
    // Naive: each department's own last week, not the departments added up.
    assert!(csv.contains("\n2,3,2010-03-05,naive,2303.5,"), "{csv}");
    std::fs::write(
        dir.path().join("price.csv"),
        "store_id,date,price,total_sales\nS1,2024-01-01,4.99,120\nS1,2024-01-02,4.99,130\nS1,2024-01-03,4.99,125\n",
    )
    .unwrap();
    let out = run(dir.path(), "forecast price.csv --model naive --horizon 1 --out p.csv");
    ok(&out);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("forecasting 'total_sales' per day"), "{said}");
    assert!(
        std::fs::read_to_string(dir.path().join("p.csv"))
            .unwrap()
            .contains(",naive,125,")
    );
    std::fs::write(
        dir.path().join("tie.csv"),
        "date,sales\n01/01/2024,1\n01/02/2024,2\n01/03/2024,3\n01/04/2024,4\n",
    )
    .unwrap();
    let out = run(dir.path(), "forecast tie.csv --model naive --horizon 1 --out t.csv");
    ok(&out);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("read as DD/MM/YYYY (day first)"), "{said}");
}
