//! The statistical tests of the drift checks, each returning its statistic and p-value.
//!
//! * Two-sample Kolmogorov–Smirnov with the asymptotic Kolmogorov distribution and Stephens'
//!   small-sample correction (Stephens 1970, as in Press et al., *Numerical Recipes*, 3rd ed.,
//!   §14.3.3), on effective sample sizes.
//! * The first Wasserstein distance between two empirical distributions (the area between
//!   their distribution functions).
//! * The population stability index over the reference's deciles (Yurdakul 2018, with the
//!   industry's thresholds 0.1 / 0.25); a rule of thumb with no p-value.
//! * Two-sided F test of two variances, χ² test of a seasonal profile, two-proportion z test.
//! * Page's two-sided CUSUM (Page 1954) with reference value k and decision interval h in
//!   standard deviations, which dates where a level shift began.
//! * Benjamini–Hochberg (1995) step-up control of the false discovery rate over many tests.
//!
//! Sales are autocorrelated: the drift checks take effective sample sizes from the long-run
//! variance ([`long_run_factor`], Newey & West 1987) of the reference's residuals, so that an
//! unchanged series does not alarm for its own persistence.

use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor};

/// Two-sided p-value of a standard normal statistic.
pub fn normal_two_sided(z: f64) -> f64 {
    if !z.is_finite() {
        return if z.is_nan() { 1.0 } else { 0.0 };
    }
    statrs::function::erf::erfc(z.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0)
}

/// Lag-1 autocorrelation of `x` around its mean, clipped to [0, 0.95] (negative persistence
/// is not used to sharpen tests).
pub fn lag1(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 3 {
        return 0.0;
    }
    let m = mean(x);
    let den: f64 = x.iter().map(|v| (v - m).powi(2)).sum();
    if den <= 0.0 {
        return 0.0;
    }
    let num: f64 = x.windows(2).map(|w| (w[0] - m) * (w[1] - m)).sum();
    (num / den).clamp(0.0, 0.95)
}

/// The long-run variance of `x`'s mean relative to its plain variance: 1 + 2 Σ w_k ρ_k over
/// `lags` lags with Bartlett weights w_k = 1 − k/(lags + 1) (Newey & West 1987), at least 1.
pub fn long_run_factor(x: &[f64], lags: usize) -> f64 {
    let n = x.len();
    let m = mean(x);
    let den: f64 = x.iter().map(|v| (v - m).powi(2)).sum();
    if n < 3 || den <= 0.0 {
        return 1.0;
    }
    let mut f = 1.0;
    for k in 1..=lags.min(n - 2) {
        let rho: f64 = x.windows(k + 1).map(|w| (w[0] - m) * (w[k] - m)).sum::<f64>() / den;
        f += 2.0 * (1.0 - k as f64 / (lags + 1) as f64) * rho;
    }
    f.clamp(1.0, 20.0)
}

/// Two-sided p-value of a Student t statistic with `df` degrees of freedom.
pub fn student_two_sided(t: f64, df: f64) -> f64 {
    match statrs::distribution::StudentsT::new(0.0, 1.0, df.max(1.0)) {
        Ok(d) if t.is_finite() => (2.0 * d.sf(t.abs())).clamp(0.0, 1.0),
        _ => normal_two_sided(t),
    }
}

pub fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        x.iter().sum::<f64>() / x.len() as f64
    }
}

/// Sample variance (n − 1); 0 for fewer than two values.
pub fn variance(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return 0.0;
    }
    let m = mean(x);
    x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64
}

fn sorted(x: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// A test's statistic and p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub statistic: f64,
    pub p_value: f64,
}

