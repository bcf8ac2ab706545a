//! Maximum-likelihood fitting of one ETS model (Hyndman et al. 2008, §5.2): smoothing
//! parameters and the starting level and growth minimise the concentrated likelihood by
//! Nelder–Mead, inside the "usual" region of R's `ets` (1e-4 ≤ β ≤ α ≤ 0.9999,
//! 1e-4 ≤ γ ≤ 1 − α, 0.8 ≤ φ ≤ 0.98).
//!
//! Unlike R and statsforecast, the m − 1 seasonal starting states are not optimised: they stay
//! at the classical-decomposition indices of the heuristic initialisation (§2.6.1), the way
//! classical Holt–Winters starts. The simplex then has 2–6 dimensions instead of up to 17,
//! converges instead of running out of evaluations, and the fits are 2–3× cheaper; on the public
//! benchmark the forecasts are as accurate or better (benches/RESULTS.md). AICc counts the
//! parameters estimated by maximum likelihood.
//!
//! The simplex moves in an unconstrained space: each smoothing parameter is a logistic
//! function of its coordinate onto its interval of the usual region (β onto [1e-4, α], γ onto
//! [1e-4, 1 − α]), so no step lands outside the region. R and statsforecast give such steps an
//! infinite value instead, and a simplex that presses against that wall collapses before the
//! optimum (a parameter at its bound is common): measured on the benchmark's M1 quarterly
//! series, the same fits then took 2.2× the likelihood evaluations and ended at a worse
//! likelihood in most models (benches/RESULTS.md, 2026-12-03).
//! Starting values follow R's `initparam`. As with R's default `bounds = "both"`, the
//! parameters must also be admissible — the model forecastable, its characteristic
//! polynomial's roots on or inside the unit circle (Hyndman, Akram & Archibald 2008, "The
//! admissible parameter space for exponential smoothing models", *AISM* 60).

use super::init::initial_states;
use super::recursion::{Smoothing, State, lik_only, run};
use super::{Components, Season, Trend};
use crate::optim::NelderMead;
use crate::optim::poly::{MAX_POLY, roots_within};
use crate::stats::logistic;

const LOWER: [f64; 4] = [1e-4, 1e-4, 1e-4, 0.8];
const UPPER: [f64; 4] = [0.9999, 0.9999, 0.9999, 0.98];

/// One fitted ETS model and its information criteria.
#[derive(Debug, Clone)]
pub struct Fit {
    pub components: Components,
    pub smoothing: Smoothing,
    pub final_state: State,
    pub lik: f64,
    pub aicc: f64,
    /// Innovation variance: Σe² / (n − number of parameters).
    pub sigma2: f64,
    pub n_params: usize,
}

/// Parameters estimated for a model with season length `m` (R's count, used to decide
/// whether there is enough data): α and l0, β and b0, γ and m − 1 seasons, φ.
pub fn n_free(c: &Components, m: usize) -> usize {
    let mut k = 2;
    if c.trend != Trend::None {
        k += 2;
    }
    if c.season != Season::None {
        k += m;
    }
    if c.damped {
        k += 1;
    }
    k
}

/// The logistic map of `u` onto `[lo, hi]`.
fn onto(u: f64, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * logistic(u)
}

/// The coordinate `onto` maps to `v` (clamped just inside the interval).
fn from(v: f64, lo: f64, hi: f64) -> f64 {
    let p = ((v - lo) / (hi - lo)).clamp(1e-9, 1.0 - 1e-9);
    (p / (1.0 - p)).ln()
}

/// β's upper bound given α (β ≤ α).
fn beta_upper(alpha: f64) -> f64 {
    UPPER[1].min(alpha)
}

/// γ's upper bound given α (γ ≤ 1 − α; never below γ's lower bound, which α = 0.9999 would
/// undercut by rounding).
fn gamma_upper(alpha: f64) -> f64 {
    UPPER[2].min(1.0 - alpha).max(LOWER[2])
}

struct Layout {
    c: Components,
    m: usize,
    /// Seasonal starting states held fixed (not optimised), when given.
    fixed_seasons: Option<Vec<f64>>,
}

