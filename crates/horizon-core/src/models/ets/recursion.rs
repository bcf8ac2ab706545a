//! The ETS state-space recursions of Hyndman, Koehler, Ord & Snyder (2008), *Forecasting with
//! Exponential Smoothing: the State Space Approach*, Table 2.1 / §2.5, in the form R's
//! `forecast::ets` computes them (`etscalc.c`): one-step forecasts, state updates and the
//! concentrated likelihood `n·log(Σe²) [+ 2·Σ log|ŷ|]` (§5.2).
//!
//! Seasonal states are a ring: `season(j)` is R's `s[j]`, `s[0]` the most recent and `s[m−1]`
//! the one used by the next observation.

use super::{Components, Season, Trend};

/// Smoothing parameters: α, β (growth), γ (season), φ (damping; 1 when undamped).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Smoothing {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub phi: f64,
}

/// Level, growth and seasonal states at one time.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct State {
    pub level: f64,
    pub growth: f64,
    /// Ring buffer of the m seasonal states; `head` is where R's `s[0]` lives.
    pub seasonal: Vec<f64>,
    pub head: usize,
}

const TOL: f64 = 1e-10;
const HUGE: f64 = 1e10;

impl State {
    /// From R's layout `[l, b, s0 … s(m−1)]` (growth and seasons present as the model needs).
    pub fn new(level: f64, growth: f64, seasonal: Vec<f64>) -> State {
        State {
            level,
            growth,
            seasonal,
            head: 0,
        }
    }

    fn m(&self) -> usize {
        self.seasonal.len()
    }

    /// R's `s[j]`.
    pub fn season(&self, j: usize) -> f64 {
        let m = self.m();
        self.seasonal[(self.head + j) % m]
    }

    /// Ring index of R's `s[m−1]`, the season of the next observation (no division: this is
    /// the inner loop of every likelihood evaluation).
    #[inline]
    fn oldest(&self) -> usize {
        if self.head == 0 {
            self.seasonal.len() - 1
        } else {
            self.head - 1
        }
    }

    /// Point forecasts for steps 1..=h from this state.
    pub fn forecast(&self, c: &Components, phi: f64, h: usize, out: &mut Vec<f64>) {
        out.clear();
        let m = self.m();
        let mut phistar = phi;
        for i in 0..h {
            let mut f = match c.trend {
                Trend::None => self.level,
                Trend::Additive => self.level + phistar * self.growth,
                Trend::Multiplicative => {
                    if self.growth < 0.0 {
                        f64::NAN
                    } else {
                        self.level * self.growth.powf(phistar)
                    }
                }
            };
            if m > 0 {
                let s = self.season(m - 1 - (i % m));
                match c.season {
                    Season::Additive => f += s,
                    Season::Multiplicative => f *= s,
                    Season::None => {}
                }
            }
            out.push(f);
            if (phi - 1.0).abs() < TOL {
                phistar += 1.0;
            } else {
                phistar += phi.powi(i as i32 + 2);
            }
        }
    }

    /// One-step forecast (the `h = 1` case of [`State::forecast`], without allocating).
    pub fn one_step(&self, c: &Components, phi: f64) -> f64 {
        let mut f = match c.trend {
            Trend::None => self.level,
            Trend::Additive => self.level + phi * self.growth,
            Trend::Multiplicative => {
                if self.growth < 0.0 {
                    return f64::NAN;
                }
                self.level * self.growth.powf(phi)
            }
        };
        if !self.seasonal.is_empty() {
            let s = self.seasonal[self.oldest()];
            match c.season {
                Season::Additive => f += s,
                Season::Multiplicative => f *= s,
                Season::None => {}
            }
        }
        f
    }