/// Two-sample Kolmogorov–Smirnov: D, the largest distance between the two empirical
/// distribution functions, and its p-value for effective sizes `na`, `nb`.
pub fn kolmogorov_smirnov(a: &[f64], b: &[f64], na: f64, nb: f64) -> Outcome {
    let (a, b) = (sorted(a), sorted(b));
    if a.is_empty() || b.is_empty() {
        return Outcome {
            statistic: 0.0,
            p_value: 1.0,
        };
    }
    let (mut i, mut j, mut d) = (0, 0, 0.0_f64);
    while i < a.len() && j < b.len() {
        let v = a[i].min(b[j]);
        while i < a.len() && a[i] <= v {
            i += 1;
        }
        while j < b.len() && b[j] <= v {
            j += 1;
        }
        d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    let en = (na * nb / (na + nb)).sqrt();
    Outcome {
        statistic: d,
        p_value: kolmogorov_q((en + 0.12 + 0.11 / en) * d),
    }
}

/// The Kolmogorov distribution's survival function Q(λ) = 2 Σ (−1)^(j−1) exp(−2 j² λ²).
fn kolmogorov_q(lambda: f64) -> f64 {
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    for j in 1..=100 {
        let term = (-2.0 * (j * j) as f64 * lambda * lambda).exp();
        sum += if j % 2 == 1 { term } else { -term };
        if term < 1e-12 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// First Wasserstein distance between the empirical distributions of `a` and `b`.
pub fn wasserstein(a: &[f64], b: &[f64]) -> f64 {
    let (a, b) = (sorted(a), sorted(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let mut all: Vec<f64> = a.iter().chain(&b).copied().collect();
    all.sort_by(f64::total_cmp);
    let (mut i, mut j, mut area) = (0, 0, 0.0);
    for w in all.windows(2) {
        while i < a.len() && a[i] <= w[0] {
            i += 1;
        }
        while j < b.len() && b[j] <= w[0] {
            j += 1;
        }
        let gap = (i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs();
        area += gap * (w[1] - w[0]);
    }
    area
}

/// Bins of the population stability index: the reference's deciles.
pub const PSI_BINS: usize = 10;
/// PSI above this is a major shift by the usual rule of thumb.
pub const PSI_MAJOR: f64 = 0.25;

/// Population stability index of `current` against `reference`, over the reference's deciles
/// (equal bins merged when values repeat); empty bins count as 0.01 % so the index stays finite.
pub fn psi(reference: &[f64], current: &[f64]) -> f64 {
    let r = sorted(reference);
    let c = sorted(current);
    if r.is_empty() || c.is_empty() {
        return 0.0;
    }
    let mut edges: Vec<f64> = (1..PSI_BINS)
        .map(|k| r[(k * r.len() / PSI_BINS).min(r.len() - 1)])
        .collect();
    edges.dedup();
    let share = |v: &[f64]| {
        let mut counts = vec![0usize; edges.len() + 1];
        for x in v {
            counts[edges.partition_point(|e| e < x)] += 1;
        }
        counts
            .into_iter()
            .map(|n| (n as f64 / v.len() as f64).max(1e-4))
            .collect::<Vec<_>>()
    };
    let (pr, pc) = (share(&r), share(&c));
    pr.iter().zip(&pc).map(|(r, c)| (c - r) * (c / r).ln()).sum()
}

/// Two-sided F test of `ratio` = s₁² / s₂² with `d1`, `d2` degrees of freedom.
pub fn f_test(ratio: f64, d1: f64, d2: f64) -> Outcome {
    let p = match FisherSnedecor::new(d1.max(1.0), d2.max(1.0)) {
        Ok(f) if ratio.is_finite() && ratio >= 0.0 => {
            let cdf = f.cdf(ratio);
            (2.0 * cdf.min(1.0 - cdf)).clamp(0.0, 1.0)
        }
        _ => 1.0,
    };
    Outcome {
        statistic: ratio,
        p_value: p,
    }
}

/// Upper-tail p-value of a χ² statistic with `df` degrees of freedom.
pub fn chi_square(statistic: f64, df: f64) -> Outcome {
    let p = match ChiSquared::new(df.max(1.0)) {
        Ok(c) if statistic.is_finite() => c.sf(statistic.max(0.0)),
        _ => 1.0,
    };
    Outcome { statistic, p_value: p }
}

/// Two-proportion z test of `k1` of `n1` against `k2` of `n2` (pooled variance).
pub fn two_proportions(k1: usize, n1: usize, k2: usize, n2: usize) -> Outcome {
    if n1 == 0 || n2 == 0 {
        return Outcome {
            statistic: 0.0,
            p_value: 1.0,
        };
    }
    let (p1, p2) = (k1 as f64 / n1 as f64, k2 as f64 / n2 as f64);
    let p = (k1 + k2) as f64 / (n1 + n2) as f64;
    let se = (p * (1.0 - p) * (1.0 / n1 as f64 + 1.0 / n2 as f64)).sqrt();
    if se <= 0.0 {
        return Outcome {
            statistic: 0.0,
            p_value: 1.0,
        };
    }
    let z = (p2 - p1) / se;
    Outcome {
        statistic: z,
        p_value: normal_two_sided(z),
    }
}

/// Page's CUSUM: reference value (allowance) and decision interval, in standard deviations.
pub const CUSUM_K: f64 = 0.5;
pub const CUSUM_H: f64 = 5.0;

/// Where a two-sided CUSUM over standardised values `z` first crossed [`CUSUM_H`], upwards and
/// downwards: (index of the alarm, index where the run that raised it began); and the largest
/// statistic reached (also without an alarm).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cusum {
    pub up: Option<(usize, usize)>,
    pub down: Option<(usize, usize)>,
    pub max: f64,
}

impl Cusum {
    /// The alarm in the direction of `sign` (> 0 up, < 0 down).
    pub fn alarm(&self, sign: f64) -> Option<(usize, usize)> {
        if sign >= 0.0 { self.up } else { self.down }
    }
}

/// Page's two-sided CUSUM of standardised values; `path` receives max(S⁺, S⁻) after each one.
pub fn cusum(z: &[f64], path: &mut Vec<f64>) -> Cusum {
    let (mut up, mut down) = (0.0_f64, 0.0_f64);
    let (mut up_start, mut down_start) = (0, 0);
    let mut out = Cusum {
        up: None,
        down: None,
        max: 0.0,
    };
    path.clear();
    for (t, v) in z.iter().enumerate() {
        if up == 0.0 {
            up_start = t;
        }
        if down == 0.0 {
            down_start = t;
        }
        up = (up + v - CUSUM_K).max(0.0);
        down = (down - v - CUSUM_K).max(0.0);
        let s = up.max(down);
        out.max = out.max.max(s);
        path.push(s);
        if out.up.is_none() && up > CUSUM_H {
            out.up = Some((t, up_start));
        }
        if out.down.is_none() && down > CUSUM_H {
            out.down = Some((t, down_start));
        }
    }
    out
}

/// Benjamini–Hochberg: which of `p` are discoveries at false discovery rate `q`.
pub fn benjamini_hochberg(p: &[f64], q: f64) -> Vec<bool> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|a, b| p[*a].total_cmp(&p[*b]));
    let mut cut = None;
    for (rank, &i) in order.iter().enumerate() {
        if p[i] <= q * (rank + 1) as f64 / m as f64 {
            cut = Some(rank);
        }
    }
    let mut out = vec![false; m];
    if let Some(cut) = cut {
        for &i in &order[..=cut] {
            out[i] = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kolmogorov_smirnov_matches_scipy() {
        // scipy.stats.ks_2samp([1..10], [6..15]): D = 0.5; the plain asymptotic p-value is
        // Q(0.5·√5) = 0.164, with Stephens' correction (Numerical Recipes' probks) it is
        // Q(0.5 · (√5 + 0.12 + 0.11/√5)) = Q(1.2026) = 0.1108.
        let a: Vec<f64> = (1..=10).map(f64::from).collect();
        let b: Vec<f64> = (6..=15).map(f64::from).collect();
        let o = kolmogorov_smirnov(&a, &b, 10.0, 10.0);
        assert_eq!(o.statistic, 0.5);
        let lambda: f64 = 0.5 * (5f64.sqrt() + 0.12 + 0.11 / 5f64.sqrt());
        assert!((o.p_value - kolmogorov_q(lambda)).abs() < 1e-12);
        assert!((o.p_value - 0.1108).abs() < 5e-4, "{}", o.p_value);
        assert!((kolmogorov_q(0.5 * 5f64.sqrt()) - 0.164).abs() < 1e-3);
        // Q(λ) at known points of the Kolmogorov distribution: 1 − K(1.36) = 0.0495.
        assert!((kolmogorov_q(1.36) - 0.0495).abs() < 5e-4);
        assert_eq!(kolmogorov_smirnov(&a, &a, 10.0, 10.0).statistic, 0.0);
    }

    #[test]
    fn wasserstein_of_a_shift_is_the_shift() {
        let a: Vec<f64> = (0..100).map(|k| (k as f64 * 0.37).sin()).collect();
        let b: Vec<f64> = a.iter().map(|v| v + 2.5).collect();
        assert!((wasserstein(&a, &b) - 2.5).abs() < 1e-9);
        // scipy.stats.wasserstein_distance([0, 1, 3], [5, 6, 8]) = 5.0; ([0,1], [0,0,1,1,1]) = 0.1.
        assert!((wasserstein(&[0.0, 1.0, 3.0], &[5.0, 6.0, 8.0]) - 5.0).abs() < 1e-12);
        assert!((wasserstein(&[0.0, 1.0], &[0.0, 0.0, 1.0, 1.0, 1.0]) - 0.1).abs() < 1e-12);
    }

    #[test]
    fn psi_is_zero_for_the_same_distribution_and_large_for_a_shift() {
        let r: Vec<f64> = (0..1000).map(|k| k as f64).collect();
        assert!(psi(&r, &r).abs() < 1e-12);
        let c: Vec<f64> = (500..1500).map(|k| k as f64).collect();
        assert!(psi(&r, &c) > PSI_MAJOR);
    }

    #[test]
    fn f_and_chi_square_match_tables() {
        // F(0.975; 10, 10) = 3.7168: a two-sided p of 0.05.
        assert!((f_test(3.7168, 10.0, 10.0).p_value - 0.05).abs() < 1e-3);
        // χ²(0.95; 6) = 12.592.
        assert!((chi_square(12.592, 6.0).p_value - 0.05).abs() < 1e-3);
        // 1.959964 is the 97.5 % normal quantile.
        assert!((normal_two_sided(1.959964) - 0.05).abs() < 1e-6);
    }

    #[test]
    fn benjamini_hochberg_steps_up() {
        // The example of Benjamini & Hochberg's step-up: with q = 0.05 and m = 5 the cut-offs
        // are 0.01, 0.02, … ; 0.03 ≤ 0.03 at rank 3 carries ranks 1 and 2 with it.
        let p = [0.03, 0.001, 0.2, 0.025, 0.5];
        assert_eq!(benjamini_hochberg(&p, 0.05), vec![true, true, false, true, false]);
        assert_eq!(benjamini_hochberg(&[0.5, 0.9], 0.05), vec![false, false]);
    }

    #[test]
    fn cusum_dates_a_level_shift() {
        let mut z = vec![0.0; 30];
        z.extend(vec![2.0; 10]);
        let mut path = Vec::new();
        let c = cusum(&z, &mut path);
        let (alarm, start) = c.alarm(1.0).expect("a shift of 2 sd alarms");
        assert_eq!(start, 30);
        assert_eq!(alarm, 33); // 1.5 per step: 6.0 > 5 after the 4th shifted value
        assert_eq!(c.alarm(-1.0), None);
        assert_eq!(path.len(), 40);
        let quiet = cusum(&[0.3, -0.4, 0.2], &mut path);
        assert!(quiet.up.is_none() && quiet.down.is_none());
    }

    #[test]
    fn two_proportions_and_persistence() {
        let o = two_proportions(5, 100, 40, 100);
        assert!(o.statistic > 5.0 && o.p_value < 1e-6);
        // AR(1) with φ = 0.5: the long-run factor (1 + φ) / (1 − φ) = 3, Bartlett-weighted lower.
        use rand::SeedableRng;
        use rand_distr::{Distribution, StandardNormal};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let mut e = 0.0;
        let ar: Vec<f64> = (0..4000)
            .map(|_| {
                let shock: f64 = StandardNormal.sample(&mut rng);
                e = 0.5 * e + shock;
                e
            })
            .collect();
        let f = long_run_factor(&ar, 20);
        assert!(f > 2.0 && f < 3.2, "{f}");
        assert_eq!(long_run_factor(&[1.0; 10], 3), 1.0);
        let ar: Vec<f64> = (0..200).map(|k| (k as f64 / 10.0).sin()).collect();
        assert!(lag1(&ar) > 0.9);
    }
}
