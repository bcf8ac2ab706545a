//! The Theta method as a state-space model, after Fiorucci, Pellegrini, Louzada, Petropoulos &
//! Koehler (2016), "Models for optimising the theta method and their relationship to state
//! space models", *International Journal of Forecasting* 32(4), 1151–1161.
//!
//! The Theta method (Assimakopoulos & Nikolopoulos 2000, *IJF* 16(4); the M3 competition's
//! winner) forecasts a smoothed level plus a share `1 − 1/θ` of the series' long-run trend
//! line `A + B t`. Fiorucci et al. write it as one-step equations:
//!
//! ```text
//! μₜ = ℓₜ₋₁ + (1 − 1/θ) · (Aₜ₋₁ (1 − α)ᵗ + Bₜ₋₁ (1 − (1 − α)ᵗ⁺¹) / α)
//! ℓₜ = α yₜ + (1 − α) ℓₜ₋₁
//! ```
//!
//! with four variants: the standard model (STM, θ = 2, the classic method) and the optimised one
//! (OTM, θ fitted), each with the trend line fixed by least squares over the whole series or
//! *dynamic* (DSTM, DOTM: A and B updated with each observation from running means). The start
//! level ℓ₀, α ∈ [0.1, 0.99] and, for the optimised variants, θ ≥ 1 minimise the in-sample sum of
//! squared one-step errors (after the first three), by Nelder–Mead; `theta` (AutoTheta) fits the
//! four and keeps the one of least error, as statsforecast's `AutoTheta` does.
//!
//! Seasonal series are adjusted first when the autocorrelation at the season's lag is
//! significant (one-sided 90 % test with Bartlett's standard error, as Fiorucci et al. and
//! statsforecast): classical decomposition, multiplicative for positive data unless an index
//! falls below 0.01; the indices are put back on the forecast.
//!
//! Intervals: normal, from the model's own error propagation. Every state, the dynamic trend
//! line's too, is linear in the values with coefficients set by the time index, so the h-step
//! error is the step's own error plus the responses to the earlier ones, each found by running
//! the equations from a zero state (for the standard and optimised models this is simple
//! exponential smoothing's σ²(1 + (h − 1)α²), Hyndman et al. 2008, Table 6.1). σ is the
//! standard deviation of the one-step errors after the first three. (statsforecast simulates
//! 200 paths instead.)

use super::family::{Entry, Family, variant_and_season};
use super::season::{Deseasoned, deseason, significant_season};
use super::{Fitted, FittedModel, Forecast, Forecaster, Interval, ModelError, ModelSpec, check_finite, check_levels};
use crate::data::Series;
use crate::optim::NelderMead;
use serde::{Deserialize, Serialize};

/// Which Theta model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// θ = 2, trend line fixed (the classic Theta method).
    Standard,
    /// θ fitted, trend line fixed.
    Optimized,
    /// θ = 2, trend line updated with each value.
    DynamicStandard,
    /// θ fitted, trend line updated with each value.
    DynamicOptimized,
}

impl Variant {
    pub const ALL: [Variant; 4] = [
        Variant::Standard,
        Variant::Optimized,
        Variant::DynamicStandard,
        Variant::DynamicOptimized,
    ];

    fn dynamic(self) -> bool {
        matches!(self, Variant::DynamicStandard | Variant::DynamicOptimized)
    }

    fn fits_theta(self) -> bool {
        matches!(self, Variant::Optimized | Variant::DynamicOptimized)
    }

    /// The short code of the literature (`stm`, `dotm`), used in `theta:dotm`.
    pub fn code(self) -> &'static str {
        match self {
            Variant::Standard => "stm",
            Variant::Optimized => "otm",
            Variant::DynamicStandard => "dstm",
            Variant::DynamicOptimized => "dotm",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Variant::Standard => "standard",
            Variant::Optimized => "optimised",
            Variant::DynamicStandard => "dynamic standard",
            Variant::DynamicOptimized => "dynamic optimised",
        }
    }
}

/// Theta with its season (`None`: the frequency's usual one) and variant (`None`: the best of
/// the four by in-sample error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct AutoTheta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub season: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<Variant>,
}

/// The state after an observation: the smoothed level, the running mean of the values and the
/// trend line's intercept `a` and slope `b`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct State {
    level: f64,
    mean: f64,
    a: f64,
    b: f64,
}

/// A model's parameters: start level, smoothing and θ.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Params {
    level0: f64,
    alpha: f64,
    theta: f64,
}