    /// Move the states on after observing `y` (etscalc.c `update`).
    pub fn update(&mut self, c: &Components, p: &Smoothing, y: f64) {
        let old_level = self.level;
        let (phib, q) = match c.trend {
            Trend::None => (0.0, old_level),
            Trend::Additive => {
                let phib = p.phi * self.growth;
                (phib, old_level + phib)
            }
            Trend::Multiplicative => {
                let phib = if (p.phi - 1.0).abs() < TOL {
                    self.growth
                } else {
                    self.growth.powf(p.phi)
                };
                (phib, old_level * phib)
            }
        };
        let m = self.m();
        let oldest = if m > 0 { self.oldest() } else { 0 };
        let old_s = if m > 0 { self.seasonal[oldest] } else { 0.0 };
        let deseasoned = match c.season {
            Season::None => y,
            Season::Additive => y - old_s,
            Season::Multiplicative => {
                if old_s.abs() < TOL {
                    HUGE
                } else {
                    y / old_s
                }
            }
        };
        self.level = q + p.alpha * (deseasoned - q);
        match c.trend {
            Trend::None => {}
            Trend::Additive => {
                let r = self.level - old_level;
                self.growth = phib + (p.beta / p.alpha) * (r - phib);
            }
            Trend::Multiplicative => {
                let r = if old_level.abs() < TOL {
                    HUGE
                } else {
                    self.level / old_level
                };
                self.growth = phib + (p.beta / p.alpha) * (r - phib);
            }
        }
        if m > 0 && c.season != Season::None {
            let t = match c.season {
                Season::Additive => y - q,
                _ => {
                    if q.abs() < TOL {
                        HUGE
                    } else {
                        y / q
                    }
                }
            };
            self.seasonal[oldest] = old_s + p.gamma * (t - old_s);
            self.head = oldest;
        }
    }
}

/// The result of running the recursions over a series.
#[derive(Debug, Clone)]
pub struct Run {
    /// `n·log(Σe²)`, plus `2·Σlog|ŷ|` for multiplicative errors: −2 log-likelihood up to a constant.
    pub lik: f64,
    /// Σe² of the innovations (relative errors for multiplicative models).
    pub sse: f64,
    pub final_state: State,
}

/// Run the model over `y` from `init`; `None` when a forecast is undefined (a multiplicative
/// model meeting a non-positive forecast).
pub fn run(y: &[f64], c: &Components, p: &Smoothing, init: &State, residuals: Option<&mut Vec<f64>>) -> Option<Run> {
    let mut state = init.clone();
    let mut sse = 0.0;
    let mut log_f = 0.0;
    let mut res = residuals;
    if let Some(r) = res.as_deref_mut() {
        r.clear();
    }
    for &yt in y {
        let f = state.one_step(c, p.phi);
        if !f.is_finite() {
            return None;
        }
        let e = if c.multiplicative_error {
            if f.abs() < TOL {
                return None;
            }
            log_f += f.abs().ln();
            (yt - f) / f
        } else {
            yt - f
        };
        sse += e * e;
        if let Some(r) = res.as_deref_mut() {
            r.push(e);
        }
        state.update(c, p, yt);
    }
    let n = y.len() as f64;
    let mut lik = n * sse.ln();
    if c.multiplicative_error {
        lik += 2.0 * log_f;
    }
    if lik.is_nan() {
        return None;
    }
    Some(Run {
        lik: lik.max(-1e10),
        sse,
        final_state: state,
    })
}

/// [`run`]'s likelihood alone, for the optimiser: the same equations, compiled once per
/// model shape (error, trend, season as constants) so the inner loop has no branches on
/// them, and the log of the forecasts accumulated as a product (one `ln` per overflow guard
/// instead of one per observation). `+∞` where [`run`] gives `None`.
pub fn lik_only(y: &[f64], c: &Components, p: &Smoothing, init: &State, scratch: &mut Vec<f64>) -> f64 {
    const N: u8 = 0;
    const A: u8 = 1;
    const M: u8 = 2;
    let t = match c.trend {
        Trend::None => N,
        Trend::Additive => A,
        Trend::Multiplicative => M,
    };
    let s = match c.season {
        Season::None => N,
        Season::Additive => A,
        Season::Multiplicative => M,
    };
    macro_rules! dispatch {
        ($($e:literal, $t:ident, $s:ident);*) => {
            match (c.multiplicative_error, t, s) {
                $(($e, $t, $s) => lik_shape::<$e, $t, $s>(y, p, init, scratch),)*
                _ => f64::INFINITY,
            }
        };
    }
    dispatch!(
        false, N, N; false, N, A; false, N, M; false, A, N; false, A, A; false, A, M;
        false, M, N; false, M, A; false, M, M; true, N, N; true, N, A; true, N, M;
        true, A, N; true, A, A; true, A, M; true, M, N; true, M, A; true, M, M
    )
}

