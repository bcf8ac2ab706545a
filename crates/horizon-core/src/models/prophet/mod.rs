//! Prophet (Taylor & Letham 2018, "Forecasting at scale", *The American Statistician* 72(1)):
//! a piecewise-linear trend with automatic changepoints, Fourier seasonalities (yearly, weekly
//! as the data allow), holidays and extra regressors, fitted at the MAP by augurs-prophet with
//! our pure-Rust L-BFGS ([`optimizer`]) in place of Stan.
//!
//! - Holidays: the US federal calendar for daily data (as Prophet's `add_country_holidays('US')`).
//! - Regressors: the file's exogenous columns (price, promotion, …). Their future values are
//!   not known to a forecast, so they are assumed to repeat the last season's (said in the
//!   model's description).
//! - Intervals: Prophet's own method — future trend changes simulated with the rate and size of
//!   the fitted changepoints, plus Gaussian noise of the fitted σ — with 1000 draws from a fixed
//!   seed, so a stored model forecasts the same bounds every time.
//!
//! The fitted state is the history and the MAP parameters; forecasting rebuilds Prophet's
//! feature matrix from the history and replays the parameters. augurs keeps seasonalities in
//! hash maps, so the columns can come in another order: each parameter is matched to its
//! column by a fingerprint of the column's values.

mod family;
pub mod objective;
pub mod optimizer;
mod simulate;

use super::{Fitted, FittedModel, Forecast, Forecaster, ModelError, check_finite, check_levels};
use crate::data::holidays::HolidayCalendar;
use crate::data::{Frequency, Series};
use augurs_prophet::optimizer::{Data, InitialParams, OptimizeOpts, OptimizedParams, Optimizer};
use augurs_prophet::{
    Holiday, HolidayOccurrence, PositiveFloat, PredictionData, Prophet, ProphetOptions, Regressor, TrainingData,
};
use chrono::{Datelike, NaiveDate};
pub use family::PROPHET;
use objective::Objective;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Prophet with the Python package's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProphetModel {
    /// Holidays of daily data (`None`: no holidays, as Prophet without `add_country_holidays`).
    pub holidays: Option<HolidayCalendar>,
}

impl ProphetModel {
    /// As `prophet` names it: US holidays for daily data.
    pub const DEFAULT: ProphetModel = ProphetModel {
        holidays: Some(HolidayCalendar::UnitedStates),
    };
}

impl Default for ProphetModel {
    fn default() -> Self {
        ProphetModel::DEFAULT
    }
}

/// Years of holidays laid out past the end of the history (forecasts reach no further).
const HOLIDAY_YEARS_AHEAD: i32 = 10;

/// A fitted Prophet model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedProphet {
    pub freq: Frequency,
    pub dates: Vec<NaiveDate>,
    pub values: Vec<f64>,
    /// Exogenous columns used as regressors (constant and repeated columns left out).
    pub regressors: Vec<Vec<f64>>,
    pub holidays: bool,
    pub k: f64,
    pub m: f64,
    pub delta: Vec<f64>,
    pub sigma_obs: f64,
    pub beta: Vec<f64>,
    /// Fingerprint of the feature column each `beta` belongs to.
    pub columns: Vec<u64>,
    /// Seasonalities Prophet switched on, for the description.
    pub features: usize,
}

impl Forecaster for ProphetModel {
    fn name(&self) -> String {
        "prophet".into()
    }

    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        check_finite(&series.values)?;
        if series.len() < 3 {
            return Err(ModelError::TooShort {
                model: "prophet".into(),
                needed: 3,
                got: series.len(),
            });
        }
        let regressors = usable_regressors(&series.exog, series.len());
        let holidays = self.holidays.is_some() && series.freq == Frequency::Daily;
        let mut fitted = FittedProphet {
            freq: series.freq,
            dates: series.dates.clone(),
            values: series.values.clone(),
            regressors,
            holidays,
            k: 0.0,
            m: 0.0,
            delta: Vec::new(),
            sigma_obs: 1.0,
            beta: Vec::new(),
            columns: Vec::new(),
            features: 0,
        };
        let optimizer = Recorder::new(Mode::Fit(optimizer::Lbfgs::default()));
        let prophet = fitted.build(optimizer)?;
        let (data, params) = prophet.recorded()?;
        fitted.k = params.k;
        fitted.m = params.m;
        fitted.delta = params.delta;
        fitted.sigma_obs = *params.sigma_obs;
        // Stored in fingerprint order, so equal fits are equal states.
        let mut pairs: Vec<(u64, f64)> = fingerprints(&data).into_iter().zip(params.beta).collect();
        pairs.sort_by_key(|p| p.0);
        (fitted.columns, fitted.beta) = pairs.into_iter().unzip();
        fitted.features = fitted.columns.len();
        Ok(Box::new(fitted))
    }
}

