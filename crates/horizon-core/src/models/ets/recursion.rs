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
            let s = self.season(self.m() - 1);
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
        let old_s = if m > 0 { self.season(m - 1) } else { 0.0 };
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
            let oldest = (self.head + m - 1) % m;
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
