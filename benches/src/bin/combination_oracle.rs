//! How far could any fixed weighting of some models go on the retail panel? Backtests the
//! models (`horizon backtest`'s folds), writes every fold's point forecasts with the actuals
//! and the fold's MASE scale, and prints the mean MASE of each model and of the best convex
//! combination in hindsight (weights on a 5 % grid, the same for every series and fold) — an
//! upper bound for any ensemble of these members weighted from the past.
//!
//! ```text
//! combination_oracle OUT.csv [ets,arima,gbm] [--seed 1]   # 10 stores × 20 products × 1095 days
//! ```

use horizon_core::ModelSpec;
use horizon_core::eval::backtest::{BacktestConfig, backtest_panel};
use std::collections::BTreeMap;
use std::io::Write;

/// A model's point forecasts of a fold and the fold's MASE scale.
type Scored = (Vec<f64>, f64);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let out = args
        .get(1)
        .ok_or("usage: combination_oracle OUT.csv [models] [--seed N]")?;
    let seed: u64 = horizon_benches::number_arg(&args, "--seed", 1)?;
    let models: Vec<ModelSpec> = horizon_benches::models_arg(&args, "ets,arima,gbm")?;
    let panel = horizon_benches::study_panel(seed);
    let cfg = BacktestConfig {
        horizon: 28,
        folds: 3,
        step: None,
        season: None,
        level: 95.0,
    };
    let r = backtest_panel(&panel, &models, &cfg)?;
    // (series, fold) → model → (forecast, scale); the actuals by series and date.
    let mut cells: BTreeMap<(String, usize), BTreeMap<String, Scored>> = BTreeMap::new();
    let mut origins: BTreeMap<(String, usize), chrono::NaiveDate> = BTreeMap::new();
    for f in &r.folds {
        let (Ok(m), Some(fc)) = (&f.metrics, &f.forecast) else {
            continue;
        };
        cells
            .entry((f.series.clone(), f.fold))
            .or_default()
            .insert(f.model.clone(), (fc.point.clone(), m.scale));
        origins.insert((f.series.clone(), f.fold), f.origin);
    }
    let mut file = std::fs::File::create(out)?;
    writeln!(
        file,
        "series,fold,step,actual,scale,{}",
        models.iter().map(|m| m.name()).collect::<Vec<_>>().join(",")
    )?;
    let names: Vec<String> = models.iter().map(ModelSpec::name).collect();
    let mut rows: Vec<(f64, f64, Vec<f64>)> = Vec::new(); // actual, scale, forecasts
    let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
    for ((series, fold), by_model) in &cells {
        if by_model.len() != names.len() {
            continue;
        }
        let Some(s) = panel
            .series
            .iter()
            .find(|s| horizon_core::data::key_label(&s.key) == *series)
        else {
            continue;
        };
        let Some(start) = s
            .dates
            .iter()
            .position(|d| Some(d) == origins.get(&(series.clone(), *fold)))
        else {
            continue;
        };
        let first = rows.len();
        for step in 0..cfg.horizon {
            let Some(&actual) = s.values.get(start + step) else {
                break;
            };
            let scale = by_model[&names[0]].1;
            let f: Vec<f64> = names.iter().map(|n| by_model[n].0[step]).collect();
            writeln!(
                file,
                "{series},{fold},{},{actual},{scale},{}",
                step + 1,
                f.iter().map(f64::to_string).collect::<Vec<_>>().join(",")
            )?;
            rows.push((actual, scale, f));
        }
        groups.push(first..rows.len());
    }
    // Mean over folds of each fold's MASE, for weights w.
    let mase = |w: &[f64]| -> f64 {
        let per: Vec<f64> = groups
            .iter()
            .map(|g| {
                let rs = &rows[g.clone()];
                let mae: f64 = rs
                    .iter()
                    .map(|(y, _, f)| (y - f.iter().zip(w).map(|(f, w)| f * w).sum::<f64>().max(0.0)).abs())
                    .sum::<f64>()
                    / rs.len() as f64;
                mae / rs[0].1
            })
            .collect();
        per.iter().sum::<f64>() / per.len() as f64
    };
    let k = names.len();
    for (i, n) in names.iter().enumerate() {
        let mut w = vec![0.0; k];
        w[i] = 1.0;
        println!("{n}: MASE {:.4}", mase(&w));
    }
    // Every weight vector on a 5 % grid of the simplex.
    let mut best = (f64::INFINITY, vec![]);
    let mut w = vec![0usize; k];
    loop {
        if w.iter().sum::<usize>() == 20 {
            let wf: Vec<f64> = w.iter().map(|&v| v as f64 / 20.0).collect();
            let m = mase(&wf);
            if m < best.0 {
                best = (m, wf);
            }
        }
        let mut i = 0;
        while i < k {
            w[i] += 1;
            if w[i] <= 20 {
                break;
            }
            w[i] = 0;
            i += 1;
        }
        if i == k {
            break;
        }
    }
    println!(
        "best fixed weights in hindsight: {:?} MASE {:.4} ({} folds)",
        best.1,
        best.0,
        groups.len()
    );
    Ok(())
}