/// What the optimizer does when augurs asks it for parameters.
#[derive(Debug)]
enum Mode {
    Fit(optimizer::Lbfgs),
    /// Hand back stored parameters, matched to the columns of the rebuilt data.
    Replay {
        params: Stored,
    },
}

#[derive(Debug, Clone)]
struct Stored {
    k: f64,
    m: f64,
    delta: Vec<f64>,
    sigma_obs: f64,
    beta: Vec<f64>,
    columns: Vec<u64>,
}

/// An optimizer that remembers the data and parameters of the fit.
#[derive(Debug)]
struct Recorder {
    mode: Mode,
    seen: Arc<Mutex<Option<(Data, OptimizedParams)>>>,
}

impl Recorder {
    fn new(mode: Mode) -> Recorder {
        Recorder {
            mode,
            seen: Arc::new(Mutex::new(None)),
        }
    }
}

impl Optimizer for Recorder {
    fn optimize(
        &self,
        init: &InitialParams,
        data: &Data,
        opts: &OptimizeOpts,
    ) -> Result<OptimizedParams, augurs_prophet::optimizer::Error> {
        let params = match &self.mode {
            Mode::Fit(lbfgs) => fit_in_canonical_order(lbfgs, init, data, opts)?,
            Mode::Replay { params } => replay(params, data)?,
        };
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some((data.clone(), params.clone()));
        }
        Ok(params)
    }
}

