//! SCUM, the median combination of Petropoulos & Svetunkov (2020), "A simple combination of
//! univariate models", *International Journal of Forecasting* 36(1), 110–115: ETS, CES, ARIMA
//! and the dynamic optimised Theta model fitted to the series, the forecast at each step the
//! median of the members' forecasts, and (as published) each interval bound the median of the
//! members' bounds. It beat every M4 benchmark on accuracy and on interval score with four off-the-shelf
//! models and no weights to estimate (a median needs no backtest), which is also why it costs
//! only the members' fits.
//!
//! Bounds: the published rule's medians are narrower than the members' own bands, and the
//! members' 95 % bands already cover too little on the competitions' series (72–90 % for SCUM
//! on the public benchmark). Horizon's `scum` therefore takes the envelope of the members'
//! bounds — the lowest lower and the highest upper, the combination Gaba, Tsetlin & Winkler
//! (2017, "Combining interval forecasts", *Decision Analysis* 14(1)) found best for
//! overconfident intervals; it lowered SCUM's mean scaled interval score on all four public
//! datasets (benches/RESULTS.md). `scum:median` is the published rule; points are the median
//! either way.
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

/// The median combination's settings: its members (`None`: [`scum_members`]) and how their
/// bounds are combined.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ScumSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<ModelSpec>>,
    /// Specs stored before the rule: the median, as they were fitted.
    #[serde(default = "Bounds::published", skip_serializing_if = "Bounds::is_published")]
    pub bounds: Bounds,
}

impl ScumSpec {
    pub fn members(&self) -> Vec<ModelSpec> {
        self.members.clone().unwrap_or_else(scum_members)
    }
}

/// How the combination's interval bounds are made from its members' bounds (Gaba, Tsetlin &
/// Winkler 2017, "Combining interval forecasts", *Decision Analysis* 14(1)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bounds {
    /// Each bound the median of the members' (the published SCUM; `scum:median`).
    Median,
    /// The lowest of the members' lower bounds and the highest of their upper bounds (the
    /// default): the rule Gaba et al. found best when the members' intervals are too narrow,
    /// as every statistical model's are on the competitions' series — measured on the public
    /// benchmark, SCUM's mean scaled interval score falls on all four datasets (benches/RESULTS.md).
    #[default]
    Envelope,
}

impl Bounds {
    /// What specs and fits stored before the rule had.
    fn published() -> Self {
        Bounds::Median
    }

    fn is_published(&self) -> bool {
        *self == Bounds::Median
    }

    /// The words the description uses.
    fn words(self) -> &'static str {
        match self {
            Bounds::Median => "bounds the median of theirs",
            Bounds::Envelope => "bounds the widest of theirs (the lowest lower, the highest upper)",
        }
    }
}

/// The members' fits: points combined by their median, bounds by [`Bounds`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedScum {
    pub members: Vec<(String, FittedModel)>,
    /// Members that could not be fitted, with why.
    pub dropped: Vec<(String, String)>,
    /// How the bounds are combined (fits stored before the rule: the median).
    #[serde(default = "Bounds::published", skip_serializing_if = "Bounds::is_published")]
    pub bounds: Bounds,
}

