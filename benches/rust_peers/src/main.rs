//! Other Rust forecasting crates on the public benchmark (`shared/bench`), in the format that
//! `score.py` scores — the same files `horizon-benches`' `bench_models` writes:
//!
//! * `OUT_PREFIX_forecasts.csv`: `series_id,model,step,point,lo95,hi95`
//! * `OUT_PREFIX_timings.csv`: `series_id,model,cpu_s,wall_s` (+ `thread_cpu_s`, ignored by
//!   score.py), seconds for fit + predict of one series
//! * `OUT_PREFIX_info.csv`: `series_id,model,status,detail` — the model each library selected,
//!   or why it failed (a failed series has no forecast rows, so `score.py --sample ref` records
//!   it as `missing` and counts it against `n_ok`).
//!
//! ```text
//! rust_peers BENCH_DIR OUT_PREFIX [--models a,b] [--sample ref|all] [--series ID]
//!            [--arima-first N]
//! ```
//!
//! Models (`--models`, default all four):
//! * `anofox-AutoETS`: `anofox_forecast::models::exponential::AutoETS::with_period(m)`
//! * `anofox-AutoARIMA`: `anofox_forecast::models::arima::AutoARIMA::seasonal(m)` (SARIMA search)
//! * `augurs-AutoETS`: `augurs_ets::AutoETS::non_seasonal()` ("ZZN": augurs has no seasonal ETS)
//! * `augurs-MSTL`: `augurs_mstl::MSTLModel::new(vec![m], AutoETS::non_seasonal().into_trend_model())`,
//!   only when `n_train >= 2m + 1` (as the benchmark's statsforecast MSTL).
//!
//! Intervals: each library's own 95 % interval (`predict_with_intervals(h, 0.95)` /
//! `predict(h, 0.95)`). `--arima-first N` runs anofox-AutoARIMA only on the first N series
//! (by `series_id`) of each dataset.
//!
//! Timing as in `bench_models`: series run back to back on one thread, each model's fit +
//! predict timed with `Instant` (= CPU time on an otherwise idle core); one-off costs are
//! excluded by two untimed warm-up calls per model. The thread's own CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`) is written next to it as a check on a shared machine.
//! A model that returns an error or panics on a series is recorded and the run goes on.

#[path = "../../src/manifest.rs"]
mod manifest;

use anofox_forecast::core::TimeSeries;
use anofox_forecast::models::Forecaster;
use anofox_forecast::models::arima::AutoARIMA as AnofoxAutoARIMA;
use anofox_forecast::models::exponential::AutoETS as AnofoxAutoETS;
use augurs_core::{Fit, Predict};
use augurs_ets::AutoETS as AugursAutoETS;
use augurs_mstl::MSTLModel;
use chrono::{DateTime, Months, NaiveDate, Utc};
use std::cell::RefCell;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::Instant;

const LEVEL: f64 = 0.95;
const MODELS: [&str; 4] = ["anofox-AutoETS", "anofox-AutoARIMA", "augurs-AutoETS", "augurs-MSTL"];

/// Point forecast, lower and upper 95 % bounds, and a description of the fitted model.
struct Fc {
    point: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    desc: String,
}

struct Item {
    id: String,
    dataset: String,
    quarterly: bool,
    m: usize,
    h: usize,
    train: Vec<f64>,
}

