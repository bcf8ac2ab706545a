//! Forecast every node of a hierarchy and reconcile.

use super::apply::reconcile_forecasts;
use super::hierarchy::Hierarchy;
use super::methods::{bottom_up, correlation, mint, shrunk_covariance, summing, top_down};
use super::{Choice, Method, ReconcileError};
use crate::data::Panel;
use crate::eval::seasonal_scale;
use crate::export::SeriesForecast;
use crate::forecast::{Described, ForecastOptions, ModelSource, forecast};
use crate::models::Forecast;
use nalgebra::DMatrix;
use std::collections::HashMap;

/// A method's backtest score: the mean over nodes of the last window's MAE divided by the
/// node's in-sample one-step naive MAE (its MASE).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MethodScore {
    pub method: Method,
    pub mase: f64,
}

/// The forecasts of every node, reconciled.
pub struct Reconciled {
    pub hierarchy: Hierarchy,
    /// Every node as a series ([`Hierarchy::panel`]).
    pub panel: Panel,
    /// The base forecast of each node, in node order.
    pub base: Vec<Described>,
    /// The reconciled forecast of each node, in node order.
    pub forecasts: Vec<SeriesForecast>,
    pub method: Method,
    /// With [`Choice::Auto`]: each method's backtest score (base forecasts as `none`).
    pub scores: Vec<MethodScore>,
    /// MinT's shrinkage intensity, when MinT was used.
    pub lambda: Option<f64>,
    /// Why the method is the one used, in plain words.
    pub note: String,
}

/// Forecast the total, every level of `columns` and the panel's own series with `model`, and
/// reconcile them by `choice`. Every node must be forecast: a failure is an error that names it.
pub fn forecast_hierarchy(
    panel: &Panel,
    columns: &[String],
    model: ModelSource,
    options: &ForecastOptions,
    choice: Choice,
) -> Result<Reconciled, ReconcileError> {
    let hierarchy = Hierarchy::new(panel, columns)?;
    let hp = hierarchy.panel(panel);
    // Every node; a plan names series of the data, not the totals (and would fall inside the
    // backtests' history).
    let options = ForecastOptions {
        only: None,
        plan: None,
        ..options.clone()
    };
    let base = all_nodes(&hp, model, &options)?;
    let horizon = options.horizon;
    let nonneg: Vec<bool> = hp.series.iter().map(|s| s.values.iter().all(|v| *v >= 0.0)).collect();
    let s = summing(&hierarchy);
    let mut scores = Vec::new();
    let mut lambda = None;
    // The last window's errors give MinT its covariance and the intervals their correlation.
    let recent = if choice == Choice::Fixed(Method::None) {
        None
    } else {
        holdout(&hp, model, &options, horizon).ok()
    };
    let (method, note) = match choice {
        Choice::Fixed(m) => (m, format!("{} (as asked)", m.describe())),
        Choice::Auto => match (&recent, holdout(&hp, model, &options, 2 * horizon)) {
            (Some(recent), Ok(earlier)) => {
                scores = compare(&hierarchy, &s, recent, &earlier, horizon);
                let best = scores
                    .iter()
                    .filter(|c| c.method != Method::None && c.mase.is_finite())
                    .min_by(|a, b| a.mase.total_cmp(&b.mase))
                    .map_or(Method::BottomUp, |c| c.method);
                (
                    best,
                    format!(
                        "{}, the most accurate way to add up in a backtest of the last {horizon} periods",
                        best.describe()
                    ),
                )
            }
            _ => (
                Method::BottomUp,
                format!(
                    "{}: the history is too short to compare methods on two windows of {horizon} periods",
                    Method::BottomUp.describe()
                ),
            ),
        },
    };
    let w = recent.as_ref().map(|r| shrunk_covariance(&r.errors));
    let g = match method {
        Method::None => None,
        Method::BottomUp => Some(bottom_up(&hierarchy)),
        Method::TopDown => {
            let values: Vec<&[f64]> = hp.series.iter().map(|s| s.values.as_slice()).collect();
            Some(top_down(&hierarchy, &values))
        }
        Method::MintShrink => {
            let Some((w, l)) = &w else {
                return Err(ReconcileError::Invalid(format!(
                    "MinT needs the errors of a backtest of the last {horizon} periods, and the history is too \
                     short for it (or a series could not be forecast on it): use bottom-up"
                )));
            };
            lambda = Some(*l);
            Some(mint(&s, w)?)
        }
    };
    let forecasts = match &g {
        None => base.iter().map(|d| d.forecast.clone()).collect(),
        Some(g) => {
            let r = w.as_ref().map(|(w, _)| correlation(w));
            let refs: Vec<&Forecast> = base.iter().map(|d| &d.forecast.forecast).collect();
            reconcile_forecasts(&s, g, r.as_ref(), &refs, &nonneg)
                .into_iter()
                .zip(&base)
                .map(|(forecast, d)| SeriesForecast {
                    forecast,
                    ..d.forecast.clone()
                })
                .collect()
        }
    };
    Ok(Reconciled {
        hierarchy,
        panel: hp,
        base,
        forecasts,
        method,
        scores,
        lambda,
        note,
    })
}

