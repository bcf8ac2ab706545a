//! The public benchmark's files (`shared/bench`: `manifest.csv` and `series.csv`) read into
//! plain series. Shared by this crate and the standalone `rust_peers` crate (which includes this
//! file by path), so both time the same series.

use std::collections::HashMap;

/// One benchmark series: its manifest entry, training part and hold-out.
pub struct RawSeries {
    pub id: String,
    pub dataset: String,
    pub quarterly: bool,
    pub season: usize,
    pub horizon: usize,
    pub train: Vec<f64>,
    pub holdout: Vec<f64>,
}

/// Read the benchmark's series: `sample` is `ref` (the 500-series reference sample, manifest
/// `ref_sample = 1`) or `all`; `only` keeps one series. The training part is the first `n_train`
/// values of `series.csv`. Sorted by id.
pub fn read(
    dir: &std::path::Path,
    sample: &str,
    only: Option<&str>,
) -> Result<Vec<RawSeries>, Box<dyn std::error::Error>> {
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
    let mut wanted: HashMap<String, (String, bool, usize, usize, usize)> = HashMap::new();
    for rec in manifest.records() {
        let r = rec?;
        let keep = match only {
            Some(o) => o == &r[c_id],
            None => sample != "ref" || &r[c_ref] == "1",
        };
        if keep {
            let meta = (
                r[c_ds].to_string(),
                &r[c_freq] == "Q",
                r[c_m].parse()?,
                r[c_h].parse()?,
                r[c_ntrain].parse()?,
            );
            wanted.insert(r[c_id].to_string(), meta);
        }
    }
    let mut values: HashMap<String, Vec<f64>> = HashMap::new();
    for rec in csv::Reader::from_path(dir.join("series.csv"))?.records() {
        let r = rec?;
        if wanted.contains_key(&r[0]) {
            values.entry(r[0].to_string()).or_default().push(r[2].parse()?);
        }
    }
    let mut out: Vec<RawSeries> = wanted
        .into_iter()
        .filter_map(|(id, (dataset, quarterly, season, horizon, n_train))| {
            let mut train = values.remove(&id)?;
            let holdout = train.split_off(n_train.min(train.len()));
            Some(RawSeries {
                id,
                dataset,
                quarterly,
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
