//! Complex exponential smoothing (CES), after Svetunkov, Kourentzes & Ord (2022), "Complex
//! exponential smoothing", *Naval Research Logistics* 69(8), 1108–1123 (first as Svetunkov &
//! Kourentzes 2015, Lancaster University working paper), fitted and chosen as statsforecast's
//! `AutoCES` does.
//!
//! The level ℓ and an "information potential" c of the series are smoothed together as one
//! complex number with a complex smoothing parameter α₀ + iα₁. In real terms, with the one-step
//! error eₜ = yₜ − ℓₜ₋₁ (minus the seasonal state where there is one):
//!
//! ```text
//! ℓₜ = ℓₜ₋₁ − (1 − α₁) cₜ₋₁ + (α₀ − α₁) eₜ
//! cₜ = ℓₜ₋₁ + (1 − α₀) cₜ₋₁ + (α₀ + α₁) eₜ
//! ```
//!
//! so the model moves between level and trend behaviour without choosing either. Seasonal
//! forms: *simple* (the pair smoothed per position in the season, lag m), *partial* (an
//! additive seasonal state sₜ = sₜ₋ₘ + β₀ eₜ), *full* (a second complex pair at lag m with
//! β₀ + iβ₁). Each form's parameters minimise n·log Σe² by Nelder–Mead inside statsforecast's
//! bounds (α₀ ∈ [0.01, 1.8], α₁ ∈ [0.01, 1.9], β ∈ [0.01, 1.5]); the start states are refined by
//! backcasting (a pass forward, one backward, one forward again, as statsforecast and R's
//! `smooth::ces` do); `ces` (AutoCES) keeps the form of least AICc.
//!
//! Intervals: the model is linear with one source of error, so the h-step forecast error is
//! Σⱼ ψⱼ eₙ₊ₕ₋ⱼ with ψ the response of the forecast to one unit error, run through the same
//! equations; the bands are normal with variance σ² Σ ψⱼ², σ² = Σe² / (n − k − 1) for k + 1
//! parameters (statsforecast perturbs the states with noise instead).

use super::family::{Entry, Family, variant_and_season};
use super::{Fitted, FittedModel, Forecast, Forecaster, ModelError, ModelSpec, check_finite};
use crate::data::Series;
use crate::optim::NelderMead;
use serde::{Deserialize, Serialize};

/// The seasonal form of a CES model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// No season.
    None,
    /// The complex pair smoothed per position in the season.
    Simple,
    /// An additive seasonal state besides the non-seasonal pair.
    Partial,
    /// A second complex pair for the season.
    Full,
}

impl Form {
    pub const ALL: [Form; 4] = [Form::None, Form::Simple, Form::Partial, Form::Full];

    /// The letter of the literature (`n`, `s`, `p`, `f`), used in `ces:f`.
    pub fn code(self) -> &'static str {
        match self {
            Form::None => "n",
            Form::Simple => "s",
            Form::Partial => "p",
            Form::Full => "f",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Form::None => "no season",
            Form::Simple => "simple season",
            Form::Partial => "partial season",
            Form::Full => "full season",
        }
    }

    /// States per row: level and potential, plus one (partial) or two (full) seasonal ones.
    fn components(self) -> usize {
        match self {
            Form::None | Form::Simple => 2,
            Form::Partial => 3,
            Form::Full => 4,
        }
    }

    /// Parameters fitted: α₀, α₁ and β₀ (partial) or β₀, β₁ (full).
    fn parameters(self) -> usize {
        match self {
            Form::None | Form::Simple => 2,
            Form::Partial => 3,
            Form::Full => 4,
        }
    }
}

/// CES with its season (`None`: the frequency's usual one) and form (`None`: the best of the
/// four by AICc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct AutoCes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub season: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<Form>,
}

/// Smoothing parameters: α₀ + iα₁ for level and potential, β₀ + iβ₁ for the season.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Smoothing {
    a0: f64,
    a1: f64,
    b0: f64,
    b1: f64,
}

type Row = [f64; 4];

/// The model's equations with their form, lag and parameters.
#[derive(Debug, Clone, Copy)]
struct Equations {
    form: Form,
    /// The lag of the seasonal states (1 without a season).
    m: usize,
    p: Smoothing,
}