thread_local! {
    static PANIC_AT: RefCell<String> = const { RefCell::new(String::new()) };
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: rust_peers BENCH_DIR OUT_PREFIX [--models a,b] [--sample ref|all] \
                    [--series ID] [--arima-first N]"
            .into());
    }
    let dir = PathBuf::from(&args[1]);
    let prefix = &args[2];
    let mut models: Vec<String> = MODELS.iter().map(|s| s.to_string()).collect();
    let mut sample = "ref".to_string();
    let mut only: Option<String> = None;
    let mut arima_first: Option<usize> = None;
    let mut it = args[3..].iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--models" => {
                models = it.next().ok_or("--models needs a value")?.split(',').map(String::from).collect()
            }
            "--sample" => sample = it.next().ok_or("--sample needs a value")?.clone(),
            "--series" => only = Some(it.next().ok_or("--series needs a value")?.clone()),
            "--arima-first" => arima_first = Some(it.next().ok_or("--arima-first needs a value")?.parse()?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if let Some(bad) = models.iter().find(|m| !MODELS.contains(&m.as_str())) {
        return Err(format!("unknown model {bad}; known: {}", MODELS.join(",")).into());
    }

    let items = load(&dir, &sample, only.as_deref())?;
    // anofox-AutoARIMA subset: the first N series (by id) of each dataset.
    let mut rank: HashMap<&str, usize> = HashMap::new();
    let arima_on: Vec<bool> = items
        .iter()
        .map(|it| {
            let r = rank.entry(it.dataset.as_str()).or_default();
            *r += 1;
            arima_first.is_none_or(|n| *r <= n)
        })
        .collect();

    // Panics are caught per fit; keep their message and location, print nothing.
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        PANIC_AT.with(|p| *p.borrow_mut() = at);
    }));

    // Warm-up (untimed): every model twice on a synthetic monthly series.
    let warm: Vec<f64> = (0..72)
        .map(|t| 100.0 + t as f64 + 10.0 * ((t % 12) as f64 * 0.5236).sin() + ((t * 7919) % 13) as f64)
        .collect();
    let warm_item = Item { id: "warmup".into(), dataset: String::new(), quarterly: false, m: 12, h: 12, train: warm };
    for model in &models {
        for _ in 0..2 {
            let _ = guarded(model, &warm_item);
        }
    }

    let mut fc = csv::Writer::from_path(format!("{prefix}_forecasts.csv"))?;
    fc.write_record(["series_id", "model", "step", "point", "lo95", "hi95"])?;
    let mut tm = csv::Writer::from_path(format!("{prefix}_timings.csv"))?;
    tm.write_record(["series_id", "model", "cpu_s", "wall_s", "thread_cpu_s"])?;
    let mut info = csv::Writer::from_path(format!("{prefix}_info.csv"))?;
    info.write_record(["series_id", "model", "status", "detail"])?;

    let start = Instant::now();
    let mut failed: HashMap<&str, usize> = HashMap::new();
    let mut skipped: HashMap<&str, usize> = HashMap::new();
    let mut secs: HashMap<&str, f64> = HashMap::new();
    for (k, item) in items.iter().enumerate() {
        for model in &models {
            let model = model.as_str();
            if model == "augurs-MSTL" && !(item.m > 1 && item.train.len() >= 2 * item.m + 1) {
                *skipped.entry(model).or_default() += 1;
                info.write_record([&item.id, model, "skipped", "n_train < 2m+1 (as statsforecast MSTL)"])?;
                continue;
            }
            if model == "anofox-AutoARIMA" && !arima_on[k] {
                continue; // outside the documented subset: not run, not scored
            }
            let c0 = thread_cpu();
            let t0 = Instant::now();
            let r = guarded(model, item);
            let wall = t0.elapsed().as_secs_f64();
            let cpu = thread_cpu() - c0;
            *secs.entry(model).or_default() += wall;
            match r {
                Ok(f) => {
                    for (j, ((p, lo), hi)) in f.point.iter().zip(&f.lo).zip(&f.hi).enumerate() {
                        fc.write_record([
                            item.id.as_str(),
                            model,
                            &(j + 1).to_string(),
                            &p.to_string(),
                            &lo.to_string(),
                            &hi.to_string(),
                        ])?;
                    }
                    info.write_record([item.id.as_str(), model, "ok", &f.desc])?;
                    if only.is_some() {
                        eprintln!("{} {model}: {}", item.id, f.desc);
                    }
                }
                Err(e) => {
                    *failed.entry(model).or_default() += 1;
                    eprintln!("{} {model}: {e}", item.id);
                    info.write_record([item.id.as_str(), model, "error", &e])?;
                }
            }
            tm.write_record([item.id.as_str(), model, &wall.to_string(), &wall.to_string(), &cpu.to_string()])?;
        }
        if (k + 1) % 50 == 0 {
            eprintln!("[rust_peers] {}/{} series, {:.0} s", k + 1, items.len(), start.elapsed().as_secs_f64());
            fc.flush()?;
            tm.flush()?;
            info.flush()?;
        }
    }
    fc.flush()?;
    tm.flush()?;
    info.flush()?;
    eprintln!("{} series in {:.1} s on one thread", items.len(), start.elapsed().as_secs_f64());
    for model in &models {
        let m = model.as_str();
        eprintln!(
            "  {m}: {:.1} s fit+predict, {} failed, {} skipped",
            secs.get(m).copied().unwrap_or(0.0),
            failed.get(m).copied().unwrap_or(0),
            skipped.get(m).copied().unwrap_or(0)
        );
    }
    Ok(())
}

