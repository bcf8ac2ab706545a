//! Starting values of the states, as R's `forecast::ets` chooses them (`initstate`; Hyndman et
//! al. 2008, §2.6.1): seasonal indices from a classical decomposition (or a one-harmonic
//! Fourier regression when there are fewer than three seasons), then level and growth from a
//! regression line over the first max(10, 2m) seasonally adjusted values.

use super::{Season, Trend};

/// Classical decomposition's seasonal figure (`stats::decompose`): the mean, per position in
/// the season, of the series minus (or over) its centred moving average, normalised to sum
/// to zero (additive) or to average one (multiplicative). `figure[k]` is the index of
/// observations `k, k+m, …`.
pub fn seasonal_figure(y: &[f64], m: usize, multiplicative: bool) -> Option<Vec<f64>> {
    let n = y.len();
    if m < 2 || n < m.saturating_mul(2) {
        return None;
    }
    // Centred moving average: order m, or 2×m when m is even.
    let half = m / 2;
    let mut trend = vec![f64::NAN; n];
    for (t, tr) in trend.iter_mut().enumerate().take(n - half).skip(half) {
        *tr = if m.is_multiple_of(2) {
            let inner: f64 = y[t + 1 - half..t + half].iter().sum();
            (inner + 0.5 * (y[t - half] + y[t + half])) / m as f64
        } else {
            y[t - half..=t + half].iter().sum::<f64>() / m as f64
        };
    }
    let mut sum = vec![0.0; m];
    let mut count = vec![0usize; m];
    for t in 0..n {
        if trend[t].is_nan() {
            continue;
        }
        let d = if multiplicative {
            y[t] / trend[t]
        } else {
            y[t] - trend[t]
        };
        if d.is_finite() {
            sum[t % m] += d;
            count[t % m] += 1;
        }
    }
    if count.contains(&0) {
        return None;
    }
    let mut figure: Vec<f64> = sum.iter().zip(&count).map(|(s, c)| s / *c as f64).collect();
    let mean = figure.iter().sum::<f64>() / m as f64;
    for f in &mut figure {
        if multiplicative {
            *f /= mean;
        } else {
            *f -= mean;
        }
    }
    Some(figure)
}

/// Seasonal index of each observation from a regression on a line and one Fourier pair
/// (R's fallback for 4 ≤ n < 3m).
fn fourier_seasonal(y: &[f64], m: usize, multiplicative: bool) -> Vec<f64> {
    let n = y.len();
    let w = 2.0 * std::f64::consts::PI / m as f64;
    // Columns: 1, t, sin, cos (t = 1..n), solved by normal equations.
    let rows: Vec<[f64; 4]> = (1..=n)
        .map(|t| {
            let t = t as f64;
            [1.0, t, (w * t).sin(), (w * t).cos()]
        })
        .collect();
    let coef = least_squares(&rows, y).unwrap_or([0.0; 4]);
    (0..n)
        .map(|i| {
            let line = coef[0] + coef[1] * (i + 1) as f64;
            if multiplicative { y[i] / line } else { y[i] - line }
        })
        .collect()
}

