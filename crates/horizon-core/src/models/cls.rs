//! Combination weights by constrained least squares: the non-negative weights summing to one
//! whose mix of the members' backtest forecasts is closest, in squared error, to what
//! happened (Granger & Ramanathan 1984, "Improved methods of combining forecasts", *Journal of
//! Forecasting* 3(2), with the constraints of their restricted regression; as in Hyndman &
//! Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §13.4's optimal
//! combination). Unlike inverse-error weights, they see how the members' errors move
//! together: of two members that err alike, the mix keeps the better one.
//!
//! Weights fitted to one stretch of history overshoot on the next when the members are close
//! and the better one changes from month to month (the "forecast combination puzzle": Smith &
//! Wallis 2009, *A simple explanation of the forecast combination puzzle*, Oxford Bulletin of
//! Economics and Statistics 71(3); Claeskens et al. 2016, IJF 32(3)): least squares then puts
//! everything on one member. [`shrunk`] therefore moves the weights toward equal ones by the
//! share that forecast best out of sample — weights from all backtest origins but one, scored
//! on the one left out (leave one origin out, as Diebold & Pauly 1990 shrink regression
//! weights toward the mean, with the shrinkage chosen by cross-validation instead of a prior).
//!
//! The problem is a small quadratic programme (one weight per member); it is solved exactly
//! by trying every support set: on each, the equality-constrained least squares has a closed
//! form (its KKT system), and the best feasible one is the optimum, since the optimum is the
//! equality-constrained solution on its own support.

/// Sufficient statistics of the least-squares problem, accumulated over any number of
/// series: `a = Σ FᵀF / s²`, `b = Σ Fᵀy / s²`, `yy = Σ yᵀy / s²`, with `F` a series' backtest
/// forecasts (one column per member), `y` its actuals and `s` its scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Gram {
    a: Vec<Vec<f64>>,
    b: Vec<f64>,
    yy: f64,
    /// Forecasts added.
    pub points: usize,
    /// Series added.
    pub series: usize,
}

/// Shares of the way to equal weights tried by [`shrunk`]: 0, 10 %, …, 100 %.
const SHRINK_GRID: usize = 11;

/// Least-squares weights on all `origins` (one Gram per backtest origin), moved toward equal
/// weights by the share (on a 10 % grid) whose weights, fitted without one origin, had the
/// least squared error on that origin, summed over the origins; with the share. Plain least
/// squares (share 0) when fewer than two origins have forecasts; `None` when none does.
pub fn shrunk(origins: &[Gram]) -> Option<(Vec<f64>, f64)> {
    let k = origins.first()?.b.len();
    let mut all = Gram::new(k);
    for g in origins {
        all.merge(g);
    }
    let full = all.solve()?;
    let used: Vec<&Gram> = origins.iter().filter(|g| g.points > 0).collect();
    if used.len() < 2 {
        return Some((full, 0.0));
    }
    let mix = |w: &[f64], share: f64| -> Vec<f64> { w.iter().map(|w| (1.0 - share) * w + share / k as f64).collect() };
    let share_at = |i: usize| i as f64 / (SHRINK_GRID - 1) as f64;
    let mut loss = [0.0f64; SHRINK_GRID];
    for (out, held) in used.iter().enumerate() {
        let mut rest = Gram::new(k);
        for (i, g) in used.iter().enumerate() {
            if i != out {
                rest.merge(g);
            }
        }
        let Some(w) = rest.solve() else {
            return Some((full, 0.0));
        };
        for (i, l) in loss.iter_mut().enumerate() {
            *l += held.sse(&mix(&w, share_at(i)));
        }
    }
    let best = (0..SHRINK_GRID)
        .filter(|&i| loss[i].is_finite())
        .min_by(|&a, &b| loss[a].total_cmp(&loss[b]))
        .unwrap_or(0);
    let share = share_at(best);
    Some((mix(&full, share), share))
}

/// Members beyond this many are not solved by enumeration (2^k support sets).
const MAX_MEMBERS: usize = 12;

impl Gram {
    pub fn new(members: usize) -> Gram {
        Gram {
            a: vec![vec![0.0; members]; members],
            b: vec![0.0; members],
            yy: 0.0,
            points: 0,
            series: 0,
        }
    }

