//! Reconciled forecasts with their intervals: points `S·G·ŷ`; bounds from the variance of the
//! reconciled forecast under normal errors, `diag(S G Σ_h G' S')`, where `Σ_h = D_h R D_h` holds
//! each base forecast's spread at step `h` (read off its own interval at the same level) and `R`
//! the correlation of the base forecasts' errors (as hierarchicalforecast's "normality"
//! intervals, Panagiotelis et al. 2023). Above [`MAX_CORRELATED`] nodes the errors are taken as
//! uncorrelated, which keeps the work quadratic.

use crate::models::{Forecast, Interval};
use crate::stats::z_for_level;
use nalgebra::DMatrix;

/// The largest hierarchy whose interval variances use the errors' correlation.
pub const MAX_CORRELATED: usize = 300;

/// The reconciled forecasts of every node. `base[i]` is node `i`'s base forecast (all with the
/// same steps and levels); `nonneg[i]` says node `i`'s history never went below zero, so its
/// lower bounds stop at zero as every other forecast's do.
pub fn reconcile_forecasts(
    s: &DMatrix<f64>,
    g: &DMatrix<f64>,
    correlation: Option<&DMatrix<f64>>,
    base: &[&Forecast],
    nonneg: &[bool],
) -> Vec<Forecast> {
    let m = base.len();
    let steps = base.first().map_or(0, |f| f.horizon());
    let sg = s * g;
    let mut points = vec![vec![0.0; steps]; m];
    for h in 0..steps {
        let y = DMatrix::from_fn(m, 1, |i, _| base[i].point[h]);
        let r = &sg * y;
        for (i, p) in points.iter_mut().enumerate() {
            p[h] = r[(i, 0)];
        }
    }
    let chol = correlation
        .filter(|_| m <= MAX_CORRELATED)
        .and_then(|r| r.clone().cholesky())
        .map(|c| c.l());
    let levels: Vec<f64> = base
        .first()
        .map(|f| f.intervals.iter().map(|i| i.level).collect())
        .unwrap_or_default();
    let mut intervals: Vec<Vec<Interval>> = vec![Vec::new(); m];
    for (li, &level) in levels.iter().enumerate() {
        let z = z_for_level(level);
        let mut lower = vec![vec![0.0; steps]; m];
        let mut upper = vec![vec![0.0; steps]; m];
        for h in 0..steps {
            // The upper half-width: lower bounds may have been cut at zero.
            let sd: Vec<f64> = base
                .iter()
                .map(|f| ((f.intervals[li].upper[h] - f.point[h]) / z).max(0.0))
                .collect();
            let var = variances(&sg, &sd, chol.as_ref());
            for i in 0..m {
                let half = z * var[i].max(0.0).sqrt();
                let lo = points[i][h] - half;
                // Cut at zero as other forecasts are, but never above the point (a reconciled
                // point may itself go below zero).
                lower[i][h] = if nonneg[i] { lo.max(0.0).min(points[i][h]) } else { lo };
                upper[i][h] = points[i][h] + half;
            }
        }
        for (i, (lo, hi)) in lower.into_iter().zip(upper).enumerate() {
            intervals[i].push(Interval {
                level,
                lower: lo,
                upper: hi,
            });
        }
    }
    points
        .into_iter()
        .zip(intervals)
        .map(|(point, intervals)| Forecast { point, intervals })
        .collect()
}

/// `diag(M D R D M')` with `R = L L'` (or `R = I` without `L`).
fn variances(m: &DMatrix<f64>, sd: &[f64], l: Option<&DMatrix<f64>>) -> Vec<f64> {
    let scaled = DMatrix::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)] * sd[j]);
    match l {
        Some(l) => {
            let b = scaled * l;
            b.row_iter().map(|r| r.norm_squared()).collect()
        }
        None => scaled.row_iter().map(|r| r.norm_squared()).collect(),
    }
}