/// Solve a small least-squares problem by the normal equations (Gaussian elimination with
/// partial pivoting); `None` if singular.
fn least_squares<const K: usize>(rows: &[[f64; K]], y: &[f64]) -> Option<[f64; K]> {
    let mut a = [[0.0; K]; K];
    let mut b = [0.0; K];
    for (r, &yt) in rows.iter().zip(y) {
        for i in 0..K {
            b[i] += r[i] * yt;
            for j in 0..K {
                a[i][j] += r[i] * r[j];
            }
        }
    }
    for col in 0..K {
        let piv = (col..K).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        let pivot_row = a[col];
        for row in col + 1..K {
            let f = a[row][col] / pivot_row[col];
            for (x, p) in a[row].iter_mut().zip(&pivot_row).skip(col) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; K];
    for i in (0..K).rev() {
        let s: f64 = (i + 1..K).map(|j| a[i][j] * x[j]).sum();
        x[i] = (b[i] - s) / a[i][i];
    }
    Some(x)
}

/// Initial `(level, growth, seasons)`; `seasons` holds R's `s0 … s(m−2)` (the last one is
/// implied by normalisation and added by the caller).
pub fn initial_states(y: &[f64], trend: Trend, season: Season, m: usize) -> (f64, f64, Vec<f64>) {
    let n = y.len();
    let mut adjusted = y.to_vec();
    let mut seasons = Vec::new();
    if season != Season::None && m > 1 {
        let mult = season == Season::Multiplicative;
        // Seasonal index of each observation.
        let per_obs: Vec<f64> = if n >= 3 * m {
            let fig = seasonal_figure(y, m, mult).unwrap_or_else(|| vec![if mult { 1.0 } else { 0.0 }; m]);
            (0..n).map(|t| fig[t % m]).collect()
        } else {
            fourier_seasonal(y, m, mult)
        };
        // R: init.seas <- rev(seasonal[2:m]).
        seasons = (1..m).rev().map(|k| per_obs[k]).collect();
        if mult {
            for s in &mut seasons {
                *s = s.max(1e-2);
            }
            let total: f64 = seasons.iter().sum();
            if total > m as f64 {
                let denom: f64 = seasons.iter().map(|s| s + 1e-2).sum();
                seasons.iter_mut().for_each(|s| *s /= denom);
            }
            for (a, s) in adjusted.iter_mut().zip(&per_obs) {
                *a /= s.max(1e-2);
            }
        } else {
            for (a, s) in adjusted.iter_mut().zip(&per_obs) {
                *a -= s;
            }
        }
    }
    let maxn = m.saturating_mul(2).max(10).min(n);
    let head = &adjusted[..maxn];
    match trend {
        Trend::None => (head.iter().sum::<f64>() / maxn as f64, 0.0, seasons),
        Trend::Additive | Trend::Multiplicative => {
            let rows: Vec<[f64; 2]> = (1..=maxn).map(|t| [1.0, t as f64]).collect();
            let [a, b] = least_squares(&rows, head).unwrap_or([head[0], 0.0]);
            if trend == Trend::Additive {
                let (mut l0, mut b0) = (a, b);
                if (l0 + b0).abs() < 1e-8 {
                    l0 *= 1.0 + 1e-3;
                    b0 *= 1.0 - 1e-3;
                }
                (l0, b0, seasons)
            } else {
                let mut l0 = a + b;
                if l0.abs() < 1e-8 {
                    l0 = 1e-7;
                }
                let mut b0 = (a + 2.0 * b) / l0;
                l0 /= b0;
                if b0.abs() > 1e10 {
                    b0 = b0.signum() * 1e10;
                }
                if l0 < 1e-8 || b0 < 1e-8 {
                    l0 = head[0].max(1e-3);
                    b0 = (head.get(1).copied().unwrap_or(head[0]) / head[0]).max(1e-3);
                }
                (l0, b0, seasons)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposition_recovers_a_clean_season() {
        let pattern = [3.0, -1.0, -2.0, 0.0];
        let y: Vec<f64> = (0..24).map(|t| 10.0 + 0.5 * t as f64 + pattern[t % 4]).collect();
        let fig = seasonal_figure(&y, 4, false).unwrap();
        for (f, p) in fig.iter().zip(pattern) {
            assert!((f - p).abs() < 1e-9, "{fig:?}");
        }
        let (l0, b0, s) = initial_states(&y, Trend::Additive, Season::Additive, 4);
        assert!((b0 - 0.5).abs() < 1e-9 && (l0 - 9.5).abs() < 1e-9, "{l0} {b0}");
        // R's order: s0 is the index of position m−1, then m−2, …, 1; position 0 is implied.
        assert_eq!(s.len(), 3);
        for (got, want) in s.iter().zip([pattern[3], pattern[2], pattern[1]]) {
            assert!((got - want).abs() < 1e-9, "{s:?}");
        }
    }
}
