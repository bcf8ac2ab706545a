//! Exact Gaussian likelihood of a zero-mean ARMA process by the Kalman filter, in Harvey's
//! state-space form (Harvey 1989, *Forecasting, Structural Time Series Models and the Kalman
//! Filter*, §3.4; Gardner, Harvey & Phillips 1980, *Applied Statistics* 29): state dimension
//! r = max(p, q + 1), transition with the AR coefficients in its first column, disturbance
//! loading (1, θ₁, …, θ_{r−1}). The initial state covariance is the stationary one, solved by
//! the doubling algorithm; once the covariance has converged the filter stops updating it.
//!
//! Everything is scaled by σ² = 1 and σ² is concentrated out, as R's `arima` does.

/// Prediction-error decomposition of one series.
#[derive(Debug, Clone)]
pub struct KalmanRun {
    /// Σ v_t² / F_t.
    pub ssq: f64,
    /// Σ log F_t.
    pub sum_log_f: f64,
    pub n: usize,
    /// Filtered state after the last observation, predicted one step ahead.
    pub state: Vec<f64>,
}

impl KalmanRun {
    /// σ² estimate (ML) and −2 log-likelihood with constants, as R's `arima` reports it.
    pub fn sigma2_and_m2loglik(&self) -> (f64, f64) {
        let n = self.n as f64;
        let sigma2 = self.ssq / n;
        let m2ll = n * (2.0 * std::f64::consts::PI * sigma2).ln() + n + self.sum_log_f;
        (sigma2, m2ll)
    }
}

/// State dimension and padded AR (`phi`, length r) and MA loading (`load`, length r).
pub fn harvey_form(ar: &[f64], ma: &[f64]) -> (usize, Vec<f64>, Vec<f64>) {
    let r = ar.len().max(ma.len() + 1).max(1);
    let mut phi = vec![0.0; r];
    phi[..ar.len()].copy_from_slice(ar);
    let mut load = vec![0.0; r];
    load[0] = 1.0;
    load[1..=ma.len()].copy_from_slice(ma);
    (r, phi, load)
}

/// Stationary covariance P = T P Tᵀ + R Rᵀ by doubling: P ← P + A P Aᵀ, A ← A² (Anderson &
/// Moore 1979); `None` when it does not converge (a non-stationary AR part).
pub fn stationary_cov(phi: &[f64], load: &[f64], r: usize) -> Option<Vec<f64>> {
    let mut p: Vec<f64> = (0..r * r).map(|k| load[k / r] * load[k % r]).collect();
    // A = T as a dense matrix.
    let mut a = vec![0.0; r * r];
    for i in 0..r {
        a[i * r] = phi[i];
        if i + 1 < r {
            a[i * r + i + 1] = 1.0;
        }
    }
    let mut ap = vec![0.0; r * r];
    let mut apa = vec![0.0; r * r];
    let mut aa = vec![0.0; r * r];
    for _ in 0..64 {
        matmul(&a, &p, r, &mut ap);
        matmul_bt(&ap, &a, r, &mut apa);
        let mut change = 0.0f64;
        for (x, d) in p.iter_mut().zip(&apa) {
            *x += d;
            change = change.max(d.abs());
        }
        let scale = p.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if !scale.is_finite() || scale > 1e12 {
            return None;
        }
        if change <= 1e-12 * scale.max(1.0) {
            return Some(p);
        }
        matmul(&a, &a, r, &mut aa);
        std::mem::swap(&mut a, &mut aa);
    }
    None
}

fn matmul(x: &[f64], y: &[f64], r: usize, out: &mut [f64]) {
    // i-k-j order: the inner loop runs along rows of `y` and `out` (contiguous, vectorised).
    out.iter_mut().for_each(|v| *v = 0.0);
    for i in 0..r {
        let row = &mut out[i * r..(i + 1) * r];
        for k in 0..r {
            let xik = x[i * r + k];
            if xik == 0.0 {
                continue;
            }
            for (o, yv) in row.iter_mut().zip(&y[k * r..(k + 1) * r]) {
                *o += xik * yv;
            }
        }
    }
}

/// out = x · yᵀ.
fn matmul_bt(x: &[f64], y: &[f64], r: usize, out: &mut [f64]) {
    for i in 0..r {
        for j in 0..r {
            out[i * r + j] = (0..r).map(|k| x[i * r + k] * y[j * r + k]).sum();
        }
    }
}

