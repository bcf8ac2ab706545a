//! The Rust side of `benches/serve_vs_mlflow.sh`:
//!
//! - `serve_bench prepare DIR`: a retail panel (10 series x 365 days, no drivers) in
//!   `DIR/sales.csv`, AutoETS (season 7) trained on it and registered as `sales` version 1,
//!   the champion, in the local registry `DIR/registry`; and the two request bodies both servers
//!   get, in MLflow's scoring protocol: `DIR/stored.json` (one series by its ids: the stored
//!   model forecasts 14 days) and `DIR/refit.json` (one series' 365 days of history: the
//!   model is fitted again).
//! - `serve_bench server DIR`: `horizon serve`'s service (the same crate and router) on
//!   127.0.0.1, a free port, printed as `listening on http://…`; stops on SIGTERM.
//! - `serve_bench load URL BODY REQUESTS CONCURRENCY`: POST the body REQUESTS times from
//!   CONCURRENCY threads (a warm-up of CONCURRENCY x 5 first, not counted); prints one JSON line:
//!   requests, errors, seconds, requests per second, p50 and p99 latency in ms.

use anyhow::{Context, Result, anyhow, bail};
use horizon_core::artifact::Artifact;
use horizon_core::data::generate::{RetailParams, retail};
use horizon_core::data::{IngestOptions, ingest_csv};
use horizon_core::pipeline::{Metric, TrainConfig, train};
use horizon_registry::Registry;
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["prepare", dir] => prepare(Path::new(dir)),
        ["server", dir] => server(Path::new(dir)),
        ["load", url, body, n, c] => load(url, Path::new(body), n.parse()?, c.parse()?),
        _ => bail!("usage: serve_bench prepare DIR | server DIR | load URL BODY REQUESTS CONCURRENCY"),
    }
}

fn prepare(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut panel = retail(&RetailParams {
        stores: 2,
        products: 5,
        days: 365,
        ..Default::default()
    });
    panel.exog_columns.clear();
    for s in &mut panel.series {
        s.exog.clear();
    }
    let csv = horizon_core::export::panel_csv(&panel);
    std::fs::write(dir.join("sales.csv"), &csv)?;
    // Read back as `horizon train` reads a file, so the stored fingerprints are the file's.
    let panel = ingest_csv(csv.as_bytes(), "sales.csv", &IngestOptions::default())
        .panel
        .ok_or_else(|| anyhow!("the generated file does not read back"))?;
    let cfg = TrainConfig {
        candidates: vec!["ets:7".parse()?],
        horizon: 14,
        levels: vec![95.0],
        folds: 2,
        season: Some(7),
        metric: Metric::Rmse,
    };
    let trained = train(&panel, "sales.csv", &IngestOptions::default(), &cfg, "bench".into())?;
    let reg = horizon_registry::local::LocalRegistry::open(dir.join("registry"))?;
    let v = reg.create_version("sales", &trained.artifact.to_bytes()?, None, &Default::default())?;
    reg.set_alias("sales", "champion", v.version)?;
    let first = &panel.series[0];
    let stored = json!({
        "dataframe_split": { "columns": ["store_id", "product_id"], "data": [first.key] },
        "params": { "horizon": 14 },
    });
    let rows: Vec<serde_json::Value> = first
        .dates
        .iter()
        .zip(&first.values)
        .map(|(d, y)| json!([first.key[0], first.key[1], d.to_string(), y]))
        .collect();
    let refit = json!({
        "dataframe_split": { "columns": ["store_id", "product_id", "date", "sales"], "data": rows },
        "params": { "horizon": 14 },
    });
    std::fs::write(dir.join("stored.json"), stored.to_string())?;
    std::fs::write(dir.join("refit.json"), refit.to_string())?;
    let art = Artifact::from_bytes(&trained.artifact.to_bytes()?, "check")?;
    eprintln!("prepared {} series; model {}", panel.series.len(), art.spec);
    Ok(())
}

fn server(dir: &Path) -> Result<()> {
    let registry: Arc<dyn Registry> = Arc::new(horizon_registry::local::LocalRegistry::open(dir.join("registry"))?);
    let config = horizon_serve::ServeConfig {
        models: vec!["sales@champion".into()],
        ..Default::default()
    };
    let state = horizon_serve::state(&config, registry)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        println!("listening on http://{}", listener.local_addr()?);
        horizon_serve::serve(&config, state, listener, horizon_serve::termination()).await?;
        Ok(())
    })
}

/// One scoring request: whether it was answered with predictions, and its time in ms.
fn post(agent: &ureq::Agent, url: &str, body: &str) -> (bool, f64) {
    let t = Instant::now();
    let ok = agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(body)
        .map(|mut r| r.status() == 200 && r.body_mut().read_to_string().is_ok_and(|b| b.contains("predictions")))
        .unwrap_or(false);
    (ok, t.elapsed().as_secs_f64() * 1e3)
}

fn load(url: &str, body: &Path, requests: usize, concurrency: usize) -> Result<()> {
    let body = Arc::new(std::fs::read_to_string(body).context("the request body")?);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();
    for _ in 0..concurrency * 5 {
        let (ok, _) = post(&agent, url, &body);
        if !ok {
            bail!("the warm-up request failed: is {url} serving the model?");
        }
    }
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (agent, body, next) = (agent.clone(), body.clone(), next.clone());
            let url = url.to_string();
            std::thread::spawn(move || {
                let mut out = Vec::new();
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < requests {
                    out.push(post(&agent, &url, &body));
                }
                out
            })
        })
        .collect();
    let mut results = Vec::new();
    for w in workers {
        results.extend(w.join().map_err(|_| anyhow!("a load thread panicked"))?);
    }
    let seconds = start.elapsed().as_secs_f64();
    let errors = results.iter().filter(|(ok, _)| !ok).count();
    let mut ms: Vec<f64> = results.iter().map(|(_, t)| *t).collect();
    ms.sort_by(f64::total_cmp);
    let pct = |p: f64| ms[((ms.len() as f64 * p).ceil() as usize).clamp(1, ms.len()) - 1];
    println!(
        "{}",
        json!({
            "requests": ms.len(), "errors": errors, "seconds": seconds,
            "rps": ms.len() as f64 / seconds, "p50_ms": pct(0.50), "p99_ms": pct(0.99),
        })
    );
    Ok(())
}
