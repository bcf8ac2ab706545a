//! `horizon serve` as a service is used: the real binary on 127.0.0.1, driven by a real HTTP
//! client, against a registry that `horizon train` filled.

mod common;

#[allow(dead_code)] // the harness serves other tests too
#[path = "../crates/horizon-registry/tests/common/server.rs"]
mod server;

use common::ok;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Generous: a fresh, busy machine is slow to start processes and answer first requests.
const PATIENCE: Duration = Duration::from_secs(120);

fn horizon(args: &[&str], dir: &Path) -> String {
    ok(&common::output(
        common::command(args, dir).env_remove("HORIZON_REGISTRY"),
    ))
}

/// A folder with a generated sales file (2 stores x 2 products, 200 days) and `sales` trained
/// into `registry/` with ETS (version 1, the champion).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    common::sample_retail(dir.path(), 2, 2, 200, "sales.csv");
    train(dir.path(), "\"ets\"");
    dir
}

/// Train `models` as the next version of `sales` (promoted if it beats the champion).
fn train(dir: &Path, models: &str) {
    train_into(dir, models, "path = \"registry\"");
}

/// [`train`] into the registry the config's `registry` lines name.
fn train_into(dir: &Path, models: &str, registry: &str) {
    let cfg = format!(
        "[data]\npath = \"sales.csv\"\n\n[training]\nmodels = [{models}]\nhorizon = 14\nlevels = [80, 95]\nfolds = 2\n\n\
         [registry]\n{registry}\nmodel_name = \"sales\"\n\n[promotion]\nthreshold = 0.10\n"
    );
    std::fs::write(dir.join("pipeline.toml"), cfg).expect("config");
    horizon(&["train", "--config", "pipeline.toml"], dir);
}

/// A running `horizon serve` and its address; stopped (SIGKILL) when dropped.
struct Server {
    child: Child,
    url: String,
    log: std::sync::mpsc::Receiver<String>,
}

impl Server {
    fn start(dir: &Path, extra: &[&str]) -> Server {
        Server::start_with(dir, extra, &[])
    }

    fn start_with(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        Server::start_on(dir, "registry", extra, env)
    }

    fn start_on(dir: &Path, registry: &str, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut args = vec![
            "serve",
            "--registry",
            registry,
            "--bind",
            "127.0.0.1:0",
            "--refresh",
            "0.2",
        ];
        args.extend(extra);
        let mut cmd = common::command(&args, dir);
        cmd.env_remove("HORIZON_REGISTRY")
            .stderr(Stdio::piped())
            .stdout(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start horizon serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("horizon serve did not start: {:?}", child.try_wait()));
            if let Some(rest) = line.split("listening on ").nth(1) {
                let url = rest.split_whitespace().next().expect("address").to_string();
                return Server { child, url, log: rx };
            }
        }
    }

    /// Lines the server logged so far.
    fn logged(&self) -> Vec<String> {
        self.log.try_iter().collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(PATIENCE))
        .build()
        .into()
}

/// POST `body` (JSON unless `content_type` says otherwise): the status and the answer.
fn post(url: &str, body: &str, content_type: &str, token: Option<&str>) -> (u16, String) {
    let mut req = agent().post(url).header("Content-Type", content_type);
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    let mut resp = req.send(body).expect("the server answers");
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_string().expect("body"))
}

fn get(url: &str) -> (u16, String) {
    let mut resp = agent().get(url).call().expect("the server answers");
    (resp.status().as_u16(), resp.body_mut().read_to_string().expect("body"))
}

fn post_json(url: &str, body: &Value) -> (u16, Value) {
    let (status, text) = post(url, &body.to_string(), "application/json", None);
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
    )
}

/// A forecast CSV as rows of (ids and date, numbers): `store_id,product_id,date,model,forecast,lo_80,hi_80,lo_95,hi_95`.
fn csv_rows(text: &str) -> Vec<(Vec<String>, Vec<f64>)> {
    text.lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            let ids = cells[..3].iter().map(|s| s.to_string()).collect();
            let numbers = cells[4..].iter().map(|s| s.parse().expect("number")).collect();
            (ids, numbers)
        })
        .collect()
}

