//! Weighted ensembles: several models fitted to the same series, their forecasts combined
//! with weights from their rolling-origin backtest errors.
//!
//! Each member is refitted at a few origins spread over the last three seasons and scored by
//! its mean squared error on the following steps; weights are proportional to the inverse MSE
//! (Bates & Granger 1969, "The combination of forecasts", *Operational Research Quarterly*
//! 20(4)), shrunk half way to equal weights, since estimated weights are noisy and equal
//! weights are hard to beat (the "forecast combination puzzle", Smith & Wallis 2009, *Oxford
//! Bulletin of Economics and Statistics* 71(3)). A member that cannot be backtested keeps the
//! equal weight; one that cannot be fitted at all is left out (and named in the description).
//!
//! Point forecasts are the weighted means of the members'; each interval bound lies half way
//! from the weighted mean of the members' bounds to the widest of them ([`EnsembleBounds`]).
//! For intervals calibrated on the ensemble's own past errors, wrap it: `ensemble+conformal`.

use super::conformal::origins_for;
use super::family::{Entry, Family, model_list};
use super::{Fitted, FittedModel, Forecast, Forecaster, Interval, ModelError, ModelSpec, check_levels};
use crate::data::Series;
use serde::{Deserialize, Serialize};

/// Backtest origins per member for the weights.
const ORIGINS: usize = 3;
/// Share of the equal weight in the final weights.
const SHRINK: f64 = 0.5;

/// The members an ensemble has unless given others: ETS and ARIMA, the pair statsforecast's
/// and the M4 competition's combinations are built on, and MSTL.
pub fn default_members() -> Vec<ModelSpec> {
    vec![
        ModelSpec::Ets(Default::default()),
        ModelSpec::AUTO_ARIMA,
        ModelSpec::Mstl(Default::default()),
    ]
}

/// A weighted ensemble of `members`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ensemble {
    pub members: Vec<ModelSpec>,
}

/// A member's fitted model, its weight and its backtest error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub model: FittedModel,
    pub weight: f64,
    /// Mean squared backtest error (`None`: too short to backtest).
    pub mse: Option<f64>,
}

/// How an ensemble's weights were found.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum Weighting {
    /// Each member's inverse backtest MSE on this series, shrunk half way to equal weights.
    #[default]
    InverseMse,
    /// Each member's inverse mean squared backtest error pooled over every series of the
    /// panel, each error scaled by its series' seasonal-naive error: one set of weights for
    /// the panel ([`super::global_ensemble`]).
    PanelInverseMse { series: usize, points: usize },
    /// Constrained least squares on the panel's scaled backtest forecasts, moved `shrink` of
    /// the way to equal weights: how global ensembles were weighted before
    /// [`Weighting::PanelInverseMse`]; kept so that their artifacts still load and describe
    /// themselves.
    PanelLeastSquares {
        series: usize,
        points: usize,
        #[serde(default)]
        shrink: f64,
    },
}

/// How an ensemble's interval bounds are made from its members' bounds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EnsembleBounds {
    /// The weighted mean of the members' bounds (fits stored before the rule, and the global
    /// ensemble, whose bands were not measured with the other rule).
    #[default]
    Weighted,
    /// Half way from the weighted mean of the members' bounds to their envelope (the lowest
    /// lower, the highest upper; Gaba, Tsetlin & Winkler 2017). Measured on the public
    /// benchmark, the only rule of the three whose interval score is below the best member's
    /// on all four datasets, on the reference sample and on the other series alike
    /// (benches/RESULTS.md): the mean is too narrow where members' bands cover too little (M1),
    /// the envelope too wide where one member's cover enough (Tourism).
    Midway,
}

impl EnsembleBounds {
    fn is_weighted(&self) -> bool {
        *self == EnsembleBounds::Weighted
    }
}

/// A fitted ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedEnsemble {
    pub members: Vec<Member>,
    /// Members that could not be fitted, with why.
    pub dropped: Vec<(String, String)>,
    /// How the weights were found (artifacts written before this field: inverse MSE).
    #[serde(default)]
    pub weighting: Weighting,
    /// How the bounds are combined (artifacts written before this field: the weighted mean).
    #[serde(default, skip_serializing_if = "EnsembleBounds::is_weighted")]
    pub bounds: EnsembleBounds,
}

