//! Limited-memory BFGS (Liu & Nocedal 1989, "On the limited memory BFGS method for large scale
//! optimization", *Mathematical Programming* 45; two-loop recursion of Nocedal & Wright,
//! *Numerical Optimization*, 2nd ed., Alg. 7.4) with a backtracking Armijo line search, and the
//! stopping rules of Stan's optimizer (change of objective, relative change, gradient norm,
//! step size). Unlike a textbook line search it always terminates: non-finite values count as
//! "too far", and after 40 halvings the run stops where it is.
//!
//! Written here because argmin's Moré–Thuente search does not return when the objective is
//! not finite along the first step (a σ driven to 0), which user data can cause.

/// Settings of one minimisation.
#[derive(Debug, Clone, Copy)]
pub struct Lbfgs {
    pub history: usize,
    pub max_iters: usize,
    /// Length of the first step (Stan's `init_alpha`).
    pub init_alpha: f64,
    pub tol_obj: f64,
    pub tol_rel_obj: f64,
    pub tol_grad: f64,
    pub tol_param: f64,
}

impl Default for Lbfgs {
    /// Stan's defaults (history 5, `tol_rel_obj` 10⁴ ε).
    fn default() -> Self {
        Lbfgs {
            history: 5,
            max_iters: 10_000,
            init_alpha: 1e-3,
            tol_obj: 1e-12,
            tol_rel_obj: 1e4 * f64::EPSILON,
            tol_grad: 1e-8,
            tol_param: 1e-8,
        }
    }
}

/// Where the minimisation ended.
#[derive(Debug, Clone)]
pub struct Solution {
    pub x: Vec<f64>,
    pub f: f64,
    pub iterations: usize,
}

impl Lbfgs {
    /// Minimise `f` (which returns the value and writes the gradient) from `x0`.
    pub fn minimize(&self, mut f: impl FnMut(&[f64], &mut [f64]) -> f64, x0: &[f64]) -> Solution {
        let n = x0.len();
        let mut x = x0.to_vec();
        let mut g = vec![0.0; n];
        let mut fx = f(&x, &mut g);
        let mut s_hist: Vec<Vec<f64>> = Vec::new();
        let mut y_hist: Vec<Vec<f64>> = Vec::new();
        let mut trial = vec![0.0; n];
        let mut g_trial = vec![0.0; n];
        let mut iterations = 0;
        if !fx.is_finite() {
            return Solution { x, f: fx, iterations };
        }
        while iterations < self.max_iters {
            iterations += 1;
            let mut d = direction(&g, &s_hist, &y_hist);
            let mut slope = dot(&g, &d);
            if slope.is_nan() || slope >= 0.0 {
                // Not a descent direction: forget the curvature pairs, go downhill.
                s_hist.clear();
                y_hist.clear();
                d = g.iter().map(|v| -v).collect();
                slope = -dot(&g, &g);
            }
            // The first step (and the first after a reset) is short, as Stan's: the gradient's
            // scale says nothing yet about the curvature.
            let mut alpha = if s_hist.is_empty() { self.init_alpha } else { 1.0 };
            let mut accepted = false;
            let mut f_trial = f64::INFINITY;
            for _ in 0..40 {
                for i in 0..n {
                    trial[i] = x[i] + alpha * d[i];
                }
                f_trial = f(&trial, &mut g_trial);
                if f_trial.is_finite() && f_trial <= fx + 1e-4 * alpha * slope {
                    accepted = true;
                    break;
                }
                alpha *= 0.5;
            }
            if !accepted {
                break;
            }
            let s: Vec<f64> = trial.iter().zip(&x).map(|(a, b)| a - b).collect();
            let yv: Vec<f64> = g_trial.iter().zip(&g).map(|(a, b)| a - b).collect();
            let f_change = (fx - f_trial).abs();
            let scale = fx.abs().max(f_trial.abs()).max(1.0);
            x.copy_from_slice(&trial);
            g.copy_from_slice(&g_trial);
            fx = f_trial;
            if dot(&s, &yv) > 1e-10 * norm(&s) * norm(&yv) {
                s_hist.push(s.clone());
                y_hist.push(yv);
                if s_hist.len() > self.history {
                    s_hist.remove(0);
                    y_hist.remove(0);
                }
            }
            if f_change < self.tol_obj
                || f_change / scale < self.tol_rel_obj
                || norm(&g) < self.tol_grad
                || norm(&s) < self.tol_param
            {
                break;
            }
        }
        Solution { x, f: fx, iterations }
    }
}

/// −H·g by the two-loop recursion, H scaled by the newest pair (Nocedal & Wright eq. 7.20).
fn direction(g: &[f64], s_hist: &[Vec<f64>], y_hist: &[Vec<f64>]) -> Vec<f64> {
    let mut q: Vec<f64> = g.to_vec();
    let k = s_hist.len();
    let mut alphas = vec![0.0; k];
    for i in (0..k).rev() {
        let rho = 1.0 / dot(&y_hist[i], &s_hist[i]);
        alphas[i] = rho * dot(&s_hist[i], &q);
        for (qj, yj) in q.iter_mut().zip(&y_hist[i]) {
            *qj -= alphas[i] * yj;
        }
    }
    if k > 0 {
        let gamma = dot(&s_hist[k - 1], &y_hist[k - 1]) / dot(&y_hist[k - 1], &y_hist[k - 1]);
        q.iter_mut().for_each(|v| *v *= gamma);
    }
    for i in 0..k {
        let rho = 1.0 / dot(&y_hist[i], &s_hist[i]);
        let beta = rho * dot(&y_hist[i], &q);
        for (qj, sj) in q.iter_mut().zip(&s_hist[i]) {
            *qj += (alphas[i] - beta) * sj;
        }
    }
    q.iter().map(|v| -v).collect()
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Rosenbrock function's minimum (1, 1) from the classic start (−1.2, 1).
    #[test]
    fn finds_the_rosenbrock_minimum() {
        let rosen = |x: &[f64], g: &mut [f64]| {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let sol = Lbfgs::default().minimize(rosen, &[-1.2, 1.0]);
        assert!(
            (sol.x[0] - 1.0).abs() < 1e-5 && (sol.x[1] - 1.0).abs() < 1e-5,
            "{:?}",
            sol
        );
    }

    /// A start where the full first step leaves the domain still converges, and a function
    /// that is infinite everywhere returns at once.
    #[test]
    fn survives_non_finite_values() {
        let log_barrier = |x: &[f64], g: &mut [f64]| {
            if x[0] <= 0.0 {
                return f64::INFINITY;
            }
            g[0] = 1.0 - 1000.0 / x[0];
            x[0] - 1000.0 * x[0].ln()
        };
        let sol = Lbfgs::default().minimize(log_barrier, &[1e-3]);
        assert!((sol.x[0] - 1000.0).abs() < 1e-3, "{:?}", sol);
        let nowhere = |_: &[f64], _: &mut [f64]| f64::NAN;
        let sol = Lbfgs::default().minimize(nowhere, &[1.0]);
        assert_eq!(sol.iterations, 0);
    }
}