/// The `/v1` answer as the same rows.
fn answer_rows(answer: &Value) -> Vec<(Vec<String>, Vec<f64>)> {
    let mut rows = Vec::new();
    for f in answer["forecasts"].as_array().expect("forecasts") {
        for (j, date) in f["dates"].as_array().expect("dates").iter().enumerate() {
            let ids = vec![
                f["ids"]["store_id"].as_str().expect("store").to_string(),
                f["ids"]["product_id"].as_str().expect("product").to_string(),
                date.as_str().expect("date").to_string(),
            ];
            let mut numbers = vec![f["forecast"][j].as_f64().expect("point")];
            for iv in f["intervals"].as_array().expect("intervals") {
                numbers.push(iv["lower"][j].as_f64().expect("lo"));
                numbers.push(iv["upper"][j].as_f64().expect("hi"));
            }
            rows.push((ids, numbers));
        }
    }
    rows
}

/// The scoring answer as the same rows.
fn prediction_rows(answer: &Value) -> Vec<(Vec<String>, Vec<f64>)> {
    answer["predictions"]
        .as_array()
        .expect("predictions")
        .iter()
        .map(|r| {
            let ids = ["store_id", "product_id", "date"]
                .iter()
                .map(|c| r[c].as_str().expect("id").to_string())
                .collect();
            let numbers = ["forecast", "lo_80", "hi_80", "lo_95", "hi_95"]
                .iter()
                .map(|c| r[c].as_f64().expect("number"))
                .collect();
            (ids, numbers)
        })
        .collect()
}

