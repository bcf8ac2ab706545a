//! Forecast every series of a panel with one model: the call behind `horizon forecast` and
//! the workbench's Run button.

use crate::data::{Panel, Series};
use crate::export::SeriesForecast;
use crate::models::gbm::Gbm;
use crate::models::gbm_tune::Tuned;
use crate::models::{Fitted, Forecast, ModelError, ModelSpec, check_levels};
use rayon::prelude::*;

/// A series the model could not forecast, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesFailure {
    pub series: String,
    pub error: ModelError,
}

/// Fit `spec` to one series and forecast `horizon` steps at `levels` (percent).
pub fn forecast_series(
    series: &Series,
    spec: &ModelSpec,
    horizon: usize,
    levels: &[f64],
) -> Result<(SeriesForecast, String), ModelError> {
    forecast_series_fitted(series, spec, horizon, levels).map(|(f, d, _)| (f, d))
}

/// [`forecast_series`], also handing back the fitted model (e.g. to show Auto's candidates).
pub fn forecast_series_fitted(
    series: &Series,
    spec: &ModelSpec,
    horizon: usize,
    levels: &[f64],
) -> Result<(SeriesForecast, String, Box<dyn Fitted>), ModelError> {
    check_horizon(horizon)?;
    check_levels(levels)?;
    let fitted = spec.build().fit(series)?;
    let (forecast, description) = predict_fitted(fitted.as_ref(), series, horizon, levels)?;
    Ok((
        SeriesForecast {
            key: series.key.clone(),
            model: spec.name(),
            dates: series.future_dates(horizon),
            forecast,
        },
        description,
        fitted,
    ))
}

/// Fit and predict, the one path of forecasts and backtests, with the model's description.
///
/// Sales cannot be negative: when the whole history is non-negative, point forecasts and
/// bounds below zero are raised to zero (the description says so when it happens).
pub fn fit_predict(
    series: &Series,
    spec: &ModelSpec,
    horizon: usize,
    levels: &[f64],
) -> Result<(Forecast, String), ModelError> {
    let fitted = spec.build().fit(series)?;
    predict_fitted(fitted.as_ref(), series, horizon, levels)
}

/// Predict with a model already fitted to `series` (e.g. loaded from an artifact), clipping
/// at zero as [`fit_predict`] does.
pub fn predict_fitted(
    fitted: &dyn Fitted,
    series: &Series,
    horizon: usize,
    levels: &[f64],
) -> Result<(Forecast, String), ModelError> {
    let mut forecast = fitted.predict(horizon, levels)?;
    let mut description = fitted.description();
    if series.values.iter().all(|v| *v >= 0.0) && clip_at_zero(&mut forecast) {
        description.push_str(" Values below zero were raised to zero, as the history is never negative.");
    }
    Ok((forecast, description))
}

/// The longest forecast Horizon makes: far beyond any planning use, small enough to keep
/// memory and dates in range.
pub const MAX_HORIZON: usize = 10_000;

