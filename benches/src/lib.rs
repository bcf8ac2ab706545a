//! Shared set-up of the benchmarks: the generated retail panel used for ingestion timings.

pub mod manifest;

use horizon_core::data::generate::{RetailParams, retail};
use horizon_core::export::panel_csv;

/// The benchmark file: 50 stores × 20 products × 1000 days = 1,000,000 rows.
pub fn million_row_params() -> RetailParams {
    RetailParams {
        stores: 50,
        products: 20,
        days: 1000,
        ..Default::default()
    }
}

pub fn million_row_csv() -> String {
    panel_csv(&retail(&million_row_params()))
}

/// One series of the public forecasting benchmark (`shared/bench`): its training part, and
/// the hold-out after it.
pub struct BenchSeries {
    pub id: String,
    pub dataset: String,
    pub freq: horizon_core::Frequency,
    pub season: usize,
    pub horizon: usize,
    pub train: Vec<f64>,
    pub holdout: Vec<f64>,
}

impl BenchSeries {
    /// The training part as a series on the benchmark's synthetic calendar (from 1990-01-01).
    pub fn series(&self) -> horizon_core::Series {
        let start = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default();
        horizon_core::Series {
            key: vec![self.id.clone()],
            ..horizon_core::Series::starting(self.freq, start, self.train.clone())
        }
    }
}

/// Read the benchmark's series: `sample` is `ref` (the 500-series reference sample) or `all`;
/// `only` keeps one series. Sorted by id.
pub fn load_bench(
    dir: &std::path::Path,
    sample: &str,
    only: Option<&str>,
) -> Result<Vec<BenchSeries>, Box<dyn std::error::Error>> {
    Ok(manifest::read(dir, sample, only)?
        .into_iter()
        .map(|r| BenchSeries {
            id: r.id,
            dataset: r.dataset,
            freq: if r.quarterly {
                horizon_core::Frequency::Quarterly
            } else {
                horizon_core::Frequency::Monthly
            },
            season: r.season,
            horizon: r.horizon,
            train: r.train,
            holdout: r.holdout,
        })
        .collect())
}

/// The study binaries' arguments `OUT.csv [models] [--seed N] …`: the comma-separated models
/// in the second place (`default` when absent).
pub fn models_arg(args: &[String], default: &str) -> Result<Vec<horizon_core::ModelSpec>, horizon_core::ModelError> {
    args.get(2)
        .filter(|a| !a.starts_with("--"))
        .map_or(default, String::as_str)
        .split(',')
        .map(str::parse)
        .collect()
}

/// The number after `flag` in `args` (`or` when the flag is absent).
pub fn number_arg<T: std::str::FromStr>(args: &[String], flag: &str, or: T) -> Result<T, String> {
    match args.iter().position(|a| a == flag) {
        Some(i) => args
            .get(i + 1)
            .ok_or(format!("{flag} needs a value"))?
            .parse()
            .map_err(|_| format!("{flag} needs a number")),
        None => Ok(or),
    }
}

/// The retail panel of the ensemble studies: 10 stores × 20 products × 3 years, drawn with `seed`.
pub fn study_panel(seed: u64) -> horizon_core::Panel {
    retail(&RetailParams {
        stores: 10,
        products: 20,
        days: 1095,
        seed,
        ..RetailParams::default()
    })
}
