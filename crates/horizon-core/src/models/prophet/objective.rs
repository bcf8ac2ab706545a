//! Prophet's MAP objective and its gradient, written from Prophet's Stan model (`prophet.stan`
//! as shipped with Prophet and augurs-prophet; Taylor & Letham 2018, "Forecasting at scale",
//! *The American Statistician* 72(1)):
//!
//! ```text
//! k ~ N(0, 5)   m ~ N(0, 5)   δ ~ Laplace(0, τ)   σ ~ N⁺(0, 0.5)   β ~ N(0, σ_β)
//! y ~ N(X_a β + trend · (1 + X_m β), σ)
//! ```
//!
//! with a linear, logistic or flat piecewise trend. As Stan does, σ is optimised on the log
//! scale (`u = ln σ`), with the Jacobian term `+u` only when asked for. The value returned is
//! the negative log posterior without constants; the parameter vector is `[k, m, δ (S), u,
//! β (K)]`.

use crate::optim::lbfgs::dot;
use crate::stats::logistic;
use augurs_prophet::optimizer::{Data, TrendIndicator};

/// The data of one fit, laid out for fast evaluation.
#[derive(Debug, Clone)]
pub struct Objective {
    t: Vec<f64>,
    y: Vec<f64>,
    cap: Vec<f64>,
    t_change: Vec<f64>,
    /// Number of changepoints at or before each time (the row of Stan's `A`: ones, then zeros).
    passed: Vec<usize>,
    /// Additive and multiplicative regressor matrices, row-major `T × K`.
    x_add: Vec<f64>,
    x_mul: Vec<f64>,
    prior_var: Vec<f64>,
    tau: f64,
    trend: TrendIndicator,
    jacobian: bool,
    k_features: usize,
}

/// Split of the parameter vector.
pub struct Params<'a> {
    pub k: f64,
    pub m: f64,
    pub delta: &'a [f64],
    pub sigma: f64,
    pub beta: &'a [f64],
}

impl Objective {
    pub fn new(data: &Data, jacobian: bool) -> Objective {
        let n = data.y.len();
        let k_features = data.K.max(0) as usize;
        let mut passed = Vec::with_capacity(n);
        let mut c = 0;
        for &ti in &data.t {
            while c < data.t_change.len() && ti >= data.t_change[c] {
                c += 1;
            }
            passed.push(c);
        }
        let mut x_add = vec![0.0; n * k_features];
        let mut x_mul = vec![0.0; n * k_features];
        for i in 0..n {
            for j in 0..k_features {
                let x = data.X.get(i * k_features + j).copied().unwrap_or(0.0);
                x_add[i * k_features + j] = x * f64::from(data.s_a.get(j).copied().unwrap_or(0));
                x_mul[i * k_features + j] = x * f64::from(data.s_m.get(j).copied().unwrap_or(0));
            }
        }
        Objective {
            t: data.t.clone(),
            y: data.y.clone(),
            cap: data.cap.clone(),
            t_change: data.t_change.clone(),
            passed,
            x_add,
            x_mul,
            prior_var: data.sigmas.iter().map(|s| **s * **s).collect(),
            tau: *data.tau,
            trend: data.trend_indicator,
            jacobian,
            k_features,
        }
    }

    /// Length of the parameter vector.
    pub fn dim(&self) -> usize {
        3 + self.t_change.len() + self.k_features
    }

