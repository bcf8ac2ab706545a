//! Training pipeline and registry commands, run as a user runs them: against the embedded
//! registry, against a live MLflow server (started and stopped here), and against MLflow being
//! down.

#[allow(dead_code)] // the harness serves other tests too
#[path = "../crates/horizon-registry/tests/common/server.rs"]
mod server;

mod common;

use common::ok;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

fn horizon(args: &[&str], dir: &Path, registry_dir: &Path) -> Output {
    common::output(
        common::command(args, dir)
            .env("HORIZON_REGISTRY_DIR", registry_dir)
            .env_remove("HORIZON_REGISTRY"),
    )
}

/// `horizon train` twice on the same config (the second time with `extra` flags): what the
/// first run said, the forecast it wrote (then removed), and what the second said.
fn train_twice(d: &Path, reg: &Path, extra: &[&str]) -> (String, Vec<u8>, String) {
    let first = ok(&horizon(&["train", "--config", "pipeline.toml"], d, reg));
    let trained = std::fs::read(d.join("trained_forecast.csv")).expect("the run's forecast");
    std::fs::remove_file(d.join("trained_forecast.csv")).expect("rm");
    let again: Vec<&str> = ["train", "--config", "pipeline.toml"]
        .iter()
        .chain(extra)
        .copied()
        .collect();
    let second = ok(&horizon(&again, d, reg));
    (first, trained, second)
}

/// `forecast --registered sales@champion` (with `extra` flags) writes exactly `trained`, the
/// training run's forecast.
fn assert_champion_forecasts(d: &Path, reg: &Path, extra: &[&str], trained: &[u8]) {
    let mut args = vec![
        "forecast",
        "sales.csv",
        "--registered",
        "sales@champion",
        "--out",
        "again.csv",
    ];
    args.extend(extra);
    ok(&horizon(&args, d, reg));
    assert_eq!(std::fs::read(d.join("again.csv")).expect("again"), trained);
}

/// A folder with the sample sales file and a pipeline config training `models` into `registry`.
fn project(models: &str, registry: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/retail_small.csv");
    std::fs::copy(sample, dir.path().join("sales.csv")).expect("copy sample");
    write_config(dir.path(), models, registry);
    dir
}

fn write_config(dir: &Path, models: &str, registry: &str) {
    let cfg = format!(
        "[data]\npath = \"sales.csv\"\n\n[training]\nmodels = [{models}]\nhorizon = 14\nlevels = [80, 95]\nfolds = 2\n\n\
         [registry]\n{registry}\nmodel_name = \"sales\"\n\n[promotion]\nthreshold = 0.10\n\n[output]\nforecast = \"trained_forecast.csv\"\n"
    );
    std::fs::write(dir.join("pipeline.toml"), cfg).expect("write config");
}

#[test]
fn the_bundled_pipeline_config_trains_into_the_local_registry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reg = dir.path().join("registry");
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/pipeline.toml");
    let out = ok(&horizon(
        &["train", "--config", config.to_str().expect("utf-8")],
        dir.path(),
        &reg,
    ));
    assert!(out.contains("registered: sales version 1"), "{out}");
    assert!(out.contains("promoted: there is no champion yet"), "{out}");
    assert!(reg.join("models/sales/versions/1/artifact.hzn").is_file());
}

