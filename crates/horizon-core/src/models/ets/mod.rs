//! Exponential smoothing in state-space form — ETS(error, trend, season) — after Hyndman,
//! Koehler, Ord & Snyder (2008), *Forecasting with Exponential Smoothing: the State Space
//! Approach* (Springer), fitted and selected the way R's `forecast::ets` (Hyndman &
//! Khandakar 2008, *J. Stat. Software* 27(3)) and statsforecast's `AutoETS` do:
//!
//! * errors additive or multiplicative (the latter only for positive data); trend none,
//!   additive or additive damped; season none, additive or multiplicative; the unstable
//!   combinations with additive errors and multiplicative seasons are excluded;
//! * each candidate fitted by maximum likelihood (Nelder–Mead over smoothing parameters and
//!   initial states, [`fit`]); the lowest AICc wins;
//! * intervals: the analytic variance of the linear models (class 1, §6.3, Table 6.1),
//!   simulated sample paths for the others (§6.1).
//!
//! Seasons longer than 24 periods (52 weeks), which R and statsforecast drop silently, are
//! handled by fitting ETS to the seasonally adjusted series (classical decomposition) and
//! adding the seasonal indices back; the description says so.
//!
//! Not done yet: multiplicative trends, the "admissible" parameter region (only the usual
//! region is searched).

mod family;
mod fit;
mod init;
mod recursion;

use super::{Fitted, Forecast, Forecaster, Interval, ModelError, check_finite, check_levels};
use crate::data::Series;
use fit::Fit;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

pub use family::ETS;
pub use fit::{admissible, n_free};
pub(crate) use init::seasonal_figure;
pub use recursion::{Smoothing, State};

/// Run a model with given parameters and initial state over `y`: its `lik` (−2 log-likelihood
/// up to a constant, `n·log Σe² [+ 2 Σ log|ŷ|]`) and the `h`-step point forecasts from the end.
/// `init` holds R's layout (`seasonal[0]` = s0 … `seasonal[m−1]`). `None` when undefined.
pub fn evaluate(y: &[f64], c: &Components, p: &Smoothing, init: &State, h: usize) -> Option<(f64, Vec<f64>)> {
    let r = recursion::run(y, c, p, init, None)?;
    let mut f = Vec::new();
    r.final_state.forecast(c, p.phi, h, &mut f);
    Some((r.lik, f))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Trend {
    None,
    Additive,
    Multiplicative,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Season {
    None,
    Additive,
    Multiplicative,
}

/// Which ETS model: error, trend (and damping), season.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Components {
    pub multiplicative_error: bool,
    pub trend: Trend,
    pub damped: bool,
    pub season: Season,
}

impl Components {
    /// `ETS(M,Ad,A)` notation.
    pub fn label(&self) -> String {
        let e = if self.multiplicative_error { "M" } else { "A" };
        let t = match (self.trend, self.damped) {
            (Trend::None, _) => "N",
            (Trend::Additive, false) => "A",
            (Trend::Additive, true) => "Ad",
            (Trend::Multiplicative, false) => "M",
            (Trend::Multiplicative, true) => "Md",
        };
        let s = match self.season {
            Season::None => "N",
            Season::Additive => "A",
            Season::Multiplicative => "M",
        };
        format!("ETS({e},{t},{s})")
    }

    /// Models with analytic prediction variances: additive trend and season, either error
    /// (classes 1 and 2 of Hyndman et al. 2008). The others are simulated.
    fn has_analytic_variance(&self) -> bool {
        self.trend != Trend::Multiplicative && self.season != Season::Multiplicative
    }
}

/// Seasons up to this length are modelled inside ETS, as in R's `ets`.
pub const MAX_ETS_SEASON: usize = 24;

/// Automatic ETS: every admissible model fitted, the lowest AICc kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AutoEts {
    /// Season length; `None` = the series frequency's usual season.
    pub season: Option<usize>,
}