struct Scum {
    members: Vec<ModelSpec>,
    bounds: Bounds,
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
        Ok(Box::new(FittedScum {
            members,
            dropped,
            bounds: self.bounds,
        }))
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

/// A member's forecast of the first `horizon` steps, or of as many as stay finite (points and
/// bounds): the longest horizon it forecasts is found by halving, since a forecast that
/// overflows at one step overflows at every later one. An error when not even one step can be
/// forecast.
fn longest_forecast(member: &FittedModel, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
    let attempt = |h: usize| match member.predict(h, levels) {
        Ok(f) if f.point.len() != h || f.intervals.iter().any(|i| i.lower.len() != h || i.upper.len() != h) => {
            Err(ModelError::Invalid(format!(
                "a member of scum gave {} steps where {h} were asked",
                f.point.len()
            )))
        }
        Ok(f) if f.is_finite() => Ok(f),
        Ok(_) => Err(ModelError::Overflow),
        Err(e) => Err(e),
    };
    let error = match attempt(horizon) {
        Ok(f) => return Ok(f),
        Err(e) => e,
    };
    // `good` steps are known to forecast, `bad` not.
    let (mut good, mut bad, mut best) = (0, horizon, None);
    while bad - good > 1 {
        let mid = good + (bad - good) / 2;
        match attempt(mid) {
            Ok(f) => {
                good = mid;
                best = Some(f);
            }
            Err(_) => bad = mid,
        }
    }
    best.ok_or(error)
}

/// How one step's values of the members become the combination's.
type Combine = fn(&mut [f64]) -> f64;

fn lowest(values: &mut [f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

fn highest(values: &mut [f64]) -> f64 {
    values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

impl Fitted for FittedScum {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
        let levels = check_levels(levels)?;
        // Each member gives as many of the first steps as it can: one whose forecast leaves
        // the finite numbers at a long horizon (CES's oscillation), points or bounds, still
        // gives its first steps, so which members a step combines does not depend on the
        // horizon asked (a member's own simulated bands may).
        let mut first_error = None;
        let forecasts: Vec<Forecast> = self
            .members
            .iter()
            .filter_map(|(_, m)| match longest_forecast(m, horizon, &levels) {
                Ok(f) => Some(f),
                Err(e) => {
                    first_error.get_or_insert(e);
                    None
                }
            })
            .collect();
        if forecasts.is_empty() {
            return Err(first_error.unwrap_or_else(|| ModelError::Invalid("scum has no members".into())));
        }
        let column = |get: &dyn Fn(&Forecast) -> Option<&[f64]>, combine: Combine| -> Result<Vec<f64>, ModelError> {
            let parts: Vec<&[f64]> = forecasts
                .iter()
                .map(get)
                .collect::<Option<_>>()
                .ok_or_else(|| ModelError::Invalid("a member of scum gave no interval at this level".into()))?;
            (0..horizon)
                .map(|h| {
                    let mut at: Vec<f64> = parts.iter().filter_map(|p| p.get(h).copied()).collect();
                    if at.is_empty() {
                        Err(first_error.clone().unwrap_or_else(|| {
                            ModelError::Invalid("no member of scum forecasts this far ahead".into())
                        }))
                    } else {
                        Ok(combine(&mut at))
                    }
                })
                .collect()
        };
        let point = column(&|f| Some(&f.point), median)?;
        let (low, high): (Combine, Combine) = match self.bounds {
            Bounds::Median => (median, median),
            Bounds::Envelope => (lowest, highest),
        };
        let intervals = levels
            .iter()
            .map(|&level| {
                Ok(Interval {
                    level,
                    lower: column(&|f| f.interval(level).map(|i| &i.lower[..]), low)?,
                    upper: column(&|f| f.interval(level).map(|i| &i.upper[..]), high)?,
                })
            })
            .collect::<Result<Vec<_>, ModelError>>()?;
        Ok(Forecast { point, intervals })
    }

    fn description(&self) -> String {
        let names: Vec<&str> = self.members.iter().map(|(n, _)| n.as_str()).collect();
        let mut text = match names.as_slice() {
            [only] if !self.dropped.is_empty() => {
                format!("SCUM: only {only} could be fitted, so its forecast is SCUM's.")
            }
            [only] => format!("SCUM of one member, {only}: its forecast is SCUM's."),
            _ => format!(
                "SCUM: the median of {} forecasts ({}) at each step, {}.",
                names.len(),
                names.join(", "),
                self.bounds.words()
            ),
        };
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

/// `scum`, `scum:ets/theta/ces`; `scum:median` (or `scum:median/ets/ces`) for the published
/// bounds, the medians of the members'.
pub const SCUM: Entry = Entry {
    names: &["scum"],
    parse: |_, setting| {
        let (rules, members): (Vec<&str>, Vec<&str>) = setting
            .into_iter()
            .flat_map(|s| s.split('/'))
            .partition(|part| matches!(*part, "median" | "envelope"));
        let bounds = match rules[..] {
            [] => Bounds::default(),
            ["median"] => Bounds::Median,
            [_] => Bounds::Envelope,
            _ => {
                return Err(ModelError::Invalid(format!(
                    "scum takes one bound rule, median or envelope (got {})",
                    rules.join(" and ")
                )));
            }
        };
        let members = model_list(
            (!members.is_empty()).then(|| members.join("/")).as_deref(),
            |s| matches!(s, ModelSpec::Scum(_)) || s.is_global(),
            "scum members are single-series models other than scum, e.g. scum:ets/theta/ces",
        )?;
        Ok(ModelSpec::Scum(ScumSpec { members, bounds }))
    },
    defaults: || {
        vec![
            ModelSpec::Scum(ScumSpec::default()),
            ModelSpec::Scum(ScumSpec {
                members: None,
                bounds: Bounds::Median,
            }),
        ]
    },
};

impl Family for ScumSpec {
    fn name(&self) -> String {
        match self.bounds {
            Bounds::Envelope => "scum".into(),
            Bounds::Median => "scum:median".into(),
        }
    }
    fn summary(&self) -> &'static str {
        "median of ETS, CES, ARIMA and Theta (M4 benchmark beater)"
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(Scum {
            members: self.members(),
            bounds: self.bounds,
        })
    }
    fn is_composite(&self) -> bool {
        true
    }
    fn with_season(&self, season: usize) -> Option<ModelSpec> {
        let members = self.members().into_iter().map(|s| s.with_default_season(Some(season)));
        Some(ModelSpec::Scum(ScumSpec {
            members: Some(members.collect()),
            bounds: self.bounds,
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

    /// Each step's point is the median of the members' forecasts; its bounds are the widest of
    /// the members' (`scum`) or their medians (`scum:median`, the published rule).
    #[test]
    fn points_are_the_members_medians_and_bounds_their_envelope_or_medians() {
        let y: Vec<f64> = (0..60)
            .map(|t| 40.0 + 0.5 * t as f64 + 6.0 * ((t % 12) as f64 / 2.0).sin() + ((t * 31) % 7) as f64)
            .collect();
        let s = Series::starting(
            Frequency::Monthly,
            chrono::NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(),
            y,
        );
        let published: ModelSpec = "scum:median".parse().unwrap();
        let f = published.build().fit(&s).unwrap().predict(6, &[80.0, 95.0]).unwrap();
        let spec: ModelSpec = "scum".parse().unwrap();
        let e = spec.build().fit(&s).unwrap().predict(6, &[80.0, 95.0]).unwrap();
        let members: Vec<Forecast> = scum_members()
            .iter()
            .map(|m| m.build().fit(&s).unwrap().predict(6, &[80.0, 95.0]).unwrap())
            .collect();
        let mut wider = 0;
        for h in 0..6 {
            let mut p: Vec<f64> = members.iter().map(|m| m.point[h]).collect();
            assert!((f.point[h] - median(&mut p)).abs() < 1e-9);
            assert_eq!(e.point[h], f.point[h]);
            for (k, level) in [80.0, 95.0].into_iter().enumerate() {
                let mut lo: Vec<f64> = members.iter().map(|m| m.interval(level).unwrap().lower[h]).collect();
                let mut hi: Vec<f64> = members.iter().map(|m| m.interval(level).unwrap().upper[h]).collect();
                assert!((f.intervals[k].lower[h] - median(&mut lo)).abs() < 1e-9);
                assert!((f.intervals[k].upper[h] - median(&mut hi)).abs() < 1e-9);
                assert_eq!(e.intervals[k].lower[h], lo[0]);
                assert_eq!(e.intervals[k].upper[h], hi[hi.len() - 1]);
                if e.intervals[k].upper[h] - e.intervals[k].lower[h]
                    > f.intervals[k].upper[h] - f.intervals[k].lower[h] + 1e-9
                {
                    wider += 1;
                }
            }
        }
        assert!(wider > 0, "the envelope is never wider than the medians here");
        assert!("scum:scum".parse::<ModelSpec>().is_err());
        // A member whose forecast leaves the numbers at a long horizon (CES with α₀ + α₁ < 1:
        // its forecasts spiral out) gives only the steps it can: the later ones are the median
        // of the others, and the first steps are the same whatever horizon is asked.
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
        assert!(
            (f.point[long - 1] - (naive.point[long - 1] + drift.point[long - 1]) / 2.0).abs() < 1e-9,
            "the last step"
        );
        let FittedModel::Scum(parts) = &broken else {
            panic!("not scum")
        };
        let ces = &parts.members[2].1;
        if let Ok(c) = ces.predict(long, &[95.0]) {
            assert!(
                c.point.iter().any(|v| !v.is_finite()),
                "CES alone should not reach {long} steps"
            );
        }
        let short = 12;
        let c = ces.predict(short, &[95.0]).unwrap();
        assert!(c.point.iter().all(|v| v.is_finite()), "CES forecasts its first steps");
        let s12 = broken.predict(short, &[95.0]).unwrap();
        assert_eq!(s12.point[..], f.point[..short]);
        assert_eq!(s12.intervals[0].lower[..], f.intervals[0].lower[..short]);
        assert_eq!(s12.intervals[0].upper[..], f.intervals[0].upper[..short]);
        let mut first = [naive.point[0], drift.point[0], c.point[0]];
        assert_eq!(f.point[0], median(&mut first), "CES is in the first step's median");
        assert!("scum:gbm".parse::<ModelSpec>().is_err());
        assert!("scum:ets/naive".parse::<ModelSpec>().is_ok());
        assert_eq!(
            "scum:median/envelope".parse::<ModelSpec>(),
            Err(ModelError::Invalid(
                "scum takes one bound rule, median or envelope (got median and envelope)".into()
            ))
        );
    }

    /// Three values: only ETS fits, SCUM's forecast is its forecast and says so (and `scum:ets`
    /// does not say anything failed).
    #[test]
    fn one_fitted_member_is_said_as_such() {
        let s = Series::starting(
            crate::data::Frequency::Monthly,
            chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            vec![5.0, 7.0, 6.0],
        );
        let scum = ModelSpec::Scum(Default::default()).build().fit(&s).unwrap();
        let d = scum.description();
        assert!(
            d.starts_with("SCUM: only ets could be fitted, so its forecast is SCUM's."),
            "{d}"
        );
        assert!(d.contains("ces left out") && !d.contains("median of 1"), "{d}");
        let ets = ModelSpec::Ets(Default::default()).build().fit(&s).unwrap();
        assert_eq!(scum.predict(3, &[95.0]).unwrap(), ets.predict(3, &[95.0]).unwrap());
        // One member asked for: nothing failed, and it is not said that anything did.
        let asked: ModelSpec = "scum:ets".parse().unwrap();
        let d = asked.build().fit(&s).unwrap().description();
        assert!(d.starts_with("SCUM of one member, ets: its forecast is SCUM's."), "{d}");
    }

    /// The bound rule in names and stored JSON: `scum` is the envelope, `scum:median` the
    /// published rule, each naming itself as parsed; a spec or fit stored before the rule
    /// existed (no `bounds`) is the median it was fitted with.
    #[test]
    fn the_bound_rule_round_trips_and_old_json_keeps_the_median() {
        for (text, bounds, members) in [
            ("scum", Bounds::Envelope, None),
            ("scum:median", Bounds::Median, None),
            ("scum:envelope", Bounds::Envelope, None),
            ("scum:median/ets/naive", Bounds::Median, Some(2)),
            ("scum:ets/naive/envelope", Bounds::Envelope, Some(2)),
        ] {
            let spec: ModelSpec = text.parse().unwrap();
            let ModelSpec::Scum(scum) = &spec else { panic!("{text}") };
            assert_eq!(scum.bounds, bounds, "{text}");
            assert_eq!(scum.members.as_ref().map(Vec::len), members, "{text}");
            let back: ModelSpec = spec.name().parse().unwrap();
            let ModelSpec::Scum(back) = back else { panic!("{text}") };
            assert_eq!(back.bounds, bounds, "{text}");
            let json = serde_json::to_string(&spec).unwrap();
            assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), spec, "{json}");
        }
        let old: ModelSpec = serde_json::from_str(r#"{"model":"scum"}"#).unwrap();
        assert_eq!(old.name(), "scum:median");
        // Auto's SCUM is the envelope one.
        let envelope = ModelSpec::Scum(ScumSpec {
            members: None,
            bounds: Bounds::Envelope,
        });
        assert!(crate::models::auto::default_candidates().contains(&envelope));
        let s = Series::starting(
            Frequency::Monthly,
            chrono::NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(),
            (0..40).map(|t| 10.0 + (t % 12) as f64 + 0.1 * t as f64).collect(),
        );
        let fitted = "scum:naive/drift/mean"
            .parse::<ModelSpec>()
            .unwrap()
            .build()
            .fit(&s)
            .unwrap();
        let mut state = serde_json::to_value(fitted.to_state()).unwrap();
        let serde_json::Value::Object(map) = &mut state else {
            panic!("{state}")
        };
        assert_eq!(map.remove("bounds"), Some("envelope".into()));
        let old: FittedModel = serde_json::from_value(state).unwrap();
        let FittedModel::Scum(old) = old else {
            panic!("not scum")
        };
        assert_eq!(old.bounds, Bounds::Median);
    }
}