#[test]
fn train_twice_registers_two_versions_and_promotes_only_past_the_threshold() {
    let dir = project("\"ets\", \"seasonal-naive\"", "target = \"local\"");
    let (d, reg) = (dir.path(), dir.path().join("registry"));
    let (first, trained, second) = train_twice(d, &reg, &[]);
    assert!(first.contains("registered: sales version 1"), "{first}");
    assert!(first.contains("version 1 promoted"), "{first}");
    // The same data and models again: equal score, no 10 % improvement, no promotion.
    assert!(second.contains("registered: sales version 2"), "{second}");
    assert!(second.contains("version 2 not promoted"), "{second}");
    // The registered champion reproduces the training run's forecast exactly.
    assert_champion_forecasts(d, &reg, &[], &trained);

    // A much worse champion is replaced: start over with the mean model as champion.
    let dir = project("\"mean\"", "target = \"local\"");
    let (d, reg) = (dir.path(), dir.path().join("registry"));
    ok(&horizon(&["train", "--config", "pipeline.toml"], d, &reg));
    write_config(d, "\"ets\"", "target = \"local\"");
    let better = ok(&horizon(&["train", "--config", "pipeline.toml", "--force"], d, &reg));
    assert!(better.contains("version 2 promoted: rmse"), "{better}");
    let show = ok(&horizon(&["registry", "show", "sales@champion"], d, &reg));
    assert!(show.contains("sales version 2"), "{show}");
    assert!(show.contains("horizon.promotion.decision = promoted"), "{show}");
    assert!(show.contains("horizon.promotion.champion_version = 1"), "{show}");
    let back = ok(&horizon(&["registry", "rollback", "sales"], d, &reg));
    assert!(back.contains("version 2 → version 1"), "{back}");
    let list = ok(&horizon(&["registry", "list"], d, &reg));
    assert!(list.contains("@champion→1"), "{list}");
    ok(&horizon(&["registry", "tag", "sales:2", "reviewed", "yes"], d, &reg));
    ok(&horizon(&["registry", "delete", "sales:2"], d, &reg));
    let missing = horizon(&["registry", "show", "sales:2"], d, &reg);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("model 'sales' has no version 2"));
}

#[test]
fn a_tuning_budget_limits_the_candidates_tried() {
    let dir = project("\"naive\", \"seasonal-naive\", \"mean\"", "target = \"local\"");
    let (d, reg) = (dir.path(), dir.path().join("registry"));
    let cfg = std::fs::read_to_string(d.join("pipeline.toml")).expect("config");
    std::fs::write(
        d.join("pipeline.toml"),
        format!("{cfg}\n[tuning]\nmax_candidates = 2\n"),
    )
    .expect("write");
    let out = ok(&horizon(&["train", "--config", "pipeline.toml"], d, &reg));
    assert!(out.contains("not tried (tuning budget reached): mean"), "{out}");
    let show = ok(&horizon(&["registry", "show", "sales:1"], d, &reg));
    assert!(!show.contains("mean.rmse"), "{show}");
}

#[test]
fn a_registry_that_is_down_is_reported_within_the_timeout_without_credentials() {
    let dir = project(
        "\"naive\"",
        "target = \"mlflow\"\nurl = \"http://127.0.0.1:9\"\ntimeout_secs = 2",
    );
    let d = dir.path();
    let start = Instant::now();
    let out = common::output(
        common::command(&["train", "--config", "pipeline.toml"], d)
            .env("MLFLOW_TRACKING_USERNAME", "alice")
            .env("MLFLOW_TRACKING_PASSWORD", "s3cret-pw-123"),
    );
    assert!(start.elapsed() < Duration::from_secs(4), "took {:?}", start.elapsed());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("127.0.0.1:9") && err.contains("cannot be reached"),
        "{err}"
    );
    assert!(!err.contains("s3cret-pw-123") && !err.contains("alice"), "{err}");
    // Local work goes on: the same file still forecasts with a model of its own.
    ok(&horizon(
        &[
            "forecast",
            "sales.csv",
            "--model",
            "naive",
            "--horizon",
            "7",
            "--out",
            "local.csv",
        ],
        d,
        &d.join("registry"),
    ));
}

/// A fake server on 127.0.0.1: answers requests with `answers` in turn (the last one forever);
/// `None` means accept and never answer.
fn fake_server(answers: Vec<Option<&'static str>>) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for (i, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let answer = answers[i.min(answers.len() - 1)];
            let mut buf = [0u8; 65536];
            let _ = stream.read(&mut buf);
            match answer {
                Some(a) => {
                    let _ = stream.write_all(a.as_bytes());
                }
                None => held.push(stream),
            }
        }
    });
    url
}

fn response(status: &str, content_type: &str, body: &str) -> &'static str {
    let r = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    Box::leak(r.into_boxed_str())
}

