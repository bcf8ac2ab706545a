//! Research tool: Auto's backtest table for every series of the public benchmark, to study
//! selection rules offline against each candidate's hold-out accuracy.
//!
//! ```text
//! auto_tables BENCH_DIR OUT.csv [--sample ref|all]
//! ```
//! Rows: `series_id,model,mase,mae` (one per candidate; empty when it failed).

use horizon_core::ModelSpec;
use horizon_core::models::FittedModel;
use rayon::prelude::*;
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: auto_tables BENCH_DIR OUT.csv [--sample ref|all]".into());
    }
    let sample = match args.get(3).map(String::as_str) {
        Some("--sample") => args.get(4).cloned().ok_or("--sample needs a value")?,
        Some(other) => return Err(format!("unknown argument {other}").into()),
        None => "ref".into(),
    };
    let items = horizon_benches::load_bench(std::path::Path::new(&args[1]), &sample, None)?;
    let rows: Vec<String> = items
        .par_iter()
        .flat_map_iter(|item| {
            let spec = ModelSpec::Auto(Default::default()).with_default_season(Some(item.season));
            let table = match spec.build().fit(&item.series()).map(|f| f.to_state()) {
                Ok(FittedModel::Auto(a)) => a.table,
                _ => Vec::new(),
            };
            table.into_iter().map(|c| {
                let show = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
                format!("{},{},{},{}", item.id, c.model, show(c.mase), show(c.mae))
            })
        })
        .collect();
    let mut w = std::io::BufWriter::new(std::fs::File::create(&args[2])?);
    writeln!(w, "series_id,model,mase,mae")?;
    for r in rows {
        writeln!(w, "{r}")?;
    }
    Ok(())
}