    /// Add one series: `forecasts[j]` is member `j`'s backtest forecasts of `actual`, all
    /// divided by `scale` (so every series counts alike whatever its units). Ignored when the
    /// lengths differ, the scale is not positive or a value is not finite.
    pub fn add(&mut self, forecasts: &[&[f64]], actual: &[f64], scale: f64) {
        let k = self.b.len();
        if forecasts.len() != k
            || forecasts.iter().any(|f| f.len() != actual.len())
            || !(scale.is_finite() && scale > 0.0)
            || actual
                .iter()
                .chain(forecasts.iter().flat_map(|f| f.iter()))
                .any(|v| !v.is_finite())
        {
            return;
        }
        let w = 1.0 / (scale * scale);
        for (t, &y) in actual.iter().enumerate() {
            for (i, fi) in forecasts.iter().enumerate() {
                let fi = fi[t];
                self.b[i] += w * fi * y;
                for (a, fj) in self.a[i].iter_mut().zip(forecasts) {
                    *a += w * fi * fj[t];
                }
            }
            self.yy += w * y * y;
        }
        self.points += actual.len();
        self.series += 1;
    }

    /// Add another Gram's statistics (of the same members).
    pub fn merge(&mut self, other: &Gram) {
        for (a, o) in self.a.iter_mut().zip(&other.a) {
            for (v, w) in a.iter_mut().zip(o) {
                *v += w;
            }
        }
        for (v, w) in self.b.iter_mut().zip(&other.b) {
            *v += w;
        }
        self.yy += other.yy;
        self.points += other.points;
        self.series += other.series;
    }

    /// Sum of squared (scaled) errors of the mix `w`.
    pub fn sse(&self, w: &[f64]) -> f64 {
        let k = self.b.len();
        let mut quad = 0.0;
        for i in 0..k {
            for j in 0..k {
                quad += w[i] * self.a[i][j] * w[j];
            }
        }
        self.yy - 2.0 * w.iter().zip(&self.b).map(|(w, b)| w * b).sum::<f64>() + quad
    }

    /// The weights (non-negative, summing to one) of least squared error; `None` with
    /// nothing added, too many members, or no solvable support.
    pub fn solve(&self) -> Option<Vec<f64>> {
        let k = self.b.len();
        if self.points == 0 || k == 0 || k > MAX_MEMBERS {
            return None;
        }
        // Solved on the statistics divided by their mean diagonal (the same minimiser), so the
        // pivots do not shrink as a panel adds points; a ridge far below that scale keeps
        // identical members solvable.
        let diag = (0..k).map(|i| self.a[i][i]).sum::<f64>() / k as f64;
        if !(diag.is_finite() && diag > 0.0) {
            return None;
        }
        let unit = Gram {
            a: self.a.iter().map(|r| r.iter().map(|v| v / diag).collect()).collect(),
            b: self.b.iter().map(|v| v / diag).collect(),
            yy: self.yy / diag,
            ..self.clone()
        };
        let ridge = 1e-10;
        let mut best: Option<(f64, Vec<f64>)> = None;
        for mask in 1u32..(1 << k) {
            let support: Vec<usize> = (0..k).filter(|i| mask & (1 << i) != 0).collect();
            let Some(ws) = unit.solve_on(&support, ridge) else {
                continue;
            };
            if ws.iter().any(|&w| w < -1e-12) {
                continue;
            }
            let mut w = vec![0.0; k];
            for (&i, &v) in support.iter().zip(&ws) {
                w[i] = v.max(0.0);
            }
            let total: f64 = w.iter().sum();
            if total.is_nan() || total <= 0.0 {
                continue;
            }
            w.iter_mut().for_each(|v| *v /= total);
            let sse = unit.sse(&w);
            if sse.is_finite() && best.as_ref().is_none_or(|(s, _)| sse < *s) {
                best = Some((sse, w));
            }
        }
        best.map(|(_, w)| w)
    }

