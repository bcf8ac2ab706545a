//! `horizon monitor` as a scheduler runs it: a model trained and registered, its forecasts
//! logged, new sales arriving — unchanged, or every series three times larger — and the
//! verdict, the exit code, the reports, the run recorded and the retrain loop.

mod common;

use common::{command, ok, output, sample_retail};
use std::path::Path;
use std::process::Output;

fn horizon(args: &[&str], dir: &Path) -> Output {
    output(
        command(args, dir)
            .env("HORIZON_REGISTRY_DIR", dir.join("registry"))
            .env_remove("HORIZON_REGISTRY"),
    )
}

fn said(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Rows of `from` (a sales CSV with `date` third) up to `last` into `to`, sales × `factor` after
/// `cut`.
fn derive(dir: &Path, from: &str, to: &str, last: &str, cut: &str, factor: f64) {
    let text = std::fs::read_to_string(dir.join(from)).expect("read sample");
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        if i == 0 {
            out.push_str(line);
        } else if cells[2] <= last {
            let mut cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
            if cells[2].as_str() > cut {
                let v: f64 = cells[3].parse().expect("sales");
                cells[3] = format!("{}", (v * factor).round());
            }
            out.push_str(&cells.join(","));
        } else {
            continue;
        }
        out.push('\n');
    }
    std::fs::write(dir.join(to), out).expect("write");
}

fn config(dir: &Path, name: &str, data: &str, model: &str) {
    let cfg = format!(
        "[data]\npath = \"{data}\"\nduplicates = \"sum\"\ngaps = \"zero\"\n\n[training]\nmodels = [\"ets\"]\nhorizon = 14\nlevels = [95]\nfolds = 2\nmetric = \"mase\"\n\n[registry]\ntarget = \"local\"\nmodel_name = \"{model}\"\n\n[promotion]\nthreshold = 0.10\n"
    );
    std::fs::write(dir.join(name), cfg).expect("write config");
}