/// The CSV rows of a file as JSON records (every cell a string, as a CSV has them).
fn records(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("read");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    lines
        .map(|l| {
            Value::Object(
                header
                    .iter()
                    .zip(l.split(','))
                    .map(|(h, c)| (h.to_string(), json!(c)))
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn served_forecasts_equal_the_cli_to_the_last_digit() {
    let dir = project();
    let d = dir.path();
    horizon(
        &[
            "forecast",
            "sales.csv",
            "--registered",
            "sales@champion",
            "--registry",
            "registry",
            "--out",
            "cli.csv",
        ],
        d,
    );
    let cli = csv_rows(&std::fs::read_to_string(d.join("cli.csv")).expect("cli.csv"));
    assert_eq!(cli.len(), 4 * 14);
    let server = Server::start(d, &["--forecast-log", "logs"]);

    // The stored model, every series, the model's horizon and levels.
    let (status, answer) = post_json(&format!("{}/v1/models/sales/forecast", server.url), &json!({}));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["version"], 1);
    assert!(
        answer["forecasts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["source"] == "stored")
    );
    assert_eq!(answer_rows(&answer), cli);
    // The answer was kept for `horizon monitor`: the same numbers, the version that made them.
    let logs: Vec<_> = std::fs::read_dir(d.join("logs/sales")).expect("forecast log").collect();
    assert_eq!(logs.len(), 1);
    let path = logs[0].as_ref().expect("entry").path();
    let log = horizon_core::monitor::log::ForecastLog::from_bytes(&std::fs::read(&path).expect("read"), "log")
        .expect("a whole log");
    assert_eq!((log.version, log.by.as_str()), (1, "horizon serve"));
    let logged: Vec<(Vec<String>, Vec<f64>)> = log
        .forecasts
        .iter()
        .flat_map(|f| f.forecast.point.iter().map(|v| (f.key.clone(), vec![*v])))
        .collect();
    let answered: Vec<(Vec<String>, Vec<f64>)> = answer_rows(&answer)
        .into_iter()
        .map(|(k, v)| (k[..2].to_vec(), vec![v[0]]))
        .collect();
    assert_eq!(logged, answered);

    // One series by its ids, through an alias and a version number.
    for target in ["sales@champion", "sales:1"] {
        let body = json!({"series": [{"store_id": "S02", "product_id": "P001"}], "horizon": 14, "levels": [80, 95]});
        let (status, answer) = post_json(&format!("{}/v1/models/{target}/forecast", server.url), &body);
        assert_eq!(status, 200, "{answer}");
        let want: Vec<_> = cli
            .iter()
            .filter(|(k, _)| k[0] == "S02" && k[1] == "P001")
            .cloned()
            .collect();
        assert_eq!(answer_rows(&answer), want);
    }

    // MLflow's scoring protocol: dataframe_split, dataframe_records and CSV say the same.
    let ids = json!({"dataframe_split": {"columns": ["store_id", "product_id"],
        "data": [["S01", "P001"], ["S01", "P002"], ["S02", "P001"], ["S02", "P002"]]}});
    let (status, answer) = post_json(&format!("{}/invocations", server.url), &ids);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(prediction_rows(&answer), cli);
    let records_body =
        json!({"dataframe_records": [{"store_id": "S01", "product_id": "P001"}], "params": {"horizon": 3}});
    let (status, answer) = post_json(&format!("{}/invocations", server.url), &records_body);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(prediction_rows(&answer), cli[..3].to_vec());
    let (status, text) = post(
        &format!("{}/invocations", server.url),
        "store_id,product_id\nS01,P001\nS01,P002\nS02,P001\nS02,P002\n",
        "text/csv",
        None,
    );
    assert_eq!(status, 200, "{text}");
    assert_eq!(prediction_rows(&serde_json::from_str(&text).unwrap()), cli);

    // New history: a changed series is refitted exactly as `forecast --registered` refits it.
    let text = std::fs::read_to_string(d.join("sales.csv")).expect("sales");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let sales_col = header.iter().position(|h| *h == "sales").expect("sales column");
    let mut cells: Vec<String> = lines[5].split(',').map(str::to_string).collect();
    cells[sales_col] = "999".into();
    lines[5] = cells.join(",");
    std::fs::write(d.join("changed.csv"), lines.join("\n") + "\n").expect("write");
    horizon(
        &[
            "forecast",
            "changed.csv",
            "--registered",
            "sales@champion",
            "--registry",
            "registry",
            "--out",
            "changed_cli.csv",
        ],
        d,
    );
    let changed_cli = csv_rows(&std::fs::read_to_string(d.join("changed_cli.csv")).expect("read"));
    let body = json!({ "history": records(&d.join("changed.csv")) });
    let (status, answer) = post_json(&format!("{}/v1/models/sales/forecast", server.url), &body);
    assert_eq!(status, 200, "{answer}");
    let sources: Vec<&str> = answer["forecasts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources.iter().filter(|s| **s == "refitted").count(), 1, "{sources:?}");
    assert_eq!(answer_rows(&answer), changed_cli);
    assert_eq!(answer["warnings"], json!([]), "{answer}");
    // What the reading finds but does not refuse comes back at its place in the request: a
    // return (negative sales) in row 5, a day left out of the first series.
    let mut rows = records(&d.join("changed.csv"));
    rows[5]["sales"] = json!("-3");
    rows.remove(9);
    let (status, answer) = post_json(
        &format!("{}/v1/models/sales/forecast", server.url),
        &json!({ "history": rows }),
    );
    assert_eq!(status, 200, "{answer}");
    let warnings = answer["warnings"].to_string();
    assert!(warnings.contains("history[5].sales: negative value -3"), "{warnings}");
    assert!(
        warnings.contains("missing daily period(s) filled with zero"),
        "{warnings}"
    );
    let scoring = json!({ "dataframe_records": records(&d.join("changed.csv")) });
    let (status, answer) = post_json(&format!("{}/invocations", server.url), &scoring);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(prediction_rows(&answer), changed_cli);

    // Listing, probes, metrics and the OpenAPI document.
    let (status, list) = get(&format!("{}/v1/models", server.url));
    assert_eq!(status, 200);
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list["models"][0]["name"], "sales");
    assert_eq!(list["models"][0]["aliases"]["champion"], 1);
    assert_eq!(get(&format!("{}/health", server.url)).0, 200);
    assert_eq!(get(&format!("{}/ready", server.url)).0, 200);
    let (status, metrics) = get(&format!("{}/metrics", server.url));
    assert_eq!(status, 200);
    assert!(
        metrics.contains("horizon_http_requests_total{route=\"/v1/models/{target}/forecast\",status=\"200\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("horizon_http_request_duration_seconds_bucket"),
        "{metrics}"
    );
    assert!(
        metrics.contains("horizon_model_version{model=\"sales@champion\"} 1"),
        "{metrics}"
    );
    let (status, doc) = get(&format!("{}/openapi.json", server.url));
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert!(doc["paths"]["/v1/models/{target}/forecast"]["post"].is_object());
}

/// A shared MLflow server as the registry (started and stopped here): what `horizon train`
/// registered there is served, and answers as `forecast --registered` does.
#[test]
fn models_registered_in_a_live_mlflow_server_are_served() {
    let mlflow = server::MlflowServer::start(false);
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    common::sample_retail(d, 2, 2, 200, "sales.csv");
    let registry = format!(
        "target = \"mlflow\"\nurl = \"{}\"\nexperiment = \"serve-test\"\ntimeout_secs = 60",
        mlflow.url()
    );
    train_into(d, "\"ets\"", &registry);
    let url = mlflow.url();
    let args = [
        "forecast",
        "sales.csv",
        "--registered",
        "sales@champion",
        "--registry",
        url,
        "--timeout",
        "60",
        "--out",
        "cli.csv",
    ];
    horizon(&args, d);
    let cli = csv_rows(&std::fs::read_to_string(d.join("cli.csv")).expect("cli.csv"));
    let server = Server::start_on(d, url, &["--timeout", "60", "--model", "sales@champion"], &[]);
    let (status, answer) = post_json(&format!("{}/v1/models/sales/forecast", server.url), &json!({}));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["version"], 1);
    assert_eq!(answer_rows(&answer), cli);
    let (status, list) = get(&format!("{}/v1/models", server.url));
    assert_eq!(status, 200, "{list}");
    assert!(list.contains("\"champion\":1"), "{list}");
    // Served: sales@champion, and nothing else of it.
    let (status, other) = post_json(&format!("{}/v1/models/sales:1/forecast", server.url), &json!({}));
    assert_eq!(status, 404, "{other}");
    assert!(
        other["message"]
            .as_str()
            .unwrap()
            .contains("sales:1 is not served here"),
        "{other}"
    );
}

#[test]
fn bad_requests_get_4xx_naming_the_field_and_the_server_lives_on() {
    let dir = project();
    let d = dir.path();
    let server = Server::start_with(
        d,
        &[
            "--token-env",
            "HZ_TOKEN",
            "--max-horizon",
            "60",
            "--max-body-bytes",
            "20000",
        ],
        &[("HZ_TOKEN", "s3cret-t0ken")],
    );
    let url = format!("{}/v1/models/sales/forecast", server.url);
    let with = |body: &str| post(&url, body, "application/json", Some("s3cret-t0ken"));
    let expect = |(status, text): (u16, String), want: u16, says: &str| {
        assert_eq!(status, want, "{text}");
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        let message = v["message"].as_str().expect("message");
        assert!(message.contains(says), "'{message}' should say '{says}'");
    };
    // The token: none, a wrong one, the right one; probes stay open.
    expect(post(&url, "{}", "application/json", None), 401, "bearer token");
    expect(
        post(&url, "{}", "application/json", Some("s3cret-t0ke")),
        401,
        "bearer token",
    );
    assert_eq!(with("{}").0, 200);
    assert_eq!(get(&format!("{}/health", server.url)).0, 200);
    assert_eq!(get(&format!("{}/metrics", server.url)).0, 401);
    // Malformed bodies and fields.
    expect(with("{\"horizon\": 3"), 400, "EOF");
    expect(with("{\"horizn\": 3}"), 400, "unknown field `horizn`");
    expect(with("{\"horizon\": -3}"), 400, "horizon");
    expect(with("{\"horizon\": 61}"), 422, "horizon: 61");
    expect(with("{\"levels\": [120]}"), 422, "levels");
    let many: Vec<String> = (1..=21).map(|l| (l * 4).to_string()).collect();
    expect(
        with(&format!("{{\"levels\": [{}]}}", many.join(","))),
        422,
        "levels: 21 levels",
    );
    // Levels come back sorted, whatever order they were asked in, each under its own label.
    let (status, text) = post(
        &format!("{}/invocations", server.url),
        r#"{"dataframe_records": [{"store_id": "S01", "product_id": "P001"}], "params": {"levels": [95, 80]}}"#,
        "application/json",
        Some("s3cret-t0ken"),
    );
    assert_eq!(status, 200, "{text}");
    let first = &serde_json::from_str::<Value>(&text).unwrap()["predictions"][0];
    let (lo80, lo95) = (first["lo_80"].as_f64().unwrap(), first["lo_95"].as_f64().unwrap());
    let (hi80, hi95) = (first["hi_80"].as_f64().unwrap(), first["hi_95"].as_f64().unwrap());
    assert!(lo95 <= lo80 && hi80 <= hi95 && lo80 < hi80, "{first}");
    let (status, ready) = get(&format!("{}/ready", server.url));
    assert_eq!((status, ready.as_str()), (200, r#"{"ready":true}"#));
    expect(
        with("{\"series\": [{\"store_id\": \"S09\", \"product_id\": \"P01\"}]}"),
        422,
        "series[0]",
    );
    expect(
        with("{\"series\": [{\"store_id\": \"S01\"}]}"),
        422,
        "series[0]: the id column 'product_id' is missing",
    );
    expect(
        with("{\"series\": [{\"store\": \"S01\"}]}"),
        422,
        "'store' is not an id column",
    );
    let bad_date = json!({"history": [
        {"store_id": "S01", "product_id": "P001", "date": "2024-01-01", "sales": 3},
        {"store_id": "S01", "product_id": "P001", "date": "2024-13-45", "sales": 4},
    ]});
    expect(with(&bad_date.to_string()), 422, "history[1].date");
    // Weekly totals sent to the daily model: refused, not read as six zero days a week.
    let monday = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
    let weekly: Vec<Value> = (0..20)
        .map(|k| {
            let date = monday + chrono::Days::new(7 * k);
            json!({"store_id": "S01", "product_id": "P001", "date": date.to_string(), "sales": 140})
        })
        .collect();
    expect(
        with(&json!({ "history": weekly }).to_string()),
        422,
        "history: the data is weekly but the model was trained on daily data",
    );
    let big = format!(
        "{{\"series\": [{}]}}",
        vec!["{\"store_id\": \"S01\", \"product_id\": \"P01\"}"; 500].join(",")
    );
    expect(with(&big), 413, "the body is larger than this server takes");
    let other = format!("{}/v1/models/nothing/forecast", server.url);
    expect(
        post(&other, "{}", "application/json", Some("s3cret-t0ken")),
        404,
        "nothing",
    );
    let inv = format!("{}/invocations", server.url);
    expect(
        post(&inv, "{\"instances\": []}", "application/json", Some("s3cret-t0ken")),
        400,
        "dataframe_split",
    );
    expect(post(&inv, "x", "text/plain", Some("s3cret-t0ken")), 415, "content type");
    expect(
        post(
            &format!("{}/v2/nothing", server.url),
            "{}",
            "application/json",
            Some("s3cret-t0ken"),
        ),
        404,
        "no route /v2/nothing",
    );
    // The scheme's name in any case (RFC 9110).
    let lower = agent()
        .post(&url)
        .header("Content-Type", "application/json")
        .header("Authorization", "bearer s3cret-t0ken")
        .send("{}")
        .expect("the server answers");
    assert_eq!(lower.status().as_u16(), 200);
    // Still alive and answering; nothing the token is logged.
    assert_eq!(with("{}").0, 200);
    assert!(server.logged().iter().all(|l| !l.contains("s3cret")));
}

/// The versions `sales` answers with while its champion moves from 1 to 2 under a load of
/// concurrent requests: every request answered, each from one complete version.
#[test]
fn an_alias_move_under_load_loses_no_request_and_a_broken_version_is_not_served() {
    let dir = project();
    let d = dir.path();
    train(d, "\"naive\", \"mean\"");
    let server = Server::start(d, &[]);
    let url = format!("{}/v1/models/sales/forecast", server.url);
    let expected = |v: u64| {
        let (status, a) = post_json(&format!("{}/v1/models/sales:{v}/forecast", server.url), &json!({}));
        assert_eq!(status, 200, "{a}");
        a["forecasts"].clone()
    };
    let (one, two) = (expected(1), expected(2));
    assert_ne!(one, two);
    let (status, now) = post_json(&url, &json!({}));
    assert_eq!((status, now["version"].as_u64()), (200, Some(1)));

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (url, stop) = (url.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let (status, a) = post_json(&url, &json!({}));
                    assert_eq!(status, 200, "{a}");
                    seen.push((a["version"].as_u64().expect("version"), a["forecasts"].clone()));
                }
                seen
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    horizon(
        &["registry", "promote", "sales:2", "--force", "--registry", "registry"],
        d,
    );
    let deadline = Instant::now() + PATIENCE;
    while post_json(&url, &json!({})).1["version"] != 2 {
        assert!(Instant::now() < deadline, "the promotion was never served");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut versions = std::collections::BTreeSet::new();
    for w in workers {
        for (v, forecasts) in w.join().expect("worker") {
            assert_eq!(
                forecasts,
                if v == 1 { one.clone() } else { two.clone() },
                "version {v} answered whole"
            );
            versions.insert(v);
        }
    }
    assert_eq!(versions.into_iter().collect::<Vec<_>>(), [1, 2]);
    assert!(server.logged().iter().any(|l| l.contains("moved from version 1 to 2")));

    // Version 3 is damaged on disk, then made champion by other means than `horizon registry`
    // (which refuses a damaged artifact): version 2 keeps serving, and says why.
    train(d, "\"drift\"");
    let artifact = d.join("registry/models/sales/versions/3/artifact.hzn");
    std::fs::write(&artifact, b"not an artifact").expect("damage");
    let store = horizon_registry::local::LocalRegistry::open(d.join("registry")).expect("the registry");
    horizon_registry::promotion::move_alias(&store, "sales", "champion", 3).expect("alias moved");
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (_, list) = get(&format!("{}/v1/models", server.url));
        let list: Value = serde_json::from_str(&list).unwrap();
        let champion = list["loaded"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["target"] == "sales@champion")
            .unwrap()
            .clone();
        if let Some(p) = champion["problem"].as_str() {
            assert!(p.contains("version 3") && p.contains("damaged"), "{p}");
            assert_eq!(champion["version"], 2);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the damaged version was never noticed: {list}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let (status, a) = post_json(&url, &json!({}));
    assert_eq!((status, a["version"].as_u64()), (200, Some(2)));
    let (_, metrics) = get(&format!("{}/metrics", server.url));
    assert!(metrics.contains("horizon_model_load_failures_total 1"), "{metrics}");
}

/// SIGTERM while a request is in flight: it is answered, then the server exits cleanly.
#[cfg(unix)]
#[test]
fn sigterm_drains_the_requests_in_flight() {
    let dir = project();
    let mut server = Server::start(dir.path(), &[]);
    let addr = server.url.trim_start_matches("http://").to_string();
    let body = "{\"horizon\": 5}";
    let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    write!(
        stream,
        "POST /v1/models/sales/forecast HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..5]
    )
    .expect("send the first half");
    stream.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(500));
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success()
    );
    std::thread::sleep(Duration::from_millis(500));
    stream.write_all(&body.as_bytes()[5..]).expect("send the rest");
    let mut answer = String::new();
    let mut buf = [0u8; 65536];
    while !answer.contains("\"failures\"") {
        let n = stream.read(&mut buf).expect("read the answer");
        assert!(n > 0, "closed before answering: {answer}");
        answer.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(stream);
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(s) = server.child.try_wait().expect("wait") {
            break s;
        }
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    assert!(server.logged().iter().any(|l| l.contains("stopped")));
}
