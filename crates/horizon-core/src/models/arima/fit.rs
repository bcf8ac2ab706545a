//! Maximum-likelihood fit of one SARIMA(p,d,q)(P,D,Q)[m] model: difference, then estimate the
//! ARMA coefficients (and a mean or drift when d + D ≤ 1) by exact likelihood ([`super::kalman`])
//! with Nelder–Mead. The AR and MA parts are reparameterised through partial autocorrelations
//! (`tanh`, then Durbin–Levinson; Jones 1980, *Technometrics* 22, as R's `arima` does for AR),
//! so every candidate is stationary and invertible.

use super::kalman::filter;
use crate::optim::NelderMead;
use crate::optim::poly::lag_poly_stable;
use serde::{Deserialize, Serialize};

/// A SARIMA order; `constant` is a mean (d + D = 0) or a drift (d + D = 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Order {
    pub p: usize,
    pub d: usize,
    pub q: usize,
    pub sp: usize,
    pub sd: usize,
    pub sq: usize,
    pub m: usize,
    pub constant: bool,
}

impl Order {
    /// `ARIMA(0,1,1)(0,1,1)[12]`, with " with drift" / " with mean".
    pub fn label(&self) -> String {
        let mut s = format!("ARIMA({},{},{})", self.p, self.d, self.q);
        if self.m > 1 && (self.sp + self.sd + self.sq) > 0 {
            s.push_str(&format!("({},{},{})[{}]", self.sp, self.sd, self.sq, self.m));
        }
        if self.constant {
            s.push_str(if self.d + self.sd == 0 {
                " with mean"
            } else {
                " with drift"
            });
        }
        s
    }

    fn n_coef(&self) -> usize {
        self.p + self.q + self.sp + self.sq + usize::from(self.constant)
    }
}

/// A fitted SARIMA model, self-contained for forecasting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitResult {
    pub order: Order,
    /// Non-seasonal and seasonal coefficients as estimated.
    pub ar: Vec<f64>,
    pub ma: Vec<f64>,
    pub sar: Vec<f64>,
    pub sma: Vec<f64>,
    /// Mean of the differenced series (0 without a constant).
    pub mean: f64,
    pub sigma2: f64,
    /// −2 log-likelihood with constants (R's `-2 * loglik`).
    pub m2loglik: f64,
    pub aicc: f64,
    /// Expanded AR and MA lag polynomials (1 − Σ φ B^k, 1 + Σ θ B^k), coefficients only.
    pub ar_full: Vec<f64>,
    pub ma_full: Vec<f64>,
    /// One-step-ahead predicted state after the last observation.
    pub state: Vec<f64>,
    /// The last d + D·m observations, for undifferencing forecasts.
    pub tail: Vec<f64>,
}

/// PACF values in (−1, 1) → AR coefficients of a stationary process (Durbin–Levinson).
pub fn pacf_to_coef(r: &[f64]) -> Vec<f64> {
    let mut phi: Vec<f64> = Vec::with_capacity(r.len());
    for (k, &rk) in r.iter().enumerate() {
        let prev = phi.clone();
        for j in 0..k {
            phi[j] = prev[j] - rk * prev[k - 1 - j];
        }
        phi.push(rk);
    }
    phi
}

/// `(1 − Σ a_i B^i)(1 − Σ b_j B^{j·m})` as `1 − Σ c_k B^k`.
pub fn ar_product(a: &[f64], b: &[f64], m: usize) -> Vec<f64> {
    let len = a.len() + b.len() * m;
    let mut poly = vec![0.0; len + 1];
    poly[0] = 1.0;
    for (i, ai) in a.iter().enumerate() {
        poly[i + 1] -= ai;
    }
    let base = poly.clone();
    for (j, bj) in b.iter().enumerate() {
        let shift = (j + 1) * m;
        for (i, c) in base.iter().enumerate() {
            if i + shift <= len {
                poly[i + shift] -= bj * c;
            }
        }
    }
    poly[1..].iter().map(|c| -c).collect()
}

/// `(1 + Σ a_i B^i)(1 + Σ b_j B^{j·m})` as `1 + Σ c_k B^k`.
pub fn ma_product(a: &[f64], b: &[f64], m: usize) -> Vec<f64> {
    let neg = |v: &[f64]| v.iter().map(|x| -x).collect::<Vec<_>>();
    neg(&ar_product(&neg(a), &neg(b), m))
}