impl Equations {
    /// The forecast of row `i` from the rows before it.
    fn forecast(&self, rows: &[Row], i: usize) -> f64 {
        let level = if self.form == Form::Simple {
            rows[i - self.m][0]
        } else {
            rows[i - 1][0]
        };
        match self.form {
            Form::Partial | Form::Full => level + rows[i - self.m][2],
            _ => level,
        }
    }

    /// Row `i` after observing `y`.
    fn update(&self, rows: &mut [Row], i: usize, y: f64) {
        let e = y - self.forecast(rows, i);
        let Smoothing { a0, a1, b0, b1 } = self.p;
        let base = if self.form == Form::Simple {
            rows[i - self.m]
        } else {
            rows[i - 1]
        };
        let season = rows[i - self.m];
        let mut new = [0.0; 4];
        new[0] = base[0] - (1.0 - a1) * base[1] + (a0 - a1) * e;
        new[1] = base[0] + (1.0 - a0) * base[1] + (a0 + a1) * e;
        match self.form {
            Form::Partial => new[2] = season[2] + b0 * e,
            Form::Full => {
                new[2] = season[2] - (1.0 - b1) * season[3] + (b0 - b1) * e;
                new[3] = season[2] + (1.0 - b0) * season[3] + (b0 + b1) * e;
            }
            _ => {}
        }
        rows[i] = new;
    }

    /// One pass over `y` from the first `m` rows (rows `m..m+n`), then `m` rows projected past
    /// the end: the sum of squared one-step errors and each error.
    fn pass(&self, rows: &mut [Row], y: impl Iterator<Item = f64>, errors: &mut Vec<f64>) -> f64 {
        let m = self.m;
        errors.clear();
        let mut sse = 0.0;
        for (k, v) in y.enumerate() {
            let e = v - self.forecast(rows, m + k);
            self.update(rows, m + k, v);
            sse += e * e;
            errors.push(e);
        }
        let n = errors.len();
        for i in n + m..n + 2 * m {
            let f = self.forecast(rows, i);
            self.update(rows, i, f);
        }
        sse
    }

    /// Forward, backward and forward again from `start`: the last pass's squared errors, its
    /// errors and the last `m` fitted rows.
    fn backcast(&self, y: &[f64], start: &[Row]) -> (f64, Vec<f64>, Vec<Row>) {
        let (n, m) = (y.len(), self.m);
        let mut rows = vec![[0.0; 4]; n + 2 * m];
        rows[..m].copy_from_slice(start);
        let mut errors = Vec::with_capacity(n);
        self.pass(&mut rows, y.iter().copied(), &mut errors);
        rows.reverse();
        self.pass(&mut rows, y.iter().rev().copied(), &mut errors);
        rows.reverse();
        let sse = self.pass(&mut rows, y.iter().copied(), &mut errors);
        (sse, errors, rows[n..n + m].to_vec())
    }
}

/// The start states, as statsforecast's `initstate`.
fn start_rows(y: &[f64], form: Form, m: usize) -> Option<Vec<Row>> {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    Some(match form {
        Form::None => {
            let l = mean(&y[..y.len().min(10)]);
            vec![[l, l / 1.1, 0.0, 0.0]]
        }
        Form::Simple => y[..m].iter().map(|v| [*v, v / 1.1, 0.0, 0.0]).collect(),
        Form::Partial | Form::Full => {
            let l = mean(&y[..m]);
            let figure = super::ets::seasonal_figure(y, m, false)?;
            figure
                .iter()
                .map(|s| {
                    let potential = if form == Form::Full { s / 1.1 } else { 0.0 };
                    [l, l / 1.1, *s, potential]
                })
                .collect()
        }
    })
}

/// One form fitted.
struct Fit {
    eq: Equations,
    aicc: f64,
    sigma2: f64,
    last: Vec<Row>,
}

const LOWER: [f64; 4] = [0.01, 0.01, 0.01, 0.01];
const UPPER: [f64; 4] = [1.8, 1.9, 1.5, 1.5];