impl Forecaster for Ensemble {
    fn name(&self) -> String {
        "ensemble".into()
    }

    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        if self.members.is_empty() {
            return Err(ModelError::Invalid("an ensemble needs at least one member".into()));
        }
        let (steps, origins) = backtest_window(series, ORIGINS);
        let mut fitted = Vec::new();
        let mut failed: Vec<(String, ModelError)> = Vec::new();
        for spec in &self.members {
            match super::stepping::fit(spec, series) {
                Ok(f) => fitted.push((spec.name(), f.to_state(), backtest_mse(series, spec, &origins, steps))),
                Err(e) => failed.push((spec.name(), e)),
            }
        }
        Ok(Box::new(FittedEnsemble::combine(fitted, failed)?))
    }
}

/// A member fitted to a series: its name, the fit and its backtest MSE.
pub(crate) type FittedPart = (String, FittedModel, Option<f64>);

impl FittedEnsemble {
    /// The ensemble of the members that could be fitted, weighted by their backtest errors,
    /// its bounds [`EnsembleBounds::Midway`]; the others are named with why. With none fitted, the first member's own error says why
    /// (too short, NaN, …).
    pub(crate) fn combine(
        fitted: Vec<FittedPart>,
        failed: Vec<(String, ModelError)>,
    ) -> Result<FittedEnsemble, ModelError> {
        let mut ensemble = FittedEnsemble::combine_with(fitted, failed, None)?;
        ensemble.bounds = EnsembleBounds::Midway;
        Ok(ensemble)
    }

    /// [`FittedEnsemble::combine`] with the weights found elsewhere (one per fitted member,
    /// and how), instead of from the members' own backtest errors.
    pub(crate) fn combine_with(
        fitted: Vec<FittedPart>,
        mut failed: Vec<(String, ModelError)>,
        given: Option<(Vec<f64>, Weighting)>,
    ) -> Result<FittedEnsemble, ModelError> {
        if fitted.is_empty() {
            return Err(if failed.is_empty() {
                ModelError::Invalid("an ensemble needs at least one member".into())
            } else {
                failed.swap_remove(0).1
            });
        }
        let dropped = failed.into_iter().map(|(n, e)| (n, e.to_string())).collect();
        let (weights, weighting) = match given {
            Some((w, how)) if w.len() == fitted.len() => (w, how),
            _ => (
                weights(&fitted.iter().map(|f| f.2).collect::<Vec<_>>()),
                Weighting::InverseMse,
            ),
        };
        let members = fitted
            .into_iter()
            .zip(weights)
            .map(|((name, model, mse), weight)| Member {
                name,
                model,
                weight,
                mse,
            })
            .collect();
        Ok(FittedEnsemble {
            members,
            dropped,
            weighting,
            bounds: EnsembleBounds::Weighted,
        })
    }
}

/// The backtest of a composite model's parts on the series' own recent history: `count`
/// origins over the last three seasons, each forecasting two seasons (8 to 60 steps, fewer on
/// a short series) and keeping two seasons to fit on. Returns the steps and the origins.
pub(crate) fn backtest_window(series: &Series, count: usize) -> (usize, Vec<usize>) {
    let n = series.len();
    let m = series.freq.default_season();
    let min_train = m.saturating_mul(2).saturating_add(2).max(8);
    let steps = m.saturating_mul(2).clamp(8, 60).min(n.saturating_sub(min_train)).max(1);
    (steps, origins_for(n, steps, min_train, 3 * m, count))
}

/// Mean squared error of `spec` refitted at each origin and forecast `steps` ahead.
pub(crate) fn backtest_mse(series: &Series, spec: &ModelSpec, origins: &[usize], steps: usize) -> Option<f64> {
    mse(
        &backtest_actuals(series, origins, steps),
        &backtest_points(series, spec, origins, steps)?,
    )
}