/// Apply `(1 − B^lag)` `times` times.
pub fn difference(y: &[f64], lag: usize, times: usize) -> Vec<f64> {
    let mut w = y.to_vec();
    for _ in 0..times {
        if w.len() <= lag {
            return Vec::new();
        }
        w = (lag..w.len()).map(|t| w[t] - w[t - lag]).collect();
    }
    w
}

/// The differencing polynomial (1 − B)^d (1 − B^m)^D as `1 − Σ δ_k B^k`.
pub fn diff_poly(d: usize, sd: usize, m: usize) -> Vec<f64> {
    let mut c: Vec<f64> = Vec::new();
    for _ in 0..d {
        c = ar_product(&c, &[1.0], 1);
    }
    for _ in 0..sd {
        c = ar_product(&c, &[1.0], m);
    }
    c
}

/// Unpack the optimiser's vector into (ar, ma, sar, sma, mean).
fn unpack(x: &[f64], o: &Order) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, f64) {
    let mut i = 0;
    let mut take = |k: usize| {
        let v = x[i..i + k].to_vec();
        i += k;
        v
    };
    let th = |v: Vec<f64>| v.into_iter().map(f64::tanh).collect::<Vec<_>>();
    let ar = pacf_to_coef(&th(take(o.p)));
    // MA through the same map, negated: 1 + Σθ B^k invertible ⇔ 1 − Σ(−θ) B^k stationary.
    let ma: Vec<f64> = pacf_to_coef(&th(take(o.q))).iter().map(|v| -v).collect();
    let sar = pacf_to_coef(&th(take(o.sp)));
    let sma: Vec<f64> = pacf_to_coef(&th(take(o.sq))).iter().map(|v| -v).collect();
    let mean = if o.constant { take(1)[0] } else { 0.0 };
    (ar, ma, sar, sma, mean)
}

/// Conditional sum of squares: n·log(Σe²/n) over the residuals after the first
/// `len(ar)` observations, earlier innovations taken as zero.
fn css_objective(w: &[f64], ar: &[f64], ma: &[f64], mean: f64, e: &mut [f64]) -> f64 {
    let start = ar.len();
    if w.len() <= start + 1 {
        return f64::INFINITY;
    }
    let mut ssq = 0.0;
    for t in 0..w.len() {
        if t < start {
            e[t] = 0.0;
            continue;
        }
        let mut pred = mean;
        for (i, a) in ar.iter().enumerate() {
            pred += a * (w[t - 1 - i] - mean);
        }
        for (j, b) in ma.iter().enumerate().take(t) {
            pred += b * e[t - 1 - j];
        }
        e[t] = w[t] - pred;
        ssq += e[t] * e[t];
    }
    let n = (w.len() - start) as f64;
    if ssq.is_finite() && ssq > 0.0 {
        n * (ssq / n).ln()
    } else {
        f64::INFINITY
    }
}

/// The differenced series and the optimiser's start for one order.
struct Prepared {
    w: Vec<f64>,
    m: usize,
    x0: Vec<f64>,
    steps: Vec<f64>,
}

fn prepare(y: &[f64], order: &Order) -> Option<Prepared> {
    let m = order.m.max(1);
    let w = difference(&difference(y, m, order.sd), 1, order.d);
    let k = order.n_coef();
    if w.len() < k + 3 {
        return None;
    }
    let n = w.len() as f64;
    let mean0 = w.iter().sum::<f64>() / n;
    let sd = (w.iter().map(|v| (v - mean0).powi(2)).sum::<f64>() / n).sqrt();
    let mut x0 = vec![0.0; k];
    let mut steps = vec![0.1; k];
    if order.constant {
        x0[k - 1] = mean0;
        steps[k - 1] = 0.1 * sd.max(1e-6);
    }
    Some(Prepared { w, m, x0, steps })
}

