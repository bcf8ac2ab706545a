//! SCUM, the median combination of Petropoulos & Svetunkov (2020), "A simple combination of
//! univariate models", *International Journal of Forecasting* 36(1), 110–115: ETS, CES, ARIMA
//! and the dynamic optimised Theta model fitted to the series, the forecast at each step the
//! median of the members' forecasts, and each interval bound the median of the members'
//! bounds. It beat every M4 benchmark on accuracy and on interval score with four off-the-shelf
//! models and no weights to estimate (a median needs no backtest), which is also why it costs
//! only the members' fits.
//!
//! `scum:ets/theta/ces` takes other members; a member that cannot be fitted is left out and
//! named in the description.

use super::ces::AutoCes;
use super::family::{Entry, Family, model_list};
use super::theta::{AutoTheta, Variant};
use super::{Fitted, FittedModel, Forecast, Forecaster, Interval, ModelError, ModelSpec, check_levels};
use crate::data::Series;
use serde::{Deserialize, Serialize};

/// The members of the published SCUM: ETS, CES, ARIMA and the dynamic optimised Theta.
pub fn scum_members() -> Vec<ModelSpec> {
    vec![
        ModelSpec::Ets(Default::default()),
        ModelSpec::Ces(AutoCes::default()),
        ModelSpec::AUTO_ARIMA,
        ModelSpec::Theta(AutoTheta {
            season: None,
            variant: Some(Variant::DynamicOptimized),
        }),
    ]
}

/// The median combination's settings: its members (`None`: [`scum_members`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ScumSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<ModelSpec>>,
}

impl ScumSpec {
    pub fn members(&self) -> Vec<ModelSpec> {
        self.members.clone().unwrap_or_else(scum_members)
    }
}

/// The members' fits, combined by their median.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedScum {
    pub members: Vec<(String, FittedModel)>,
    /// Members that could not be fitted, with why.
    pub dropped: Vec<(String, String)>,
}

struct Scum {
    members: Vec<ModelSpec>,
}

impl Forecaster for Scum {
    fn name(&self) -> String {
        "scum".into()
    }

    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        let mut members = Vec::new();
        let mut dropped = Vec::new();
        let mut first_error = None;
        for spec in &self.members {
            match super::stepping::fit(spec, series) {
                Ok(f) => members.push((spec.name(), f.to_state())),
                Err(e) => {
                    dropped.push((spec.name(), e.to_string()));
                    first_error.get_or_insert(e);
                }
            }
        }
        if members.is_empty() {
            return Err(first_error.unwrap_or_else(|| ModelError::Invalid("scum needs at least one member".into())));
        }
        Ok(Box::new(FittedScum { members, dropped }))
    }
}

/// The median of `values` (the mean of the middle two for an even count).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let k = values.len();
    if k % 2 == 1 {
        values[k / 2]
    } else {
        (values[k / 2 - 1] + values[k / 2]) / 2.0
    }
}

impl Fitted for FittedScum {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
        let levels = check_levels(levels)?;
        // A member whose forecast fails or leaves the finite numbers at this horizon (CES's
        // oscillation on a long one) is left out of the median, as one that could not be fitted.
        let mut forecasts = Vec::with_capacity(self.members.len());
        let mut first_error = None;
        for (_, m) in &self.members {
            match m.predict(horizon, &levels) {
                Ok(f) if f.point.iter().all(|v| v.is_finite()) => forecasts.push(f),
                Ok(_) => first_error = first_error.or(Some(ModelError::Overflow)),
                Err(e) => first_error = first_error.or(Some(e)),
            }
        }
        if forecasts.is_empty() {
            return Err(first_error.unwrap_or_else(|| ModelError::Invalid("scum has no members".into())));
        }
        let column = |get: &dyn Fn(&Forecast) -> Option<&[f64]>| -> Result<Vec<f64>, ModelError> {
            let parts: Vec<&[f64]> = forecasts
                .iter()
                .map(|f| get(f).filter(|v| v.len() == horizon))
                .collect::<Option<_>>()
                .ok_or_else(|| ModelError::Invalid("a member of scum gave no forecast of this horizon".into()))?;
            Ok((0..horizon)
                .map(|h| median(&mut parts.iter().map(|p| p[h]).collect::<Vec<_>>()))
                .collect())
        };
        let point = column(&|f| Some(&f.point))?;
        let intervals = levels
            .iter()
            .map(|&level| {
                Ok(Interval {
                    level,
                    lower: column(&|f| f.interval(level).map(|i| &i.lower[..]))?,
                    upper: column(&|f| f.interval(level).map(|i| &i.upper[..]))?,
                })
            })
            .collect::<Result<Vec<_>, ModelError>>()?;
        Ok(Forecast { point, intervals })
    }

    fn description(&self) -> String {
        let names: Vec<&str> = self.members.iter().map(|(n, _)| n.as_str()).collect();
        let mut text = format!(
            "SCUM: the median of {} forecasts ({}) at each step, bounds the median of theirs.",
            names.len(),
            names.join(", ")
        );
        for (name, model) in &self.members {
            text.push_str(&format!(" {name}: {}", model.description()));
        }
        for (name, why) in &self.dropped {
            text.push_str(&format!(" {name} left out: {why}."));
        }
        text
    }

    fn to_state(&self) -> FittedModel {
        FittedModel::Scum(self.clone())
    }
}