#[test]
fn a_slow_registry_is_reported_within_the_configured_timeout() {
    let url = fake_server(vec![None]);
    let dir = project(
        "\"naive\"",
        &format!("target = \"mlflow\"\nurl = \"{url}\"\ntimeout_secs = 1.5"),
    );
    let start = Instant::now();
    let out = horizon(
        &["train", "--config", "pipeline.toml"],
        dir.path(),
        &dir.path().join("r"),
    );
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did not answer") && err.contains("1.5 s"), "{err}");
    assert!(took < Duration::from_secs(4), "gave up after {took:?}");
    // The same from `registry list`, with the timeout on the command line.
    let start = Instant::now();
    let out = horizon(
        &["registry", "list", "--registry", &url, "--timeout", "1"],
        dir.path(),
        &dir.path().join("r"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "gave up after {:?}",
        start.elapsed()
    );
}

#[test]
fn a_registry_failing_after_training_keeps_the_trained_model() {
    // Reachable at first (the model is new), then answering 500 to everything.
    let not_found = response(
        "404 Not Found",
        "application/json",
        r#"{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Registered Model with name=sales not found"}"#,
    );
    let failing = response("500 Internal Server Error", "text/plain", "database is down");
    let url = fake_server(vec![Some(not_found), Some(failing)]);
    let dir = project(
        "\"naive\"",
        &format!("target = \"mlflow\"\nurl = \"{url}\"\ntimeout_secs = 3"),
    );
    let out = horizon(
        &["train", "--config", "pipeline.toml"],
        dir.path(),
        &dir.path().join("r"),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("HTTP 500") && err.contains("database is down"), "{err}");
    assert!(err.contains("the trained model was kept in"), "{err}");
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".hzn"))
        .collect();
    assert_eq!(kept.len(), 1, "one artifact kept");
    let bytes = std::fs::read(kept[0].path()).expect("read");
    let art = horizon_core::artifact::Artifact::from_bytes(&bytes, "kept").expect("a whole artifact");
    assert_eq!(art.spec.name(), "naive");
}

#[test]
fn train_and_forecast_against_a_live_mlflow_server() {
    let server = server::MlflowServer::start(false);
    // A losing `+conformal` candidate: its metric names must be ones MLflow takes.
    let dir = project(
        "\"ets\", \"seasonal-naive\", \"naive+conformal\"",
        &format!(
            "target = \"mlflow\"\nurl = \"{}\"\nexperiment = \"cli-test\"",
            server.url()
        ),
    );
    let (d, reg) = (dir.path(), dir.path().join("unused-local"));
    let (first, trained, second) = train_twice(d, &reg, &["--force"]);
    assert!(first.contains("registered: sales version 1 in MLflow"), "{first}");
    assert!(second.contains("version 2 not promoted"), "{second}");
    assert_champion_forecasts(d, &reg, &["--registry", server.url()], &trained);
    let list = ok(&horizon(&["registry", "list", "--registry", server.url()], d, &reg));
    assert!(list.contains("@champion→1") && list.contains("v2"), "{list}");

    // A monitoring check is recorded on the server as a run with its verdict and counts: the
    // training data itself has no new days, so every series is to watch (exit 3).
    let checked = horizon(
        &[
            "monitor",
            "sales.csv",
            "--registered",
            "sales@champion",
            "--registry",
            server.url(),
            "--timeout",
            "120",
        ],
        d,
        &reg,
    );
    let text = String::from_utf8_lossy(&checked.stdout).into_owned();
    assert_eq!(
        checked.status.code(),
        Some(3),
        "{text}{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let run_id = text
        .split("recorded: run ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("no run recorded: {text}"));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();
    let body = agent
        .get(&format!("{}/api/2.0/mlflow/runs/get?run_id={run_id}", server.url()))
        .call()
        .expect("MLflow answers")
        .body_mut()
        .read_to_string()
        .expect("body");
    let run: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let metrics = run["run"]["data"]["metrics"].as_array().cloned().unwrap_or_default();
    let metric = |k: &str| metrics.iter().find(|m| m["key"] == k).and_then(|m| m["value"].as_f64());
    assert_eq!(metric("verdict_level"), Some(1.0), "{body}");
    assert_eq!(metric("watch"), Some(6.0), "{body}");
    assert!(body.contains("monitor-sales"), "{body}");
    assert!(!reg.exists(), "nothing went to the local registry");
}

/// An address that is not a supported one (odd capitals, one slash, another scheme) is refused:
/// never taken for a folder (nothing created here) and never repeated with its password.
#[test]
fn a_malformed_or_foreign_registry_address_is_refused_without_creating_folders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (d, reg) = (dir.path(), dir.path().join("registry"));
    for address in [
        "HTTP://user:s3cretpw@127.0.0.1:9/",
        "http:/127.0.0.1:9",
        "ftp://user:s3cretpw@host/",
    ] {
        let out = horizon(&["registry", "list", "--registry", address, "--timeout", "2"], d, &reg);
        assert!(!out.status.success(), "{address} accepted");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!said.contains("s3cretpw"), "{said}");
        let made: Vec<_> = std::fs::read_dir(d).expect("read dir").collect();
        assert!(made.is_empty(), "{address}: created {made:?}");
    }
}