/// The candidates for data that is (or is not) strictly positive, with season `m`.
fn candidates(positive: bool, seasonal: bool) -> Vec<Components> {
    let mut out = Vec::new();
    for multiplicative_error in [false, true] {
        if multiplicative_error && !positive {
            continue;
        }
        for (trend, damped) in [(Trend::None, false), (Trend::Additive, false), (Trend::Additive, true)] {
            let seasons: &[Season] = if !seasonal {
                &[Season::None]
            } else if positive {
                &[Season::None, Season::Additive, Season::Multiplicative]
            } else {
                &[Season::None, Season::Additive]
            };
            for &season in seasons {
                if !multiplicative_error && season == Season::Multiplicative {
                    continue;
                }
                out.push(Components {
                    multiplicative_error,
                    trend,
                    damped,
                    season,
                });
            }
        }
    }
    out
}

/// Fit every candidate with enough data and keep the lowest AICc.
fn select(y: &[f64], m: usize) -> Option<Fit> {
    let positive = y.iter().all(|v| *v > 0.0);
    let seasonal = m > 1 && y.len() > m;
    candidates(positive, seasonal)
        .into_iter()
        .filter(|c| y.len() > n_free(c, m) + 4 || (c.trend == Trend::None && c.season == Season::None))
        .filter_map(|c| fit::fit(y, c, m))
        .filter(|f| f.aicc.is_finite() || f.n_params + 2 >= y.len())
        .min_by(|a, b| a.aicc.total_cmp(&b.aicc))
}

/// Seasonal indices removed before fitting (long seasons), per position in the season.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Deseasoned {
    figure: Vec<f64>,
    /// Position in the season of the first forecast step.
    next: usize,
}

/// A fitted ETS model, self-contained: enough to forecast again after a round trip through
/// serde.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedEts {
    pub components: Components,
    pub smoothing: Smoothing,
    pub last_state: State,
    pub sigma2: f64,
    pub aicc: f64,
    /// −2 log-likelihood up to a constant, as [`evaluate`] computes it.
    pub lik: f64,
    pub n: usize,
    /// The season the user asked for (may exceed [`MAX_ETS_SEASON`]).
    pub season: usize,
    deseasoned: Option<Deseasoned>,
    /// Why a long season was not modelled, if so.
    note: Option<String>,
}

impl Forecaster for AutoEts {
    fn name(&self) -> String {
        "ets".into()
    }

    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        Ok(Box::new(self.fit_values(
            &series.values,
            self.season.unwrap_or(series.freq.default_season()),
        )?))
    }
}

impl AutoEts {
    /// Fit one given model (no selection) with season `m`, as `ETS(M,A,M)` would in R.
    pub fn fit_model(y: &[f64], c: Components, m: usize) -> Result<FittedEts, ModelError> {
        check_finite(y)?;
        let best = fit::fit(y, c, m.max(1))
            .ok_or_else(|| ModelError::Invalid(format!("{} could not be fitted", c.label())))?;
        Ok(FittedEts::of(best, y.len(), m.max(1), None, None))
    }

    /// Fit to raw values with season `m` (1 = non-seasonal).
    pub fn fit_values(&self, y: &[f64], m: usize) -> Result<FittedEts, ModelError> {
        check_finite(y)?;
        if y.len() < 3 {
            return Err(ModelError::TooShort {
                model: "ets".into(),
                needed: 3,
                got: y.len(),
            });
        }
        let m = m.max(1);
        let (values, m_ets, deseasoned, note) = if m > MAX_ETS_SEASON {
            match init::seasonal_figure(y, m, false) {
                Some(figure) => {
                    let adjusted: Vec<f64> = y.iter().enumerate().map(|(t, v)| v - figure[t % m]).collect();
                    let next = y.len() % m;
                    (adjusted, 1, Some(Deseasoned { figure, next }), None)
                }
                None => (
                    y.to_vec(),
                    1,
                    None,
                    Some(format!("season {m} ignored: fewer than two seasons of data")),
                ),
            }
        } else {
            (y.to_vec(), m, None, None)
        };
        let best = select(&values, m_ets).ok_or_else(|| ModelError::TooShort {
            model: "ets".into(),
            needed: 4,
            got: y.len(),
        })?;
        Ok(FittedEts::of(best, y.len(), m, deseasoned, note))
    }
}

/// Sample paths drawn for the intervals of non-linear models.
const PATHS: usize = 5000;