    /// Minimise the squared error over weights on `support` summing to one: the KKT system
    /// `[A 1; 1ᵀ 0] [w; μ] = [b; 1]`.
    fn solve_on(&self, support: &[usize], ridge: f64) -> Option<Vec<f64>> {
        let s = support.len();
        let mut m = vec![vec![0.0; s + 2]; s + 1];
        for (r, &i) in support.iter().enumerate() {
            for (c, &j) in support.iter().enumerate() {
                m[r][c] = self.a[i][j] + if r == c { ridge } else { 0.0 };
            }
            m[r][s] = 1.0;
            m[r][s + 1] = self.b[i];
        }
        m[s][..s].fill(1.0);
        m[s][s + 1] = 1.0;
        let x = gauss(m)?;
        Some(x[..s].to_vec())
    }
}

/// Solve the augmented system `m` (n rows, n + 1 columns) by Gaussian elimination with partial
/// pivoting; `None` when singular.
fn gauss(mut m: Vec<Vec<f64>>) -> Option<Vec<f64>> {
    let n = m.len();
    let norm = m.iter().flat_map(|r| r[..n].iter()).fold(0.0f64, |a, v| a.max(v.abs()));
    for col in 0..n {
        let pivot = (col..n).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))?;
        let size = m[pivot][col].abs();
        if size.is_nan() || size <= 1e-13 * norm.max(f64::MIN_POSITIVE) {
            return None;
        }
        m.swap(col, pivot);
        let pivot_row = m[col].clone();
        for (row, r) in m.iter_mut().enumerate() {
            let f = r[col] / pivot_row[col];
            if row != col && f != 0.0 {
                for (x, p) in r[col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= f * p;
                }
            }
        }
    }
    let x: Vec<f64> = (0..n).map(|i| m[i][n] / m[i][i]).collect();
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gram(forecasts: &[Vec<f64>], actual: &[f64]) -> Gram {
        let mut g = Gram::new(forecasts.len());
        let refs: Vec<&[f64]> = forecasts.iter().map(Vec::as_slice).collect();
        g.add(&refs, actual, 1.0);
        g
    }

    /// Two members alike on average, each the better one on alternate origins: least squares
    /// on all of them leans on one, and shrinkage chosen out of sample comes back to near
    /// equal weights; a member better on every origin keeps its weight.
    #[test]
    fn weights_that_do_not_hold_out_of_sample_shrink_toward_equal() {
        let actual: Vec<f64> = (0..40).map(|t| (t as f64 * 0.7).sin() * 3.0 + 10.0).collect();
        let noise = |t: usize, seed: f64| ((t as f64 * 12.9898 + seed).sin() * 43758.5453).fract();
        let origin = |o: usize, better_a: bool| {
            let a: Vec<f64> = actual
                .iter()
                .enumerate()
                .map(|(t, y)| y + if better_a { 0.3 } else { 1.5 } * noise(t + 40 * o, 1.0))
                .collect();
            let b: Vec<f64> = actual
                .iter()
                .enumerate()
                .map(|(t, y)| y + if better_a { 1.5 } else { 0.3 } * noise(t + 40 * o, 2.0))
                .collect();
            gram(&[a, b], &actual)
        };
        let swapping = [origin(0, true), origin(1, false), origin(2, true)];
        let (w, share) = shrunk(&swapping).unwrap();
        assert!(share >= 0.5, "share {share}, weights {w:?}");
        assert!((w[0] - 0.5).abs() < 0.25, "{w:?}");
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let steady = [origin(0, true), origin(1, true), origin(2, true)];
        let (w, share) = shrunk(&steady).unwrap();
        assert!(share <= 0.2, "share {share}, weights {w:?}");
        assert!(w[0] > 0.8, "{w:?}");
        // One origin: nothing to hold out, plain least squares.
        let mut all = Gram::new(2);
        all.merge(&origin(0, true));
        assert_eq!(
            shrunk(&[origin(0, true), Gram::new(2)]),
            Some((all.solve().unwrap(), 0.0))
        );
        assert_eq!(shrunk(&[]), None);
    }

    #[test]
    fn an_exact_mix_is_recovered() {
        let a: Vec<f64> = (0..50).map(|t| (t as f64 * 0.3).sin()).collect();
        let b: Vec<f64> = (0..50).map(|t| (t as f64 * 0.7).cos()).collect();
        let y: Vec<f64> = a.iter().zip(&b).map(|(a, b)| 0.3 * a + 0.7 * b).collect();
        let w = gram(&[a, b], &y).solve().unwrap();
        assert!((w[0] - 0.3).abs() < 1e-9 && (w[1] - 0.7).abs() < 1e-9, "{w:?}");
    }

    /// Two members erring alike and a better one: the mix drops the worse of the pair where
    /// inverse-error weights would keep a share for each.
    #[test]
    fn members_that_err_alike_are_not_both_kept() {
        let y: Vec<f64> = (0..200).map(|t| (t as f64 * 0.1).sin() * 10.0).collect();
        let noise = |t: usize, k: u64| {
            let x = (t as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15 ^ k);
            ((x >> 11) as f64 / (1u64 << 53) as f64) - 0.5
        };
        let shared: Vec<f64> = (0..200).map(|t| 3.0 * noise(t, 1)).collect();
        let a: Vec<f64> = (0..200).map(|t| y[t] + shared[t] + 0.2 * noise(t, 2)).collect();
        let b: Vec<f64> = (0..200).map(|t| y[t] + shared[t] + 0.5 * noise(t, 3)).collect();
        let c: Vec<f64> = (0..200).map(|t| y[t] + 2.0 * noise(t, 4)).collect();
        let g = gram(&[a, b, c], &y);
        let w = g.solve().unwrap();
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12 && w.iter().all(|&v| v >= 0.0));
        assert_eq!(w[1], 0.0, "{w:?}");
        // No feasible mix does better (a grid over the simplex).
        let best = g.sse(&w);
        for i in 0..=50 {
            for j in 0..=(50 - i) {
                let v = [i as f64 / 50.0, j as f64 / 50.0, (50 - i - j) as f64 / 50.0];
                assert!(g.sse(&v) >= best - 1e-9, "{v:?} beats {w:?}");
            }
        }
    }

    #[test]
    fn identical_members_share_and_nothing_added_gives_none() {
        let y: Vec<f64> = (0..20).map(f64::from).collect();
        let f: Vec<f64> = y.iter().map(|v| v + 1.0).collect();
        let w = gram(&[f.clone(), f], &y).solve().unwrap();
        assert!((w[0] + w[1] - 1.0).abs() < 1e-12);
        assert_eq!(Gram::new(2).solve(), None);
        // Bad input is left out, not a NaN weight.
        let mut g = Gram::new(1);
        g.add(&[&[f64::NAN]], &[1.0], 1.0);
        g.add(&[&[1.0]], &[1.0], 0.0);
        assert_eq!(g.points, 0);
    }

    /// A large panel (a Gram of 10⁸ and more) solves as a small one: the pivots are scaled.
    #[test]
    fn many_points_solve_as_few() {
        let n = 60_000;
        let y: Vec<f64> = (0..n).map(|t| 50.0 + 10.0 * (t as f64 * 0.01).sin()).collect();
        let a: Vec<f64> = y
            .iter()
            .enumerate()
            .map(|(t, v)| v + if t % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let b: Vec<f64> = y
            .iter()
            .enumerate()
            .map(|(t, v)| v + if t % 3 == 0 { 2.0 } else { -1.0 })
            .collect();
        let big = gram(&[a.clone(), b.clone()], &y).solve().expect("solved");
        let small = gram(&[a[..600].to_vec(), b[..600].to_vec()], &y[..600])
            .solve()
            .expect("solved");
        assert!((big[0] - small[0]).abs() < 0.05, "{big:?} vs {small:?}");
        assert!(big[0] > 0.5, "the member with the smaller errors leads: {big:?}");
    }

    #[test]
    fn series_count_alike_whatever_their_units() {
        // Member 0 is right on a small series, member 1 on a large one; scaled, both count.
        let small: Vec<f64> = (0..30).map(|t| 1.0 + (t % 3) as f64).collect();
        let large: Vec<f64> = small.iter().map(|v| 1000.0 * v).collect();
        let off = |v: &[f64], d: f64| v.iter().map(|x| x + d).collect::<Vec<f64>>();
        let mut g = Gram::new(2);
        g.add(&[&small, &off(&small, 1.0)], &small, 1.0);
        g.add(&[&off(&large, 1000.0), &large], &large, 1000.0);
        let w = g.solve().unwrap();
        assert!((w[0] - 0.5).abs() < 1e-9, "{w:?}");
    }
}
