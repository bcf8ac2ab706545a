//! The reconciliation matrices: each method is a matrix `G` (bottom × nodes) that maps the base
//! forecasts of every node to bottom forecasts; `S · G · ŷ` then gives every node, coherent by
//! construction (`S` adds the bottom series up into each node).
//!
//! - Bottom-up: `G` picks the bottom nodes' base forecasts.
//! - Top-down by average historical proportions (Gross & Sohl 1990, method A): each bottom
//!   series gets the mean over the history of its share of the total, times the total's forecast.
//! - MinT with shrinkage (Wickramasuriya, Athanasopoulos & Hyndman 2019, "Optimal forecast
//!   reconciliation for hierarchical and grouped time series through trace minimization",
//!   JASA 114(526)): `G = (S' W⁻¹ S)⁻¹ S' W⁻¹`, with `W` the covariance of the base forecasts'
//!   errors shrunk towards its diagonal with the intensity of Schäfer & Strimmer (2005), computed
//!   as hierarchicalforecast's `mint_shrink` does (errors centred per node, divided by their
//!   count; its reconciled forecasts are pinned in the tests).

use super::ReconcileError;
use super::hierarchy::Hierarchy;
use nalgebra::DMatrix;

/// `S` (nodes × bottom): 1 where a node adds up a bottom series.
pub fn summing(h: &Hierarchy) -> DMatrix<f64> {
    let mut s = DMatrix::zeros(h.nodes.len(), h.n_bottom);
    for (i, n) in h.nodes.iter().enumerate() {
        for &b in &n.bottoms {
            s[(i, b)] = 1.0;
        }
    }
    s
}

/// `G` of bottom-up.
pub fn bottom_up(h: &Hierarchy) -> DMatrix<f64> {
    let mut g = DMatrix::zeros(h.n_bottom, h.nodes.len());
    let first = h.first_bottom();
    for b in 0..h.n_bottom {
        g[(b, first + b)] = 1.0;
    }
    g
}

/// `G` of top-down by average historical proportions: `values[i]` is node `i`'s history
/// (nodes aligned at their end, as [`Hierarchy::panel`] makes them). Periods with a total of
/// zero are left out of the averages; with none left, the shares are equal.
pub fn top_down(h: &Hierarchy, values: &[&[f64]]) -> DMatrix<f64> {
    let total = values[0];
    let n = total.len();
    let first = h.first_bottom();
    let mut g = DMatrix::zeros(h.n_bottom, h.nodes.len());
    let mut shares = vec![0.0; h.n_bottom];
    let mut periods = 0usize;
    for t in 0..n {
        if !(total[t].is_finite() && total[t] != 0.0) {
            continue;
        }
        periods += 1;
        for (b, share) in shares.iter_mut().enumerate() {
            let y = values[first + b];
            // Bottom series are aligned at the end; before its start a series sold nothing.
            let off = n - y.len();
            if t >= off && y[t - off].is_finite() {
                *share += y[t - off] / total[t];
            }
        }
    }
    for (b, share) in shares.iter().enumerate() {
        g[(b, 0)] = if periods == 0 {
            1.0 / h.n_bottom as f64
        } else {
            share / periods as f64
        };
    }
    g
}

/// The errors' covariance shrunk towards its diagonal, and the shrinkage intensity λ.
/// `errors` is samples × nodes.
pub fn shrunk_covariance(errors: &DMatrix<f64>) -> (DMatrix<f64>, f64) {
    let n = errors.nrows() as f64;
    let p = errors.ncols();
    let mut errors = errors.clone();
    for mut col in errors.column_iter_mut() {
        let mean = col.mean();
        col.add_scalar_mut(-mean);
    }
    let cov = errors.transpose() * &errors / n;
    let sd: Vec<f64> = (0..p).map(|i| cov[(i, i)].sqrt()).collect();
    let mut xs = errors.clone();
    for j in 0..p {
        for t in 0..errors.nrows() {
            xs[(t, j)] = if sd[j] > 0.0 { errors[(t, j)] / sd[j] } else { 0.0 };
        }
    }
    let xs2 = xs.map(|x| x * x);
    let cross2 = xs2.transpose() * &xs2;
    let cross = xs.transpose() * &xs;
    let (mut v_sum, mut d_sum) = (0.0, 0.0);
    for i in 0..p {
        for j in 0..p {
            if i == j {
                continue;
            }
            v_sum += (cross2[(i, j)] - cross[(i, j)].powi(2) / n) / (n * (n - 1.0));
            let corr = if sd[i] > 0.0 && sd[j] > 0.0 {
                cov[(i, j)] / (sd[i] * sd[j])
            } else {
                0.0
            };
            d_sum += corr * corr;
        }
    }
    let lambda = if d_sum > 0.0 {
        (v_sum / d_sum).clamp(0.0, 1.0)
    } else {
        1.0
    };
    let mut w = cov.scale(1.0 - lambda);
    for i in 0..p {
        w[(i, i)] = cov[(i, i)];
    }
    (w, lambda)
}

/// `G` of MinT for the error covariance `w`.
pub fn mint(s: &DMatrix<f64>, w: &DMatrix<f64>) -> Result<DMatrix<f64>, ReconcileError> {
    let w = with_ridge(w);
    let chol = w
        .cholesky()
        .ok_or_else(|| ReconcileError::Invalid("the forecast errors' covariance is not positive definite".into()))?;
    let winv_s = chol.solve(s);
    let a = s.transpose() * &winv_s;
    let a_chol = with_ridge(&a)
        .cholesky()
        .ok_or_else(|| ReconcileError::Invalid("the reconciliation's normal equations are singular".into()))?;
    Ok(a_chol.solve(&winv_s.transpose()))
}

/// A symmetric matrix with its zero variances lifted to a tiny share of the largest one: a node
/// forecast without error (a series of zeros) must not make `W` singular.
fn with_ridge(w: &DMatrix<f64>) -> DMatrix<f64> {
    let top = (0..w.nrows()).map(|i| w[(i, i)]).fold(0.0_f64, f64::max);
    let eps = if top > 0.0 { top * 1e-9 } else { 1e-12 };
    let mut out = w.clone();
    for i in 0..w.nrows() {
        out[(i, i)] += eps;
    }
    out
}

/// The correlation matrix of a covariance (zero where a variance is zero).
pub fn correlation(w: &DMatrix<f64>) -> DMatrix<f64> {
    let p = w.nrows();
    let sd: Vec<f64> = (0..p).map(|i| w[(i, i)].max(0.0).sqrt()).collect();
    DMatrix::from_fn(p, p, |i, j| {
        if i == j {
            1.0
        } else if sd[i] > 0.0 && sd[j] > 0.0 {
            w[(i, j)] / (sd[i] * sd[j])
        } else {
            0.0
        }
    })
}