#[test]
fn monitor_judges_new_sales_logs_forecasts_records_runs_and_retrains_through_promotion() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    sample_retail(d, 2, 3, 760, "all.csv");
    // Trained on 2023-01-01 … 2024-12-31 (731 days); 29 new days follow.
    derive(d, "all.csv", "train.csv", "2024-12-31", "9999", 1.0);
    derive(d, "all.csv", "same.csv", "9999", "9999", 1.0);
    derive(d, "all.csv", "tripled.csv", "9999", "2024-12-31", 3.0);
    config(d, "pipeline.toml", "train.csv", "sales");
    ok(&horizon(&["train", "--config", "pipeline.toml"], d));

    // A forecast made with the champion, kept for monitoring.
    let f = horizon(
        &[
            "forecast",
            "train.csv",
            "--registered",
            "sales@champion",
            "--forecast-log",
            "logs",
            "--out",
            "f.csv",
        ],
        d,
    );
    ok(&f);
    assert!(
        String::from_utf8_lossy(&f.stderr).contains("logged for monitoring"),
        "{}",
        said(&f)
    );
    let logs: Vec<_> = std::fs::read_dir(d.join("logs/sales")).expect("log folder").collect();
    assert_eq!(logs.len(), 1);
    // What a crash mid-write may leave behind: a cut file (skipped with its name) and a temp file.
    let log = logs[0].as_ref().expect("entry").path();
    let bytes = std::fs::read(&log).expect("log");
    std::fs::write(d.join("logs/sales/cut.hflog"), &bytes[..bytes.len() / 2]).expect("cut");
    std::fs::write(d.join("logs/sales/.next.hflog.tmp-1-2"), &bytes[..10]).expect("tmp");

    // The sales continue as before: the forecasts are judged, nothing calls for a retrain.
    let same = horizon(
        &[
            "monitor",
            "same.csv",
            "--registered",
            "sales@champion",
            "--forecast-log",
            "logs",
            "--json",
            "same.json",
        ],
        d,
    );
    let text = said(&same);
    assert!(matches!(same.status.code(), Some(0 | 3)), "{text}");
    assert!(text.contains("cut.hflog: the checksum does not match"), "{text}");
    assert!(text.contains("accuracy: 1 forecast(s), 84 days with actuals"), "{text}");
    assert!(text.contains("recorded: run"), "{text}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("same.json")).expect("json")).expect("parses");
    assert_ne!(report["verdict"], "retrain", "{text}");
    assert_eq!(report["series"].as_array().map(Vec::len), Some(6));
    assert_eq!(report["accuracy"]["overall"]["pairs"], 84);

    // Every series tripled: retrain, exit 4, with the change in words and an HTML report.
    let tripled = horizon(
        &[
            "monitor",
            "tripled.csv",
            "--registered",
            "sales@champion",
            "--forecast-log",
            "logs",
            "--html",
            "t.html",
        ],
        d,
    );
    let text = said(&tripled);
    assert_eq!(tripled.status.code(), Some(4), "{text}");
    assert!(text.contains("verdict: RETRAIN — 0 ok"), "{text}");
    assert!(text.contains("6 of 6 series changed enough to retrain"), "{text}");
    assert!(text.contains("Level +2"), "{text}"); // +200 % give or take the season
    assert!(text.contains("what the backtest promised"), "{text}");
    let page = std::fs::read_to_string(d.join("t.html")).expect("html");
    assert!(page.contains("Verdict: retrain") && page.contains("<svg"));
    // The same file again is not overwritten.
    let again = horizon(
        &["monitor", "tripled.csv", "--registered", "sales", "--html", "t.html"],
        d,
    );
    assert_eq!(again.status.code(), Some(1), "{}", said(&again));
    // Two reports named alike are refused before either is written.
    let both = horizon(
        &[
            "monitor",
            "tripled.csv",
            "--registered",
            "sales",
            "--json",
            "b.out",
            "--html",
            "b.out",
        ],
        d,
    );
    assert_eq!(both.status.code(), Some(1), "{}", said(&both));
    assert!(
        said(&both).contains("--json and --html both name b.out"),
        "{}",
        said(&both)
    );
    assert!(!d.join("b.out").exists());
    // New sales appended twice are summed: said on stderr and in the report's notes, since
    // they decide the verdict.
    let text = std::fs::read_to_string(d.join("tripled.csv")).expect("read");
    let rows: Vec<&str> = text.lines().skip(1).collect();
    std::fs::write(
        d.join("twice.csv"),
        format!("{text}{}\n", rows[rows.len() - 6..].join("\n")),
    )
    .expect("write");
    let twice = horizon(
        &[
            "monitor",
            "twice.csv",
            "--registered",
            "sales",
            "--no-record",
            "--json",
            "twice.json",
        ],
        d,
    );
    let text = said(&twice);
    assert!(
        text.contains("row(s) repeat a date of this series and were merged by sum"),
        "{text}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("twice.json")).expect("json")).expect("parse");
    assert!(
        report["notes"].as_array().is_some_and(|n| n.iter().any(|n| n
            .as_str()
            .is_some_and(|n| n.contains("Reading the data changed what is checked") && n.contains("merged by sum")))),
        "{report}"
    );

    // A retrain config for another model is refused before anything runs.
    config(d, "other.toml", "tripled.csv", "stock");
    let wrong = horizon(
        &[
            "monitor",
            "tripled.csv",
            "--registered",
            "sales@champion",
            "--retrain-config",
            "other.toml",
        ],
        d,
    );
    assert_eq!(wrong.status.code(), Some(2), "{}", said(&wrong));
    assert!(said(&wrong).contains("trains 'stock', not the monitored model 'sales'"));

    // The retrain loop: the pipeline trains on the new data and registers version 2, the
    // champion's own model (ETS) refitted on newer data, which replaces it (a comparison on the
    // same hold-out would score ETS twice and never pass the threshold).
    config(d, "retrain.toml", "tripled.csv", "sales");
    let loop_ = horizon(
        &[
            "monitor",
            "tripled.csv",
            "--registered",
            "sales@champion",
            "--retrain-config",
            "retrain.toml",
        ],
        d,
    );
    let text = said(&loop_);
    assert_eq!(loop_.status.code(), Some(5), "{text}");
    assert!(text.contains("registered: sales version 2"), "{text}");
    assert!(
        text.contains("promotion: version 2 promoted: the same model (ets) refitted on data up to"),
        "{text}"
    );
    let show = ok(&horizon(&["registry", "show", "sales@champion"], d));
    assert!(show.contains("version 2"), "{show}");
    // The same data against version 1 again: version 2 was trained on it already, so no third
    // copy.
    let again = horizon(
        &[
            "monitor",
            "tripled.csv",
            "--registered",
            "sales:1",
            "--retrain-config",
            "retrain.toml",
        ],
        d,
    );
    let text = said(&again);
    assert_eq!(again.status.code(), Some(4), "{text}");
    assert!(
        text.contains("not retrained: version 2 was trained on these data"),
        "{text}"
    );
    assert!(ok(&horizon(&["registry", "list"], d)).contains("(2 version(s))"));
    // Version 2 was trained on the tripled sales: against it they are what it expects.
    let after = horizon(&["monitor", "tripled.csv", "--registered", "sales:2", "--no-record"], d);
    assert!(matches!(after.status.code(), Some(0 | 3)), "{}", said(&after));

    // An unchanged file with no new days: nothing to check, said, exit 3 (watch).
    let stale = horizon(&["monitor", "train.csv", "--registered", "sales:1", "--no-record"], d);
    assert_eq!(stale.status.code(), Some(3), "{}", said(&stale));
    assert!(said(&stale).contains("No sales after the training data"));

    // Without --forecast-log, the local registry's own folder (where the workbench keeps its
    // forecasts) is read.
    std::fs::rename(d.join("logs"), d.join("registry/forecast-logs")).expect("move the logs");
    let default = horizon(&["monitor", "same.csv", "--registered", "sales:1", "--no-record"], d);
    assert!(
        said(&default).contains("accuracy: 1 forecast(s), 84 days with actuals"),
        "{}",
        said(&default)
    );

    // --forecast-log needs a registered model.
    let bad = horizon(
        &[
            "forecast",
            "train.csv",
            "--model",
            "ets",
            "--horizon",
            "7",
            "--forecast-log",
            "logs",
            "--out",
            "x.csv",
        ],
        d,
    );
    assert_eq!(bad.status.code(), Some(2), "{}", said(&bad));
}