/// augurs orders the feature columns by hash-map iteration, which changes from run to run; the
/// optimizer's arithmetic (and so the last digits of the optimum) would change with it. Fit
/// with the columns sorted by fingerprint, so the same data always gives the same model.
fn fit_in_canonical_order(
    lbfgs: &optimizer::Lbfgs,
    init: &InitialParams,
    data: &Data,
    opts: &OptimizeOpts,
) -> Result<OptimizedParams, augurs_prophet::optimizer::Error> {
    let prints = fingerprints(data);
    let k = prints.len();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by_key(|&j| (prints[j], j));
    let rows = data.X.len().checked_div(k).unwrap_or(0);
    let mut sorted = data.clone();
    for i in 0..rows {
        for (new, &old) in order.iter().enumerate() {
            sorted.X[i * k + new] = data.X[i * k + old];
        }
    }
    let pick = |v: &[i32]| {
        order
            .iter()
            .map(|&j| v.get(j).copied().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    sorted.s_a = pick(&data.s_a);
    sorted.s_m = pick(&data.s_m);
    sorted.sigmas = order.iter().filter_map(|&j| data.sigmas.get(j).copied()).collect();
    let mut sorted_init = init.clone();
    sorted_init.beta = order
        .iter()
        .map(|&j| init.beta.get(j).copied().unwrap_or(0.0))
        .collect();
    let mut params = lbfgs.optimize(&sorted_init, &sorted, opts)?;
    let mut beta = vec![0.0; k];
    for (new, &old) in order.iter().enumerate() {
        beta[old] = params.beta.get(new).copied().unwrap_or(0.0);
    }
    params.beta = beta;
    Ok(params)
}

fn replay(stored: &Stored, data: &Data) -> Result<OptimizedParams, augurs_prophet::optimizer::Error> {
    let now = fingerprints(data);
    let mut used = vec![false; stored.columns.len()];
    let mut beta = Vec::with_capacity(now.len());
    for print in &now {
        let slot = stored
            .columns
            .iter()
            .enumerate()
            .position(|(i, c)| c == print && !used[i])
            .ok_or_else(|| {
                augurs_prophet::optimizer::Error::static_str("stored Prophet model does not match its data")
            })?;
        used[slot] = true;
        beta.push(*stored.beta.get(slot).ok_or_else(|| {
            augurs_prophet::optimizer::Error::static_str("stored Prophet model does not match its data")
        })?);
    }
    if now.len() != stored.columns.len() || stored.delta.len() != data.t_change.len() {
        return Err(augurs_prophet::optimizer::Error::static_str(
            "stored Prophet model does not match its data",
        ));
    }
    let objective = Objective::new(data, false);
    let x = Objective::join(stored.k, stored.m, &stored.delta, stored.sigma_obs, &beta);
    optimizer::params_of(&objective, &x)
}

/// FNV-1a over the bits of each column of the feature matrix.
fn fingerprints(data: &Data) -> Vec<u64> {
    let k = data.K.max(0) as usize;
    let rows = data.X.len().checked_div(k).unwrap_or(0);
    (0..k)
        .map(|j| {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for i in 0..rows {
                for b in data.X[i * k + j].to_bits().to_le_bytes() {
                    h ^= u64::from(b);
                    h = h.wrapping_mul(0x0000_0100_0000_01b3);
                }
            }
            h
        })
        .collect()
}

/// Exogenous columns worth a coefficient: finite, not constant, not a copy of an earlier one.
fn usable_regressors(exog: &[Vec<f64>], n: usize) -> Vec<Vec<f64>> {
    let mut kept: Vec<Vec<f64>> = Vec::new();
    for col in exog {
        let ok = col.len() == n
            && col.iter().all(|v| v.is_finite())
            && col.iter().any(|v| (v - col[0]).abs() > 0.0)
            && !kept.contains(col);
        if ok {
            kept.push(col.clone());
        }
    }
    kept
}

fn seconds(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or(0)
}

/// A fitted augurs model and what its optimizer saw.
struct Built {
    prophet: Prophet<Recorder>,
    seen: Arc<Mutex<Option<(Data, OptimizedParams)>>>,
}

impl Built {
    fn recorded(&self) -> Result<(Data, OptimizedParams), ModelError> {
        self.seen
            .lock()
            .ok()
            .and_then(|s| s.clone())
            .ok_or_else(|| ModelError::Invalid("Prophet did not run its optimizer".into()))
    }
}

fn fail(e: impl std::fmt::Display) -> ModelError {
    ModelError::Invalid(format!("Prophet: {e}"))
}

impl FittedProphet {
    fn options(&self) -> ProphetOptions {
        let mut opts = ProphetOptions {
            uncertainty_samples: 0,
            // The Python package's holidays' prior scale (augurs defaults to 100).
            ..ProphetOptions::default()
        };
        if let Ok(scale) = PositiveFloat::try_new(10.0) {
            opts.holidays_prior_scale = scale;
        }
        if self.holidays
            && let (Some(first), Some(last)) = (self.dates.first(), self.dates.last())
        {
            let mut by_name: HashMap<String, Vec<HolidayOccurrence>> = HashMap::new();
            for h in HolidayCalendar::UnitedStates.between_years(first.year(), last.year() + HOLIDAY_YEARS_AHEAD) {
                by_name
                    .entry(h.name.to_string())
                    .or_default()
                    .push(HolidayOccurrence::for_day(seconds(h.date)));
            }
            opts.holidays = by_name.into_iter().map(|(n, occ)| (n, Holiday::new(occ))).collect();
        }
        opts
    }

    fn regressor_map(&self, columns: impl Iterator<Item = Vec<f64>>) -> HashMap<String, Vec<f64>> {
        columns.enumerate().map(|(i, c)| (format!("x{i}"), c)).collect()
    }

    /// Prophet set up on the history with `optimizer`, fitted.
    fn build(&self, optimizer: Recorder) -> Result<Built, ModelError> {
        let seen = Arc::clone(&optimizer.seen);
        let mut prophet = Prophet::new(self.options(), optimizer);
        for i in 0..self.regressors.len() {
            prophet.add_regressor(format!("x{i}"), Regressor::additive());
        }
        let ds = self.dates.iter().map(|d| seconds(*d)).collect();
        let mut data = TrainingData::new(ds, self.values.clone()).map_err(fail)?;
        if !self.regressors.is_empty() {
            data = data
                .with_regressors(self.regressor_map(self.regressors.iter().cloned()))
                .map_err(fail)?;
        }
        // As the Python package: the MAP without Stan's Jacobian term.
        let opts = OptimizeOpts {
            jacobian: Some(false),
            ..OptimizeOpts::default()
        };
        prophet.fit(data, opts).map_err(fail)?;
        Ok(Built { prophet, seen })
    }

    /// Future values of each regressor: the value one season earlier.
    fn future_regressors(&self, horizon: usize) -> Vec<Vec<f64>> {
        let season = self.freq.default_season().min(self.values.len()).max(1);
        self.regressors
            .iter()
            .map(|col| {
                let mut ext = col.clone();
                for _ in 0..horizon {
                    let v = ext[ext.len() - season];
                    ext.push(v);
                }
                ext[col.len()..].to_vec()
            })
            .collect()
    }

    /// The feature matrix's columns (time-major values) and their coefficients, as Prophet
    /// rebuilds them from the history.
    pub fn features_and_coefficients(&self) -> Result<(Vec<Vec<f64>>, Vec<f64>), ModelError> {
        let built = self.build(Recorder::new(Mode::Replay { params: self.stored() }))?;
        let (data, params) = built.recorded()?;
        let k = data.K.max(0) as usize;
        let rows = data.X.len().checked_div(k).unwrap_or(0);
        let columns = (0..k).map(|j| (0..rows).map(|i| data.X[i * k + j]).collect()).collect();
        Ok((columns, params.beta))
    }

    fn stored(&self) -> Stored {
        Stored {
            k: self.k,
            m: self.m,
            delta: self.delta.clone(),
            sigma_obs: self.sigma_obs,
            beta: self.beta.clone(),
            columns: self.columns.clone(),
        }
    }
}

impl Fitted for FittedProphet {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
        let levels = check_levels(levels)?;
        if horizon == 0 {
            return Forecast::normal(Vec::new(), &[], &levels);
        }
        // A stored state (read from an artifact) must hang together before it is used.
        if self.regressors.iter().any(|c| c.len() != self.values.len())
            || self.beta.len() != self.columns.len()
            || self.dates.len() != self.values.len()
        {
            return Err(ModelError::Invalid("stored Prophet model is inconsistent".into()));
        }
        let built = self.build(Recorder::new(Mode::Replay { params: self.stored() }))?;
        let (data, _) = built.recorded()?;
        let last = *self.dates.last().ok_or(ModelError::TooShort {
            model: "prophet".into(),
            needed: 3,
            got: 0,
        })?;
        let future: Vec<NaiveDate> = (1..=horizon as i64).map(|k| self.freq.advance(last, k)).collect();
        let mut input = PredictionData::new(future.iter().map(|d| seconds(*d)).collect());
        if !self.regressors.is_empty() {
            input = input
                .with_regressors(self.regressor_map(self.future_regressors(horizon).into_iter()))
                .map_err(fail)?;
        }
        let predicted = built.prophet.predict(input).map_err(fail)?;
        let point = predicted.yhat.point.clone();
        if point.len() != horizon || point.iter().any(|v| !v.is_finite()) {
            return Err(ModelError::Invalid("Prophet gave no finite forecast".into()));
        }
        let first = seconds(self.dates[0]) as f64;
        let span = (seconds(last) as f64 - first).max(1.0);
        let t_future: Vec<f64> = future.iter().map(|d| (seconds(*d) as f64 - first) / span).collect();
        let y_scale = {
            let s = self.values.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            if s == 0.0 { 1.0 } else { s }
        };
        let intervals = simulate::intervals(&simulate::Inputs {
            point: &point,
            multiplicative: &predicted.multiplicative.point,
            t_future: &t_future,
            t_change: &data.t_change,
            delta: &self.delta,
            sigma_obs: self.sigma_obs,
            y_scale,
            levels: &levels,
        });
        Ok(Forecast { point, intervals })
    }

    fn description(&self) -> String {
        let mut parts = vec![format!("{} changepoints", self.delta.len())];
        parts.push(format!("{} seasonal/holiday/regressor terms", self.features));
        if self.holidays {
            parts.push("US holidays".into());
        }
        if !self.regressors.is_empty() {
            parts.push(format!(
                "{} regressors (future values repeat last season's)",
                self.regressors.len()
            ));
        }
        format!("Prophet (linear trend; {})", parts.join(", "))
    }

    fn to_state(&self) -> FittedModel {
        FittedModel::Prophet(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn daily() -> Series {
        let start = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
        let values: Vec<f64> = (0..400)
            .map(|t| 50.0 + 0.03 * t as f64 + 8.0 * ((t % 7) as f64 - 3.0) + ((t * 7919) % 13) as f64)
            .collect();
        let mut s = Series::starting(Frequency::Daily, start, values);
        s.exog = vec![(0..400).map(|t| f64::from(u8::from(t % 30 < 3))).collect()];
        s
    }

    /// Each fit builds its hash maps afresh (new iteration order); the model must not change.
    #[test]
    fn the_same_data_gives_the_same_model() {
        let s = daily();
        let first = ProphetModel::default().fit(&s).unwrap().to_state();
        for _ in 0..4 {
            let again = ProphetModel::default().fit(&s).unwrap().to_state();
            assert!(again == first, "a refit differs");
        }
        let FittedModel::Prophet(p) = &first else { panic!() };
        assert!(p.holidays && p.regressors.len() == 1);
        assert!(first.description().contains("US holidays"), "{}", first.description());
    }

    /// The promotion regressor's future values repeat last week's pattern.
    #[test]
    fn future_regressors_repeat_the_last_season() {
        let s = daily();
        let f = ProphetModel::default().fit(&s).unwrap();
        let FittedModel::Prophet(p) = f.to_state() else {
            panic!()
        };
        let future = p.future_regressors(10);
        let col = &p.regressors[0];
        for (h, v) in future[0].iter().enumerate() {
            assert_eq!(*v, col[col.len() - 7 + h % 7]);
        }
    }
}