#[test]
fn a_damaged_version_spoils_only_itself() {
    let dir = project("\"naive\"", "target = \"local\"");
    let (d, reg) = (dir.path(), dir.path().join("registry"));
    ok(&horizon(&["train", "--config", "pipeline.toml"], d, &reg));
    // An output that exists stops the run before it trains or registers anything.
    let refused = horizon(&["train", "--config", "pipeline.toml"], d, &reg);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already exists; pass --force"));
    assert!(!reg.join("models/sales/versions/2").exists());
    ok(&horizon(&["train", "--config", "pipeline.toml", "--force"], d, &reg));
    std::fs::write(reg.join("models/sales/versions/2/version.json"), b"{ damaged").expect("damage");
    let list = ok(&horizon(&["registry", "list"], d, &reg));
    assert!(list.contains("v1 ") && list.contains("[champion]"), "{list}");
    assert!(
        list.contains("v2    damaged: ") && list.contains("version.json is damaged"),
        "{list}"
    );
    // Training goes on: version 3, compared with the champion, version 1.
    let third = ok(&horizon(&["train", "--config", "pipeline.toml", "--force"], d, &reg));
    assert!(third.contains("registered: sales version 3"), "{third}");
    assert!(third.contains("version 3 not promoted"), "{third}");
}

/// `train --shard K/N` over every K: each shard is its own model with one version, every series
/// is in exactly one of them, and a shard run again on the same data is not registered twice.
#[test]
fn sharded_training_covers_every_series_once() {
    let dir = project("\"ets\"", "target = \"local\"");
    let (d, reg) = (dir.path(), dir.path().join("registry"));
    let whole = horizon_core::data::ingest_csv(
        &std::fs::read(d.join("sales.csv")).expect("sales"),
        "sales.csv",
        &Default::default(),
    )
    .panel
    .expect("the sample reads");
    let mut seen: Vec<Vec<String>> = Vec::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let out = ok(&horizon(
            &["train", "--config", "pipeline.toml", "--shard", &shard],
            d,
            &reg,
        ));
        assert!(
            out.contains(&format!("registered: sales-shard-{k}-of-3 version 1")),
            "{out}"
        );
        assert!(d.join(format!("trained_forecast.shard-{k}-of-3.csv")).is_file());
        let bytes =
            std::fs::read(reg.join(format!("models/sales-shard-{k}-of-3/versions/1/artifact.hzn"))).expect("artifact");
        let art = horizon_core::artifact::Artifact::from_bytes(&bytes, "shard").expect("artifact");
        seen.extend(art.training.series.iter().map(|s| s.key.clone()));
    }
    seen.sort();
    let mut all: Vec<Vec<String>> = whole.series.iter().map(|s| s.key.clone()).collect();
    all.sort();
    assert_eq!(seen, all, "every series in exactly one shard");
    // A retried shard (its first run registered, then the worker died before its forecast)
    // trains nothing, and promotes and forecasts from the version it finds.
    let file = d.join("trained_forecast.shard-2-of-3.csv");
    let first = std::fs::read(&file).expect("the shard's forecast");
    std::fs::remove_file(&file).expect("rm");
    let again = ok(&horizon(
        &["train", "--config", "pipeline.toml", "--shard", "2/3"],
        d,
        &reg,
    ));
    assert!(again.contains("promotion:"), "{again}");
    assert_eq!(std::fs::read(&file).expect("made again"), first);
    assert!(
        again.contains("already registered as sales-shard-2-of-3 version 1"),
        "{again}"
    );
    assert!(!reg.join("models/sales-shard-2-of-3/versions/2").exists());
    let bad = horizon(&["train", "--config", "pipeline.toml", "--shard", "4/3"], d, &reg);
    assert_eq!(bad.status.code(), Some(2), "{}", String::from_utf8_lossy(&bad.stderr));
}

