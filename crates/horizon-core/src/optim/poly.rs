//! Polynomial root location, for stationarity, invertibility and admissibility checks.

/// True when every root of `Σ p[k] z^k` has modulus below `radius` (Schur–Cohn test on the
/// polynomial in `z / radius`).
pub fn roots_within(p: &[f64], radius: f64) -> bool {
    if p.len() > MAX_POLY {
        return roots_within_long(p, radius);
    }
    let mut a = [0.0; MAX_POLY];
    let mut q = [0.0; MAX_POLY];
    let mut r = 1.0;
    for (k, c) in p.iter().enumerate() {
        a[k] = c * r;
        r *= radius;
    }
    let mut len = p.len();
    while len > 1 {
        let n = len - 1;
        let (a0, an) = (a[0], a[n]);
        if an.abs() <= a0.abs() {
            return false;
        }
        let mut scale = 0.0f64;
        for k in 0..n {
            q[k] = an * a[k + 1] - a0 * a[n - k - 1];
            scale = scale.max(q[k].abs());
        }
        if scale == 0.0 || !scale.is_finite() {
            return false;
        }
        for k in 0..n {
            a[k] = q[k] / scale;
        }
        len = n;
    }
    true
}

/// Polynomials up to this length are checked without allocating.
pub const MAX_POLY: usize = 32;

/// [`roots_within`] for long polynomials (seasonal ARIMA with m = 52), on the heap.
fn roots_within_long(p: &[f64], radius: f64) -> bool {
    let mut a: Vec<f64> = Vec::with_capacity(p.len());
    let mut r = 1.0;
    for c in p {
        a.push(c * r);
        r *= radius;
    }
    while a.len() > 1 {
        let n = a.len() - 1;
        let (a0, an) = (a[0], a[n]);
        if an.abs() <= a0.abs() {
            return false;
        }
        let mut q: Vec<f64> = (0..n).map(|k| an * a[k + 1] - a0 * a[n - k - 1]).collect();
        let scale = q.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if scale == 0.0 || !scale.is_finite() {
            return false;
        }
        q.iter_mut().for_each(|v| *v /= scale);
        a = q;
    }
    true
}

/// True when every root of the lag polynomial `1 − c₁z − … − c_k z^k` lies outside the unit
/// circle (by at least `margin`): a stationary AR or invertible MA part (MA with `−θ`).
pub fn lag_poly_stable(c: &[f64], margin: f64) -> bool {
    // Roots of 1 − Σ c_k z^k outside radius ρ ⇔ roots of the reversed polynomial
    // z^k − c₁z^{k−1} − … − c_k inside 1/ρ.
    let Some(last) = c.iter().rposition(|v| *v != 0.0) else {
        return true;
    };
    let k = last + 1;
    let mut rev = vec![0.0; k + 1];
    rev[k] = 1.0;
    for (j, cj) in c[..k].iter().enumerate() {
        rev[k - 1 - j] = -cj;
    }
    roots_within(&rev, 1.0 / margin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schur_cohn_agrees_with_known_roots() {
        // (z − 0.5)(z + 0.9) = z² + 0.4z − 0.45: inside; (z − 1.2)(z − 0.1): outside.
        assert!(roots_within(&[-0.45, 0.4, 1.0], 1.0));
        assert!(!roots_within(&[0.12, -1.3, 1.0], 1.0));
        // A root on the unit circle (z − 1) passes with the tolerance, as in R.
        assert!(roots_within(&[-1.0, 1.0], 1.0 + 1e-6));
    }

    #[test]
    fn lag_polynomials_and_long_ones() {
        assert!(lag_poly_stable(&[0.5], 1.0));
        assert!(!lag_poly_stable(&[1.2], 1.0));
        assert!(lag_poly_stable(&[0.5, 0.3], 1.0));
        assert!(!lag_poly_stable(&[0.5, 0.6], 1.0));
        // Seasonal AR(1) at lag 52, coefficient 0.4: stable; 1.1: not.
        let mut c = vec![0.0; 52];
        c[51] = 0.4;
        assert!(lag_poly_stable(&c, 1.0));
        c[51] = 1.1;
        assert!(!lag_poly_stable(&c, 1.0));
        assert!(lag_poly_stable(&[], 1.0));
    }
}
