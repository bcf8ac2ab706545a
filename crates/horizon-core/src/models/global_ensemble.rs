//! An ensemble with a global member (`ensemble:ets/arima/gbm`): the weights are found as for
//! [`super::ensemble::Ensemble`] — each member refitted at the same few origins of each
//! series' recent history and scored by its mean squared error — but a global member (the
//! GBM) is fitted once on every series cut at an origin instead of on each series alone, so
//! it learns across the panel as it does on its own. The result is one
//! [`FittedEnsemble`] per series, stored and forecast like any ensemble.

use super::ensemble::{FittedEnsemble, backtest_mse, backtest_window};
use super::{Fitted, ModelError, ModelSpec};
use crate::data::{Panel, Series};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Backtest origins per member for the weights (as the series-by-series ensemble).
const ORIGINS: usize = 3;

/// One member's fit of every series and its backtest MSE on each (`None`: could not score).
type MemberFits = (Vec<Result<Box<dyn Fitted>, ModelError>>, Vec<Option<f64>>);

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
    (0..series.len())
        .map(|i| {
            let mut fitted = Vec::new();
            let mut failed: Vec<(String, ModelError)> = Vec::new();
            for (spec, (models, mse)) in members.iter().zip(&fits) {
                match &models[i] {
                    Ok(f) => fitted.push((spec.name(), f.to_state(), mse[i])),
                    Err(e) => failed.push((spec.name(), e.clone())),
                }
            }
            FittedEnsemble::combine(fitted, failed).map(|e| Box::new(e) as Box<dyn Fitted>)
        })
        .collect()
}

/// A series-by-series member: fitted and backtested on each series alone (in parallel).
fn local_member(series: &[Series], spec: &ModelSpec, windows: &[(usize, Vec<usize>)]) -> MemberFits {
    series
        .par_iter()
        .zip(windows)
        .map(|(s, (steps, origins))| (spec.build().fit(s), backtest_mse(s, spec, origins, *steps)))
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
    let mut errors: Vec<(f64, usize, bool)> = vec![(0.0, 0, true); series.len()];
    for (back, at) in cuts {
        let heads: Vec<Series> = at.iter().map(|&i| series[i].head(series[i].len() - back)).collect();
        let Some(fitted) = crate::forecast::fit_global(panel, &heads, spec) else {
            continue;
        };
        for ((&i, head), f) in at.iter().zip(&heads).zip(fitted) {
            let steps = windows[i].0;
            let forecast = f.and_then(|f| f.predict(steps, &[95.0]));
            let e = &mut errors[i];
            match forecast {
                Ok(fc) => {
                    for (y, p) in series[i].values[head.len()..head.len() + steps].iter().zip(&fc.point) {
                        let d = y - p;
                        e.2 &= d.is_finite();
                        e.0 += d * d;
                        e.1 += 1;
                    }
                }
                Err(_) => e.2 = false,
            }
        }
    }
    let mse = errors
        .into_iter()
        .map(|(sum, n, ok)| (ok && n > 0).then(|| sum / n as f64))
        .collect();
    (full, mse)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::generate::{RetailParams, retail};
    use crate::models::FittedModel;

    #[test]
    fn the_gbm_member_learns_from_the_whole_panel_and_weights_follow_errors() {
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
            assert!((a.weight + b.weight - 1.0).abs() < 1e-12);
            let (ma, mb) = (a.mse.expect("scored"), b.mse.expect("scored"));
            assert_eq!(
                a.weight > b.weight,
                ma < mb,
                "{ma} vs {mb}: {} / {}",
                a.weight,
                b.weight
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