/// A horizon must be 1..=[`MAX_HORIZON`].
pub fn check_horizon(horizon: usize) -> Result<(), ModelError> {
    if horizon == 0 || horizon > MAX_HORIZON {
        return Err(ModelError::Invalid(format!(
            "the horizon must be between 1 and {MAX_HORIZON} (got {horizon})"
        )));
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

/// A global model fitted on `series` (of `panel`): one fitted model per series in order, or the
/// reason for each series; `None` when `spec` fits series one by one.
pub fn fit_global(
    panel: &Panel,
    series: &[Series],
    spec: &ModelSpec,
) -> Option<Vec<Result<Box<dyn Fitted>, ModelError>>> {
    match spec {
        ModelSpec::Ensemble { members: Some(m) } if spec.is_global() => {
            Some(crate::models::global_ensemble::fit_panel(panel, series, m))
        }
        _ => global_model(panel, spec).map(|gbm| fit_global_model(&gbm, series, None)),
    }
}

/// The global model `spec` names, set up for `panel`'s id and driver columns (`None` when
/// `spec` fits series one by one).
pub fn global_model(panel: &Panel, spec: &ModelSpec) -> Option<Gbm> {
    let ModelSpec::Gbm {
        season,
        tune,
        strategy,
        loss,
    } = spec
    else {
        return None;
    };
    Some(Gbm {
        id_columns: panel.id_columns.clone(),
        exog_columns: panel.exog_columns.clone(),
        ..Gbm::new(*season, *strategy, *loss, *tune)
    })
}

/// The series `gbm` can train on (the others fail alone).
pub fn trainable(gbm: &Gbm, series: &[Series]) -> Vec<Series> {
    series.iter().filter(|s| gbm.check(s).is_ok()).cloned().collect()
}

/// Fit `gbm` on `series` together (with the parameters of `tuned` when a search already ran):
/// one fitted model per series in order, or the reason for each series.
pub fn fit_global_model(
    gbm: &Gbm,
    series: &[Series],
    tuned: Option<&Tuned>,
) -> Vec<Result<Box<dyn Fitted>, ModelError>> {
    let chosen = trainable(gbm, series);
    let fits = match tuned {
        Some(t) => gbm.fit_tuned(&chosen, t),
        None => gbm.fit_panel(&chosen),
    };
    let mut fitted = match fits {
        Ok(f) => f
            .into_iter()
            .map(|f| Ok(Box::new(f) as Box<dyn Fitted>))
            .collect::<Vec<_>>(),
        Err(e) => chosen.iter().map(|_| Err(e.clone())).collect(),
    }
    .into_iter();
    series
        .iter()
        .map(|s| {
            gbm.check(s).and_then(|()| {
                fitted
                    .next()
                    .unwrap_or_else(|| Err(ModelError::Invalid("the global model lost a series".into())))
            })
        })
        .collect()
}

/// Forecasts of every series of `panel` from a global model's fits (from [`fit_global`] or
/// [`fit_global_model`]), with each model's description; failures returned, not dropped.
pub fn global_forecasts(
    panel: &Panel,
    spec: &ModelSpec,
    fitted: Vec<Result<Box<dyn Fitted>, ModelError>>,
    horizon: usize,
    levels: &[f64],
) -> (Vec<Described>, Vec<SeriesFailure>) {
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    for (s, f) in panel.series.iter().zip(fitted) {
        let result = check_horizon(horizon)
            .and(f)
            .and_then(|f| predict_fitted(f.as_ref(), s, horizon, levels));
        match result {
            Ok((forecast, description)) => ok.push((
                SeriesForecast {
                    key: s.key.clone(),
                    model: spec.name(),
                    dates: s.future_dates(horizon),
                    forecast,
                },
                description,
            )),
            Err(error) => failed.push(SeriesFailure {
                series: s.label(),
                error,
            }),
        }
    }
    (ok, failed)
}

/// A series' forecast with the description of the model that made it.
pub type Described = (SeriesForecast, String);

fn undescribed((ok, failed): (Vec<Described>, Vec<SeriesFailure>)) -> (Vec<SeriesForecast>, Vec<SeriesFailure>) {
    (ok.into_iter().map(|(f, _)| f).collect(), failed)
}

/// Forecast every series (in parallel natively); failures are returned, not dropped. A
/// global model ([`ModelSpec::Gbm`]) is fitted once on every series.
pub fn forecast_panel(
    panel: &Panel,
    spec: &ModelSpec,
    horizon: usize,
    levels: &[f64],
) -> (Vec<SeriesForecast>, Vec<SeriesFailure>) {
    undescribed(forecast_panel_described(panel, spec, horizon, levels))
}

/// [`forecast_panel`] with each fitted model's description.
pub fn forecast_panel_described(
    panel: &Panel,
    spec: &ModelSpec,
    horizon: usize,
    levels: &[f64],
) -> (Vec<Described>, Vec<SeriesFailure>) {
    if let Some(fitted) = fit_global(panel, &panel.series, spec) {
        return global_forecasts(panel, spec, fitted, horizon, levels);
    }
    let results: Vec<Result<Described, SeriesFailure>> = panel
        .series
        .par_iter()
        .map(|s| {
            forecast_series(s, spec, horizon, levels).map_err(|error| SeriesFailure {
                series: s.label(),
                error,
            })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Frequency;
    use chrono::NaiveDate;

    fn series(values: &[f64]) -> Series {
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        Series::new(
            vec!["a".into()],
            Frequency::Daily,
            (0..values.len())
                .map(|k| Frequency::Daily.advance(start, k as i64))
                .collect(),
            values.to_vec(),
        )
    }

    #[test]
    fn sales_bounds_are_never_negative_but_returns_may_be() {
        let s = series(&[0.0, 9.0, 0.0, 8.0, 1.0, 0.0]);
        let (f, desc) = forecast_series(&s, &ModelSpec::Naive, 3, &[95.0]).unwrap();
        assert!(f.forecast.intervals[0].lower.iter().all(|v| *v == 0.0));
        assert!(desc.contains("raised to zero"));
        assert_eq!(f.dates[0], NaiveDate::from_ymd_opt(2024, 1, 7).unwrap());
        let s = series(&[0.0, 9.0, -3.0, 8.0, 1.0, 0.0]);
        let (f, _) = forecast_series(&s, &ModelSpec::Naive, 3, &[95.0]).unwrap();
        assert!(f.forecast.intervals[0].lower[0] < 0.0);
    }

    #[test]
    fn panel_failures_are_reported_not_dropped() {
        let panel = crate::data::Panel {
            id_columns: vec!["id".into()],
            date_column: "date".into(),
            value_column: "y".into(),
            exog_columns: vec![],
            freq: Frequency::Daily,
            series: vec![
                series(&[1.0, 2.0, 3.0]),
                Series {
                    key: vec!["b".into()],
                    ..series(&[4.0])
                },
            ],
        };
        let (ok, failed) = forecast_panel(&panel, &ModelSpec::Drift, 2, &[80.0, 95.0]);
        assert_eq!(ok.len(), 1);
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].series, "b");
        assert!(matches!(failed[0].error, ModelError::TooShort { .. }));
    }
}