/// The forecast of every node, in node order.
fn all_nodes(hp: &Panel, model: ModelSource, options: &ForecastOptions) -> Result<Vec<Described>, ReconcileError> {
    let out = forecast(hp, model, options)?;
    if !out.failures.is_empty() {
        let list: Vec<String> = out
            .failures
            .iter()
            .map(|f| format!("'{}': {}", f.series, f.error))
            .collect();
        return Err(ReconcileError::Failed(list.join("; ")));
    }
    let mut by_key: HashMap<Vec<String>, Described> =
        out.forecasts.into_iter().map(|d| (d.forecast.key.clone(), d)).collect();
    hp.series
        .iter()
        .map(|s| {
            by_key
                .remove(&s.key)
                .ok_or_else(|| ReconcileError::Failed(format!("'{}' has no forecast", s.label())))
        })
        .collect()
}

/// Base forecasts of the `horizon` periods that follow the history cut `cut` periods short.
struct Holdout {
    /// Base point forecasts, node order.
    points: Vec<Vec<f64>>,
    /// What happened in those periods, node order.
    actual: Vec<Vec<f64>>,
    /// Each node's in-sample one-step naive MAE on the cut history.
    scale: Vec<f64>,
    /// actual − forecast, periods × nodes.
    errors: DMatrix<f64>,
    /// The cut history's values, node order (for top-down's shares).
    history: Vec<Vec<f64>>,
}

fn holdout(hp: &Panel, model: ModelSource, options: &ForecastOptions, cut: usize) -> Result<Holdout, ReconcileError> {
    let horizon = options.horizon;
    let shortest = hp.series.iter().map(|s| s.len()).min().unwrap_or(0);
    if shortest < cut + 2 * horizon.max(4) {
        return Err(ReconcileError::Invalid("too short".into()));
    }
    let train = Panel {
        series: hp.series.iter().map(|s| s.head(s.len() - cut)).collect(),
        ..hp.clone()
    };
    let base = all_nodes(&train, model, options)?;
    let points: Vec<Vec<f64>> = base.iter().map(|d| d.forecast.forecast.point.clone()).collect();
    let actual: Vec<Vec<f64>> = hp
        .series
        .iter()
        .map(|s| s.values[s.len() - cut..s.len() - cut + horizon].to_vec())
        .collect();
    let errors = DMatrix::from_fn(horizon, points.len(), |t, i| actual[i][t] - points[i][t]);
    Ok(Holdout {
        scale: train.series.iter().map(|s| seasonal_scale(&s.values, 1)).collect(),
        history: train.series.iter().map(|s| s.values.clone()).collect(),
        points,
        actual,
        errors,
    })
}

/// Each method's MASE over the nodes on the recent window, MinT's covariance taken from the
/// window before it.
fn compare(h: &Hierarchy, s: &DMatrix<f64>, recent: &Holdout, earlier: &Holdout, horizon: usize) -> Vec<MethodScore> {
    let m = h.nodes.len();
    let base = DMatrix::from_fn(m, horizon, |i, t| recent.points[i][t]);
    let history: Vec<&[f64]> = recent.history.iter().map(Vec::as_slice).collect();
    let mut out = vec![MethodScore {
        method: Method::None,
        mase: mase(&base, recent),
    }];
    let (w, _) = shrunk_covariance(&earlier.errors);
    let candidates = [
        (Method::BottomUp, Some(bottom_up(h))),
        (Method::TopDown, Some(top_down(h, &history))),
        (Method::MintShrink, mint(s, &w).ok()),
    ];
    for (method, g) in candidates {
        let mase = g.map_or(f64::NAN, |g| mase(&(s * g * &base), recent));
        out.push(MethodScore { method, mase });
    }
    out
}

/// Mean over nodes (with a scale) of MAE / scale.
fn mase(points: &DMatrix<f64>, w: &Holdout) -> f64 {
    let mut sum = 0.0;
    let mut n = 0usize;
    for (i, actual) in w.actual.iter().enumerate() {
        let scale = w.scale[i];
        if !(scale.is_finite() && scale > 0.0) {
            continue;
        }
        let mae = actual
            .iter()
            .enumerate()
            .map(|(t, a)| (a - points[(i, t)]).abs())
            .sum::<f64>()
            / actual.len() as f64;
        sum += mae / scale;
        n += 1;
    }
    if n == 0 { f64::NAN } else { sum / n as f64 }
}