/// Minimise the conditional sum of squares; (coefficients, CSS objective).
fn css_fit(p: &Prepared, order: &Order) -> (Vec<f64>, f64) {
    let mut css_res = vec![0.0; p.w.len()];
    let css = |x: &[f64]| {
        let (ar, ma, sar, sma, mean) = unpack(x, order);
        css_objective(
            &p.w,
            &ar_product(&ar, &sar, p.m),
            &ma_product(&ma, &sma, p.m),
            mean,
            &mut css_res,
        )
    };
    let start = NelderMead {
        reltol: 1e-6,
        max_evals: 1000,
    }
    .minimize(css, &p.x0, &p.steps);
    (start.x, start.f)
}

/// auto.arima's root check (`minroot` ≥ 1.01, R and statsforecast): AR and MA polynomials
/// with every root at least 1.01 from the origin.
fn admissible(ar_full: &[f64], ma_full: &[f64]) -> bool {
    let neg_ma: Vec<f64> = ma_full.iter().map(|v| -v).collect();
    lag_poly_stable(ar_full, 1.01) && lag_poly_stable(&neg_ma, 1.01)
}

fn aicc_of(m2loglik: f64, n: f64, k: usize) -> f64 {
    let npar = (k + 1) as f64;
    if n - npar - 1.0 > 0.0 {
        m2loglik + 2.0 * npar + 2.0 * npar * (npar + 1.0) / (n - npar - 1.0)
    } else {
        f64::INFINITY
    }
}

/// AICc of `order` fitted by conditional sum of squares only (R's `method = "CSS"`, what
/// `auto.arima` compares when `approximation` is on): cheap, no Kalman filter. `None` when the
/// order cannot be fitted.
pub fn css_aicc(y: &[f64], order: Order) -> Option<f64> {
    let p = prepare(y, &order)?;
    let (x, obj) = css_fit(&p, &order);
    // auto.arima drops candidates whose CSS estimates have a root within 1.01 of the origin.
    let (ar, ma, sar, sma, _) = unpack(&x, &order);
    if !admissible(&ar_product(&ar, &sar, p.m), &ma_product(&ma, &sma, p.m)) {
        return None;
    }
    // css_objective = n_c log(SSE / n_c) over the n_c residuals after the AR start-up. The
    // criterion weighs log σ² by the differenced length n* for every candidate, as R's and
    // statsforecast's `auto.arima` do: with n_c instead, a seasonal AR term (12 fewer
    // residuals) would gain or lose 12·log σ², i.e. win or lose by the data's units.
    let n_c = p.w.len().saturating_sub(order.p + order.sp * p.m) as f64;
    if n_c < 1.0 {
        return None;
    }
    let n_star = p.w.len() as f64;
    let log_sigma2 = obj / n_c;
    let m2loglik = n_star * (log_sigma2 + (2.0 * std::f64::consts::PI).ln() + 1.0);
    Some(aicc_of(m2loglik, n_star, order.n_coef())).filter(|a| a.is_finite())
}

/// Fit `order` to `y`; `None` when the differenced series is too short or nothing converges.
pub fn fit(y: &[f64], order: Order) -> Option<FitResult> {
    let prepared = prepare(y, &order)?;
    let k = order.n_coef();
    let m = prepared.m;
    let w = &prepared.w;
    let n = w.len() as f64;
    let mut centred = vec![0.0; w.len()];
    let mut objective = |x: &[f64]| {
        let (ar, ma, sar, sma, mean) = unpack(x, &order);
        let arf = ar_product(&ar, &sar, m);
        let maf = ma_product(&ma, &sma, m);
        // Only models auto.arima would keep: every AR and MA root at least 1.01 from the origin.
        if !admissible(&arf, &maf) {
            return f64::INFINITY;
        }
        for (c, v) in centred.iter_mut().zip(w) {
            *c = v - mean;
        }
        match filter(&centred, &arf, &maf) {
            Some(run) => n * (run.ssq / n).ln() + run.sum_log_f,
            None => f64::INFINITY,
        }
    };
    // Conditional sum of squares first (cheap, no filter), then the exact likelihood from
    // there: R's default "CSS-ML".
    let (x_css, f_css) = css_fit(&prepared, &order);
    // From the CSS estimates. When they lie outside the admissible region (a root within 1.01)
    // the simplex cannot leave its +∞ start and the order is dropped, as auto.arima drops such
    // fits; starting from zeros instead was measured: M1 monthly MASE 1.177 → 1.218.
    let x1 = if f_css.is_finite() { x_css } else { prepared.x0.clone() };
    let nm = NelderMead {
        reltol: 1e-8,
        max_evals: 1000,
    };
    let small: Vec<f64> = prepared.steps.iter().map(|s| s * 0.5).collect();
    let best = nm.minimize(&mut objective, &x1, &small);
    if !best.f.is_finite() {
        return None;
    }
    let (ar, ma, sar, sma, mean) = unpack(&best.x, &order);
    let ar_full = ar_product(&ar, &sar, m);
    let ma_full = ma_product(&ma, &sma, m);
    // Near-unit roots make forecasts explode: rejected, as auto.arima does.
    if !admissible(&ar_full, &ma_full) {
        return None;
    }
    let centred: Vec<f64> = w.iter().map(|v| v - mean).collect();
    let run = filter(&centred, &ar_full, &ma_full)?;
    let (sigma2, m2loglik) = run.sigma2_and_m2loglik();
    let aicc = aicc_of(m2loglik, n, k);
    let keep = order.d + order.sd * m;
    Some(FitResult {
        order,
        ar,
        ma,
        sar,
        sma,
        mean,
        sigma2,
        m2loglik,
        aicc,
        ar_full,
        ma_full,
        state: run.state,
        tail: y[y.len() - keep..].to_vec(),
    })
}