/// The point forecasts of `spec` refitted at each origin, `steps` each, one origin after the
/// other (as [`backtest_actuals`] lists what happened); `None` if any origin fails.
pub(crate) fn backtest_points(series: &Series, spec: &ModelSpec, origins: &[usize], steps: usize) -> Option<Vec<f64>> {
    let mut out = Vec::with_capacity(origins.len() * steps);
    for &origin in origins {
        let forecast = super::stepping::fit(spec, &series.head(origin))
            .and_then(|f| f.predict(steps, &[95.0]))
            .ok()?;
        if forecast.point.len() != steps {
            return None;
        }
        out.extend(forecast.point);
    }
    Some(out)
}

/// What happened after each origin, `steps` each, origin after origin.
pub(crate) fn backtest_actuals(series: &Series, origins: &[usize], steps: usize) -> Vec<f64> {
    origins
        .iter()
        .flat_map(|&o| series.values[o..o + steps].iter().copied())
        .collect()
}

/// Mean squared error of `forecasts` against `actual` (same length, at least one, finite).
pub(crate) fn mse(actual: &[f64], forecasts: &[f64]) -> Option<f64> {
    if actual.is_empty() || actual.len() != forecasts.len() {
        return None;
    }
    let sum: f64 = actual.iter().zip(forecasts).map(|(y, p)| (y - p) * (y - p)).sum();
    (sum.is_finite()).then(|| sum / actual.len() as f64)
}

/// Inverse-MSE weights shrunk half way to equal; equal weights where errors are missing.
pub fn weights(mse: &[Option<f64>]) -> Vec<f64> {
    let k = mse.len() as f64;
    let equal = 1.0 / k;
    if mse.iter().any(|e| e.is_none_or(|v| !(v.is_finite() && v > 0.0))) {
        return vec![equal; mse.len()];
    }
    let errors: Vec<f64> = mse.iter().map(|e| e.unwrap_or(1.0)).collect();
    inverse_shares(&errors)
        .iter()
        .map(|w| SHRINK * equal + (1.0 - SHRINK) * w)
        .collect()
}

/// Shares proportional to the inverse of each (positive, finite) error, summing to one
/// (Bates & Granger's weights).
pub(crate) fn inverse_shares(errors: &[f64]) -> Vec<f64> {
    let inverse: Vec<f64> = errors.iter().map(|e| 1.0 / e).collect();
    let total: f64 = inverse.iter().sum();
    inverse.iter().map(|w| w / total).collect()
}

