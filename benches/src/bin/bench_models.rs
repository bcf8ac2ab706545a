//! Forecast the public benchmark's series (`shared/bench`) with Horizon's models, in the
//! format `score.py` scores: `series_id,model,step,point,lo95,hi95`, plus per-series CPU
//! timings (`series_id,model,cpu_s,wall_s`).
//!
//! ```text
//! bench_models BENCH_DIR OUT_PREFIX [--models ets,seasonal-naive] [--sample ref|all] [--series ID] [--describe]
//! ```
//! Writes `OUT_PREFIX_forecasts.csv` and `OUT_PREFIX_timings.csv`, and prints the wall time of
//! the whole run. Series run in parallel (rayon); each fit is timed on the thread that runs
//! it, so with `RAYON_NUM_THREADS` at most the number of cores the per-series time is its CPU
//! time (every fit is single-threaded). Global models (`gbm`, an ensemble with a GBM member)
//! are fitted once per dataset on all of its series; their time per series is that fit's wall
//! time (on every thread) over the dataset's series count, plus each series' own forecast.

use horizon_benches::BenchSeries;
use horizon_core::data::Panel;
use horizon_core::forecast::{fit_predict, predict_fitted};
use horizon_core::{Fitted, ModelError, ModelSpec};
use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

/// Point forecasts with the 95 % bounds, or why the model failed.
type Outcome = Result<(Vec<f64>, Vec<f64>, Vec<f64>), String>;
/// Series, model, outcome, seconds spent.
type Row = (String, String, Outcome, f64);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err(
            "usage: bench_models BENCH_DIR OUT_PREFIX [--models a,b] [--sample ref|all] [--series ID] [--describe]"
                .into(),
        );
    }
    let dir = PathBuf::from(&args[1]);
    let prefix = &args[2];
    let mut models = vec!["ets".to_string()];
    let mut sample = "ref".to_string();
    let mut only: Option<String> = None;
    let mut describe = false;
    let mut it = args[3..].iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--models" => {
                models = it
                    .next()
                    .ok_or("--models needs a value")?
                    .split(',')
                    .map(String::from)
                    .collect()
            }
            "--sample" => sample = it.next().ok_or("--sample needs a value")?.clone(),
            // One series, with the fitted model's description on stderr (for investigations).
            "--series" => only = Some(it.next().ok_or("--series needs a value")?.clone()),
            // Every fitted model's description on stderr.
            "--describe" => describe = true,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let specs: Vec<ModelSpec> = models.iter().map(|m| m.parse()).collect::<Result<_, _>>()?;

    let items = horizon_benches::load_bench(&dir, &sample, only.as_deref())?;

    let describe = describe || only.is_some();
    let start = Instant::now();
    // Local models are timed series by series, global ones per panel (their fit is shared).
    let (global, local): (Vec<ModelSpec>, Vec<ModelSpec>) = specs.into_iter().partition(ModelSpec::is_global);
    let n_specs = global.len() + local.len();
    let mut rows: Vec<Row> = global.iter().flat_map(|spec| global_rows(&items, spec)).collect();
    let specs = local;
    rows.extend(
        items
            .par_iter()
            .flat_map_iter(|item| {
                let s = item.series();
                specs
                    .iter()
                    .map(move |spec| {
                        let spec = spec.clone().with_default_season(Some(item.season));
                        let t0 = Instant::now();
                        let r = fit_predict(&s, &spec, item.horizon, &[95.0])
                            .map(|(f, description)| {
                                if describe {
                                    eprintln!("{}: {description}", item.id);
                                }
                                bounds(f)
                            })
                            .map_err(|e| e.to_string());
                        (item.id.clone(), spec.name(), r, t0.elapsed().as_secs_f64())
                    })
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<Row>>(),
    );
    let wall = start.elapsed().as_secs_f64();

    let mut fc = csv::Writer::from_path(format!("{prefix}_forecasts.csv"))?;
    fc.write_record(["series_id", "model", "step", "point", "lo95", "hi95"])?;
    let mut tm = csv::Writer::from_path(format!("{prefix}_timings.csv"))?;
    tm.write_record(["series_id", "model", "cpu_s", "wall_s"])?;
    let mut failed = 0;
    for (id, model, r, secs) in &rows {
        let name = format!("Horizon{}", model_label(model));
        match r {
            Ok((p, lo, hi)) => {
                for (k, ((p, lo), hi)) in p.iter().zip(lo).zip(hi).enumerate() {
                    fc.write_record([
                        id.as_str(),
                        &name,
                        &(k + 1).to_string(),
                        &p.to_string(),
                        &lo.to_string(),
                        &hi.to_string(),
                    ])?;
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("{id} {model}: {e}");
            }
        }
        tm.write_record([id.as_str(), &name, &secs.to_string(), &secs.to_string()])?;
    }
    eprintln!(
        "{} series × {} model(s) in {wall:.2} s wall on {} thread(s); {failed} failed",
        items.len(),
        n_specs,
        rayon::current_num_threads()
    );
    Ok(())
}

/// A global model fitted on each dataset's series together, then forecast series by series.
fn global_rows(items: &[BenchSeries], spec: &ModelSpec) -> Vec<Row> {
    let mut datasets: std::collections::BTreeMap<&str, Vec<&BenchSeries>> = Default::default();
    for item in items {
        datasets.entry(item.dataset.as_str()).or_default().push(item);
    }
    let mut rows = Vec::new();
    for (_, group) in datasets {
        let Some(first) = group.first() else { continue };
        let spec = spec.clone().with_default_season(Some(first.season));
        let series: Vec<_> = group.iter().map(|i| i.series()).collect();
        let panel = Panel {
            id_columns: vec!["series_id".into()],
            date_column: "date".into(),
            value_column: "y".into(),
            exog_columns: vec![],
            freq: first.freq,
            series,
        };
        let t0 = Instant::now();
        let fitted: Vec<Result<Box<dyn Fitted>, ModelError>> =
            horizon_core::models::panel::fit(&panel, &panel.series, &spec, None);
        let share = t0.elapsed().as_secs_f64() / group.len() as f64;
        for ((item, s), f) in group.iter().zip(&panel.series).zip(fitted) {
            let t1 = Instant::now();
            let r = f
                .and_then(|f| predict_fitted(f.as_ref(), s, item.horizon, &[95.0]))
                .map(|(f, _)| bounds(f))
                .map_err(|e| e.to_string());
            rows.push((item.id.clone(), spec.name(), r, share + t1.elapsed().as_secs_f64()));
        }
    }
    rows
}

/// The point forecasts and the 95 % bounds (the only level asked).
fn bounds(f: horizon_core::Forecast) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (lower, upper) = f
        .intervals
        .into_iter()
        .next()
        .map_or_else(Default::default, |iv| (iv.lower, iv.upper));
    (f.point, lower, upper)
}

fn model_label(name: &str) -> String {
    match name {
        "ets" => "ETS".into(),
        "seasonal-naive" => "SeasonalNaive".into(),
        "naive" => "Naive".into(),
        "ets+conformal" => "ETS+conformal".into(),
        "mstl" => "MSTL".into(),
        "arima" => "ARIMA".into(),
        "mstl+conformal" => "MSTL+conformal".into(),
        other => other.to_string(),
    }
}