    pub fn split<'a>(&self, x: &'a [f64]) -> Params<'a> {
        let s = self.t_change.len();
        Params {
            k: x[0],
            m: x[1],
            delta: &x[2..2 + s],
            sigma: x[2 + s].exp(),
            beta: &x[3 + s..],
        }
    }

    /// The parameter vector of `k, m, δ, σ, β`.
    pub fn join(k: f64, m: f64, delta: &[f64], sigma: f64, beta: &[f64]) -> Vec<f64> {
        let mut x = vec![k, m];
        x.extend_from_slice(delta);
        x.push(sigma.ln());
        x.extend_from_slice(beta);
        x
    }

    /// The trend at every time of the data (in Prophet's scaled units).
    pub fn trend(&self, x: &[f64]) -> Vec<f64> {
        let p = self.split(x);
        match self.trend {
            TrendIndicator::Linear => {
                let (rate, offset) = self.linear_parts(p.k, p.m, p.delta);
                self.t
                    .iter()
                    .zip(&self.passed)
                    .map(|(ti, &c)| rate[c] * ti + offset[c])
                    .collect()
            }
            TrendIndicator::Logistic => {
                let gamma = logistic_gamma(p.k, p.m, p.delta, &self.t_change);
                let (rate, offset) = prefix_parts(p.k, p.m, p.delta, &gamma);
                self.t
                    .iter()
                    .zip(&self.passed)
                    .zip(&self.cap)
                    .map(|((ti, &c), cap)| cap * logistic(rate[c] * (ti - offset[c])))
                    .collect()
            }
            TrendIndicator::Flat => vec![p.m; self.t.len()],
        }
    }

    /// Rate and offset of the linear trend after `c` changepoints, for every `c`.
    fn linear_parts(&self, k: f64, m: f64, delta: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let gamma: Vec<f64> = delta.iter().zip(&self.t_change).map(|(d, tc)| -tc * d).collect();
        prefix_parts(k, m, delta, &gamma)
    }

    /// Negative log posterior at `x` and its gradient (written into `grad`).
    pub fn value_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        let p = self.split(x);
        let s = self.t_change.len();
        let kf = self.k_features;
        let n = self.y.len();
        let sigma2 = p.sigma * p.sigma;
        let trend = self.trend(x);
        grad.iter_mut().for_each(|g| *g = 0.0);

        // Residuals, and the weight of d(trend) in the likelihood's gradient.
        let mut sse = 0.0;
        let mut w = vec![0.0; n]; // -(r / σ²) · dμ/dtrend
        let mut grad_beta = vec![0.0; kf];
        for i in 0..n {
            let xa = &self.x_add[i * kf..(i + 1) * kf];
            let xm = &self.x_mul[i * kf..(i + 1) * kf];
            let mul = 1.0 + dot(xm, p.beta);
            let mu = dot(xa, p.beta) + trend[i] * mul;
            let r = self.y[i] - mu;
            sse += r * r;
            let q = -r / sigma2;
            w[i] = q * mul;
            for j in 0..kf {
                grad_beta[j] += q * (trend[i] * xm[j] + xa[j]);
            }
        }

        let mut f = 0.5 * (p.k * p.k + p.m * p.m) / 25.0
            + p.delta.iter().map(|d| d.abs()).sum::<f64>() / self.tau
            + sigma2 / (2.0 * 0.25)
            + p.beta
                .iter()
                .zip(&self.prior_var)
                .map(|(b, v)| b * b / (2.0 * v))
                .sum::<f64>()
            + n as f64 * p.sigma.ln()
            + sse / (2.0 * sigma2);
        if self.jacobian {
            f -= p.sigma.ln();
        }

        grad[0] = p.k / 25.0;
        grad[1] = p.m / 25.0;
        for (g, d) in grad[2..2 + s].iter_mut().zip(p.delta) {
            *g = if *d > 0.0 {
                1.0 / self.tau
            } else if *d < 0.0 {
                -1.0 / self.tau
            } else {
                0.0
            };
        }
        grad[2 + s] = 4.0 * sigma2 + n as f64 - sse / sigma2 - if self.jacobian { 1.0 } else { 0.0 };
        for (j, g) in grad[3 + s..].iter_mut().enumerate() {
            *g = p.beta[j] / self.prior_var[j] + grad_beta[j];
        }

        match self.trend {
            TrendIndicator::Linear => {
                // trend = (k + Σ_{j<c} δ_j) t + m − Σ_{j<c} δ_j t_j
                for (wi, ti) in w.iter().zip(&self.t) {
                    grad[0] += wi * ti;
                    grad[1] += wi;
                }
                // Suffix sums: every time at or after changepoint j.
                let (mut sw, mut swt) = (0.0, 0.0);
                let mut i = n;
                for j in (0..s).rev() {
                    while i > 0 && self.passed[i - 1] > j {
                        i -= 1;
                        sw += w[i];
                        swt += w[i] * self.t[i];
                    }
                    grad[2 + j] += swt - self.t_change[j] * sw;
                }
            }
            TrendIndicator::Flat => {
                for wi in &w {
                    grad[1] += wi;
                }
            }
            TrendIndicator::Logistic => self.logistic_gradient(&p, &w, grad),
        }
        f
    }

    /// Gradient of the logistic trend's part: `trend = cap · logistic(rate_c (t − offset_c))`
    /// where `offset_c = m + Σ_{j<c} γ_j` and the γ depend on k, m and δ recursively.
    fn logistic_gradient(&self, p: &Params, w: &[f64], grad: &mut [f64]) {
        let s = self.t_change.len();
        let gamma = logistic_gamma(p.k, p.m, p.delta, &self.t_change);
        let (rate, offset) = prefix_parts(p.k, p.m, p.delta, &gamma);
        // doff[c][v]: derivative of offset_c w.r.t. v ∈ (k, m, δ_0..δ_{S-1}).
        let nv = 2 + s;
        let mut doff = vec![vec![0.0; nv]; s + 1];
        doff[0][1] = 1.0;
        let ks: Vec<f64> = rate.clone();
        for i in 0..s {
            let (a, b) = (ks[i], ks[i + 1]);
            let ratio = 1.0 - a / b;
            let lead = self.t_change[i] - offset[i];
            let mut next = doff[i].clone();
            for v in 0..nv {
                // d ks_i / d v and d ks_{i+1} / d v
                let da = if v == 0 || (v >= 2 && v - 2 < i) { 1.0 } else { 0.0 };
                let db = if v == 0 || (v >= 2 && v - 2 < i + 1) { 1.0 } else { 0.0 };
                let dratio = -(da * b - a * db) / (b * b);
                let dgamma = -doff[i][v] * ratio + lead * dratio;
                next[v] += dgamma;
            }
            doff[i + 1] = next;
        }
        for (i, wi) in w.iter().enumerate() {
            let c = self.passed[i];
            let z = rate[c] * (self.t[i] - offset[c]);
            let l = logistic(z);
            let scale = wi * self.cap[i] * l * (1.0 - l);
            let dt = self.t[i] - offset[c];
            // d z / d k = (t − off) − rate · doff/dk, and so on.
            grad[0] += scale * (dt - rate[c] * doff[c][0]);
            grad[1] += scale * (-rate[c] * doff[c][1]);
            for j in 0..s {
                let drate = if j < c { 1.0 } else { 0.0 };
                grad[2 + j] += scale * (drate * dt - rate[c] * doff[c][2 + j]);
            }
        }
    }
}