impl FittedEnsemble {
    /// The weighted mix of the members' forecasts, with a plan's drivers if any.
    fn mix_members(&self, horizon: usize, levels: &[f64], future: Option<&[Vec<f64>]>) -> Result<Forecast, ModelError> {
        let levels = check_levels(levels)?;
        let forecasts = self
            .members
            .iter()
            .map(|m| match future {
                Some(f) => m.model.predict_planned(horizon, &levels, f),
                None => m.model.predict(horizon, &levels),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if forecasts.is_empty() || forecasts.iter().any(|f| f.point.len() != horizon) {
            return Err(ModelError::Invalid(
                "a member of the ensemble gave no forecast of this horizon".into(),
            ));
        }
        let mix = |get: &dyn Fn(&Forecast) -> &[f64]| -> Vec<f64> {
            (0..horizon)
                .map(|h| {
                    self.members
                        .iter()
                        .zip(&forecasts)
                        .map(|(m, f)| m.weight * get(f)[h])
                        .sum()
                })
                .collect()
        };
        let point = mix(&|f| &f.point);
        let intervals = levels
            .iter()
            .map(|&level| {
                let find = |f: &Forecast| f.interval(level).map(|i| (i.lower.len(), i.upper.len()));
                if forecasts.iter().any(|f| find(f) != Some((horizon, horizon))) {
                    return Err(ModelError::Invalid(format!("a member gave no {level} % interval")));
                }
                let mut lower = mix(&|f| f.interval(level).map_or(&[][..], |i| &i.lower));
                let mut upper = mix(&|f| f.interval(level).map_or(&[][..], |i| &i.upper));
                if self.bounds == EnsembleBounds::Midway {
                    for h in 0..horizon {
                        let bound = |get: fn(&Interval) -> &[f64]| {
                            forecasts
                                .iter()
                                .filter_map(move |f| f.interval(level).map(|i| get(i)[h]))
                        };
                        lower[h] = (lower[h] + bound(|i| &i.lower).fold(f64::INFINITY, f64::min)) / 2.0;
                        upper[h] = (upper[h] + bound(|i| &i.upper).fold(f64::NEG_INFINITY, f64::max)) / 2.0;
                    }
                }
                Ok(Interval { level, lower, upper })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Forecast { point, intervals })
    }
}

impl Fitted for FittedEnsemble {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
        self.mix_members(horizon, levels, None)
    }

    /// The drivers of the members that use any (every such member reads the data's drivers).
    fn drivers(&self) -> Vec<(String, f64)> {
        self.members
            .iter()
            .map(|m| m.model.drivers())
            .find(|d| !d.is_empty())
            .unwrap_or_default()
    }

    fn predict_planned(&self, horizon: usize, levels: &[f64], future: &[Vec<f64>]) -> Result<Forecast, ModelError> {
        self.mix_members(horizon, levels, Some(future))
    }

    fn description(&self) -> String {
        let parts: Vec<String> = self
            .members
            .iter()
            .map(|m| format!("{} {:.0} %", m.name, 100.0 * m.weight))
            .collect();
        let how = match self.weighting {
            Weighting::InverseMse => "weights from backtest errors, inverse MSE shrunk half way to equal".to_string(),
            Weighting::PanelInverseMse { series, points } => format!(
                "weights for the whole panel by inverse mean squared error on {points} backtest forecasts of {series} series, \
                 each scaled by its series' seasonal-naive error"
            ),
            Weighting::PanelLeastSquares { series, points, shrink } => format!(
                "weights for the whole panel by constrained least squares on {points} backtest forecasts of {series} series, \
                 moved {:.0} % of the way to equal weights as origins left out advised",
                100.0 * shrink
            ),
        };
        let mut text = format!("Ensemble: {} ({how}).", parts.join(", "));
        if self.bounds == EnsembleBounds::Midway {
            text.push_str(" Bounds half way from the weighted mean of the members' to the widest of them.");
        }
        for m in &self.members {
            text.push_str(&format!(" {}: {}", m.name, m.model.description()));
        }
        for (name, why) in &self.dropped {
            text.push_str(&format!(" {name} left out: {why}."));
        }
        text
    }

    fn to_state(&self) -> FittedModel {
        FittedModel::Ensemble(self.clone())
    }
}

/// The ensemble's settings: its members (`None`: [`default_members`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EnsembleSpec {
    pub members: Option<Vec<ModelSpec>>,
}

impl EnsembleSpec {
    /// The members, the default ones if none were given.
    pub fn members(&self) -> Vec<ModelSpec> {
        self.members.clone().unwrap_or_else(default_members)
    }
}

/// `ensemble`, `ensemble:ets/arima`.
pub const ENSEMBLE: Entry = Entry {
    names: &["ensemble"],
    parse: |_, setting| {
        let members = model_list(
            setting,
            |s| matches!(s, ModelSpec::Ensemble(_)),
            "ensemble members are models other than ensemble, e.g. ensemble:ets/arima",
        )?;
        Ok(ModelSpec::Ensemble(EnsembleSpec { members }))
    },
    defaults: || vec![ModelSpec::Ensemble(EnsembleSpec::default())],
};

impl Family for EnsembleSpec {
    fn name(&self) -> String {
        match &self.members {
            // A global ensemble names its members, so tables tell it from the default one.
            Some(m) if self.is_global() => format!(
                "ensemble:{}",
                m.iter().map(ModelSpec::name).collect::<Vec<_>>().join("/")
            ),
            _ => "ensemble".into(),
        }
    }
    fn summary(&self) -> &'static str {
        "ETS, ARIMA and MSTL combined, weighted by their backtest errors"
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(Ensemble {
            members: self.members(),
        })
    }
    fn is_global(&self) -> bool {
        self.members.iter().flatten().any(ModelSpec::is_global)
    }
    fn is_composite(&self) -> bool {
        true
    }
    fn with_season(&self, season: usize) -> Option<ModelSpec> {
        let members = self.members().into_iter().map(|s| s.with_default_season(Some(season)));
        Some(ModelSpec::Ensemble(EnsembleSpec {
            members: Some(members.collect()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A per-series ensemble's bounds lie half way from the weighted mean of its members'
    /// bounds to the widest of them, its point the weighted mean; a fit stored before the rule
    /// (no `bounds`) keeps the weighted mean it was made with.
    #[test]
    fn bounds_lie_half_way_to_the_members_widest_and_old_fits_keep_the_mean() {
        let y: Vec<f64> = (0..72)
            .map(|t| 50.0 + 0.4 * t as f64 + 8.0 * ((t % 12) as f64 / 2.0).sin() + ((t * 17) % 9) as f64)
            .collect();
        let s = Series::starting(
            crate::data::Frequency::Monthly,
            chrono::NaiveDate::from_ymd_opt(2018, 1, 1).unwrap(),
            y,
        );
        let spec: ModelSpec = "ensemble:ets/naive/drift".parse().unwrap();
        let fitted = spec.build().fit(&s).unwrap();
        let FittedModel::Ensemble(e) = fitted.to_state() else {
            panic!("not an ensemble")
        };
        assert_eq!(e.bounds, EnsembleBounds::Midway);
        let f = e.predict(6, &[80.0, 95.0]).unwrap();
        let members: Vec<Forecast> = e
            .members
            .iter()
            .map(|m| m.model.predict(6, &[80.0, 95.0]).unwrap())
            .collect();
        let mut weighted = e.clone();
        weighted.bounds = EnsembleBounds::Weighted;
        let w = weighted.predict(6, &[80.0, 95.0]).unwrap();
        for h in 0..6 {
            let point: f64 = e.members.iter().zip(&members).map(|(m, f)| m.weight * f.point[h]).sum();
            assert!((f.point[h] - point).abs() < 1e-9);
            for (k, level) in [80.0, 95.0].into_iter().enumerate() {
                let mean_lo: f64 = e
                    .members
                    .iter()
                    .zip(&members)
                    .map(|(m, f)| m.weight * f.interval(level).unwrap().lower[h])
                    .sum();
                let mean_hi: f64 = e
                    .members
                    .iter()
                    .zip(&members)
                    .map(|(m, f)| m.weight * f.interval(level).unwrap().upper[h])
                    .sum();
                let lowest = members
                    .iter()
                    .map(|f| f.interval(level).unwrap().lower[h])
                    .fold(f64::INFINITY, f64::min);
                let highest = members
                    .iter()
                    .map(|f| f.interval(level).unwrap().upper[h])
                    .fold(f64::NEG_INFINITY, f64::max);
                assert!((w.intervals[k].lower[h] - mean_lo).abs() < 1e-9);
                assert!((f.intervals[k].lower[h] - (mean_lo + lowest) / 2.0).abs() < 1e-9);
                assert!((f.intervals[k].upper[h] - (mean_hi + highest) / 2.0).abs() < 1e-9);
                assert!(
                    f.intervals[k].lower[h] <= w.intervals[k].lower[h]
                        && f.intervals[k].upper[h] >= w.intervals[k].upper[h]
                );
            }
        }
        assert!(fitted.description().contains("half way"), "{}", fitted.description());
        let mut json = serde_json::to_value(fitted.to_state()).unwrap();
        let serde_json::Value::Object(map) = &mut json else {
            panic!("{json}")
        };
        assert_eq!(map.remove("bounds"), Some("midway".into()));
        let FittedModel::Ensemble(old) = serde_json::from_value(json).unwrap() else {
            panic!("not an ensemble")
        };
        assert_eq!(old.bounds, EnsembleBounds::Weighted);
        assert_eq!(
            old.predict(6, &[95.0]).unwrap().intervals[0].lower,
            w.interval(95.0).unwrap().lower
        );
    }

    #[test]
    fn weights_favour_the_smaller_error_and_sum_to_one() {
        let w = weights(&[Some(1.0), Some(4.0)]);
        // inverse MSE 0.8 / 0.2, shrunk half way to 0.5 / 0.5.
        assert!((w[0] - 0.65).abs() < 1e-12 && (w[1] - 0.35).abs() < 1e-12, "{w:?}");
        assert_eq!(weights(&[Some(1.0), None]), vec![0.5, 0.5]);
        assert_eq!(weights(&[Some(0.0), Some(1.0)]), vec![0.5, 0.5]);
        let w = weights(&[Some(2.0), Some(3.0), Some(5.0)]);
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
