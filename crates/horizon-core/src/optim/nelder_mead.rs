//! Derivative-free minimisation for likelihood fitting: the Nelder–Mead simplex method
//! (Nelder & Mead 1965, "A simplex method for function minimization", *Computer Journal* 7),
//! with the reflection/expansion/contraction/shrink coefficients 1, 2, ½, ½ and the stopping
//! rule of R's `optim` (relative spread of the simplex values below `reltol`). Infeasible
//! points are given `+∞` by the objective, which the simplex then moves away from (R's `ets`
//! and statsforecast handle parameter bounds so; our ETS maps its bounds away and uses `+∞`
//! only for inadmissible parameters, see `ets::fit`).

/// Settings of one minimisation.
#[derive(Debug, Clone, Copy)]
pub struct NelderMead {
    /// Stop when |f_worst − f_best| ≤ reltol · (|f_best| + reltol).
    pub reltol: f64,
    /// Budget of objective evaluations.
    pub max_evals: usize,
}

impl Default for NelderMead {
    fn default() -> Self {
        NelderMead {
            reltol: 1e-8,
            max_evals: 2000,
        }
    }
}

/// The best point found, its value and the evaluations used.
#[derive(Debug, Clone)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub f: f64,
    pub evals: usize,
}

impl NelderMead {
    /// Minimise `f` from `x0`; `steps[i]` is the initial simplex edge along coordinate `i`.
    pub fn minimize(&self, mut f: impl FnMut(&[f64]) -> f64, x0: &[f64], steps: &[f64]) -> Minimum {
        let n = x0.len();
        let mut evals = 0usize;
        let mut eval = |x: &[f64], evals: &mut usize| {
            *evals += 1;
            let v = f(x);
            if v.is_nan() { f64::INFINITY } else { v }
        };
        let mut simplex: Vec<Vec<f64>> = Vec::with_capacity(n + 1);
        simplex.push(x0.to_vec());
        for i in 0..n {
            let mut v = x0.to_vec();
            v[i] += steps[i];
            simplex.push(v);
        }
        let mut values: Vec<f64> = simplex.iter().map(|x| eval(x, &mut evals)).collect();
        let mut centroid = vec![0.0; n];
        let mut trial = vec![0.0; n];
        let mut trial2 = vec![0.0; n];
        // Vertices stay in place; `order` ranks them, best first.
        let mut order: Vec<usize> = (0..=n).collect();
        loop {
            order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
            let (ib, iw, i2) = (order[0], order[n], order[n.saturating_sub(1)]);
            let (best, worst) = (values[ib], values[iw]);
            let converged = best.is_finite() && (worst - best).abs() <= self.reltol * (best.abs() + self.reltol);
            if converged || evals >= self.max_evals || n == 0 {
                break;
            }
            centroid.iter_mut().for_each(|c| *c = 0.0);
            for &k in &order[..n] {
                for (c, x) in centroid.iter_mut().zip(&simplex[k]) {
                    *c += x;
                }
            }
            centroid.iter_mut().for_each(|c| *c /= n as f64);
            let along = |t: f64, out: &mut Vec<f64>, worst: &[f64]| {
                for i in 0..n {
                    out[i] = centroid[i] + t * (worst[i] - centroid[i]);
                }
            };
            along(-1.0, &mut trial, &simplex[iw]);
            let fr = eval(&trial, &mut evals);
            if fr < best {
                along(-2.0, &mut trial2, &simplex[iw]);
                let fe = eval(&trial2, &mut evals);
                if fe < fr {
                    simplex[iw].clone_from(&trial2);
                    values[iw] = fe;
                } else {
                    simplex[iw].clone_from(&trial);
                    values[iw] = fr;
                }
            } else if fr < values[i2] {
                simplex[iw].clone_from(&trial);
                values[iw] = fr;
            } else {
                // Contract: outside if the reflection helped the worst point, else inside.
                let t = if fr < worst { -0.5 } else { 0.5 };
                along(t, &mut trial2, &simplex[iw]);
                let fc = eval(&trial2, &mut evals);
                if fc < worst.min(fr) {
                    simplex[iw].clone_from(&trial2);
                    values[iw] = fc;
                } else {
                    // Shrink towards the best point.
                    let best_point = simplex[ib].clone();
                    for k in 0..=n {
                        if k == ib {
                            continue;
                        }
                        for (x, b) in simplex[k].iter_mut().zip(&best_point) {
                            *x = b + 0.5 * (*x - b);
                        }
                        values[k] = eval(&simplex[k], &mut evals);
                    }
                }
            }
        }
        let ib = order[0];
        Minimum {
            x: simplex.swap_remove(ib),
            f: values[ib],
            evals,
        }
    }

