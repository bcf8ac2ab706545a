//! An ensemble with a global member (`ensemble:ets/arima/gbm`). Every member is refitted at
//! the same few origins of each series' recent history, as for
//! [`super::ensemble::Ensemble`], but a global member (the GBM) is fitted once on every series
//! cut at an origin instead of on each series alone, so it learns across the panel as it does
//! on its own.
//!
//! The weights are one set for the panel: each member's inverse mean squared error (Bates &
//! Granger 1969, "The combination of forecasts", *Operational Research Quarterly* 20(4)) on
//! those backtest forecasts of every series, each scaled by its seasonal-naive error. Pooled
//! over a panel, thousands of backtest points give each member's error without the noise of a
//! single series, so they are not shrunk toward equal. Constrained least squares on the same
//! forecasts (Granger & Ramanathan 1984), shrunk toward equal weights as far as a left-out
//! origin advised, was used before and replaced: with three recent origins it put everything
//! on whichever GBM had led in the last weeks, and on the retail panel every mix it made lost
//! to its best member, where these weights beat every member of the GBM pair and of Prophet
//! with both GBMs; on a panel drawn with another seed neither rule beats the best member, and
//! least squares does better with Prophet as a member (benches/RESULTS.md, "panel inverse-MSE
//! weights"). A series on which a member could not be fitted takes the others' weights
//! renormalised, or its own inverse-MSE weights when those are nothing. The result is one [`FittedEnsemble`] per series, stored and
//! forecast like any ensemble.

use super::ensemble::{
    FittedEnsemble, Weighting, backtest_actuals, backtest_points, backtest_window, inverse_shares, mse,
};
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
    let panel_weights = panel_weights(series, &actuals, &fits);
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

/// The panel's weights: each member's inverse mean squared backtest error, pooled over every
/// series all members could forecast, each error divided by its series' seasonal-naive error
/// (so every series counts alike whatever its units); `None` when no series has them all.
fn panel_weights(series: &[Series], actuals: &[Vec<f64>], fits: &[MemberFits]) -> Option<(Vec<f64>, Weighting)> {
    let mut pooled = PooledErrors::new(fits.len());
    for (i, (s, actual)) in series.iter().zip(actuals).enumerate() {
        let points: Option<Vec<&[f64]>> = fits.iter().map(|(_, p)| p[i].as_deref()).collect();
        if let Some(points) = points {
            pooled.add(&points, actual, seasonal_scale(&s.values, s.freq.default_season()));
        }
    }
    let weights = pooled.inverse_mse_weights()?;
    Some((
        weights,
        Weighting::PanelInverseMse {
            series: pooled.series,
            points: pooled.points,
        },
    ))
}

/// Squared backtest errors of each member summed over a panel, each divided by its series'
/// squared scale.
#[derive(Debug, Clone, PartialEq)]
struct PooledErrors {
    sse: Vec<f64>,
    points: usize,
    series: usize,
}

impl PooledErrors {
    fn new(members: usize) -> PooledErrors {
        PooledErrors {
            sse: vec![0.0; members],
            points: 0,
            series: 0,
        }
    }

    /// Add one series: `forecasts[j]` is member `j`'s backtest forecasts of `actual`. Ignored
    /// when the lengths differ, the scale is not positive or a value is not finite.
    fn add(&mut self, forecasts: &[&[f64]], actual: &[f64], scale: f64) {
        if forecasts.len() != self.sse.len() || !(scale.is_finite() && scale > 0.0) {
            return;
        }
        // `mse` refuses empty or unequal lengths and any value that is not finite.
        let Some(errors) = forecasts.iter().map(|f| mse(actual, f)).collect::<Option<Vec<f64>>>() else {
            return;
        };
        let n = actual.len() as f64;
        for (sse, e) in self.sse.iter_mut().zip(errors) {
            *sse += e * n / (scale * scale);
        }
        self.points += actual.len();
        self.series += 1;
    }

    /// Weights proportional to each member's inverse mean squared error (shared by the
    /// members that never erred, the limit of those weights, when there are any); `None` with
    /// nothing added.
    fn inverse_mse_weights(&self) -> Option<Vec<f64>> {
        if self.points == 0 || self.sse.is_empty() || self.sse.iter().any(|e| !e.is_finite()) {
            return None;
        }
        let exact = self.sse.iter().filter(|e| **e <= 0.0).count();
        if exact > 0 {
            let share = 1.0 / exact as f64;
            return Some(self.sse.iter().map(|e| if *e <= 0.0 { share } else { 0.0 }).collect());
        }
        // The summed errors share one count of points, so their inverse shares are the MSEs'.
        Some(inverse_shares(&self.sse))
    }
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
    let full = fit_global(panel, series, spec).unwrap_or_else(|| {
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
        let Some(fitted) = fit_global(panel, &heads, spec) else {
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

/// A global member (a GBM: ensembles do not nest) fitted on `series` together; `None` for a
/// member that is not global.
fn fit_global(panel: &Panel, series: &[Series], spec: &ModelSpec) -> Option<Vec<Result<Box<dyn Fitted>, ModelError>>> {
    spec.gbm().map(|gbm| gbm.for_panel(panel).fit_series(series, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::generate::{RetailParams, retail};
    use crate::models::FittedModel;

    #[test]
    fn pooled_weights_are_inverse_mean_squared_errors_of_scaled_series() {
        let mut p = PooledErrors::new(2);
        assert_eq!(p.inverse_mse_weights(), None, "nothing added");
        // Member 0 errs by 1 on each point, member 1 by 2: MSE 1 and 4, weights 0.8 / 0.2.
        p.add(&[&[11.0, 9.0], &[12.0, 8.0]], &[10.0, 10.0], 1.0);
        let w = p.inverse_mse_weights().unwrap();
        assert!((w[0] - 0.8).abs() < 1e-12 && (w[1] - 0.2).abs() < 1e-12, "{w:?}");
        // A series in other units, with its scale, counts as the same errors would.
        let mut q = p.clone();
        q.add(&[&[1100.0, 900.0], &[1200.0, 800.0]], &[1000.0, 1000.0], 100.0);
        assert_eq!(q.inverse_mse_weights(), p.inverse_mse_weights());
        assert_eq!((q.series, q.points), (2, 4));
        // Unusable series are left out: no scale, a NaN, lengths that differ.
        q.add(&[&[1.0], &[2.0]], &[0.0], 0.0);
        q.add(&[&[f64::NAN], &[2.0]], &[0.0], 1.0);
        q.add(&[&[1.0, 2.0], &[2.0]], &[0.0], 1.0);
        assert_eq!((q.series, q.points), (2, 4));
        // A member that never errs takes every weight.
        let mut r = PooledErrors::new(3);
        r.add(&[&[1.0], &[3.0], &[2.0]], &[2.0], 1.0);
        assert_eq!(r.inverse_mse_weights(), Some(vec![0.0, 0.0, 1.0]));
    }

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
        let ModelSpec::Ensemble(crate::models::ensemble::EnsembleSpec { members: Some(members) }) = &spec else {
            panic!("an ensemble with members")
        };
        let fitted = fit_panel(&panel, &panel.series, members);
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
            let Weighting::PanelInverseMse { series, points } = e.weighting else {
                panic!("panel weights: {:?}", e.weighting)
            };
            assert_eq!((series, points), (4, 4 * 3 * 14));
            let w = vec![a.weight, b.weight];
            assert_eq!(*seen.get_or_insert(w.clone()), w, "the same weights on every series");
            assert!(
                e.description()
                    .contains("inverse mean squared error on 168 backtest forecasts of 4 series"),
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