/// The forecast of observation `i` (counted from 0) from the state after observation `i − 1`.
fn mean_at(s: &State, i: usize, p: &Params) -> f64 {
    let q = (1.0 - p.alpha).powi(i as i32);
    s.level + (1.0 - 1.0 / p.theta) * (s.a * q + s.b * (1.0 - q * (1.0 - p.alpha)) / p.alpha)
}

/// The state after observation `i` is `y`.
fn advance(s: &State, i: usize, y: f64, p: &Params, dynamic: bool) -> State {
    let t = i as f64;
    let mean = (t * s.mean + y) / (t + 1.0);
    let (a, b) = if dynamic {
        let b = ((t - 1.0) * s.b + 6.0 * (y - s.mean) / (t + 1.0)) / (t + 2.0);
        (mean - b * (t + 2.0) / 2.0, b)
    } else {
        (s.a, s.b)
    };
    State {
        level: p.alpha * y + (1.0 - p.alpha) * s.level,
        mean,
        a,
        b,
    }
}

/// The state after the first value and that value's error.
fn start(y: &[f64], p: &Params, dynamic: bool) -> (State, f64) {
    let (a, b, mu) = if dynamic {
        (y[0], 0.0, y[0])
    } else {
        // The least-squares line through (t, yₜ), t = 1..n.
        let n = y.len() as f64;
        let mean = y.iter().sum::<f64>() / n;
        let weighted = y.iter().enumerate().map(|(t, v)| (t + 1) as f64 * v).sum::<f64>() / n;
        let b = 6.0 * (2.0 * weighted - (n + 1.0) * mean) / (n * n - 1.0);
        let a = mean - (n + 1.0) * b / 2.0;
        (a, b, p.level0 + (1.0 - 1.0 / p.theta) * (a + b))
    };
    let state = State {
        level: p.alpha * y[0] + (1.0 - p.alpha) * p.level0,
        mean: y[0],
        a,
        b,
    };
    (state, y[0] - mu)
}

/// Run the model over `y`: the one-step errors and the last state.
fn run(y: &[f64], p: &Params, dynamic: bool) -> (Vec<f64>, State) {
    let (mut s, e0) = start(y, p, dynamic);
    let mut errors = Vec::with_capacity(y.len());
    errors.push(e0);
    for (i, &v) in y.iter().enumerate().skip(1) {
        errors.push(v - mean_at(&s, i, p));
        s = advance(&s, i, v, p, dynamic);
    }
    (errors, s)
}

/// The fitting criterion: squared one-step errors after the first three, over the mean
/// absolute value (statsforecast's scale, which makes the variants' values comparable).
fn criterion(errors: &[f64], scale: f64) -> f64 {
    errors.iter().skip(3).map(|e| e * e).sum::<f64>() / scale
}

/// [`criterion`] of [`run`], without keeping the errors: the optimiser's objective, with
/// (1 − α)ⁱ carried from step to step instead of raised each time.
fn criterion_of(y: &[f64], p: &Params, dynamic: bool, scale: f64) -> f64 {
    let (mut s, _) = start(y, p, dynamic);
    let (decay, drift) = (1.0 - p.alpha, 1.0 - 1.0 / p.theta);
    let mut q = 1.0;
    let mut sse = 0.0;
    for (i, &v) in y.iter().enumerate().skip(1) {
        q *= decay;
        let mu = s.level + drift * (s.a * q + s.b * (1.0 - q * decay) / p.alpha);
        if i >= 3 {
            sse += (v - mu) * (v - mu);
        }
        s = advance(&s, i, v, p, dynamic);
    }
    sse / scale
}

const ALPHA_BOUNDS: (f64, f64) = (0.1, 0.99);
const THETA_BOUNDS: (f64, f64) = (1.0, 1e10);
const LEVEL_BOUNDS: (f64, f64) = (-1e10, 1e10);

/// One variant fitted: its parameters, criterion, errors and last state.
struct Fit {
    variant: Variant,
    params: Params,
    criterion: f64,
    errors: Vec<f64>,
    last: State,
}