impl FittedEts {
    /// The fitted model of `best` on `n` observations with season `season`.
    fn of(best: fit::Fit, n: usize, season: usize, deseasoned: Option<Deseasoned>, note: Option<String>) -> FittedEts {
        FittedEts {
            components: best.components,
            smoothing: best.smoothing,
            last_state: best.final_state,
            sigma2: best.sigma2,
            aicc: best.aicc,
            lik: best.lik,
            n,
            season,
            deseasoned,
            note,
        }
    }

    /// c_j = α + β φ_j + γ [j ≡ 0 mod m] for j = 1 … h−1, φ_j = φ + … + φ^j (Hyndman et al.
    /// 2008, Table 6.1).
    fn c_weights(&self, h: usize) -> Vec<f64> {
        let p = &self.smoothing;
        let c = &self.components;
        let m = self.last_state.seasonal.len().max(1);
        let mut phi_j = 0.0;
        (1..h)
            .map(|j| {
                phi_j += if c.damped { p.phi.powi(j as i32) } else { 1.0 };
                let mut cj = p.alpha;
                if c.trend != Trend::None {
                    cj += p.beta * phi_j;
                }
                if c.season != Season::None && j % m == 0 {
                    cj += p.gamma;
                }
                cj
            })
            .collect()
    }

    /// Forecast standard deviations with analytic variances: class 1 (additive errors),
    /// σ²_h = σ² (1 + Σ_{j<h} c_j²); class 2 (multiplicative errors, additive trend and season),
    /// v_h = (1 + σ²) θ_h − μ_h², θ_h = μ_h² + σ² Σ_{j<h} c_j² θ_{h−j} (Hyndman et al. 2008,
    /// §6.3–6.4; R's `forecast.ets` uses the same).
    fn analytic_sd(&self, mu: &[f64]) -> Vec<f64> {
        let h = mu.len();
        let cj = self.c_weights(h);
        if !self.components.multiplicative_error {
            let mut sum = 0.0;
            return (0..h)
                .map(|j| {
                    if j > 0 {
                        sum += cj[j - 1] * cj[j - 1];
                    }
                    (self.sigma2 * (1.0 + sum)).sqrt()
                })
                .collect();
        }
        let mut theta: Vec<f64> = Vec::with_capacity(h);
        for k in 0..h {
            let tail: f64 = (1..=k).map(|j| cj[j - 1] * cj[j - 1] * theta[k - j]).sum();
            theta.push(mu[k] * mu[k] + self.sigma2 * tail);
        }
        theta
            .iter()
            .zip(mu)
            .map(|(t, m)| ((1.0 + self.sigma2) * t - m * m).max(0.0).sqrt())
            .collect()
    }

    /// Quantiles of simulated future paths, per step, at the probabilities asked.
    fn simulate(&self, h: usize, probs: &[f64]) -> Vec<Vec<f64>> {
        let mut rng = ChaCha8Rng::seed_from_u64(0x4554_5321);
        let sd = self.sigma2.max(0.0).sqrt();
        let c = &self.components;
        let mut paths: Vec<Vec<f64>> = vec![Vec::with_capacity(PATHS); h];
        let mut s = self.last_state.clone();
        for _ in 0..PATHS {
            s.clone_from(&self.last_state);
            for step in paths.iter_mut() {
                let f = s.one_step(c, self.smoothing.phi);
                let e: f64 = StandardNormal.sample(&mut rng);
                let y = if c.multiplicative_error {
                    f * (1.0 + sd * e)
                } else {
                    f + sd * e
                };
                step.push(y);
                s.update(c, &self.smoothing, y);
            }
        }
        paths
            .into_iter()
            .map(|mut v| {
                v.retain(|x| x.is_finite());
                probs.iter().map(|&q| quantile(&mut v, q)).collect()
            })
            .collect()
    }
}

/// Linear-interpolated quantile (R type 7) by selection, not sorting: `v` is reordered.
fn quantile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let (_, &mut at, above) = v.select_nth_unstable_by(lo, f64::total_cmp);
    let next = above.iter().copied().fold(f64::INFINITY, f64::min);
    if next.is_finite() {
        at + (pos - lo as f64) * (next - at)
    } else {
        at
    }
}