/// The sample's rows up to `last` (ISO dates compare as text) or, with `sundays`, its Sundays
/// only (2023-01-01 was one): weekly totals' dates.
fn sample_rows(d: &Path, out: &str, keep: impl Fn(&str) -> bool) {
    let text = std::fs::read_to_string(d.join("sales.csv")).expect("sample");
    let mut lines = text.lines();
    let mut kept = vec![lines.next().expect("header").to_string()];
    kept.extend(
        lines
            .filter(|l| keep(l.split(',').nth(2).expect("date column")))
            .map(String::from),
    );
    std::fs::write(d.join(out), kept.join("\n") + "\n").expect("write");
}

#[test]
fn a_retrain_of_the_champions_model_on_newer_data_replaces_it() {
    let dir = project("\"ets\"", "target = \"local\"");
    let (d, reg) = (dir.path(), dir.path().join("registry"));
    let full = std::fs::read(d.join("sales.csv")).expect("sample");
    sample_rows(d, "early.csv", |date| date <= "2024-11-30");
    std::fs::rename(d.join("early.csv"), d.join("sales.csv")).expect("early data");
    let first = ok(&horizon(&["train", "--config", "pipeline.toml"], d, &reg));
    assert!(first.contains("version 1 promoted"), "{first}");
    // A month more of data, the same model: the hold-out scores both the same (each is ets
    // refitted there), so the newer fit replaces the older rather than never winning.
    std::fs::write(d.join("sales.csv"), &full).expect("full data");
    let second = ok(&horizon(&["train", "--config", "pipeline.toml", "--force"], d, &reg));
    assert!(
        second.contains(
            "version 2 promoted: the same model (ets) refitted on data up to 2024-12-30 (it had data up to 2024-11-30)"
        ),
        "{second}"
    );
    let show = ok(&horizon(&["registry", "show", "sales@champion"], d, &reg));
    assert!(show.contains("sales version 2"), "{show}");
    // The same data once more: nothing newer, an equal score, no promotion.
    let third = ok(&horizon(&["train", "--config", "pipeline.toml", "--force"], d, &reg));
    assert!(third.contains("version 3 not promoted"), "{third}");
}

#[test]
fn weekly_data_sent_to_a_daily_model_is_refused_not_filled_with_zero_days() {
    let dir = project("\"seasonal-naive\"", "target = \"local\"");
    let (d, reg) = (dir.path(), dir.path().join("registry"));
    ok(&horizon(&["train", "--config", "pipeline.toml"], d, &reg));
    sample_rows(d, "weekly.csv", |date| {
        chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .is_ok_and(|t| chrono::Datelike::weekday(&t) == chrono::Weekday::Sun)
    });
    let args = [
        "forecast",
        "weekly.csv",
        "--registered",
        "sales@champion",
        "--out",
        "w.csv",
    ];
    let out = horizon(&args, d, &reg);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("weekly.csv: sales version 1: the data is weekly but the model was trained on daily data"),
        "{said}"
    );
    assert!(!d.join("w.csv").exists());
    // Said to be daily, it is read as daily (with a warning on the days between).
    let forced = horizon(&[&args[..], &["--freq", "daily"]].concat(), d, &reg);
    ok(&forced);
    let said = String::from_utf8_lossy(&forced.stderr);
    assert!(
        said.contains("weekly.csv: warning: the dates step like weekly data but are read as daily")
            && said.contains(
                "warning: 624 missing daily period(s) filled with zero (longest gap: 6) (and 5 more like it)"
            ),
        "{said}"
    );
}