fn fit_variant(y: &[f64], variant: Variant) -> Option<Fit> {
    let dynamic = variant.dynamic();
    let scale = (y.iter().map(|v| v.abs()).sum::<f64>() / y.len() as f64).max(1e-10);
    let params_of = |x: &[f64]| Params {
        level0: x[0],
        alpha: x[1],
        theta: if variant.fits_theta() { x[2] } else { 2.0 },
    };
    let objective = |x: &[f64]| {
        let value = criterion_of(y, &params_of(x), dynamic, scale);
        if value.is_finite() { value } else { f64::INFINITY }
    };
    let level_step = if y[0] != 0.0 { 0.05 * y[0].abs() } else { 1e-4 }.max(1e-4);
    let x0 = [y[0] / 2.0, 0.5, 2.0];
    let steps = [level_step, 0.05, 0.1];
    // statsforecast's level bounds, in units of the series' size past 1 (sales totals of
    // 1e10 and more would otherwise be cut off at the bound).
    let size = scale.max(1.0);
    let lower = [LEVEL_BOUNDS.0 * size, ALPHA_BOUNDS.0, THETA_BOUNDS.0];
    let upper = [LEVEL_BOUNDS.1 * size, ALPHA_BOUNDS.1, THETA_BOUNDS.1];
    let k = if variant.fits_theta() { 3 } else { 2 };
    let nm = NelderMead {
        reltol: 1e-10,
        max_evals: 2000,
    };
    let best = nm.minimize_in_box(objective, &x0[..k], &steps[..k], &lower[..k], &upper[..k]);
    let params = params_of(&best.x);
    let (errors, last) = run(y, &params, dynamic);
    let value = criterion(&errors, scale);
    value.is_finite().then_some(Fit {
        variant,
        params,
        criterion: value,
        errors,
        last,
    })
}

/// A fitted Theta model, self-contained for forecasting after a round trip through serde.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedTheta {
    variant: Variant,
    params: Params,
    last: State,
    /// Observations fitted (the time index of the first forecast step).
    n: usize,
    /// Standard deviation of the one-step errors.
    sigma: f64,
    /// The fitting criterion reached (squared one-step errors over the mean absolute value).
    criterion: f64,
    deseasoned: Option<Deseasoned>,
    description: String,
}

impl Forecaster for AutoTheta {
    fn name(&self) -> String {
        match self.variant {
            Some(v) => format!("theta:{}", v.code()),
            None => "theta".into(),
        }
    }

    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        let y = &series.values;
        check_finite(y)?;
        if y.len() < 4 {
            return Err(ModelError::TooShort {
                model: Forecaster::name(self),
                needed: 4,
                got: y.len(),
            });
        }
        let m = self.season.unwrap_or(series.freq.default_season());
        let deseasoned = if significant_season(y, m) { deseason(y, m) } else { None };
        let adjusted = deseasoned.as_ref().map(|d| d.remove(y));
        let values = adjusted.as_deref().unwrap_or(y);
        let variants = self.variant.map_or(Variant::ALL.to_vec(), |v| vec![v]);
        let best = variants
            .into_iter()
            .filter_map(|v| fit_variant(values, v))
            .min_by(|a, b| a.criterion.total_cmp(&b.criterion))
            .ok_or(ModelError::Overflow)?;
        let tail = if best.errors.len() >= 5 {
            &best.errors[3..]
        } else {
            &best.errors[..]
        };
        let mean = tail.iter().sum::<f64>() / tail.len() as f64;
        let sigma = (tail.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (tail.len() - 1) as f64).sqrt();
        let description = describe(&best, deseasoned.as_ref(), series.freq.unit());
        Ok(Box::new(FittedTheta {
            variant: best.variant,
            params: best.params,
            last: best.last,
            n: y.len(),
            sigma,
            criterion: best.criterion,
            deseasoned,
            description,
        }))
    }
}

/// θ for the description: two decimals, or three significant digits in powers of ten from a
/// thousand on (the optimiser may push θ to millions, where the trend line's share is 100 %).
fn theta_words(theta: f64) -> String {
    // From the values that two decimals would round to 1000.00 on.
    if theta.abs() >= 999.995 {
        format!("{theta:.2e}")
    } else {
        format!("{theta:.2}")
    }
}

fn describe(fit: &Fit, deseasoned: Option<&Deseasoned>, unit: &str) -> String {
    let p = &fit.params;
    let mut s = format!(
        "Theta ({}, θ = {}, α = {:.2}): the sales' smoothed level plus {:.0} % of their long-run \
         trend line{}.",
        fit.variant.words(),
        theta_words(p.theta),
        p.alpha,
        100.0 * (1.0 - 1.0 / p.theta),
        if fit.variant.dynamic() {
            ", the line updated with every new value"
        } else {
            ""
        }
    );
    if let Some(d) = deseasoned {
        s.push_str(&format!(
            " A {}-{unit} seasonal pattern was taken out first and put back ({}).",
            d.figure.len(),
            if d.multiplicative { "in proportion" } else { "added" }
        ));
    }
    s
}

