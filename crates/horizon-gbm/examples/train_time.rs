use horizon_gbm::{Booster, Matrix, Params};
fn main() {
    let (n, f) = (213_200usize, 45usize);
    let mut s = 12345u64;
    let mut rnd = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut cols: Vec<Vec<f64>> = (0..f).map(|_| Vec::with_capacity(n)).collect();
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let mut row = Vec::with_capacity(f);
        for k in 0..f {
            let v = match k % 3 {
                0 => rnd(),
                1 => (rnd() * 7.0).floor(),
                _ => {
                    if i < 100 {
                        f64::NAN
                    } else {
                        rnd() * 100.0
                    }
                }
            };
            row.push(v);
        }
        let t = 10.0 * (3.14 * row[0] * row[3]).sin()
            + 20.0 * (row[6] - 0.5).powi(2)
            + 0.1 * row[4] * if row[1] > 3.0 { 1.0 } else { 0.0 }
            + 5.0 * row[9]
            + rnd();
        y.push(t);
        for k in 0..f {
            cols[k].push(row[k]);
        }
    }
    let x = Matrix {
        columns: cols,
        names: (0..f).map(|k| format!("f{k}")).collect(),
    };
    let p = Params {
        rounds: 300,
        early_stopping_rounds: 0,
        feature_fraction: 1.0,
        ..Params::default()
    };
    let t = std::time::Instant::now();
    let b = Booster::train(&x, &y, None, &p).unwrap();
    let pred = b.predict(&x);
    let rmse = (pred.iter().zip(&y).map(|(p, t)| (p - t).powi(2)).sum::<f64>() / n as f64).sqrt();
    println!(
        "train {:.2}s rmse {rmse:.5} trees {}",
        t.elapsed().as_secs_f64(),
        b.trees.len()
    );
}