#[inline(always)]
fn lik_shape<const MULT_ERR: bool, const TREND: u8, const SEASON: u8>(
    y: &[f64],
    p: &Smoothing,
    init: &State,
    seasonal: &mut Vec<f64>,
) -> f64 {
    let (mut level, mut growth) = (init.level, init.growth);
    seasonal.clear();
    seasonal.extend_from_slice(&init.seasonal);
    let m = seasonal.len();
    // Index of R's s[m−1] (the season of the next observation); the ring turns backwards.
    let mut oldest = if m > 0 { (init.head + m - 1) % m } else { 0 };
    let (alpha, beta, gamma, phi) = (p.alpha, p.beta, p.gamma, p.phi);
    let beta_over_alpha = beta / alpha;
    let damped_mult = (phi - 1.0).abs() >= TOL;
    let mut sse = 0.0;
    let mut log_f = 0.0;
    let mut prod_f = 1.0f64;
    for &yt in y {
        let old_s = if SEASON != 0 { seasonal[oldest] } else { 0.0 };
        // Trend part of the forecast (q) and damped growth (phib).
        let (phib, q) = match TREND {
            0 => (0.0, level),
            1 => {
                let phib = phi * growth;
                (phib, level + phib)
            }
            _ => {
                if growth < 0.0 {
                    return f64::INFINITY;
                }
                let phib = if damped_mult { growth.powf(phi) } else { growth };
                (phib, level * phib)
            }
        };
        let f = match SEASON {
            0 => q,
            1 => q + old_s,
            _ => q * old_s,
        };
        let e = if MULT_ERR {
            if f.abs() < TOL || !f.is_finite() {
                return f64::INFINITY;
            }
            prod_f *= f.abs();
            if !(1e-100..=1e100).contains(&prod_f) {
                log_f += prod_f.ln();
                prod_f = 1.0;
            }
            (yt - f) / f
        } else {
            yt - f
        };
        sse += e * e;
        // State updates (etscalc.c `update`).
        let deseasoned = match SEASON {
            0 => yt,
            1 => yt - old_s,
            _ => {
                if old_s.abs() < TOL {
                    HUGE
                } else {
                    yt / old_s
                }
            }
        };
        let old_level = level;
        level = q + alpha * (deseasoned - q);
        match TREND {
            0 => {}
            1 => growth = phib + beta_over_alpha * (level - old_level - phib),
            _ => {
                let r = if old_level.abs() < TOL { HUGE } else { level / old_level };
                growth = phib + beta_over_alpha * (r - phib);
            }
        }
        if SEASON != 0 {
            let target = match SEASON {
                1 => yt - q,
                _ => {
                    if q.abs() < TOL {
                        HUGE
                    } else {
                        yt / q
                    }
                }
            };
            seasonal[oldest] = old_s + gamma * (target - old_s);
            oldest = if oldest == 0 { m - 1 } else { oldest - 1 };
        }
    }
    if MULT_ERR {
        log_f += prod_f.ln();
    }
    let n = y.len() as f64;
    let mut lik = n * sse.ln();
    if MULT_ERR {
        lik += 2.0 * log_f;
    }
    if lik.is_nan() { f64::INFINITY } else { lik.max(-1e10) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_likelihood_equals_the_plain_one_for_every_shape() {
        let y: Vec<f64> = (0..60)
            .map(|t| 50.0 + t as f64 + 10.0 * ((t % 4) as f64 - 1.5) + ((t * 7) % 5) as f64)
            .collect();
        let p = Smoothing {
            alpha: 0.3,
            beta: 0.05,
            gamma: 0.1,
            phi: 0.9,
        };
        for multiplicative_error in [false, true] {
            for trend in [Trend::None, Trend::Additive, Trend::Multiplicative] {
                for season in [Season::None, Season::Additive, Season::Multiplicative] {
                    for damped in [false, true] {
                        let c = Components {
                            multiplicative_error,
                            trend,
                            damped,
                            season,
                        };
                        let p = Smoothing {
                            phi: if damped { p.phi } else { 1.0 },
                            ..p
                        };
                        let growth = if trend == Trend::Multiplicative { 1.01 } else { 1.0 };
                        let seasonal = match season {
                            Season::None => vec![],
                            Season::Additive => vec![-15.0, -5.0, 5.0, 15.0],
                            Season::Multiplicative => vec![0.8, 0.9, 1.1, 1.2],
                        };
                        let mut init = State::new(50.0, growth, seasonal);
                        if season != Season::None {
                            init.head = 1;
                        }
                        let plain = run(&y, &c, &p, &init, None).map_or(f64::INFINITY, |r| r.lik);
                        let fast = lik_only(&y, &c, &p, &init, &mut Vec::new());
                        assert!(
                            (plain - fast).abs() <= 1e-9 * plain.abs(),
                            "{}: {plain} vs {fast}",
                            c.label()
                        );
                    }
                }
            }
        }
    }
}