fn fit_form(y: &[f64], form: Form, season: usize) -> Option<Fit> {
    let m = if form == Form::None { 1 } else { season };
    let start = start_rows(y, form, m)?;
    let k = form.parameters();
    let equations = |x: &[f64]| {
        let p = match form {
            Form::None | Form::Simple => Smoothing {
                a0: x[0],
                a1: x[1],
                b0: 0.0,
                b1: 0.0,
            },
            Form::Partial => Smoothing {
                a0: x[0],
                a1: x[1],
                b0: x[2],
                b1: 0.0,
            },
            Form::Full => Smoothing {
                a0: x[0],
                a1: x[1],
                b0: x[2],
                b1: x[3],
            },
        };
        Equations { form, m, p }
    };
    let n = y.len() as f64;
    let objective = |x: &[f64]| {
        let sse = equations(x).backcast(y, &start).0;
        let lik = n * sse.ln();
        if lik.is_finite() { lik } else { f64::INFINITY }
    };
    let x0 = [1.3, 1.0, if form == Form::Full { 1.3 } else { 0.1 }, 1.0];
    let steps = [0.065, 0.05, if form == Form::Full { 0.065 } else { 0.005 }, 0.05];
    let nm = NelderMead {
        reltol: 1e-10,
        max_evals: 2000,
    };
    let best = nm.minimize_in_box(objective, &x0[..k], &steps[..k], &LOWER[..k], &UPPER[..k]);
    let eq = equations(&best.x);
    let (sse, _, last) = eq.backcast(y, &start);
    let lik = n * sse.ln();
    // statsforecast counts the states per row and σ.
    let np = (form.components() + 1) as f64;
    let aicc = if n - np - 1.0 > 0.0 {
        lik + 2.0 * np + 2.0 * np * (np + 1.0) / (n - np - 1.0)
    } else {
        f64::INFINITY
    };
    let sigma2 = sse / (n - np - 1.0).max(1.0);
    (lik.is_finite() && sigma2.is_finite()).then_some(Fit { eq, aicc, sigma2, last })
}

/// A fitted CES model, self-contained for forecasting after a round trip through serde.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedCes {
    form: Form,
    m: usize,
    smoothing: Smoothing,
    /// The last `m` rows of states.
    last: Vec<Row>,
    sigma2: f64,
    /// `None` for a constant series (no form was chosen).
    #[serde(default)]
    aicc: Option<f64>,
    description: String,
}

impl FittedCes {
    fn equations(&self) -> Equations {
        Equations {
            form: self.form,
            m: self.m,
            p: self.smoothing,
        }
    }

    /// A constant series' model: with α₀ = α₁ = 1 the level never moves (ℓₜ = ℓₜ₋₁ whatever
    /// the error), so the forecast is the constant, with no spread (the fit's errors are all 0;
    /// every form's likelihood would be infinite).
    fn constant(value: f64) -> FittedCes {
        FittedCes {
            form: Form::None,
            m: 1,
            smoothing: Smoothing {
                a0: 1.0,
                a1: 1.0,
                b0: 0.0,
                b1: 0.0,
            },
            last: vec![[value, value, 0.0, 0.0]],
            sigma2: 0.0,
            aicc: None,
            description: format!(
                "Complex exponential smoothing: the series is constant at {value}, so is the forecast."
            ),
        }
    }

    /// The form chosen.
    pub fn form(&self) -> Form {
        self.form
    }

    /// α₀, α₁, β₀, β₁ and the AICc (NaN for a constant series).
    pub fn fitted(&self) -> ([f64; 4], f64) {
        let p = self.smoothing;
        ([p.a0, p.a1, p.b0, p.b1], self.aicc.unwrap_or(f64::NAN))
    }

    /// Run the equations `horizon` steps from `rows` (the last `m` rows), each step observing
    /// its forecast plus `shock(step)`: the forecasts.
    fn run(&self, mut rows: Vec<Row>, horizon: usize, shock: impl Fn(usize) -> f64) -> Vec<f64> {
        let eq = self.equations();
        let m = self.m;
        rows.resize(m + horizon, [0.0; 4]);
        (0..horizon)
            .map(|j| {
                let f = eq.forecast(&rows, m + j);
                eq.update(&mut rows, m + j, f + shock(j));
                f
            })
            .collect()
    }
}

