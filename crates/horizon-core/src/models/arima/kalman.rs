//! Exact Gaussian likelihood of a zero-mean ARMA process by the Kalman filter, in Harvey's
//! state-space form (Harvey 1989, *Forecasting, Structural Time Series Models and the Kalman
//! Filter*, §3.4; Gardner, Harvey & Phillips 1980, *Applied Statistics* 29): state dimension
//! r = max(p, q + 1), transition with the AR coefficients in its first column, disturbance
//! loading (1, θ₁, …, θ_{r−1}). The initial state covariance is the stationary one; see
//! [`filter`] for how it is carried through the series in O(r) per step. The textbook filter
//! (full covariance update, stationary covariance by doubling) is kept as the tests' reference.
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

#[cfg(test)]
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

#[cfg(test)]
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

#[cfg(test)]
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
///
/// The covariance is carried by the Chandrasekhar recursions (Morf, Sidhu & Kailath 1974,
/// "Some new algorithms for recursive estimation in constant, linear, discrete-time systems",
/// *IEEE Trans. Automatic Control* 19(4); Herbst 2015, *J. Economic Dynamics and Control* 56):
/// from the stationary start, P_{t+1} − P_t has rank one, w m wᵀ, so each step costs O(r)
/// instead of the O(r²) of updating P. Only the first column of the stationary covariance is
/// needed, computed from the ARMA autocovariances (Brockwell & Davis 1991, *Time Series:
/// Theory and Methods*, §3.3) in O(p³ + r²) instead of the O(r³ log) of doubling.
pub fn filter(w: &[f64], ar: &[f64], ma: &[f64]) -> Option<KalmanRun> {
    // The autocovariance equations also have solutions for explosive AR parts: refuse those.
    if !crate::optim::poly::lag_poly_stable(ar, 1.0) {
        return None;
    }
    let (r, phi, _) = harvey_form(ar, ma);
    let c0 = stationary_first_column(ar, ma, r)?;
    // (T x)_i = φ_i x₀ + x_{i+1}.
    let t_times = |x: &[f64], out: &mut [f64]| {
        for i in 0..r {
            out[i] = phi[i] * x[0] + if i + 1 < r { x[i + 1] } else { 0.0 };
        }
    };
    let mut f = c0[0];
    let mut big_a = vec![0.0; r]; // T P_t e₁ = K_t F_t
    t_times(&c0, &mut big_a);
    let mut wv: Vec<f64> = big_a.iter().map(|v| v / f).collect();
    let mut m = -f;
    let mut a = vec![0.0; r];
    let mut ta = vec![0.0; r];
    let mut u = vec![0.0; r];
    let (mut ssq, mut sum_log_f) = (0.0, 0.0);
    for &yt in w {
        if f.is_nan() || f <= 1e-12 || !f.is_finite() {
            return None;
        }
        let v = yt - a[0];
        ssq += v * v / f;
        sum_log_f += f.ln();
        // Predicted state: a ← T a + (A / F) v.
        t_times(&a, &mut ta);
        for i in 0..r {
            a[i] = ta[i] + big_a[i] * v / f;
        }
        // Rank-one covariance change: F' = F + m w₀², A' = A + m w₀ T w,
        // w' = T w − w₀ A' / F', m' = m F' / F.
        let w0 = wv[0];
        t_times(&wv, &mut u);
        let f_next = f + m * w0 * w0;
        for i in 0..r {
            big_a[i] += m * w0 * u[i];
        }
        for i in 0..r {
            wv[i] = u[i] - w0 * big_a[i] / f_next;
        }
        m *= f_next / f;
        f = f_next;
    }
    Some(KalmanRun {
        ssq,
        sum_log_f,
        n: w.len(),
        state: a,
    })
}

