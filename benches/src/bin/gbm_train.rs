//! Train horizon-gbm on the matrix `gbm_matrix` wrote, with the settings `benches/gbm_lightgbm.py`
//! gives LightGBM (objective `regression`, `poisson` or `tweedie` at variance power 1.5); print
//! the training time and the test RMSE as one JSON line.

use horizon_gbm::{Booster, Matrix, Objective, Params};

fn read_f64(path: &std::path::Path) -> Result<Vec<f64>, Box<dyn std::error::Error>> {
    let bytes = std::fs::read(path)?;
    Ok(bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect())
}

fn field(meta: &str, name: &str) -> Result<usize, Box<dyn std::error::Error>> {
    let at = meta
        .find(&format!("\"{name}\":"))
        .ok_or(format!("no {name} in meta.json"))?;
    let rest = &meta[at + name.len() + 3..];
    let end = rest.find([',', '}']).ok_or("bad meta.json")?;
    Ok(rest[..end].trim().parse()?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().ok_or("usage: gbm_train DIR ROUNDS")?);
    let rounds: usize = args.next().ok_or("usage: gbm_train DIR ROUNDS [OBJECTIVE]")?.parse()?;
    let objective = match args.next().as_deref() {
        None | Some("regression") => Objective::SquaredError,
        Some("poisson") => Objective::Poisson,
        Some("tweedie") => Objective::Tweedie(1.5),
        Some(other) => return Err(format!("unknown objective {other}").into()),
    };
    let meta = std::fs::read_to_string(dir.join("meta.json"))?;
    let (rows, cols, train_rows) = (
        field(&meta, "rows")?,
        field(&meta, "cols")?,
        field(&meta, "train_rows")?,
    );
    let flat = read_f64(&dir.join("X.f64"))?;
    let y = read_f64(&dir.join("y.f64"))?;
    let column = |c: usize, range: std::ops::Range<usize>| range.map(|i| flat[i * cols + c]).collect::<Vec<f64>>();
    let x = Matrix {
        columns: (0..cols).map(|c| column(c, 0..train_rows)).collect(),
        names: (0..cols).map(|c| format!("f{c}")).collect(),
    };
    let tx = Matrix {
        columns: (0..cols).map(|c| column(c, train_rows..rows)).collect(),
        names: x.names.clone(),
    };
    let params = Params {
        objective,
        rounds,
        early_stopping_rounds: 0,
        feature_fraction: 1.0,
        ..Params::default()
    };
    let start = std::time::Instant::now();
    let booster = Booster::train(&x, &y[..train_rows], None, &params)?;
    let seconds = start.elapsed().as_secs_f64();
    let pred = booster.predict(&tx);
    let ty = &y[train_rows..];
    let rmse = (pred.iter().zip(ty).map(|(p, t)| (p - t).powi(2)).sum::<f64>() / ty.len() as f64).sqrt();
    println!(
        "{{\"engine\": \"horizon-gbm\", \"train_s\": {seconds:.3}, \"test_rmse\": {rmse:.5}, \"trees\": {}}}",
        booster.trees.len()
    );
    Ok(())
}
