//! What would each way of weighting an ensemble have scored on the retail panel? Cuts the
//! panel at every week from 28 to 196 days before its end, fits every model on every series cut
//! there (a global model once on the whole cut panel), and writes each cut's 28-step point
//! forecasts with the actuals and the MASE scale of the history before the cut. The three cuts
//! 28, 56 and 84 days back are `horizon backtest`'s folds; the earlier ones are the backtests
//! an ensemble fitted at a fold could have weighted its members from. `benches/ensembles/
//! study.py` replays weighting rules on the file.
//!
//! ```text
//! ensemble_dump OUT.csv [ets,arima,prophet,gbm,gbm-direct] [--seed 1] [--max-back 196]
//! ```

use horizon_core::ModelSpec;
use horizon_core::data::Series;
use horizon_core::eval::metrics::seasonal_scale;
use horizon_core::forecast::predict_fitted;
use horizon_core::models::panel;
use std::io::Write;

const HORIZON: usize = 28;
const SEASON: usize = 7;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let out = args
        .get(1)
        .ok_or("usage: ensemble_dump OUT.csv [models] [--seed N] [--max-back DAYS]")?;
    let models: Vec<ModelSpec> = horizon_benches::models_arg(&args, "ets,arima,prophet,gbm,gbm-direct")?;
    let seed: u64 = horizon_benches::number_arg(&args, "--seed", 1)?;
    let max_back: usize = horizon_benches::number_arg(&args, "--max-back", 196)?;
    let panel = horizon_benches::study_panel(seed);
    let shortest = panel.series.iter().map(Series::len).min().unwrap_or(0);
    if max_back < HORIZON || max_back + HORIZON > shortest {
        return Err(format!(
            "--max-back must be between {HORIZON} and {} (the panel's series have {shortest} days)",
            shortest.saturating_sub(HORIZON)
        )
        .into());
    }
    let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
    writeln!(
        file,
        "back,series,step,actual,scale,{}",
        models.iter().map(ModelSpec::name).collect::<Vec<_>>().join(",")
    )?;
    for back in (HORIZON..=max_back).step_by(7) {
        let started = std::time::Instant::now();
        let heads: Vec<Series> = panel.series.iter().map(|s| s.head(s.len() - back)).collect();
        // Model → series → forecast (None: failed).
        let mut by_model: Vec<Vec<Option<Vec<f64>>>> = Vec::new();
        for spec in &models {
            let points: Vec<Option<Vec<f64>>> = panel::fit(&panel, &heads, spec, None)
                .into_iter()
                .zip(&heads)
                .map(|(f, h)| {
                    f.and_then(|f| predict_fitted(f.as_ref(), h, HORIZON, &[95.0]))
                        .ok()
                        .map(|(fc, _)| fc.point)
                })
                .collect();
            by_model.push(points);
        }
        for (i, (s, h)) in panel.series.iter().zip(&heads).enumerate() {
            let f: Option<Vec<&Vec<f64>>> = by_model.iter().map(|m| m[i].as_ref()).collect();
            let Some(f) = f else {
                continue;
            };
            let scale = seasonal_scale(&h.values, SEASON);
            for step in 0..HORIZON {
                let actual = s.values[h.len() + step];
                let cols: Vec<String> = f.iter().map(|p| p[step].to_string()).collect();
                writeln!(
                    file,
                    "{back},{},{},{actual},{scale},{}",
                    s.label(),
                    step + 1,
                    cols.join(",")
                )?;
            }
        }
        file.flush()?;
        eprintln!("cut {back} days back: {:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(())
}