/// First column of the stationary state covariance (σ² = 1) in Harvey's form:
/// Cov(a_i, y) = Σ_j φ_{i+j+1} γ(j+1) + θ_{i+j} ψ_j, from the autocovariances γ and the
/// MA(∞) weights ψ. `None` when the AR part is not stationary.
pub fn stationary_first_column(ar: &[f64], ma: &[f64], r: usize) -> Option<Vec<f64>> {
    let (phi, theta) = (ar, ma);
    let p = phi.len();
    let q = theta.len();
    let th = |j: usize| {
        if j == 0 {
            1.0
        } else {
            theta.get(j - 1).copied().unwrap_or(0.0)
        }
    };
    // ψ_j = θ_j + Σ φ_i ψ_{j−i}.
    let npsi = r.max(q + 1);
    let mut psi = vec![0.0; npsi];
    for j in 0..npsi {
        let mut v = th(j);
        for i in 1..=p.min(j) {
            v += phi[i - 1] * psi[j - i];
        }
        psi[j] = v;
    }
    // c_k = Σ_{j=k}^{q} θ_j ψ_{j−k}.
    let c = |k: usize| (k..=q).map(|j| th(j) * psi[j - k]).sum::<f64>();
    // γ(k) − Σ φ_i γ(|k−i|) = c_k for k = 0..=p: (p+1)² system.
    let n = p + 1;
    let mut mat = vec![0.0; n * n];
    let mut rhs = vec![0.0; n];
    for k in 0..n {
        mat[k * n + k] += 1.0;
        for i in 1..=p {
            let lag = k.abs_diff(i);
            mat[k * n + lag] -= phi[i - 1];
        }
        rhs[k] = c(k);
    }
    let mut gamma = solve(&mut mat, &mut rhs, n)?;
    for k in n..=r {
        let mut v = if k <= q { c(k) } else { 0.0 };
        for i in 1..=p {
            v += phi[i - 1] * gamma[k - i];
        }
        gamma.push(v);
    }
    if gamma[0].is_nan() || gamma[0] <= 0.0 || !gamma[0].is_finite() || gamma[0] > 1e12 {
        return None;
    }
    let (_, phi_h, load) = harvey_form(ar, ma);
    let col = (0..r)
        .map(|i| {
            (0..r - i)
                .map(|j| phi_h[i + j] * gamma[j + 1] + load[i + j] * psi[j])
                .sum()
        })
        .collect();
    Some(col)
}

/// Gaussian elimination with partial pivoting; `None` when singular.
fn solve(a: &mut [f64], b: &mut [f64], n: usize) -> Option<Vec<f64>> {
    for col in 0..n {
        let piv = (col..n).max_by(|&x, &y| a[x * n + col].abs().total_cmp(&a[y * n + col].abs()))?;
        if a[piv * n + col].abs() < 1e-12 {
            return None;
        }
        if piv != col {
            for k in 0..n {
                a.swap(piv * n + k, col * n + k);
            }
            b.swap(piv, col);
        }
        for row in col + 1..n {
            let factor = a[row * n + col] / a[col * n + col];
            if factor != 0.0 {
                for k in col..n {
                    a[row * n + k] -= factor * a[col * n + k];
                }
                b[row] -= factor * b[col];
            }
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row * n + k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row * n + row];
    }
    Some(x)
}

#[cfg(test)]
/// The textbook filter, updating the whole covariance each step: the reference the fast
/// filter is tested against.
pub fn filter_dense(w: &[f64], ar: &[f64], ma: &[f64]) -> Option<KalmanRun> {
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

    /// The Chandrasekhar filter gives the dense filter's likelihood and state on seasonal
    /// ARMA models of every shape, and the stationary first column matches doubling.
    #[test]
    fn fast_filter_matches_the_dense_filter() {
        let w: Vec<f64> = (0..90)
            .map(|t| ((t * 37 % 23) as f64 - 11.0) / 5.0 + (t as f64 / 7.0).sin())
            .collect();
        let cases: Vec<(Vec<f64>, Vec<f64>)> = vec![
            (vec![0.5], vec![]),
            (vec![], vec![0.4]),
            (vec![0.3, -0.2], vec![0.5, 0.1]),
            (
                super::super::fit::ar_product(&[0.4], &[0.6], 12),
                super::super::fit::ma_product(&[-0.3], &[-0.5], 12),
            ),
            (vec![], super::super::fit::ma_product(&[-0.6], &[-0.7], 12)),
            (super::super::fit::ar_product(&[], &[0.9], 4), vec![0.2]),
            (vec![0.95], vec![-0.9]),
        ];
        for (ar, ma) in cases {
            let fast = filter(&w, &ar, &ma).unwrap();
            let dense = filter_dense(&w, &ar, &ma).unwrap();
            assert!(
                (fast.ssq - dense.ssq).abs() < 1e-8 * dense.ssq,
                "{ar:?} {ma:?}: {} vs {}",
                fast.ssq,
                dense.ssq
            );
            assert!((fast.sum_log_f - dense.sum_log_f).abs() < 1e-8, "{ar:?} {ma:?}");
            for (a, b) in fast.state.iter().zip(&dense.state) {
                assert!((a - b).abs() < 1e-8 * (1.0 + b.abs()), "{ar:?} {ma:?}: state");
            }
            let (r, phi, load) = harvey_form(&ar, &ma);
            let p = stationary_cov(&phi, &load, r).unwrap();
            let col = stationary_first_column(&ar, &ma, r).unwrap();
            for i in 0..r {
                assert!(
                    (col[i] - p[i * r]).abs() < 1e-8 * (1.0 + p[0]),
                    "{ar:?} {ma:?}: P0[{i},0]"
                );
            }
        }
        assert!(filter(&w, &[1.0], &[]).is_none());
        assert!(filter(&w, &[1.2], &[]).is_none());
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