/// Filter the zero-mean series `w` through ARMA(`ar`, `ma`); `None` if the AR part is not
/// stationary or a prediction variance vanishes.
pub fn filter(w: &[f64], ar: &[f64], ma: &[f64]) -> Option<KalmanRun> {
    let (r, phi, load) = harvey_form(ar, ma);
    let mut p = stationary_cov(&phi, &load, r)?;
    let mut a = vec![0.0; r];
    let mut a_upd = vec![0.0; r];
    let mut prev = vec![0.0; r * r];
    let (mut c, mut cf, mut x0) = (vec![0.0; r], vec![0.0; r], vec![0.0; r + 1]);
    let (mut ssq, mut sum_log_f) = (0.0, 0.0);
    let mut steady = false;
    let mut f_steady = 0.0;
    let mut k_steady = vec![0.0; r];
    for &wt in w {
        let v = wt - a[0];
        let f = if steady { f_steady } else { p[0] };
        if f.is_nan() || f <= 1e-12 || !f.is_finite() {
            return None;
        }
        ssq += v * v / f;
        sum_log_f += f.ln();
        // Update: a += K v with K = P[:,0] / F; P −= P[:,0] P[0,:] / F.
        if !steady {
            for i in 0..r {
                k_steady[i] = p[i * r] / f;
            }
        }
        for i in 0..r {
            a_upd[i] = a[i] + k_steady[i] * v;
        }
        // Predict: a = T a_upd.
        for i in 0..r {
            a[i] = phi[i] * a_upd[0] + if i + 1 < r { a_upd[i + 1] } else { 0.0 };
        }
        if !steady {
            // One fused pass over the upper triangle: with X = P − c cᵀ / F (c = P[:,0]), the
            // next P is T X Tᵀ + l lᵀ, and for the companion T
            // (T X Tᵀ)_ij = φ_i φ_j X₀₀ + φ_i X₀,ⱼ₊₁ + φ_j X_{i+1},₀ + X_{i+1},ⱼ₊₁.
            prev.copy_from_slice(&p);
            for i in 0..r {
                c[i] = prev[i * r];
                cf[i] = c[i] / f;
            }
            // x0[k] = X₀ₖ, with X₀ᵣ = 0 past the edge.
            for k in 0..r {
                x0[k] = prev[k] - c[0] * cf[k];
            }
            x0[r] = 0.0;
            let x00 = x0[0];
            let mut change = 0.0f64;
            for i in 0..r {
                let xi0 = x0[i + 1];
                let (pi, li) = (phi[i], load[i]);
                if i + 1 < r {
                    let below = &prev[(i + 1) * r..(i + 2) * r];
                    let ci = c[i + 1];
                    for j in i..r {
                        let xij = if j + 1 < r { below[j + 1] - ci * cf[j + 1] } else { 0.0 };
                        let val = pi * (phi[j] * x00 + x0[j + 1]) + phi[j] * xi0 + xij + li * load[j];
                        change = change.max((val - prev[i * r + j]).abs());
                        p[i * r + j] = val;
                    }
                } else {
                    let val = pi * pi * x00 + li * li;
                    change = change.max((val - prev[i * r + i]).abs());
                    p[i * r + i] = val;
                }
            }
            for i in 0..r {
                for j in 0..i {
                    p[i * r + j] = p[j * r + i];
                }
            }
            // p now holds the next one-step-ahead covariance: steady once it stops moving.
            if change < 1e-10 {
                steady = true;
                f_steady = p[0];
                for i in 0..r {
                    k_steady[i] = p[i * r] / f_steady;
                }
            }
        }
    }
    Some(KalmanRun {
        ssq,
        sum_log_f,
        n: w.len(),
        state: a,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stationary_variance_of_ar1_and_ma1() {
        // AR(1), φ = 0.5: Var = 1 / (1 − φ²).
        let (r, phi, load) = harvey_form(&[0.5], &[]);
        let p = stationary_cov(&phi, &load, r).unwrap();
        assert!((p[0] - 1.0 / 0.75).abs() < 1e-10, "{p:?}");
        // MA(1), θ = 0.4: Var = 1 + θ².
        let (r, phi, load) = harvey_form(&[], &[0.4]);
        let p = stationary_cov(&phi, &load, r).unwrap();
        assert!((p[0] - 1.16).abs() < 1e-10, "{p:?}");
        // Unit root: no stationary covariance.
        let (r, phi, load) = harvey_form(&[1.0], &[]);
        assert!(stationary_cov(&phi, &load, r).is_none());
    }

    #[test]
    fn ar1_likelihood_matches_the_closed_form() {
        // Exact AR(1) likelihood: first term variance 1/(1−φ²), then unit variances.
        let w = [0.3, -0.2, 0.5, 0.1, -0.4, 0.2];
        let phi = 0.6;
        let run = filter(&w, &[phi], &[]).unwrap();
        let mut ssq = w[0] * w[0] * (1.0 - phi * phi);
        for t in 1..w.len() {
            ssq += (w[t] - phi * w[t - 1]).powi(2);
        }
        assert!((run.ssq - ssq).abs() < 1e-10, "{} vs {ssq}", run.ssq);
        assert!((run.sum_log_f - (1.0 / (1.0 - phi * phi)).ln()).abs() < 1e-10);
    }
}