/// Rate `k + Σ_{j<c} δ_j` and offset `m + Σ_{j<c} γ_j` for `c = 0..=S`.
fn prefix_parts(k: f64, m: f64, delta: &[f64], gamma: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut rate = Vec::with_capacity(delta.len() + 1);
    let mut offset = Vec::with_capacity(delta.len() + 1);
    let (mut r, mut o) = (k, m);
    rate.push(r);
    offset.push(o);
    for (d, g) in delta.iter().zip(gamma) {
        r += d;
        o += g;
        rate.push(r);
        offset.push(o);
    }
    (rate, offset)
}

/// Stan's `logistic_gamma`: offsets that keep the logistic trend continuous at changepoints.
fn logistic_gamma(k: f64, m: f64, delta: &[f64], t_change: &[f64]) -> Vec<f64> {
    let mut gamma = Vec::with_capacity(delta.len());
    let mut rate = k;
    let mut m_pr = m;
    for (d, tc) in delta.iter().zip(t_change) {
        let next = rate + d;
        let g = (tc - m_pr) * (1.0 - rate / next);
        gamma.push(g);
        m_pr += g;
        rate = next;
    }
    gamma
}

#[cfg(test)]
mod tests {
    use super::*;
    use augurs_prophet::PositiveFloat;

    fn data(trend: TrendIndicator) -> Data {
        let n = 40;
        let t: Vec<f64> = (0..n).map(|i| i as f64 / (n - 1) as f64).collect();
        let k = 3;
        let x: Vec<f64> = t
            .iter()
            .flat_map(|ti| [(6.0 * ti).sin(), (6.0 * ti).cos(), (11.0 * ti).sin()])
            .collect();
        Data {
            T: n as i32,
            y: t.iter()
                .map(|ti| 0.3 + 0.4 * ti + 0.05 * (6.0 * ti).sin() + 0.02 * (37.0 * ti).cos())
                .collect(),
            cap: vec![1.5; n],
            S: 4,
            t_change: vec![0.15, 0.3, 0.5, 0.7],
            t,
            trend_indicator: trend,
            K: k,
            s_a: vec![1, 0, 1],
            s_m: vec![0, 1, 0],
            X: x,
            sigmas: vec![PositiveFloat::try_new(10.0).unwrap(); 3],
            tau: PositiveFloat::try_new(0.05).unwrap(),
        }
    }

    /// The analytic gradient matches central differences for every trend form.
    #[test]
    fn gradient_matches_finite_differences() {
        for trend in [TrendIndicator::Linear, TrendIndicator::Logistic, TrendIndicator::Flat] {
            for jacobian in [false, true] {
                let obj = Objective::new(&data(trend), jacobian);
                let x = Objective::join(0.7, 0.2, &[0.3, -0.2, 0.1, 0.05], 0.08, &[0.02, -0.1, 0.03]);
                let mut g = vec![0.0; obj.dim()];
                obj.value_and_gradient(&x, &mut g);
                let mut scratch = vec![0.0; obj.dim()];
                for v in 0..obj.dim() {
                    let h = 1e-6;
                    let (mut up, mut down) = (x.clone(), x.clone());
                    up[v] += h;
                    down[v] -= h;
                    let fd = (obj.value_and_gradient(&up, &mut scratch) - obj.value_and_gradient(&down, &mut scratch))
                        / (2.0 * h);
                    let tol = 1e-5 * (1.0 + fd.abs());
                    assert!(
                        (g[v] - fd).abs() < tol,
                        "{trend:?} jac {jacobian} param {v}: {} vs {fd}",
                        g[v]
                    );
                }
            }
        }
    }
}
