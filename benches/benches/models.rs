//! In-process timing of AutoETS and AutoARIMA: fit + 95 % forecast of every series of one
//! dataset of the public benchmark's reference sample (`shared/bench`), on one thread. Divide
//! by the dataset's series count (150 Tourism, 100 M1) for the time per series.
//!
//! Run: `cargo bench -p horizon-benches --bench models` (`HORIZON_BENCH_DIR` points elsewhere
//! than `../shared/bench`). statsforecast's CPU per series on the same sample comes from
//! `benches/models_vs_statsforecast.sh`, run back to back; the ratios are in
//! benches/RESULTS.md.

use horizon_benches::{BenchSeries, load_bench};
use horizon_core::ModelSpec;
use horizon_core::forecast::fit_predict;

fn main() {
    divan::main();
}

const DATASETS: &[&str] = &["tourism_monthly", "tourism_quarterly", "m1_monthly", "m1_quarterly"];

/// The reference sample's series of `dataset`, or why they could not be read.
fn series_of(dataset: &str) -> Result<Vec<BenchSeries>, String> {
    let dir = std::env::var_os("HORIZON_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench"));
    let all = load_bench(&dir, "ref", None).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(all.into_iter().filter(|s| s.dataset == dataset).collect())
}

fn fit_all(bencher: divan::Bencher, dataset: &str, model: &str) {
    let items = match series_of(dataset) {
        Ok(items) => items,
        Err(e) => {
            eprintln!("skipped, no benchmark data: {e}");
            return;
        }
    };
    let spec: ModelSpec = match model.parse() {
        Ok(spec) => spec,
        Err(e) => {
            eprintln!("skipped: {e}");
            return;
        }
    };
    let inputs: Vec<_> = items
        .iter()
        .map(|item| {
            (
                item.series(),
                spec.clone().with_default_season(Some(item.season)),
                item.horizon,
            )
        })
        .collect();
    // Time fits, not failures: every series must forecast before the timing starts.
    for (series, spec, h) in &inputs {
        if let Err(e) = fit_predict(series, spec, *h, &[95.0]) {
            panic!("{model} failed on {}: {e}", series.key.join("/"));
        }
    }
    bencher
        .counter(divan::counter::ItemsCount::new(inputs.len()))
        .bench(|| {
            inputs
                .iter()
                .filter(|(series, spec, h)| fit_predict(divan::black_box(series), spec, *h, &[95.0]).is_ok())
                .count()
        });
}

#[divan::bench(args = DATASETS, sample_count = 3)]
fn ets(bencher: divan::Bencher, dataset: &str) {
    fit_all(bencher, dataset, "ets");
}

#[divan::bench(args = DATASETS, sample_count = 3)]
fn arima(bencher: divan::Bencher, dataset: &str) {
    fit_all(bencher, dataset, "arima");
}
