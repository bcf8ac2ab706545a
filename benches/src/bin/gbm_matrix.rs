//! Write the GBM's feature matrix of the generated retail panel (10 stores × 20 products ×
//! 3 years, daily; DEMAND 0.02 for slow movers) for `benches/gbm_vs_lightgbm.sh`: `X.f64` (row-major, little-endian),
//! `y.f64`, and `meta.json` (rows, columns, names, how many rows are training rows; the rest,
//! each series' last 28 days, are the test rows).

use horizon_core::data::generate::{RetailParams, retail};
use horizon_core::models::gbm::{Gbm, feature_matrix};
use std::io::Write;

const TEST_DAYS: usize = 28;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).ok_or("usage: gbm_matrix OUT_DIR [DEMAND]")?);
    let demand: f64 = std::env::args().nth(2).map_or(Ok(1.0), |d| d.parse())?;
    std::fs::create_dir_all(&dir)?;
    let panel = retail(&RetailParams {
        stores: 10,
        products: 20,
        days: 1095,
        demand,
        ..RetailParams::default()
    });
    let gbm = Gbm {
        id_columns: panel.id_columns.clone(),
        exog_columns: panel.exog_columns.clone(),
        ..Gbm::default()
    };
    // Training rows: each series up to its last 28 days; test rows: those 28 days (features
    // from the actual history, one step ahead).
    let train: Vec<_> = panel.series.iter().map(|s| s.head(s.len() - TEST_DAYS)).collect();
    let (x, y) = feature_matrix(&gbm, &train, |_| 1)?;
    let (tx, ty) = feature_matrix(&gbm, &panel.series, |s| s.len() - TEST_DAYS)?;
    let mut xf = std::io::BufWriter::new(std::fs::File::create(dir.join("X.f64"))?);
    for m in [&x, &tx] {
        for i in 0..m.rows() {
            for c in &m.columns {
                xf.write_all(&c[i].to_le_bytes())?;
            }
        }
    }
    xf.flush()?;
    let mut yf = std::io::BufWriter::new(std::fs::File::create(dir.join("y.f64"))?);
    for v in y.iter().chain(&ty) {
        yf.write_all(&v.to_le_bytes())?;
    }
    yf.flush()?;
    let names: Vec<String> = x.names.iter().map(|n| format!("\"{n}\"")).collect();
    std::fs::write(
        dir.join("meta.json"),
        format!(
            "{{\"rows\": {}, \"cols\": {}, \"train_rows\": {}, \"names\": [{}]}}\n",
            x.rows() + tx.rows(),
            x.cols(),
            x.rows(),
            names.join(", ")
        ),
    )?;
    eprintln!(
        "{} training rows, {} test rows, {} features",
        x.rows(),
        tx.rows(),
        x.cols()
    );
    Ok(())
}