impl Forecaster for AutoCes {
    fn name(&self) -> String {
        match self.form {
            Some(f) => format!("ces:{}", f.code()),
            None => "ces".into(),
        }
    }

    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        let y = &series.values;
        check_finite(y)?;
        if y.len() < 5 {
            return Err(ModelError::TooShort {
                model: Forecaster::name(self),
                needed: 5,
                got: y.len(),
            });
        }
        if y.iter().all(|v| *v == y[0]) {
            return Ok(Box::new(FittedCes::constant(y[0])));
        }
        let m = self.season.unwrap_or(series.freq.default_season());
        let seasonal = m > 1 && y.len() >= m.saturating_mul(2);
        let forms = match self.form {
            Some(f) if f != Form::None && !seasonal => vec![Form::None],
            Some(f) => vec![f],
            None if seasonal => Form::ALL.to_vec(),
            None => vec![Form::None],
        };
        let best = forms
            .into_iter()
            .filter_map(|f| fit_form(y, f, m))
            .min_by(|a, b| a.aicc.total_cmp(&b.aicc))
            .ok_or(ModelError::Overflow)?;
        let p = best.eq.p;
        let mut description = format!(
            "Complex exponential smoothing ({}, α = {:.2} + {:.2}i): level and trend smoothed \
             together, neither chosen in advance.",
            best.eq.form.words(),
            p.a0,
            p.a1
        );
        if best.eq.form != Form::None {
            description.push_str(&format!(" Season of {} {}s.", best.eq.m, series.freq.unit()));
        }
        Ok(Box::new(FittedCes {
            form: best.eq.form,
            m: best.eq.m,
            smoothing: p,
            last: best.last,
            sigma2: best.sigma2,
            aicc: Some(best.aicc),
            description,
        }))
    }
}

impl Fitted for FittedCes {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
        let point = self.run(self.last.clone(), horizon, |_| 0.0);
        if point.iter().any(|v| !v.is_finite()) {
            return Err(ModelError::Overflow);
        }
        // ψ: the forecasts' response to one unit error at the first step, from zero states.
        let psi = self.run(vec![[0.0; 4]; self.m], horizon + 1, |j| if j == 0 { 1.0 } else { 0.0 });
        let mut total = 0.0;
        let sd: Vec<f64> = (0..horizon)
            .map(|j| {
                // Step j + 1's error: its own shock plus ψ₁ … ψⱼ of the earlier ones.
                if j > 0 {
                    total += psi[j] * psi[j];
                }
                (self.sigma2 * (1.0 + total)).sqrt()
            })
            .collect();
        Forecast::normal(point, &sd, levels)
    }

    fn description(&self) -> String {
        self.description.clone()
    }

    fn to_state(&self) -> FittedModel {
        FittedModel::Ces(self.clone())
    }
}

impl Family for AutoCes {
    fn name(&self) -> String {
        Forecaster::name(self)
    }
    fn summary(&self) -> &'static str {
        "complex exponential smoothing, season form chosen automatically"
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(*self)
    }
    fn with_season(&self, season: usize) -> Option<ModelSpec> {
        self.season.is_none().then_some(ModelSpec::Ces(AutoCes {
            season: Some(season),
            ..*self
        }))
    }
}

/// `ces`, `ces:12`, `ces:f`, `ces:p/4`.
fn parse(setting: Option<&str>) -> Result<ModelSpec, ModelError> {
    let Some(s) = setting else {
        return Ok(ModelSpec::Ces(AutoCes::default()));
    };
    let codes = Form::ALL.map(Form::code);
    let (form, season) = variant_and_season("ces", s, &codes, "form", "f")?;
    Ok(ModelSpec::Ces(AutoCes {
        season,
        form: form.map(|k| Form::ALL[k]),
    }))
}

pub const CES: Entry = Entry {
    names: &["ces", "autoces"],
    parse: |_, setting| parse(setting),
    defaults: || vec![ModelSpec::Ces(AutoCes::default())],
};

#[cfg(test)]
mod tests {
    use super::*;

    /// A constant series (a product that never sold) forecasts its constant with no spread,
    /// for every form asked, and survives a round trip.
    #[test]
    fn a_constant_series_forecasts_flat() {
        for value in [0.0, 7.5] {
            let s = Series::starting(
                crate::data::Frequency::Monthly,
                chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
                vec![value; 30],
            );
            for name in ["ces", "ces:f", "ces:n"] {
                let spec: ModelSpec = name.parse().unwrap();
                let fitted = spec.build().fit(&s).unwrap();
                let fc = fitted.predict(12, &[95.0]).unwrap();
                assert!(fc.point.iter().all(|v| *v == value), "{name}: {:?}", fc.point);
                assert_eq!(fc.intervals[0].lower, fc.point);
                assert_eq!(fc.intervals[0].upper, fc.point);
                let json = serde_json::to_string(&fitted.to_state()).unwrap();
                let back: FittedModel = serde_json::from_str(&json).unwrap();
                assert_eq!(back.predict(12, &[95.0]).unwrap(), fc);
                assert!(fitted.description().contains("constant"));
            }
        }
    }