impl Fitted for FittedEts {
    fn to_state(&self) -> crate::models::FittedModel {
        crate::models::FittedModel::Ets(self.clone())
    }

    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
        let levels = check_levels(levels)?;
        let mut point = Vec::new();
        self.last_state
            .forecast(&self.components, self.smoothing.phi, horizon, &mut point);
        let mut forecast = if self.components.has_analytic_variance() {
            let sd = self.analytic_sd(&point);
            Forecast::normal(point, &sd, &levels)?
        } else {
            let probs: Vec<f64> = levels.iter().flat_map(|l| [0.5 - l / 200.0, 0.5 + l / 200.0]).collect();
            let q = self.simulate(horizon, &probs);
            let intervals = levels
                .iter()
                .enumerate()
                .map(|(k, &level)| Interval {
                    level,
                    lower: q.iter().map(|row| row[2 * k]).collect(),
                    upper: q.iter().map(|row| row[2 * k + 1]).collect(),
                })
                .collect();
            Forecast { point, intervals }
        };
        if let Some(d) = &self.deseasoned {
            let m = d.figure.len();
            for step in 0..horizon {
                let s = d.figure[(d.next + step) % m];
                forecast.point[step] += s;
                for iv in &mut forecast.intervals {
                    iv.lower[step] += s;
                    iv.upper[step] += s;
                }
            }
        }
        // Keep bounds around the point even where simulation noise says otherwise.
        for iv in &mut forecast.intervals {
            for (j, p) in forecast.point.iter().enumerate() {
                iv.lower[j] = iv.lower[j].min(*p);
                iv.upper[j] = iv.upper[j].max(*p);
            }
        }
        if forecast.point.iter().any(|v| !v.is_finite()) {
            return Err(ModelError::Invalid(format!(
                "{} produced a non-finite forecast",
                self.components.label()
            )));
        }
        Ok(forecast)
    }

    fn description(&self) -> String {
        let p = &self.smoothing;
        let c = &self.components;
        let mut parts = vec![format!("α={:.3}", p.alpha)];
        if c.trend != Trend::None {
            parts.push(format!("β={:.3}", p.beta));
        }
        if c.season != Season::None {
            parts.push(format!("γ={:.3}", p.gamma));
        }
        if c.damped {
            parts.push(format!("φ={:.3}", p.phi));
        }
        // A constant series' likelihood is clipped (AICc about -1e10) and three values leave
        // AICc no degrees of freedom (infinite): neither is a number to show.
        let by = if self.aicc.is_finite() && self.aicc.abs() < 1e9 {
            format!("chosen by AICc ({:.1})", self.aicc)
        } else {
            "chosen (AICc is no meaningful number on so few or so even values)".to_string()
        };
        let mut d = format!(
            "{} {by} among exponential smoothing models; {}.",
            c.label(),
            parts.join(", ")
        );
        if self.deseasoned.is_some() {
            d.push_str(&format!(
                " Season {} is longer than ETS handles ({}): fitted to the seasonally adjusted series \
                 (classical decomposition), seasonal indices added back.",
                self.season, MAX_ETS_SEASON
            ));
        }
        if let Some(n) = &self.note {
            d.push(' ');
            d.push_str(n);
            d.push('.');
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three values (AICc infinite) and a constant series (likelihood clipped, AICc about
    /// -1e10) get no AICc figure; an ordinary series does.
    #[test]
    fn descriptions_show_only_a_meaningful_aicc() {
        let ets = AutoEts::default();
        for y in [vec![5.0, 7.0, 6.0], vec![3.0; 6]] {
            let d = ets.fit_values(&y, 1).unwrap().description();
            assert!(
                d.contains("AICc is no meaningful number") && !d.contains("AICc ("),
                "{d}"
            );
        }
        let y: Vec<f64> = (0..30).map(|t| 10.0 + t as f64 + ((t * 7) % 5) as f64).collect();
        let d = ets.fit_values(&y, 1).unwrap().description();
        assert!(d.contains(" chosen by AICc (") && !d.contains("no meaningful"), "{d}");
    }

    #[test]
    fn quantiles_by_selection_match_sorting() {
        let mut v: Vec<f64> = (0..101).map(|i| ((i * 37) % 101) as f64).collect();
        assert_eq!(quantile(&mut v, 0.5), 50.0);
        assert_eq!(quantile(&mut v, 0.025), 2.5);
        assert_eq!(quantile(&mut v, 1.0), 100.0);
        assert_eq!(quantile(&mut v, 0.0), 0.0);
    }
}