/// `scum`, `scum:ets/theta/ces`.
pub const SCUM: Entry = Entry {
    names: &["scum"],
    parse: |_, setting| {
        let members = model_list(
            setting,
            |s| matches!(s, ModelSpec::Scum(_)) || s.is_global(),
            "scum members are single-series models other than scum, e.g. scum:ets/theta/ces",
        )?;
        Ok(ModelSpec::Scum(ScumSpec { members }))
    },
    defaults: || vec![ModelSpec::Scum(ScumSpec::default())],
};

impl Family for ScumSpec {
    fn name(&self) -> String {
        "scum".into()
    }
    fn summary(&self) -> &'static str {
        "median of ETS, CES, ARIMA and Theta (M4 benchmark beater)"
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(Scum {
            members: self.members(),
        })
    }
    fn is_composite(&self) -> bool {
        true
    }
    fn with_season(&self, season: usize) -> Option<ModelSpec> {
        let members = self.members().into_iter().map(|s| s.with_default_season(Some(season)));
        Some(ModelSpec::Scum(ScumSpec {
            members: Some(members.collect()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Frequency;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    /// Each step's point and bounds are the medians of the members' own forecasts.
    #[test]
    fn points_and_bounds_are_the_members_medians() {
        let y: Vec<f64> = (0..60)
            .map(|t| 40.0 + 0.5 * t as f64 + 6.0 * ((t % 12) as f64 / 2.0).sin() + ((t * 31) % 7) as f64)
            .collect();
        let s = Series::starting(
            Frequency::Monthly,
            chrono::NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(),
            y,
        );
        let spec: ModelSpec = "scum".parse().unwrap();
        let f = spec.build().fit(&s).unwrap().predict(6, &[80.0, 95.0]).unwrap();
        let members: Vec<Forecast> = scum_members()
            .iter()
            .map(|m| m.build().fit(&s).unwrap().predict(6, &[80.0, 95.0]).unwrap())
            .collect();
        for h in 0..6 {
            let mut p: Vec<f64> = members.iter().map(|m| m.point[h]).collect();
            assert!((f.point[h] - median(&mut p)).abs() < 1e-9);
            for (k, level) in [80.0, 95.0].into_iter().enumerate() {
                let mut lo: Vec<f64> = members.iter().map(|m| m.interval(level).unwrap().lower[h]).collect();
                let mut hi: Vec<f64> = members.iter().map(|m| m.interval(level).unwrap().upper[h]).collect();
                assert!((f.intervals[k].lower[h] - median(&mut lo)).abs() < 1e-9);
                assert!((f.intervals[k].upper[h] - median(&mut hi)).abs() < 1e-9);
            }
        }
        assert!("scum:scum".parse::<ModelSpec>().is_err());
        // A member whose forecast leaves the numbers (CES with α₀ + α₁ < 1: its forecasts spiral
        // out) is left out of the
        // median; the others still forecast.
        let scum: ModelSpec = "scum:naive/drift/ces".parse().unwrap();
        let fitted = scum.build().fit(&s).unwrap();
        let mut state = serde_json::to_value(fitted.to_state()).unwrap();
        fn explode(v: &mut serde_json::Value) {
            match v {
                serde_json::Value::Object(map) => {
                    if map.contains_key("a0") && map.contains_key("a1") {
                        map.insert("a0".into(), 0.01.into());
                        map.insert("a1".into(), 0.01.into());
                    }
                    map.values_mut().for_each(explode);
                }
                serde_json::Value::Array(items) => items.iter_mut().for_each(explode),
                _ => {}
            }
        }
        explode(&mut state);
        let broken: crate::models::FittedModel = serde_json::from_value(state).unwrap();
        let long = 3000;
        let f = broken.predict(long, &[95.0]).unwrap();
        let naive: ModelSpec = "naive".parse().unwrap();
        let naive = naive.build().fit(&s).unwrap().predict(long, &[95.0]).unwrap();
        let drift: ModelSpec = "drift".parse().unwrap();
        let drift = drift.build().fit(&s).unwrap().predict(long, &[95.0]).unwrap();
        for h in [0, long - 1] {
            assert!(
                (f.point[h] - (naive.point[h] + drift.point[h]) / 2.0).abs() < 1e-9,
                "step {h}"
            );
        }
        assert!("scum:gbm".parse::<ModelSpec>().is_err());
        assert!("scum:ets/naive".parse::<ModelSpec>().is_ok());
    }
}
