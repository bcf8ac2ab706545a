//! Research tool: rolling-origin errors of a model on the public benchmark, for studying
//! interval calibration offline. For every series: the model refitted at many origins (every
//! origin of the last two seasons plus three, and twelve spread over the earlier history), each forecast's
//! errors and the model's own scale per step; then the final fit's hold-out forecast.
//!
//! ```text
//! calib_dump BENCH_DIR OUT.csv [--model ets] [--sample ref|all] [--cut K]
//! ```
//! `--cut K` moves the hold-out K points back into the history (`--cut h`: each series' own
//! horizon): the last K training points become the hold-out and the rest the history (a
//! pseudo hold-out, for asking whether the end of a history already looks like what follows
//! it). Series left with fewer than two seasons and eight points are skipped.
//! Rows: `series_id,kind,origin,step,y,point,scale` (`kind` = cal or hold; scale = half the
//! model's 95 % interval over z₀.₉₇₅).

use horizon_core::ModelSpec;
use rayon::prelude::*;
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: calib_dump BENCH_DIR OUT.csv [--model ets] [--sample ref|all] [--cut K]".into());
    }
    let dir = std::path::PathBuf::from(&args[1]);
    let mut model = "ets".to_string();
    let mut sample = "ref".to_string();
    let mut cut: Option<String> = None;
    let mut it = args[3..].iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--model" => model = it.next().ok_or("--model needs a value")?.clone(),
            "--sample" => sample = it.next().ok_or("--sample needs a value")?.clone(),
            "--cut" => cut = Some(it.next().ok_or("--cut needs a value")?.clone()),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let spec: ModelSpec = model.parse()?;
    let mut items = horizon_benches::load_bench(&dir, &sample, None)?;
    if let Some(cut) = cut {
        let fixed: Option<usize> = if cut == "h" {
            None
        } else {
            Some(
                cut.parse()
                    .map_err(|_| format!("--cut takes a number of points or h, not {cut}"))?,
            )
        };
        let points = |item: &horizon_benches::BenchSeries| fixed.unwrap_or(item.horizon);
        items.retain(|item| item.train.len() >= points(item) + (2 * item.season).max(8));
        for item in &mut items {
            let keep = item.train.len() - points(item);
            item.holdout = item.train.split_off(keep);
        }
    }
    let z = horizon_core::stats::z_for_level(95.0);
    let rows: Vec<String> = items
        .par_iter()
        .flat_map_iter(|item| {
            let (id, m, h) = (&item.id, item.season, item.horizon);
            let series = item.series();
            let n = series.len();
            let spec = spec.clone().with_default_season(Some(m));
            let steps = (2 * m).clamp(8, 60);
            let min_train = (m + 2).max(6);
            let dense_from = n.saturating_sub(steps + 3 * m).max(min_train);
            let mut origins: Vec<usize> = (dense_from..n).collect();
            let early_end = dense_from;
            if early_end > min_train {
                let span = early_end - min_train;
                for k in 0..12 {
                    origins.push(min_train + k * span / 12);
                }
            }
            origins.sort();
            origins.dedup();
            let mut out = Vec::new();
            let mut emit = |kind: &str, origin: usize, y: &[f64], f: &horizon_core::Forecast| {
                if let Some(iv) = f.interval(95.0) {
                    for (j, yv) in y.iter().enumerate() {
                        let s = (iv.upper[j] - iv.lower[j]) / (2.0 * z);
                        out.push(format!("{id},{kind},{origin},{},{yv},{},{s}", j + 1, f.point[j]));
                    }
                }
            };
            for &o in &origins {
                let k = steps.min(n - o);
                if let Ok(f) = spec.build().fit(&series.head(o)).and_then(|f| f.predict(k, &[95.0])) {
                    emit("cal", o, &series.values[o..o + k], &f);
                }
            }
            if let Ok(f) = spec.build().fit(&series).and_then(|f| f.predict(h, &[95.0])) {
                let hold = &item.holdout[..h.min(item.holdout.len())];
                emit("hold", n, hold, &f);
            }
            out
        })
        .collect();
    let mut w = std::io::BufWriter::new(std::fs::File::create(&args[2])?);
    writeln!(w, "series_id,kind,origin,step,y,point,scale")?;
    for r in rows {
        writeln!(w, "{r}")?;
    }
    Ok(())
}
