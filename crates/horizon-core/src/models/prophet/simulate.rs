//! Prophet's prediction intervals (Taylor & Letham 2018, §3.1.4; `sample_predictive_trend` in
//! the Python package): in each draw, new changepoints arrive in the future at the rate the
//! history had (S per unit of scaled time), their rate changes are Laplace with the mean
//! absolute size of the fitted ones, and Gaussian noise of the fitted σ is added. The bounds are
//! the draws' quantiles. A fixed seed makes them the same on every call.

use super::super::Interval;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1, Poisson, StandardNormal};

/// Draws per forecast, as Prophet's `uncertainty_samples`.
pub const DRAWS: usize = 1000;
const SEED: u64 = 0x0050_524f_5048_4554; // "PROPHET"

pub struct Inputs<'a> {
    pub point: &'a [f64],
    /// Multiplicative seasonal part at each future step (0 for an additive model).
    pub multiplicative: &'a [f64],
    /// Future times on Prophet's scale (history from 0 to 1).
    pub t_future: &'a [f64],
    pub t_change: &'a [f64],
    pub delta: &'a [f64],
    pub sigma_obs: f64,
    pub y_scale: f64,
    /// Sorted levels in percent.
    pub levels: &'a [f64],
}

pub fn intervals(x: &Inputs) -> Vec<Interval> {
    let h = x.point.len();
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let t_end = x.t_future.iter().copied().fold(1.0f64, f64::max);
    let rate = x.t_change.len() as f64 * (t_end - 1.0);
    let lambda = x.delta.iter().map(|d| d.abs()).sum::<f64>() / x.delta.len().max(1) as f64 + 1e-8;
    let poisson = Poisson::new(rate.max(1e-12)).ok();
    let mut draws = vec![Vec::with_capacity(DRAWS); h];
    let mut changes: Vec<(f64, f64)> = Vec::new();
    for _ in 0..DRAWS {
        changes.clear();
        if rate > 0.0
            && let Some(p) = &poisson
        {
            let n: f64 = p.sample(&mut rng);
            for _ in 0..(n as usize) {
                let at = 1.0 + rng.random::<f64>() * (t_end - 1.0);
                let size: f64 = Exp1.sample(&mut rng);
                let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
                changes.push((at, sign * size * lambda));
            }
        }
        for (step, draw) in draws.iter_mut().enumerate() {
            let t = x.t_future[step];
            let bend: f64 = changes
                .iter()
                .filter(|(at, _)| t >= *at)
                .map(|(at, d)| d * (t - at))
                .sum();
            let noise: f64 = StandardNormal.sample(&mut rng);
            let mul = 1.0 + x.multiplicative.get(step).copied().unwrap_or(0.0);
            draw.push(x.point[step] + x.y_scale * (bend * mul + noise * x.sigma_obs));
        }
    }
    for draw in &mut draws {
        draw.sort_by(f64::total_cmp);
    }
    x.levels
        .iter()
        .map(|&level| {
            let tail = (1.0 - level / 100.0) / 2.0;
            Interval {
                level,
                lower: draws.iter().map(|d| quantile(d, tail)).collect(),
                upper: draws.iter().map(|d| quantile(d, 1.0 - tail)).collect(),
            }
        })
        .collect()
}

/// Linearly interpolated quantile of sorted values (numpy's default).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let pos = p * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (pos - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With no trend changes the bands are the normal quantiles of the noise.
    #[test]
    fn noise_only_bands_are_normal_quantiles() {
        let h = 3;
        let x = Inputs {
            point: &[10.0; 3],
            multiplicative: &[0.0; 3],
            t_future: &[1.01, 1.02, 1.03],
            t_change: &[],
            delta: &[],
            sigma_obs: 0.1,
            y_scale: 20.0,
            levels: &[95.0],
        };
        let iv = intervals(&x);
        for step in 0..h {
            let half = (iv[0].upper[step] - iv[0].lower[step]) / 2.0;
            // 1.96 · 2.0, within the sampling error of 1000 draws.
            assert!((half - 3.92).abs() < 0.35, "{half}");
        }
        assert_eq!(iv, intervals(&x), "same bounds every call");
    }
}