impl FittedTheta {
    /// The variant chosen.
    pub fn variant(&self) -> Variant {
        self.variant
    }

    /// Smoothing α, θ and the fitting criterion reached.
    pub fn fitted(&self) -> (f64, f64, f64) {
        (self.params.alpha, self.params.theta, self.criterion)
    }

    /// Whether the season was taken out first, and in proportion.
    pub fn deseasoned(&self) -> Option<bool> {
        self.deseasoned.as_ref().map(|d| d.multiplicative)
    }

    /// Point forecasts on the adjusted scale.
    fn points(&self, horizon: usize) -> Vec<f64> {
        let mut s = self.last;
        (0..horizon)
            .map(|j| {
                let f = mean_at(&s, self.n + j, &self.params);
                s = advance(&s, self.n + j, f, &self.params, self.variant.dynamic());
                f
            })
            .collect()
    }

    /// The standard deviation of each step's forecast error. Every state update is linear in
    /// the new value with coefficients fixed by the time index (the dynamic line's too), so a
    /// step's error is its own shock plus the responses to the earlier ones: each shock's
    /// response is the model run from a zero state from that step on.
    fn sd(&self, horizon: usize) -> Vec<f64> {
        let dynamic = self.variant.dynamic();
        let zero = State {
            level: 0.0,
            mean: 0.0,
            a: 0.0,
            b: 0.0,
        };
        let mut variance = vec![1.0; horizon];
        for j in 0..horizon {
            // A unit shock at step j; later steps observe their own (zero-state) forecasts.
            let mut s = advance(&zero, self.n + j, 1.0, &self.params, dynamic);
            for (k, v) in variance.iter_mut().enumerate().skip(j + 1) {
                let response = mean_at(&s, self.n + k, &self.params);
                *v += response * response;
                s = advance(&s, self.n + k, response, &self.params, dynamic);
            }
        }
        variance.iter().map(|v| self.sigma * v.sqrt()).collect()
    }
}

impl Fitted for FittedTheta {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
        let levels = check_levels(levels)?;
        let point = self.points(horizon);
        let sd = self.sd(horizon);
        let season = |v: Vec<f64>| -> Vec<f64> {
            match &self.deseasoned {
                Some(d) => v.into_iter().enumerate().map(|(j, x)| d.restore(j, x)).collect(),
                None => v,
            }
        };
        let intervals = levels
            .iter()
            .map(|&level| {
                let z = crate::stats::z_for_level(level);
                Interval {
                    level,
                    lower: season(point.iter().zip(&sd).map(|(p, s)| p - z * s).collect()),
                    upper: season(point.iter().zip(&sd).map(|(p, s)| p + z * s).collect()),
                }
            })
            .collect();
        let point = season(point);
        if point.iter().any(|v| !v.is_finite()) {
            return Err(ModelError::Overflow);
        }
        Ok(Forecast { point, intervals })
    }

    fn description(&self) -> String {
        self.description.clone()
    }

    fn to_state(&self) -> FittedModel {
        FittedModel::Theta(self.clone())
    }
}

impl Family for AutoTheta {
    fn name(&self) -> String {
        Forecaster::name(self)
    }
    fn summary(&self) -> &'static str {
        "smoothed level plus part of the trend line (M3 winner)"
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(*self)
    }
    fn with_season(&self, season: usize) -> Option<ModelSpec> {
        self.season.is_none().then_some(ModelSpec::Theta(AutoTheta {
            season: Some(season),
            ..*self
        }))
    }
}

/// `theta`, `theta:12`, `theta:dotm`, `theta:dotm/12`.
fn parse(setting: Option<&str>) -> Result<ModelSpec, ModelError> {
    let Some(s) = setting else {
        return Ok(ModelSpec::Theta(AutoTheta::default()));
    };
    let codes = Variant::ALL.map(Variant::code);
    let (variant, season) = variant_and_season("theta", s, &codes, "variant", "dotm")?;
    Ok(ModelSpec::Theta(AutoTheta {
        season,
        variant: variant.map(|k| Variant::ALL[k]),
    }))
}

pub const THETA: Entry = Entry {
    names: &["theta", "autotheta"],
    parse: |_, setting| parse(setting),
    defaults: || vec![ModelSpec::Theta(AutoTheta::default())],
};

#[cfg(test)]
mod tests;
