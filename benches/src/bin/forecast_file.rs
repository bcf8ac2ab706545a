//! Forecast the first series of a CSV file the way the workbench does (the same core call,
//! `fit_predict`) several times and print the median time per forecast: the native side of
//! the browser-vs-native comparison in `benches/web_vs_native.sh`.
//!
//! usage: forecast_file FILE.csv MODEL HORIZON [REPEATS]

use horizon_core::ModelSpec;
use horizon_core::forecast::fit_predict;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, model, horizon, rest @ ..] = args.as_slice() else {
        eprintln!("usage: forecast_file FILE.csv MODEL HORIZON [REPEATS]");
        return ExitCode::from(2);
    };
    let (spec, horizon) = match (model.parse::<ModelSpec>(), horizon.parse::<usize>()) {
        (Ok(s), Ok(h)) => (s, h),
        (Err(e), _) => {
            eprintln!("model '{model}': {e}");
            return ExitCode::from(2);
        }
        (_, Err(e)) => {
            eprintln!("horizon '{horizon}': {e}");
            return ExitCode::from(2);
        }
    };
    let repeats: usize = rest.first().and_then(|r| r.parse().ok()).unwrap_or(20).max(1);
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::from(1);
        }
    };
    let ing = horizon_core::data::ingest_csv(&bytes, path, &Default::default());
    let Some(series) = ing.panel.as_ref().and_then(|p| p.series.first()) else {
        eprintln!("{path}: no series ({} error(s))", ing.report.error_count());
        return ExitCode::from(1);
    };
    let mut times = Vec::with_capacity(repeats);
    let mut description = String::new();
    for _ in 0..repeats {
        let started = std::time::Instant::now();
        match fit_predict(series, &spec, horizon, &[80.0, 95.0]) {
            Ok((_, d)) => description = d,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(1);
            }
        }
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    // The workbench also checks the calendar seasons of the series it shows.
    let started = std::time::Instant::now();
    let seasons = horizon_core::models::season::detect_seasons(&series.values, series.freq);
    let season_ms = started.elapsed().as_secs_f64() * 1e3;
    std::hint::black_box(seasons);
    println!(
        "median_ms={:.2} min_ms={:.2} season_check_ms={season_ms:.2} repeats={repeats} points={} model={}",
        times[times.len() / 2],
        times[0],
        series.len(),
        description.split('.').next().unwrap_or_default()
    );
    ExitCode::SUCCESS
}
