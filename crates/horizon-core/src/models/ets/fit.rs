//! Maximum-likelihood fitting of one ETS model (Hyndman et al. 2008, §5.2): smoothing
//! parameters and initial states minimise the concentrated likelihood by Nelder–Mead, inside
//! the "usual" region of R's `ets` (1e-4 ≤ β ≤ α ≤ 0.9999, 1e-4 ≤ γ ≤ 1 − α, 0.8 ≤ φ ≤ 0.98).
//! Starting values follow R's `initparam`.

use super::init::initial_states;
use super::recursion::{Smoothing, State, run};
use super::{Components, Season, Trend};
use crate::models::optim::NelderMead;

const LOWER: [f64; 4] = [1e-4, 1e-4, 1e-4, 0.8];
const UPPER: [f64; 4] = [0.9999, 0.9999, 0.9999, 0.98];

/// One fitted ETS model and its information criteria.
#[derive(Debug, Clone)]
pub struct Fit {
    pub components: Components,
    pub smoothing: Smoothing,
    pub final_state: State,
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

struct Layout {
    c: Components,
    m: usize,
}

impl Layout {
    /// Split the optimiser's vector into smoothing parameters and the initial state; `None`
    /// when outside the usual region.
    fn unpack(&self, x: &[f64]) -> Option<(Smoothing, State)> {
        let c = &self.c;
        let mut i = 0;
        let mut next = || {
            i += 1;
            x[i - 1]
        };
        let alpha = next();
        let beta = if c.trend != Trend::None { next() } else { 0.0 };
        let gamma = if c.season != Season::None { next() } else { 0.0 };
        let phi = if c.damped { next() } else { 1.0 };
        let inside = |v: f64, k: usize| (LOWER[k]..=UPPER[k]).contains(&v);
        if !inside(alpha, 0)
            || (c.trend != Trend::None && (!inside(beta, 1) || beta > alpha))
            || (c.season != Season::None && (!inside(gamma, 2) || gamma > 1.0 - alpha))
            || (c.damped && !inside(phi, 3))
        {
            return None;
        }
        let level = next();
        let growth = if c.trend != Trend::None { next() } else { 0.0 };
        let mut seasonal = Vec::new();
        if c.season != Season::None {
            seasonal.extend((1..self.m).map(|_| next()));
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
        Some((
            Smoothing {
                alpha,
                beta,
                gamma,
                phi,
            },
            State::new(level, growth, seasonal),
        ))
    }
}

/// Fit components `c` with season `m` to `y`; `None` if no admissible fit was found.
pub fn fit(y: &[f64], c: Components, m: usize) -> Option<Fit> {
    let m = if c.season == Season::None { 1 } else { m };
    let (l0, b0, s0) = initial_states(y, c.trend, c.season, m);
    // Starting smoothing parameters (R's initparam).
    let alpha = LOWER[0] + 0.2 * (UPPER[0] - LOWER[0]) / m as f64;
    let mut x0 = vec![alpha];
    let mut steps = vec![0.05];
    if c.trend != Trend::None {
        let up = UPPER[1].min(alpha);
        x0.push(LOWER[1] + 0.1 * (up - LOWER[1]));
        steps.push(0.1 * (up - LOWER[1]).max(1e-3));
    }
    if c.season != Season::None {
        let up = UPPER[2].min(1.0 - alpha);
        x0.push(LOWER[2] + 0.05 * (up - LOWER[2]));
        steps.push(0.05);
    }
    if c.damped {
        x0.push(LOWER[3] + 0.99 * (UPPER[3] - LOWER[3]));
        steps.push(-0.02);
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
    for s in &s0 {
        x0.push(*s);
        steps.push(state_step(*s));
    }
    let layout = Layout { c, m };
    let objective = |x: &[f64]| match layout.unpack(x) {
        Some((p, init)) => run(y, &c, &p, &init, None).map_or(f64::INFINITY, |r| r.lik),
        None => f64::INFINITY,
    };
    let best = NelderMead::default().minimize(objective, &x0, &steps);
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
        aicc,
        sigma2: r.sse / dof as f64,
        n_params: best.x.len(),
    })
}