#[test]
fn monthly_data_sent_to_a_weekly_model_is_told_the_calendar_not_every_off_grid_date() {
    let dir = project("\"seasonal-naive\"", "target = \"local\"");
    let (d, reg) = (dir.path(), dir.path().join("registry"));
    let sunday = |date: &str| {
        chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .is_ok_and(|t| chrono::Datelike::weekday(&t) == chrono::Weekday::Sun)
    };
    sample_rows(d, "monthly.csv", |date| date.ends_with("-01"));
    sample_rows(d, "weekly.csv", sunday);
    std::fs::rename(d.join("weekly.csv"), d.join("sales.csv")).expect("weekly data");
    ok(&horizon(&["train", "--config", "pipeline.toml"], d, &reg));
    let out = horizon(
        &[
            "forecast",
            "monthly.csv",
            "--registered",
            "sales@champion",
            "--out",
            "m.csv",
        ],
        d,
        &reg,
    );
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("monthly.csv: sales version 1: the data is monthly but the model was trained on weekly data"),
        "{said}"
    );
    assert_eq!(
        said.lines().count(),
        1,
        "the calendar explains the dates off the weekly grid: {said}"
    );
    assert!(!d.join("m.csv").exists());
}

/// What the registry commands refuse, each with exit 2 (or 1) and nothing changed: a registry
/// folder that does not exist, a metric where lower is not better, Horizon's own tags, an
/// invalid alias, deleting the champion unasked, forcing a damaged artifact into place.
#[test]
fn registry_commands_refuse_what_would_leave_a_wrong_state() {
    let dir = project("\"naive\"", "target = \"local\"");
    let (d, reg) = (dir.path(), dir.path().join("registry"));
    ok(&horizon(&["train", "--config", "pipeline.toml"], d, &reg));
    ok(&horizon(&["train", "--config", "pipeline.toml", "--force"], d, &reg));
    let fails = |args: &[&str], code: i32, says: &str| {
        let out = horizon(args, d, &reg);
        let text = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {text}");
        assert!(text.contains(says), "{args:?}: {text}");
    };
    let typo = d.join("registyr");
    let typo = typo.to_str().expect("utf-8");
    fails(&["registry", "list", "--registry", typo], 2, "there is no registry at");
    assert!(!d.join("registyr").exists(), "no empty registry made");
    fails(
        &[
            "forecast",
            "sales.csv",
            "--registered",
            "sales",
            "--registry",
            typo,
            "--out",
            "f.csv",
        ],
        2,
        "there is no registry at",
    );
    fails(
        &["registry", "promote", "sales:2", "--metric", "coverage95"],
        2,
        "unknown metric 'coverage95'",
    );
    fails(
        &["registry", "tag", "sales", "horizon.alias_history.champion", "9"],
        2,
        "Horizon's own",
    );
    fails(&["registry", "tag", "sales:2", "", "v"], 2, "a tag needs a name");
    fails(&["registry", "promote", "sales:2", "--alias", "x y"], 2, "alias");
    fails(&["registry", "rollback", "sales", "--alias", "1x"], 2, "alias");
    // The champion (version 1) is not deleted unasked; with --force its alias moves back first.
    ok(&horizon(&["registry", "promote", "sales:2", "--force"], d, &reg));
    fails(&["registry", "delete", "sales:2"], 2, "sales:2 is sales@champion");
    let forced = ok(&horizon(&["registry", "delete", "sales:2", "--force"], d, &reg));
    assert!(forced.contains("sales@champion moved back to version 1"), "{forced}");
    let show = ok(&horizon(&["registry", "show", "sales@champion"], d, &reg));
    assert!(show.contains("sales version 1"), "{show}");
    // A damaged artifact is not forced into place.
    ok(&horizon(&["train", "--config", "pipeline.toml", "--force"], d, &reg));
    let artifact = reg.join("models/sales/versions/3/artifact.hzn");
    let mut bytes = std::fs::read(&artifact).expect("artifact");
    bytes.extend_from_slice(b"extra");
    std::fs::write(&artifact, bytes).expect("damage");
    fails(&["registry", "promote", "sales:3", "--force"], 1, "damaged");
    let show = ok(&horizon(&["registry", "show", "sales@champion"], d, &reg));
    assert!(show.contains("sales version 1"), "{show}");
}