    #[test]
    fn parses_forms_and_seasons() {
        let c = |season, form| Ok(ModelSpec::Ces(AutoCes { season, form }));
        assert_eq!("ces".parse::<ModelSpec>(), c(None, None));
        assert_eq!("ces:12".parse::<ModelSpec>(), c(Some(12), None));
        assert_eq!("ces:f".parse::<ModelSpec>(), c(None, Some(Form::Full)));
        assert_eq!("ces:p/4".parse::<ModelSpec>(), c(Some(4), Some(Form::Partial)));
        assert!("ces:x".parse::<ModelSpec>().is_err());
        assert!("ces:x/4".parse::<ModelSpec>().is_err());
        assert_eq!("ces:s".parse::<ModelSpec>().unwrap().name(), "ces:s");
    }

    /// The real equations are the paper's complex one: ℓₜ + icₜ = (α₀ + iα₁)(yₜ + ieₜ) +
    /// (1 − α₀ + i(1 − α₁))(ℓₜ₋₁ + icₜ₋₁).
    #[test]
    fn the_real_equations_are_the_complex_recursion() {
        let (a0, a1) = (1.21, 0.93);
        let eq = Equations {
            form: Form::None,
            m: 1,
            p: Smoothing {
                a0,
                a1,
                b0: 0.0,
                b1: 0.0,
            },
        };
        let mul = |(a, b): (f64, f64), (c, d): (f64, f64)| (a * c - b * d, a * d + b * c);
        let y = [3.0, 5.0, 4.0, 6.0, 5.5];
        let mut rows = vec![[0.0; 4]; y.len() + 2];
        rows[0] = [2.0, 1.5, 0.0, 0.0];
        let mut errors = Vec::new();
        eq.pass(&mut rows, y.iter().copied(), &mut errors);
        let mut state = (2.0, 1.5);
        for (t, v) in y.iter().enumerate() {
            let e = v - state.0;
            assert!((errors[t] - e).abs() < 1e-12);
            let (p, q) = (mul((a0, a1), (*v, e)), mul((1.0 - a0, 1.0 - a1), state));
            state = (p.0 + q.0, p.1 + q.1);
            assert!((rows[t + 1][0] - state.0).abs() < 1e-9 && (rows[t + 1][1] - state.1).abs() < 1e-9);
        }
    }

    /// The analytic bands equal the spread of paths simulated through the model's equations.
    #[test]
    fn bands_equal_simulated_paths() {
        use rand::SeedableRng;
        use rand_distr::{Distribution, StandardNormal};
        let y: Vec<f64> = (0..96)
            .map(|t| 100.0 + 0.8 * t as f64 + 12.0 * ((t % 12) as f64 - 5.5).abs() + ((t * 7919) % 17) as f64)
            .collect();
        let s = Series::starting(
            crate::data::Frequency::Monthly,
            chrono::NaiveDate::from_ymd_opt(2018, 1, 1).unwrap(),
            y,
        );
        for form in [Form::None, Form::Full] {
            let spec = AutoCes {
                season: Some(12),
                form: Some(form),
            };
            let FittedModel::Ces(c) = Forecaster::fit(&spec, &s).unwrap().to_state() else {
                unreachable!()
            };
            let f = c.predict(12, &[95.0]).unwrap();
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
            let paths: Vec<Vec<f64>> = (0..20_000)
                .map(|_| {
                    let shocks: Vec<f64> = (0..12)
                        .map(|_| {
                            let z: f64 = StandardNormal.sample(&mut rng);
                            c.sigma2.sqrt() * z
                        })
                        .collect();
                    let means = c.run(c.last.clone(), 12, |j| shocks[j]);
                    means.iter().zip(&shocks).map(|(m, e)| m + e).collect()
                })
                .collect();
            for j in 0..12 {
                let mut at: Vec<f64> = paths.iter().map(|p| p[j]).collect();
                at.sort_by(f64::total_cmp);
                let want = at[19_500] - at[500];
                let width = f.intervals[0].upper[j] - f.intervals[0].lower[j];
                assert!(
                    (width / want - 1.0).abs() < 0.04,
                    "{form:?} step {j}: {width} vs {want}"
                );
            }
        }
    }
}