    /// Minimise `f` over the box `lower ≤ x ≤ upper`, as statsforecast's bounded simplex does:
    /// `f` sees each point moved into the box, so the objective is flat beyond a bound. Such a
    /// flat side can collapse the simplex on a bound, so the search restarts from the point
    /// found, with edges pointing into the box, until a restart no longer improves (at most
    /// three). The point returned lies in the box.
    pub fn minimize_in_box(
        &self,
        f: impl Fn(&[f64]) -> f64,
        x0: &[f64],
        steps: &[f64],
        lower: &[f64],
        upper: &[f64],
    ) -> Minimum {
        let inside = |x: &[f64]| -> Vec<f64> {
            x.iter()
                .zip(lower)
                .zip(upper)
                .map(|((v, l), u)| v.clamp(*l, *u))
                .collect()
        };
        let objective = |x: &[f64]| f(&inside(x));
        let mut best = self.minimize(objective, x0, steps);
        for _ in 0..3 {
            let x = inside(&best.x);
            let edges: Vec<f64> = x
                .iter()
                .zip(steps)
                .zip(upper)
                .map(|((v, s), u)| if v + s > *u { -s } else { *s })
                .collect();
            let again = self.minimize(objective, &x, &edges);
            let better = again.f < best.f - 1e-9 * best.f.abs();
            if again.f < best.f {
                best = Minimum {
                    evals: best.evals + again.evals,
                    ..again
                };
            } else {
                best.evals += again.evals;
            }
            if !better {
                break;
            }
        }
        best.x = inside(&best.x);
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimum beyond a bound is found on the bound, from a start on that bound too.
    #[test]
    fn the_box_holds_the_minimum_at_its_bound() {
        let f = |x: &[f64]| (x[0] - 2.0).powi(2) + (x[1] - 0.5).powi(2) + x[0] * x[1];
        for x0 in [[0.2, 0.2], [1.0, 0.9]] {
            let m = NelderMead::default().minimize_in_box(f, &x0, &[0.1, 0.1], &[0.0, 0.0], &[1.0, 1.0]);
            // On x = 1 the objective is 1 + (y − 0.5)² + y, least at y = 0.
            assert!((m.x[0] - 1.0).abs() < 1e-9 && m.x[1].abs() < 1e-4, "{:?}", m.x);
        }
    }

    #[test]
    fn finds_the_rosenbrock_minimum() {
        let rosen = |x: &[f64]| 100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2);
        let nm = NelderMead {
            reltol: 1e-12,
            max_evals: 5000,
        };
        let m = nm.minimize(rosen, &[-1.2, 1.0], &[0.1, 0.1]);
        assert!((m.x[0] - 1.0).abs() < 1e-3 && (m.x[1] - 1.0).abs() < 1e-3, "{m:?}");
    }

    #[test]
    fn stays_inside_a_feasible_region() {
        // Minimum of (x-2)^2 restricted to x <= 1 (infinite outside): the boundary.
        let f = |x: &[f64]| {
            if x[0] > 1.0 {
                f64::INFINITY
            } else {
                (x[0] - 2.0).powi(2)
            }
        };
        let m = NelderMead::default().minimize(f, &[0.0], &[0.1]);
        assert!(m.x[0] <= 1.0 && m.x[0] > 0.99, "{m:?}");
    }
}