impl Layout {
    /// Split the optimiser's vector into smoothing parameters (mapped onto the usual region)
    /// and the initial state; `None` when the parameters are not admissible.
    fn unpack(&self, x: &[f64]) -> Option<(Smoothing, State)> {
        let mut state = State::new(0.0, 0.0, Vec::new());
        let p = self.unpack_into(x, &mut state)?;
        Some((p, state))
    }

    /// [`Layout::unpack`] into a reused state (no allocation in the optimiser's loop).
    fn unpack_into(&self, x: &[f64], state: &mut State) -> Option<Smoothing> {
        let c = &self.c;
        let mut i = 0;
        let mut next = || {
            i += 1;
            x[i - 1]
        };
        // Each parameter on its interval of the usual region (see the module doc).
        let alpha = onto(next(), LOWER[0], UPPER[0]);
        let beta = if c.trend != Trend::None {
            onto(next(), LOWER[1], beta_upper(alpha))
        } else {
            0.0
        };
        let gamma = if c.season != Season::None {
            onto(next(), LOWER[2], gamma_upper(alpha))
        } else {
            0.0
        };
        let phi = if c.damped {
            onto(next(), LOWER[3], UPPER[3])
        } else {
            1.0
        };
        let beta_or_none = (c.trend != Trend::None).then_some(beta);
        let gamma_or_none = (c.season != Season::None).then_some(gamma);
        if !admissible(alpha, beta_or_none, gamma_or_none, phi, self.m) {
            return None;
        }
        let level = next();
        let growth = if c.trend != Trend::None { next() } else { 0.0 };
        let seasonal = &mut state.seasonal;
        seasonal.clear();
        state.head = 0;
        if c.season != Season::None {
            match &self.fixed_seasons {
                Some(f) => seasonal.extend_from_slice(f),
                None => seasonal.extend((1..self.m).map(|_| next())),
            }
            let sum: f64 = seasonal.iter().sum();
            let last = if c.season == Season::Additive {
                -sum
            } else {
                self.m as f64 - sum
            };
            seasonal.push(last);
            if c.season == Season::Multiplicative && seasonal.iter().any(|s| *s < 0.0) {
                return None;
            }
        }
        if c.trend == Trend::Multiplicative && growth < 0.0 {
            return None;
        }
        state.level = level;
        state.growth = growth;
        Some(Smoothing {
            alpha,
            beta,
            gamma,
            phi,
        })
    }
}

/// The admissibility conditions of R's `ets` (`admissible()`), the seasonal case through the
/// roots of `φ(1−α−γ) + (α+β−αφ+γ−1)z + (α+β−αφ)(z² … z^{m−1}) + (α+β−φ)z^m + z^{m+1}`.
pub fn admissible(alpha: f64, beta: Option<f64>, gamma: Option<f64>, phi: f64, m: usize) -> bool {
    if !(0.0..=1.0 + 1e-8).contains(&phi) {
        return false;
    }
    match gamma {
        None => {
            if alpha < 1.0 - 1.0 / phi || alpha > 1.0 + 1.0 / phi {
                return false;
            }
            beta.is_none_or(|b| b >= alpha * (phi - 1.0) && b <= (1.0 + phi) * (2.0 - alpha))
        }
        Some(gamma) if m > 1 => {
            let beta = beta.unwrap_or(0.0);
            let mf = m as f64;
            if gamma < (1.0 - 1.0 / phi - alpha).max(0.0) || gamma > 1.0 + 1.0 / phi - alpha {
                return false;
            }
            if alpha < 1.0 - 1.0 / phi - gamma * (1.0 - mf + phi + phi * mf) / (2.0 * phi * mf) {
                return false;
            }
            if beta < -(1.0 - phi) * (gamma / mf + alpha) {
                return false;
            }
            // Coefficients on the stack: this runs at every likelihood evaluation.
            if m + 2 > MAX_POLY {
                return true;
            }
            let mut p = [0.0; MAX_POLY];
            p[0] = phi * (1.0 - alpha - gamma);
            p[1] = alpha + beta - alpha * phi + gamma - 1.0;
            for c in &mut p[2..m] {
                *c = alpha + beta - alpha * phi;
            }
            p[m] = alpha + beta - phi;
            p[m + 1] = 1.0;
            roots_within(&p[..m + 2], 1.0 + 1e-6)
        }
        Some(_) => true,
    }
}

