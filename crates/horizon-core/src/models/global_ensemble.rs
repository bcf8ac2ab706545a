//! An ensemble with a global member (`ensemble:ets/arima/gbm`). Every member is refitted at
//! the same few origins of each series' recent history, as for
//! [`super::ensemble::Ensemble`], but a global member (the GBM) is fitted once on every series
//! cut at an origin instead of on each series alone, so it learns across the panel as it does
//! on its own.
//!
//! The weights are one set for the panel, by constrained least squares ([`super::cls`]) on
//! those backtest forecasts of every series, each scaled by its seasonal-naive error, shrunk
//! toward equal weights by the share that held up on an origin left out: a panel
//! gives thousands of backtest points where one series gives a few dozen, and least squares
//! sees that two statistical members err alike (measured on the retail panel, benches/
//! RESULTS.md: per-series inverse-MSE weights kept a third each for ETS and ARIMA, and the mix
//! lost to the GBM alone). A series on which a member could not be fitted takes the others'
//! weights renormalised, or its own inverse-MSE weights when those are nothing. The result is
//! one [`FittedEnsemble`] per series, stored and forecast like any ensemble.

use super::cls::{Gram, shrunk};
use super::ensemble::{FittedEnsemble, Weighting, backtest_actuals, backtest_points, backtest_window, mse};
use super::{Fitted, ModelError, ModelSpec};
use crate::data::{Panel, Series};
use crate::eval::metrics::seasonal_scale;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Backtest origins per member for the weights (as the series-by-series ensemble).
const ORIGINS: usize = 3;

/// One member's fit of every series and its backtest forecasts of each (`None`: could not).
type MemberFits = (Vec<Result<Box<dyn Fitted>, ModelError>>, Vec<Option<Vec<f64>>>);

/// Fit the ensemble of `members` (at least one of them global) on `series` of `panel`: one
/// fitted ensemble per series in order, or why not.
pub fn fit_panel(panel: &Panel, series: &[Series], members: &[ModelSpec]) -> Vec<Result<Box<dyn Fitted>, ModelError>> {
    if members.is_empty() {
        return series
            .iter()
            .map(|_| Err(ModelError::Invalid("an ensemble needs at least one member".into())))
            .collect();
    }
    let windows: Vec<(usize, Vec<usize>)> = series.iter().map(|s| backtest_window(s, ORIGINS)).collect();
    let fits: Vec<MemberFits> = members
        .iter()
        .map(|spec| match spec.is_global() {
            true => global_member(panel, series, spec, &windows),
            false => local_member(series, spec, &windows),
        })
        .collect();
    let actuals: Vec<Vec<f64>> = series
        .iter()
        .zip(&windows)
        .map(|(s, (steps, origins))| backtest_actuals(s, origins, *steps))
        .collect();
    let panel_weights = panel_weights(series, &windows, &actuals, &fits);
    (0..series.len())
        .map(|i| {
            let mut fitted = Vec::new();
            let mut failed: Vec<(String, ModelError)> = Vec::new();
            let mut shares = Vec::new();
            for (j, (spec, (models, points))) in members.iter().zip(&fits).enumerate() {
                match &models[i] {
                    Ok(f) => {
                        let err = points[i].as_deref().and_then(|p| mse(&actuals[i], p));
                        fitted.push((spec.name(), f.to_state(), err));
                        shares.push(panel_weights.as_ref().map_or(0.0, |(w, _)| w[j]));
                    }
                    Err(e) => failed.push((spec.name(), e.clone())),
                }
            }
            let total: f64 = shares.iter().sum();
            let given = panel_weights
                .as_ref()
                .filter(|_| total > 1e-9)
                .map(|(_, how)| (shares.iter().map(|w| w / total).collect(), *how));
            FittedEnsemble::combine_with(fitted, failed, given).map(|e| Box::new(e) as Box<dyn Fitted>)
        })
        .collect()
}

/// The panel's weights by constrained least squares on the backtest forecasts of every series
/// all members could forecast, each scaled by its seasonal-naive error, shrunk toward equal
/// weights as far as held-out origins say ([`super::cls::shrunk`]); `None` when there are
/// none.
fn panel_weights(
    series: &[Series],
    windows: &[(usize, Vec<usize>)],
    actuals: &[Vec<f64>],
    fits: &[MemberFits],
) -> Option<(Vec<f64>, Weighting)> {
    let mut by_origin: Vec<Gram> = vec![Gram::new(fits.len()); ORIGINS];
    for (i, ((s, actual), (steps, _))) in series.iter().zip(actuals).zip(windows).enumerate() {
        let points: Option<Vec<&[f64]>> = fits.iter().map(|(_, p)| p[i].as_deref()).collect();
        let Some(points) = points else {
            continue;
        };
        let scale = seasonal_scale(&s.values, s.freq.default_season());
        // Origin after origin, `steps` each (as the members list their forecasts).
        for (k, gram) in by_origin.iter_mut().enumerate() {
            let span = k * steps..(k + 1) * steps;
            let Some(y) = actual.get(span.clone()) else {
                break;
            };
            let parts: Option<Vec<&[f64]>> = points.iter().map(|p| p.get(span.clone())).collect();
            if let Some(parts) = parts {
                gram.add(&parts, y, scale);
            }
        }
    }
    let (weights, shrink) = shrunk(&by_origin)?;
    Some((
        weights,
        Weighting::PanelLeastSquares {
            series: by_origin.iter().map(|g| g.series).max().unwrap_or(0),
            points: by_origin.iter().map(|g| g.points).sum(),
            shrink,
        },
    ))
}

