//! Forecast every series of a panel with one model: the call behind `horizon forecast` and
//! the workbench's Run button.

use crate::data::{Panel, Series};
use crate::export::SeriesForecast;
use crate::models::{ModelError, ModelSpec, check_levels};
use rayon::prelude::*;

/// A series the model could not forecast, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesFailure {
    pub series: String,
    pub error: ModelError,
}

/// Fit `spec` to one series and forecast `horizon` steps at `levels` (percent).
pub fn forecast_series(series: &Series, spec: &ModelSpec, horizon: usize, levels: &[f64]) -> Result<(SeriesForecast, String), ModelError> {
    if horizon == 0 {
        return Err(ModelError::Invalid("the horizon must be at least 1".into()));
    }
    check_levels(levels)?;
    let fitted = spec.build().fit(series)?;
    let forecast = fitted.predict(horizon, levels)?;
    Ok((
        SeriesForecast { key: series.key.clone(), model: spec.name().to_string(), dates: series.future_dates(horizon), forecast },
        fitted.description(),
    ))
}

/// Forecast every series (in parallel natively); failures are returned, not dropped.
pub fn forecast_panel(panel: &Panel, spec: &ModelSpec, horizon: usize, levels: &[f64]) -> (Vec<SeriesForecast>, Vec<SeriesFailure>) {
    let results: Vec<Result<SeriesForecast, SeriesFailure>> = panel
        .series
        .par_iter()
        .map(|s| {
            forecast_series(s, spec, horizon, levels)
                .map(|(f, _)| f)
                .map_err(|error| SeriesFailure { series: s.label(), error })
        })
        .collect();
    let mut ok = Vec::with_capacity(results.len());
    let mut failed = Vec::new();
    for r in results {
        match r {
            Ok(f) => ok.push(f),
            Err(e) => failed.push(e),
        }
    }
    (ok, failed)
}
