//! Shared set-up of the benchmarks: the generated retail panel used for ingestion timings.

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
        horizon_core::Series::new(
            vec![self.id.clone()],
            self.freq,
            (0..self.train.len())
                .map(|k| self.freq.advance(start, k as i64))
                .collect(),
            self.train.clone(),
        )
    }
}

/// Read the benchmark's series: `sample` is `ref` (the 500-series reference sample) or `all`;
/// `only` keeps one series. Sorted by id.
pub fn load_bench(
    dir: &std::path::Path,
    sample: &str,
    only: Option<&str>,
) -> Result<Vec<BenchSeries>, Box<dyn std::error::Error>> {
    use std::collections::HashMap;
    let mut manifest = csv::Reader::from_path(dir.join("manifest.csv"))?;
    let head = manifest.headers()?.clone();
    let col = |name: &str| {
        head.iter()
            .position(|h| h == name)
            .ok_or(format!("manifest lacks {name}"))
    };
    let (c_id, c_ds, c_freq, c_m, c_h, c_ntrain, c_ref) = (
        col("series_id")?,
        col("dataset")?,
        col("freq")?,
        col("season_length")?,
        col("horizon")?,
        col("n_train")?,
        col("ref_sample")?,
    );
    let mut wanted = HashMap::new();
    for rec in manifest.records() {
        let r = rec?;
        let keep = match only {
            Some(o) => o == &r[c_id],
            None => sample != "ref" || &r[c_ref] == "1",
        };
        if !keep {
            continue;
        }
        let freq = if &r[c_freq] == "Q" {
            horizon_core::Frequency::Quarterly
        } else {
            horizon_core::Frequency::Monthly
        };
        let meta: (String, horizon_core::Frequency, usize, usize, usize) = (
            r[c_ds].to_string(),
            freq,
            r[c_m].parse()?,
            r[c_h].parse()?,
            r[c_ntrain].parse()?,
        );
        wanted.insert(r[c_id].to_string(), meta);
    }
    let mut values: HashMap<String, Vec<f64>> = HashMap::new();
    for rec in csv::Reader::from_path(dir.join("series.csv"))?.records() {
        let r = rec?;
        if wanted.contains_key(&r[0]) {
            values.entry(r[0].to_string()).or_default().push(r[2].parse()?);
        }
    }
    let mut out: Vec<BenchSeries> = wanted
        .into_iter()
        .filter_map(|(id, (dataset, freq, season, horizon, n_train))| {
            let mut train = values.remove(&id)?;
            let holdout = train.split_off(n_train.min(train.len()));
            Some(BenchSeries {
                id,
                dataset,
                freq,
                season,
                horizon,
                train,
                holdout,
            })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}