/// A series-by-series member: fitted and backtested on each series alone (in parallel).
fn local_member(series: &[Series], spec: &ModelSpec, windows: &[(usize, Vec<usize>)]) -> MemberFits {
    series
        .par_iter()
        .zip(windows)
        .map(|(s, (steps, origins))| (spec.build().fit(s), backtest_points(s, spec, origins, *steps)))
        .unzip()
}

/// A global member: fitted on every series, and once per backtest cut on every series cut
/// there. Series are cut by how far from their end the origin lies, so a panel whose series
/// end together is cut at the same dates.
fn global_member(panel: &Panel, series: &[Series], spec: &ModelSpec, windows: &[(usize, Vec<usize>)]) -> MemberFits {
    let full = crate::forecast::fit_global(panel, series, spec).unwrap_or_else(|| {
        series
            .iter()
            .map(|_| Err(ModelError::Invalid(format!("{spec} is not a global model"))))
            .collect()
    });
    // Steps back from the end → the series cut there.
    let mut cuts: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, (s, (_, origins))) in series.iter().zip(windows).enumerate() {
        for &o in origins {
            cuts.entry(s.len() - o).or_default().push(i);
        }
    }
    // Series → its forecast from each cut, by origin.
    let mut found: Vec<BTreeMap<usize, Vec<f64>>> = vec![BTreeMap::new(); series.len()];
    for (back, at) in cuts {
        let heads: Vec<Series> = at.iter().map(|&i| series[i].head(series[i].len() - back)).collect();
        let Some(fitted) = crate::forecast::fit_global(panel, &heads, spec) else {
            continue;
        };
        for ((&i, head), f) in at.iter().zip(&heads).zip(fitted) {
            let steps = windows[i].0;
            if let Ok(fc) = f.and_then(|f| f.predict(steps, &[95.0]))
                && fc.point.len() == steps
            {
                found[i].insert(head.len(), fc.point);
            }
        }
    }
    // In the order of the series' origins, as the local members list theirs.
    let points = found
        .into_iter()
        .zip(windows)
        .map(|(mut by_origin, (_, origins))| {
            let mut out = Vec::new();
            for o in origins {
                out.extend(by_origin.remove(o)?);
            }
            (!out.is_empty()).then_some(out)
        })
        .collect();
    (full, points)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::generate::{RetailParams, retail};
    use crate::models::FittedModel;

    #[test]
    fn the_gbm_member_learns_from_the_whole_panel_and_the_panel_shares_its_weights() {
        let panel = retail(&RetailParams {
            stores: 2,
            products: 2,
            days: 240,
            seed: 5,
            ..RetailParams::default()
        });
        let spec: ModelSpec = "ensemble:seasonal-naive/gbm".parse().unwrap();
        assert!(spec.is_global());
        assert_eq!(spec.name(), "ensemble:seasonal-naive/gbm");
        assert_eq!(spec.name().parse::<ModelSpec>().unwrap(), spec);
        let fitted = crate::forecast::fit_global(&panel, &panel.series, &spec).expect("a global model");
        assert_eq!(fitted.len(), 4);
        let mut seen: Option<Vec<f64>> = None;
        for f in fitted {
            let FittedModel::Ensemble(e) = f.unwrap().to_state() else {
                panic!("an ensemble")
            };
            assert_eq!(e.members.len(), 2);
            let FittedModel::Gbm(g) = &e.members[1].model else {
                panic!("the GBM member")
            };
            assert_eq!(g.panel_size, 4, "one booster for the panel");
            let (a, b) = (&e.members[0], &e.members[1]);
            assert!((a.weight + b.weight - 1.0).abs() < 1e-12 && a.weight >= 0.0 && b.weight >= 0.0);
            assert!(a.mse.is_some() && b.mse.is_some(), "both scored");
            // One set of weights for the panel, from every series' backtest (3 origins of 14
            // daily steps each).
            let Weighting::PanelLeastSquares { series, points, shrink } = e.weighting else {
                panic!("panel weights: {:?}", e.weighting)
            };
            assert_eq!((series, points), (4, 4 * 3 * 14));
            assert!((0.0..=1.0).contains(&shrink));
            let w = vec![a.weight, b.weight];
            assert_eq!(*seen.get_or_insert(w.clone()), w, "the same weights on every series");
            assert!(
                e.description().contains("constrained least squares"),
                "{}",
                e.description()
            );
            // The forecast is the weighted mean of the members'.
            let fc = e.predict(7, &[95.0]).unwrap();
            let pa = a.model.predict(7, &[95.0]).unwrap();
            let pb = b.model.predict(7, &[95.0]).unwrap();
            for h in 0..7 {
                let mix = a.weight * pa.point[h] + b.weight * pb.point[h];
                assert!((fc.point[h] - mix).abs() < 1e-9);
            }
        }
        // The panel's backtest runs it as one global model per fold.
        let cfg = crate::eval::backtest::BacktestConfig {
            horizon: 14,
            folds: 2,
            step: None,
            season: None,
            level: 95.0,
        };
        let r = crate::eval::backtest::backtest_panel(&panel, &[spec], &cfg).unwrap();
        assert_eq!(r.summary[0].n_ok, 8, "{:?}", r.summary);
    }
}
