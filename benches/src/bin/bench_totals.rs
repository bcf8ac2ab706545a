//! How well a forecast's 95 % range of the total over its horizon (the headline's "95 % range … to
//! …") holds the public benchmark's held-out totals, against the two simple readings
//! of the per-period bands — their bounds added up (every period misses the same way) and the
//! periods' errors taken as independent (spreads added in quadrature) — and the lead-time
//! reading the headline uses (`horizon_core::models::total`).
//!
//! ```text
//! bench_totals BENCH_DIR [--models auto,ets] [--sample ref|all] [--retail SEEDS]
//! ```
//! `--retail N` adds the workbench's own kind of data: the retail study panels of seeds 1..=N
//! (10 stores × 20 products, 3 years daily, with promotions), each series' last 28 days held
//! out (the workbench's default horizon).
//! Prints, per dataset and model, the share of held-out periods inside their own 95 % band
//! (what the total's range inherits), each range's coverage of the actual total and its mean
//! scaled interval score (the M4 competition's MSIS applied to the total: width plus 40 times
//! the miss, over the horizon times the in-sample seasonal-naive error).

use horizon_benches::BenchSeries;
use horizon_core::ModelSpec;
use horizon_core::forecast::fit_predict;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// The three ranges of one series' total: (lower, upper) each.
struct Ranges {
    actual: f64,
    scale: f64,
    summed: (f64, f64),
    independent: (f64, f64),
    lead_time: (f64, f64),
    /// Periods inside their own band, of `periods`.
    inside: usize,
    periods: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .ok_or("usage: bench_totals BENCH_DIR [--models a,b] [--sample ref|all]")?;
    let mut models = "auto".to_string();
    let mut sample = "ref".to_string();
    let mut retail = 0;
    let mut it = args[2..].iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--models" => models = it.next().ok_or("--models needs a value")?.clone(),
            "--sample" => sample = it.next().ok_or("--sample needs a value")?.clone(),
            "--retail" => retail = it.next().ok_or("--retail needs a value")?.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let specs: Vec<ModelSpec> = models.split(',').map(str::parse).collect::<Result<_, _>>()?;
    let mut items = horizon_benches::load_bench(std::path::Path::new(dir), &sample, None)?;
    items.extend((1..=retail).flat_map(retail_items));
    println!(
        "| dataset | model | series | periods in their band | total in: summed | independent | lead-time | scaled IS: summed | independent | lead-time |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for spec in &specs {
        let rows: Vec<(String, Ranges)> = items
            .par_iter()
            .filter_map(|item| ranges(item, spec).map(|r| (item.dataset.clone(), r)))
            .collect();
        let mut by_dataset: BTreeMap<String, Vec<Ranges>> = BTreeMap::new();
        for (dataset, r) in rows {
            by_dataset.entry(dataset).or_default().push(r);
        }
        for (dataset, rs) in &by_dataset {
            let n = rs.len() as f64;
            let cover = |pick: fn(&Ranges) -> (f64, f64)| {
                100.0
                    * rs.iter()
                        .filter(|r| (pick(r).0..=pick(r).1).contains(&r.actual))
                        .count() as f64
                    / n
            };
            let score = |pick: fn(&Ranges) -> (f64, f64)| {
                rs.iter()
                    .map(|r| interval_score(pick(r), r.actual) / r.scale)
                    .sum::<f64>()
                    / n
            };
            println!(
                "| {dataset} | {} | {} | {:.1} % | {:.1} % | {:.1} % | {:.1} % | {:.2} | {:.2} | {:.2} |",
                spec.name(),
                rs.len(),
                100.0 * rs.iter().map(|r| r.inside).sum::<usize>() as f64
                    / rs.iter().map(|r| r.periods).sum::<usize>().max(1) as f64,
                cover(|r| r.summed),
                cover(|r| r.independent),
                cover(|r| r.lead_time),
                score(|r| r.summed),
                score(|r| r.independent),
                score(|r| r.lead_time),
            );
        }
    }
    Ok(())
}

/// The 95 % interval score of `(lower, upper)` for `y` (Gneiting & Raftery 2007).
fn interval_score((lower, upper): (f64, f64), y: f64) -> f64 {
    (upper - lower) + 40.0 * ((lower - y).max(0.0) + (y - upper).max(0.0))
}

fn ranges(item: &BenchSeries, spec: &ModelSpec) -> Option<Ranges> {
    let spec = spec.clone().with_default_season(Some(item.season));
    let (f, _) = fit_predict(&item.series(), &spec, item.horizon, &[95.0]).ok()?;
    let band = f.interval(95.0)?;
    let total = f.total();
    let quadrature = |half: Vec<f64>| half.iter().map(|h| h * h).sum::<f64>().sqrt();
    let below = quadrature(f.point.iter().zip(&band.lower).map(|(p, l)| p - l).collect());
    let above = quadrature(f.point.iter().zip(&band.upper).map(|(p, u)| u - p).collect());
    let range = f.total_range(95.0)?;
    let m = item.season.min(item.train.len().saturating_sub(1)).max(1);
    let diffs: Vec<f64> = item.train.windows(m + 1).map(|w| (w[m] - w[0]).abs()).collect();
    let scale = diffs.iter().sum::<f64>() / diffs.len().max(1) as f64 * item.horizon as f64;
    (scale > 0.0).then(|| Ranges {
        actual: item.holdout.iter().sum(),
        scale,
        summed: (band.lower.iter().sum(), band.upper.iter().sum()),
        independent: (total - below, total + above),
        lead_time: (range.lower, range.upper),
        inside: (0..item.horizon.min(item.holdout.len()))
            .filter(|&h| (band.lower[h]..=band.upper[h]).contains(&item.holdout[h]))
            .count(),
        periods: item.horizon.min(item.holdout.len()),
    })
}

/// The retail study panel of `seed`, each series' last 28 days held out.
fn retail_items(seed: u64) -> Vec<BenchSeries> {
    const HORIZON: usize = 28;
    horizon_benches::study_panel(seed)
        .series
        .into_iter()
        .filter(|s| s.values.len() > 3 * HORIZON)
        .map(|s| {
            let cut = s.values.len() - HORIZON;
            BenchSeries {
                id: format!("{seed}/{}", s.label()),
                dataset: "retail_daily".into(),
                freq: s.freq,
                season: 7,
                horizon: HORIZON,
                train: s.values[..cut].to_vec(),
                holdout: s.values[cut..].to_vec(),
            }
        })
        .collect()
}