/// One model on one series, with errors and panics turned into `Err`.
fn guarded(model: &str, item: &Item) -> Result<Fc, String> {
    match catch_unwind(AssertUnwindSafe(|| run(model, item))) {
        Ok(r) => r.and_then(|f| {
            if f.point.len() != item.h || f.lo.len() != item.h || f.hi.len() != item.h {
                Err(format!(
                    "bad output length: point {} lo {} hi {} (h = {})",
                    f.point.len(),
                    f.lo.len(),
                    f.hi.len(),
                    item.h
                ))
            } else {
                Ok(f)
            }
        }),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string payload".into());
            let at = PANIC_AT.with(|p| std::mem::take(&mut *p.borrow_mut()));
            Err(format!("panic: {msg}{at}"))
        }
    }
}

fn run(model: &str, item: &Item) -> Result<Fc, String> {
    let (y, h, m) = (&item.train, item.h, item.m);
    match model {
        "anofox-AutoETS" => {
            let mut mdl = AnofoxAutoETS::with_period(m);
            let f = mdl.fit_predict_with_intervals(&anofox_series(item)?, h, LEVEL).map_err(|e| e.to_string())?;
            let desc = mdl.selected_spec().map(|s| s.short_name()).unwrap_or_default()
                + if mdl.spike_guard_triggered() { " (spike guard)" } else { "" };
            anofox_fc(&f, desc)
        }
        "anofox-AutoARIMA" => {
            let mut mdl = AnofoxAutoARIMA::seasonal(m);
            let f = mdl.fit_predict_with_intervals(&anofox_series(item)?, h, LEVEL).map_err(|e| e.to_string())?;
            let desc = mdl
                .selected_full_order()
                .map(|o| format!("({},{},{})({},{},{})[{}]", o.p, o.d, o.q, o.cap_p, o.cap_d, o.cap_q, o.s))
                .unwrap_or_default();
            anofox_fc(&f, desc)
        }
        "augurs-AutoETS" => {
            let fit = AugursAutoETS::non_seasonal().fit(y).map_err(|e| e.to_string())?;
            let f = fit.predict(h, LEVEL).map_err(|e| e.to_string())?;
            let desc = format!(
                "{}{}",
                fit.model().model_type(),
                if fit.model().damped() { " damped" } else { "" }
            );
            augurs_fc(f, desc)
        }
        "augurs-MSTL" => {
            let mstl = MSTLModel::new(vec![m], AugursAutoETS::non_seasonal().into_trend_model());
            let fit = mstl.fit(y).map_err(|e| e.to_string())?;
            let f = fit.predict(h, LEVEL).map_err(|e| e.to_string())?;
            augurs_fc(f, "MSTL + AutoETS(ZZN) trend".into())
        }
        other => Err(format!("unknown model {other}")),
    }
}

fn anofox_series(item: &Item) -> Result<TimeSeries, String> {
    let step = if item.quarterly { 3 } else { 1 };
    let start = NaiveDate::from_ymd_opt(1990, 1, 1).ok_or("bad date")?;
    let ts: Vec<DateTime<Utc>> = (0..item.train.len())
        .map(|k| {
            start
                .checked_add_months(Months::new((k * step) as u32))
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc())
                .ok_or_else(|| "date overflow".to_string())
        })
        .collect::<Result<_, _>>()?;
    TimeSeries::univariate(ts, item.train.clone()).map_err(|e| e.to_string())
}

fn anofox_fc(f: &anofox_forecast::core::Forecast, desc: String) -> Result<Fc, String> {
    let lo = f.lower_series(0).map_err(|e| format!("no lower bound: {e}"))?.to_vec();
    let hi = f.upper_series(0).map_err(|e| format!("no upper bound: {e}"))?.to_vec();
    Ok(Fc { point: f.primary().to_vec(), lo, hi, desc })
}

fn augurs_fc(f: augurs_core::Forecast, desc: String) -> Result<Fc, String> {
    let iv = f.intervals.ok_or("no intervals returned")?;
    Ok(Fc { point: f.point, lo: iv.lower, hi: iv.upper, desc })
}

/// CPU seconds used by the calling thread.
fn thread_cpu() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_THREAD_CPUTIME_ID is always supported on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// The benchmark's series, as `bench_models` loads them (the same file reads them).
fn load(dir: &std::path::Path, sample: &str, only: Option<&str>) -> Result<Vec<Item>, Box<dyn std::error::Error>> {
    Ok(manifest::read(dir, sample, only)?
        .into_iter()
        .map(|r| Item { id: r.id, dataset: r.dataset, quarterly: r.quarterly, m: r.season, h: r.horizon, train: r.train })
        .collect())
}