impl FitResult {
    /// Made by [`exact_constant`]: the data fitted without error (σ² = 0).
    pub fn fits_exactly(&self) -> bool {
        self.sigma2 == 0.0 && self.m2loglik == f64::MIN
    }
}

/// `order` without ARMA terms (d + D ≤ 1, with its mean or drift) when the differenced series is
/// one value repeated (to 1e-12 of the series' largest magnitude): the constant fits every point
/// exactly, σ² = 0 and the likelihood is unbounded, so no optimiser can fit it (`auto.arima` has
/// the same shortcut). The likelihood and AICc are stored as `f64::MIN` (finite, so the model
/// serialises); [`FitResult::fits_exactly`] tells such a fit.
pub fn exact_constant(y: &[f64], order: Order) -> Option<FitResult> {
    let m = order.m.max(1);
    let w = difference(&difference(y, m, order.sd), 1, order.d);
    let keep = order.d + order.sd * m;
    if w.is_empty() || order.n_coef() != usize::from(order.constant) || keep > y.len() {
        return None;
    }
    let level = w.iter().sum::<f64>() / w.len() as f64;
    let scale = y.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
    if w.iter().any(|v| (v - level).abs() > 1e-12 * scale.max(1.0)) {
        return None;
    }
    Some(FitResult {
        order,
        ar: vec![],
        ma: vec![],
        sar: vec![],
        sma: vec![],
        mean: if order.constant { level } else { 0.0 },
        sigma2: 0.0,
        m2loglik: f64::MIN,
        aicc: f64::MIN,
        ar_full: vec![],
        ma_full: vec![],
        state: vec![0.0],
        tail: y[y.len() - keep..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polynomial_products_and_differencing() {
        // (1 − 0.5B)(1 − 0.3B^4) = 1 − 0.5B − 0.3B^4 + 0.15B^5.
        assert_eq!(ar_product(&[0.5], &[0.3], 4), vec![0.5, 0.0, 0.0, 0.3, -0.15]);
        // (1 + 0.4B)(1 + 0.2B^2) = 1 + 0.4B + 0.2B^2 + 0.08B^3.
        let c = ma_product(&[0.4], &[0.2], 2);
        for (a, b) in c.iter().zip([0.4, 0.2, 0.08]) {
            assert!((a - b).abs() < 1e-12, "{c:?}");
        }
        // (1 − B)(1 − B^4) = 1 − B − B^4 + B^5.
        assert_eq!(diff_poly(1, 1, 4), vec![1.0, 0.0, 0.0, 1.0, -1.0]);
        assert_eq!(difference(&[1.0, 3.0, 6.0, 10.0], 1, 2), vec![1.0, 1.0]);
        // PACF → AR: one coefficient passes through; AR(2) from (0.5, 0.2).
        assert_eq!(pacf_to_coef(&[0.5, 0.2]), vec![0.5 - 0.2 * 0.5, 0.2]);
    }
}
