//! The one prediction path of forecasts and backtests: predict with a fitted model, and clip
//! sales at zero.

use super::{Fitted, Forecast, ModelError, ModelSpec};
use crate::data::Series;

/// Fit `spec` to one series and predict, with the description of the fitted model: for
/// benchmarks that time one model on one series, and tests.
pub fn fit_predict(
    series: &Series,
    spec: &ModelSpec,
    horizon: usize,
    levels: &[f64],
) -> Result<(Forecast, String), ModelError> {
    let fitted = spec.build().fit(series)?;
    predict_fitted(fitted.as_ref(), series, horizon, levels)
}

/// Predict with a model fitted to `series`: the one prediction path of forecasts and
/// backtests.
///
/// Sales cannot be negative: when the whole history is non-negative, point forecasts and
/// bounds below zero are raised to zero (the description says so when it happens).
///
/// Every number that leaves here is finite and ordered, lower ≤ forecast ≤ upper: a forecast
/// that overflowed (values near 1e154 and above square to infinity) is an error, and a band
/// that does not hold its point forecast — the mean of a skewed simulated distribution can lie
/// outside a narrow central interval — is widened to hold it.
pub fn predict_fitted(
    fitted: &dyn Fitted,
    series: &Series,
    horizon: usize,
    levels: &[f64],
) -> Result<(Forecast, String), ModelError> {
    predict_with(fitted, series.values.iter().all(|v| *v >= 0.0), horizon, levels)
}

/// [`predict_fitted`] when the history is not at hand, only whether it was never negative (a
/// stored model's training summary tells).
pub fn predict_with(
    fitted: &dyn Fitted,
    never_negative: bool,
    horizon: usize,
    levels: &[f64],
) -> Result<(Forecast, String), ModelError> {
    finish(fitted, never_negative, fitted.predict(horizon, levels)?)
}

/// [`predict_fitted`] with the drivers of a what-if plan (`future[step][driver]`, as
/// [`Fitted::predict_planned`] takes them).
pub fn predict_planned(
    fitted: &dyn Fitted,
    series: &Series,
    horizon: usize,
    levels: &[f64],
    future: &[Vec<f64>],
) -> Result<(Forecast, String), ModelError> {
    let never_negative = series.values.iter().all(|v| *v >= 0.0);
    finish(fitted, never_negative, fitted.predict_planned(horizon, levels, future)?)
}

/// Checked, described and clipped at zero as every forecast is.
fn finish(fitted: &dyn Fitted, never_negative: bool, mut forecast: Forecast) -> Result<(Forecast, String), ModelError> {
    check_forecast(&mut forecast)?;
    let mut description = fitted.description();
    if never_negative && clip_at_zero(&mut forecast) {
        description.push_str(" Values below zero were raised to zero, as the history is never negative.");
    }
    Ok((forecast, description))
}

/// Refuse non-finite numbers and widen bands to hold their point forecasts.
fn check_forecast(f: &mut Forecast) -> Result<(), ModelError> {
    if !f.is_finite() {
        return Err(ModelError::Overflow);
    }
    for i in &mut f.intervals {
        for ((lo, hi), p) in i.lower.iter_mut().zip(&mut i.upper).zip(&f.point) {
            *lo = lo.min(*p);
            *hi = hi.max(*p);
        }
    }
    Ok(())
}

/// Raise negative points and bounds to zero; true when anything changed.
fn clip_at_zero(f: &mut Forecast) -> bool {
    let mut changed = false;
    let vecs = std::iter::once(&mut f.point).chain(f.intervals.iter_mut().flat_map(|i| [&mut i.lower, &mut i.upper]));
    for v in vecs {
        for x in v.iter_mut().filter(|x| **x < 0.0) {
            *x = 0.0;
            changed = true;
        }
    }
    changed
}