/// Fit components `c` with season `m` to `y`; `None` if no admissible fit was found.
pub fn fit(y: &[f64], c: Components, m: usize) -> Option<Fit> {
    let m = if c.season == Season::None { 1 } else { m };
    let (l0, b0, s0) = initial_states(y, c.trend, c.season, m);
    // Starting smoothing parameters (R's initparam), as coordinates of the logistic maps, with
    // a unit first step along each.
    let alpha = LOWER[0] + 0.2 * (UPPER[0] - LOWER[0]) / m as f64;
    let mut x0 = vec![from(alpha, LOWER[0], UPPER[0])];
    let mut steps = vec![1.0];
    if c.trend != Trend::None {
        let up = beta_upper(alpha);
        x0.push(from(LOWER[1] + 0.1 * (up - LOWER[1]), LOWER[1], up));
        steps.push(1.0);
    }
    if c.season != Season::None {
        let up = gamma_upper(alpha);
        x0.push(from(LOWER[2] + 0.05 * (up - LOWER[2]), LOWER[2], up));
        steps.push(1.0);
    }
    if c.damped {
        x0.push(from(LOWER[3] + 0.99 * (UPPER[3] - LOWER[3]), LOWER[3], UPPER[3]));
        steps.push(-1.0);
    }
    let scale = y.iter().map(|v| v.abs()).sum::<f64>() / y.len() as f64;
    let state_step = |v: f64| {
        if v.abs() > 1e-8 {
            0.1 * v.abs()
        } else {
            0.1 * scale.max(1e-3)
        }
    };
    x0.push(l0);
    steps.push(state_step(l0));
    if c.trend != Trend::None {
        x0.push(b0);
        steps.push(state_step(b0));
    }
    // The seasonal starting states stay at their decomposition estimates (see the module doc).
    let layout = Layout {
        c,
        m,
        fixed_seasons: (!s0.is_empty()).then(|| s0.clone()),
    };
    let mut init_buf = State::new(0.0, 0.0, Vec::with_capacity(m));
    let mut scratch = Vec::with_capacity(m);
    let mut objective = |x: &[f64]| match layout.unpack_into(x, &mut init_buf) {
        Some(p) => lik_only(y, &c, &p, &init_buf, &mut scratch),
        None => f64::INFINITY,
    };
    // Nelder–Mead can stall on a ridge (a smoothing parameter running to its bound): one
    // restart from the best point with a fresh simplex.
    // Stop when −2 log L is settled to ~1e-6 of itself (≈ 0.001 for typical series): far below
    // the AICc differences that decide between models.
    let nm = NelderMead {
        reltol: 1e-6,
        ..NelderMead::default()
    };
    let mut best = nm.minimize(&mut objective, &x0, &steps);
    if best.f.is_finite() {
        let again = NelderMead { max_evals: 600, ..nm }.minimize(&mut objective, &best.x, &steps);
        if again.f < best.f {
            best = again;
        }
    }
    let (smoothing, init) = layout.unpack(&best.x)?;
    let r = run(y, &c, &smoothing, &init, None)?;
    let n = y.len();
    let np = best.x.len() + 1;
    let (nf, npf) = (n as f64, np as f64);
    let aicc = if n > np + 1 {
        r.lik + 2.0 * npf + 2.0 * npf * (npf + 1.0) / (nf - npf - 1.0)
    } else {
        f64::INFINITY
    };
    let dof = n.saturating_sub(best.x.len()).max(1);
    Some(Fit {
        components: c,
        smoothing,
        final_state: r.final_state,
        lik: r.lik,
        aicc,
        sigma2: r.sse / dof as f64,
        n_params: best.x.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usual_seasonal_parameters_are_admissible_and_extreme_ones_not() {
        assert!(admissible(0.3, Some(0.05), Some(0.1), 1.0, 12));
        assert!(admissible(0.5, None, Some(0.0), 1.0, 4));
        assert!(!admissible(0.9999, Some(0.9), Some(1e-4), 0.8, 12));
    }
}
