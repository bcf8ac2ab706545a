//! [`ModelSpec`]: a model family and its settings, as chosen in the UI, on the command line or
//! in a pipeline config, and stored with a trained model. Each family owns its settings, name,
//! summary and parsing (see [`super::family`]); this file holds the one table of families.

use super::arima::{ARIMA, Arima};
use super::auto::{AUTO, AutoSpec};
use super::ces::{AutoCes, CES};
use super::conformal::Conformal;
use super::ensemble::{ENSEMBLE, EnsembleSpec};
use super::ets::{AutoEts, ETS};
use super::family::{Entry, Family};
use super::gbm::{GBM, Gbm, GbmSpec, Tuning};
use super::intermittent::{INTERMITTENT, Intermittent};
use super::mstl::{MSTL, Mstl};
use super::naive::{DRIFT, Drift, MEAN, MeanModel, NAIVE, Naive, SEASONAL_NAIVE, SeasonalNaive};
use super::prophet::{PROPHET, ProphetModel};
use super::scum::{SCUM, ScumSpec};
use super::theta::{AutoTheta, THETA};
use super::{Forecaster, ModelError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Every family `--model` names, in the order pickers list them. Calibration (`+conformal`)
/// wraps any of them.
pub const FAMILIES: &[Entry] = &[
    AUTO,
    NAIVE,
    SEASONAL_NAIVE,
    MEAN,
    DRIFT,
    ETS,
    ARIMA,
    THETA,
    CES,
    MSTL,
    PROPHET,
    GBM,
    ENSEMBLE,
    SCUM,
    // Specialists last: the picker's list shows the common models without scrolling.
    INTERMITTENT,
];

/// A model family with its settings. Stored as JSON tagged by `model`
/// (`{"model":"ets","season":12}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "kebab-case")]
pub enum ModelSpec {
    Naive,
    SeasonalNaive(SeasonalNaive),
    Mean,
    Drift,
    /// Automatic exponential smoothing (ETS), chosen by AICc.
    Ets(AutoEts),
    /// Seasonal ARIMA, orders chosen by a stepwise AICc search unless pinned.
    Arima(Arima),
    /// Theta (AutoTheta): standard, optimised or dynamic, chosen by in-sample error.
    Theta(AutoTheta),
    /// Complex exponential smoothing (AutoCES): season form chosen by AICc.
    Ces(AutoCes),
    /// MSTL decomposition (one or several seasons) with an ETS trend.
    Mstl(Mstl),
    /// Intermittent demand: Croston, SBA, optimised Croston, TSB, ADIDA, IMAPA.
    Intermittent(Intermittent),
    /// Prophet: piecewise-linear trend, Fourier seasonalities, holidays and regressors.
    Prophet,
    /// Gradient-boosted trees on lag, rolling, calendar, holiday, driver and id features,
    /// trained across every series of a panel (global).
    Gbm(GbmSpec),
    /// Weighted combination of several models (by default ETS, ARIMA and MSTL).
    Ensemble(EnsembleSpec),
    /// The median of several models' forecasts (by default ETS, CES, ARIMA, Theta), the envelope
    /// or the median of their bounds.
    Scum(ScumSpec),
    /// The best of several models for each series, chosen by its own backtest.
    Auto(AutoSpec),
    /// Another model's forecasts with conformal intervals calibrated on its past errors.
    Conformal(Conformal),
}

impl ModelSpec {
    /// AutoARIMA: orders searched, the frequency's usual season.
    pub const AUTO_ARIMA: ModelSpec = ModelSpec::Arima(Arima {
        season: None,
        order: None,
        seasonal_order: None,
    });

    /// The family's settings.
    pub fn family(&self) -> &dyn Family {
        match self {
            ModelSpec::Naive => &Naive,
            ModelSpec::SeasonalNaive(s) => s,
            ModelSpec::Mean => &MeanModel,
            ModelSpec::Drift => &Drift,
            ModelSpec::Ets(s) => s,
            ModelSpec::Arima(s) => s,
            ModelSpec::Theta(s) => s,
            ModelSpec::Ces(s) => s,
            ModelSpec::Mstl(s) => s,
            ModelSpec::Intermittent(s) => s,
            ModelSpec::Prophet => &ProphetModel::DEFAULT,
            ModelSpec::Gbm(s) => s,
            ModelSpec::Ensemble(s) => s,
            ModelSpec::Scum(s) => s,
            ModelSpec::Auto(s) => s,
            ModelSpec::Conformal(s) => s,
        }
    }

    /// Every model the user can pick, with default settings.
    pub fn all() -> Vec<ModelSpec> {
        FAMILIES.iter().flat_map(|f| (f.defaults)()).collect()
    }

    /// The name used in tables, file columns and `--model` (`ets`, `ets+conformal`).
    pub fn name(&self) -> String {
        self.family().name()
    }

    /// Whether the model learns across the series of a panel (fitted once on all of them, see
    /// [`super::panel`]).
    pub fn is_global(&self) -> bool {
        self.family().is_global()
    }

    /// What the model does, one line for pickers and `--help`.
    pub fn summary(&self) -> &'static str {
        self.family().summary()
    }

    pub fn build(&self) -> Box<dyn Forecaster> {
        self.family().build()
    }

    /// This model with conformal intervals (unchanged if it already has them).
    pub fn calibrated(self) -> ModelSpec {
        match self {
            ModelSpec::Conformal(_) => self,
            other => ModelSpec::Conformal(Conformal { inner: Box::new(other) }),
        }
    }

    /// The model without the conformal calibration.
    pub fn uncalibrated(&self) -> &ModelSpec {
        match self {
            ModelSpec::Conformal(c) => &c.inner,
            other => other,
        }
    }

    /// The GBM this spec names, with its settings (`None` for other models).
    pub fn gbm(&self) -> Option<Gbm> {
        match self {
            ModelSpec::Gbm(g) => Some(g.model()),
            _ => None,
        }
    }

    /// The same model with `season` for a seasonal model that was not given its own.
    pub fn with_default_season(self, season: Option<usize>) -> ModelSpec {
        season.and_then(|m| self.family().with_season(m)).unwrap_or(self)
    }

    /// Pin ARIMA orders (`--order 1,1,1 --seasonal-order 0,1,1`); other models refuse them.
    pub fn with_orders(self, order: Option<[usize; 3]>, seasonal: Option<[usize; 3]>) -> Result<ModelSpec, ModelError> {
        if order.is_none() && seasonal.is_none() {
            return Ok(self);
        }
        match self {
            ModelSpec::Arima(a) => {
                let order = order
                    .ok_or_else(|| ModelError::Invalid("--seasonal-order needs --order (p,d,q) as well".into()))?;
                Ok(ModelSpec::Arima(Arima {
                    season: a.season,
                    order: Some(order),
                    seasonal_order: seasonal,
                }))
            }
            ModelSpec::Conformal(c) => Ok(c.inner.with_orders(order, seasonal)?.calibrated()),
            other => Err(ModelError::Invalid(format!(
                "--order and --seasonal-order apply to arima, not {}",
                other.name()
            ))),
        }
    }

    /// The GBM with a parameter search of `tuning` before it fits (`--tune-trials`).
    pub fn with_tuning(self, tuning: Tuning) -> Result<ModelSpec, ModelError> {
        match self {
            ModelSpec::Gbm(g) => Ok(ModelSpec::Gbm(GbmSpec {
                tune: Some(tuning),
                ..g
            })),
            // Calibration refits the model a dozen times per series: a search in each is not
            // what anyone asks for.
            ModelSpec::Conformal(_) => Err(ModelError::Invalid(
                "--tune-trials applies to gbm without calibrated intervals (not gbm+conformal)".into(),
            )),
            other => Err(ModelError::Invalid(format!(
                "--tune-trials applies to gbm, not {}",
                other.name()
            ))),
        }
    }

    pub fn names() -> String {
        ModelSpec::all()
            .iter()
            .map(ModelSpec::name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for ModelSpec {
    type Err = ModelError;
    /// A family's name (any case, `_` for `-`), its setting after `:` (`ets:12`, `mstl:7/365`,
    /// `ensemble:ets/arima`), and `+conformal` for calibrated intervals (`ets:12+conformal`).
    fn from_str(s: &str) -> Result<Self, ModelError> {
        let lower = s.trim().to_ascii_lowercase().replace('_', "-");
        if let Some(inner) = lower.strip_suffix("+conformal") {
            return Ok(inner.parse::<ModelSpec>()?.calibrated());
        }
        let (name, setting) = match lower.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (lower.as_str(), None),
        };
        let family = FAMILIES
            .iter()
            .find(|f| f.names.contains(&name))
            .ok_or_else(|| ModelError::UnknownModel(s.to_string(), ModelSpec::names()))?;
        (family.parse)(name, setting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::gbm::{Loss, Power, Strategy};

    #[test]
    fn a_default_season_fills_only_an_unset_one() {
        let snaive = |season| ModelSpec::SeasonalNaive(SeasonalNaive { season });
        assert_eq!(snaive(None).with_default_season(Some(12)), snaive(Some(12)));
        assert_eq!(snaive(Some(4)).with_default_season(Some(12)), snaive(Some(4)));
        assert_eq!(snaive(None).with_default_season(None), snaive(None));
        assert_eq!(ModelSpec::Drift.with_default_season(Some(12)), ModelSpec::Drift);
    }

    #[test]
    fn parses_names_and_round_trips_json() {
        assert_eq!(
            "Seasonal_Naive".parse::<ModelSpec>(),
            Ok(ModelSpec::SeasonalNaive(SeasonalNaive { season: None }))
        );
        assert_eq!(
            "snaive:12".parse::<ModelSpec>(),
            Ok(ModelSpec::SeasonalNaive(SeasonalNaive { season: Some(12) }))
        );
        assert!("snaive:0".parse::<ModelSpec>().is_err());
        for huge in [
            "snaive:10001",
            "ces:9223372036854775808",
            "theta:dotm/18446744073709551615",
            "ets:99999999",
            "mstl:7/100000",
        ] {
            let e = huge.parse::<ModelSpec>().unwrap_err().to_string();
            assert!(
                e.contains("from 1 to 10000") || e.contains("from 2 to 10000"),
                "{huge}: {e}"
            );
        }
        assert!(matches!(
            "thetas".parse::<ModelSpec>(),
            Err(ModelError::UnknownModel(..))
        ));
        for name in ["gbm-median", "gbm-direct-median"] {
            let spec = name.parse::<ModelSpec>().unwrap();
            assert!(
                matches!(
                    spec,
                    ModelSpec::Gbm(GbmSpec {
                        loss: Loss::Absolute,
                        ..
                    })
                ),
                "{spec:?}"
            );
            assert_eq!(spec.name(), name);
            let json = serde_json::to_string(&spec).unwrap();
            assert!(json.contains("\"loss\":\"absolute\""), "{json}");
            assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), spec);
            assert_eq!(spec.build().name(), name);
        }
        for (name, loss, json_loss) in [
            ("gbm-poisson", Loss::Poisson, r#""loss":"poisson""#),
            ("gbm-direct-poisson", Loss::Poisson, r#""loss":"poisson""#),
            (
                "gbm-tweedie",
                Loss::Tweedie(Power::DEFAULT),
                r#""loss":{"tweedie":1.5}"#,
            ),
            (
                "gbm-direct-tweedie",
                Loss::Tweedie(Power::DEFAULT),
                r#""loss":{"tweedie":1.5}"#,
            ),
        ] {
            let spec = name.parse::<ModelSpec>().unwrap();
            assert!(matches!(spec, ModelSpec::Gbm(g) if g.loss == loss), "{spec:?}");
            assert_eq!(spec.name(), name);
            let json = serde_json::to_string(&spec).unwrap();
            assert!(json.contains(json_loss), "{json}");
            assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), spec);
            assert_eq!(spec.build().name(), name);
        }
        // The Tweedie variance power and the season, alone or together.
        let tweedie = |s: &str| match s.parse::<ModelSpec>() {
            Ok(ModelSpec::Gbm(g)) => Ok((g.loss, g.season)),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e.to_string()),
        };
        let power = |v: f64| Loss::Tweedie(Power::try_from(v).unwrap());
        assert_eq!(tweedie("gbm-tweedie:1.3"), Ok((power(1.3), None)));
        assert_eq!(tweedie("gbm-tweedie:7"), Ok((power(1.5), Some(7))));
        assert_eq!(tweedie("gbm-tweedie:1.2/7"), Ok((power(1.2), Some(7))));
        assert_eq!(tweedie("gbm-tweedie:7/1.2"), Ok((power(1.2), Some(7))));
        for bad in [
            "gbm-tweedie:2.5",
            "gbm-tweedie:1.0",
            "gbm-tweedie:x",
            "gbm-tweedie:1.3/7/7",
            "gbm-tweedie:1.x",
        ] {
            let e = tweedie(bad).unwrap_err();
            assert!(e.contains(bad), "{bad}: {e}");
        }
        assert!(tweedie("gbm-tweedie:1.99").is_ok() && tweedie("gbm-tweedie:3").is_ok());
        let e = tweedie("gbm-tweedie:2").unwrap_err();
        assert!(e.contains("between 1.01 and 1.99"), "{e}");
        let e = tweedie("gbm-tweedie:1.3/20000").unwrap_err();
        assert!(e.contains("from 1 to 10000"), "{e}");
        // A power other than the default is in the name, which parses back.
        let spec: ModelSpec = "gbm-tweedie:1.14".parse().unwrap();
        assert_eq!(spec.name(), "gbm-tweedie:1.14");
        assert_eq!(spec.name().parse::<ModelSpec>().unwrap(), spec);
        assert_eq!(spec.build().name(), "gbm-tweedie:1.14");
        // Specs stored before the loss was a choice read as the squared loss.
        assert_eq!(
            serde_json::from_str::<ModelSpec>(r#"{"model":"gbm","season":null,"strategy":"direct"}"#).ok(),
            Some(ModelSpec::Gbm(GbmSpec::of(Strategy::Direct, Loss::Squared)))
        );
        for spec in ModelSpec::all() {
            let json = serde_json::to_string(&spec).unwrap();
            assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), spec);
            assert_eq!(spec.name().parse::<ModelSpec>().unwrap(), spec);
        }
    }

    /// Specs are stored in artifacts and registries: each family's JSON is what it was when
    /// `ModelSpec` held the settings itself.
    #[test]
    fn stored_specs_keep_their_json() {
        let cases = [
            ("naive", r#"{"model":"naive"}"#),
            ("snaive:12", r#"{"model":"seasonal-naive","season":12}"#),
            ("mean", r#"{"model":"mean"}"#),
            ("ets", r#"{"model":"ets","season":null}"#),
            (
                "arima:52",
                r#"{"model":"arima","season":52,"order":null,"seasonal_order":null}"#,
            ),
            ("mstl:7/365", r#"{"model":"mstl","periods":[7,365]}"#),
            ("prophet", r#"{"model":"prophet"}"#),
            ("gbm", r#"{"model":"gbm","season":null}"#),
            (
                "gbm-direct-median:7",
                r#"{"model":"gbm","season":7,"strategy":"direct","loss":"absolute"}"#,
            ),
            ("ensemble", r#"{"model":"ensemble","members":null}"#),
            (
                "ensemble:naive/drift",
                r#"{"model":"ensemble","members":[{"model":"naive"},{"model":"drift"}]}"#,
            ),
            ("auto", r#"{"model":"auto","candidates":null}"#),
            ("scum", r#"{"model":"scum","bounds":"envelope"}"#),
            ("scum:median", r#"{"model":"scum"}"#),
            (
                "ets:12+conformal",
                r#"{"model":"conformal","inner":{"model":"ets","season":12}}"#,
            ),
        ];
        for (name, json) in cases {
            let spec: ModelSpec = name.parse().unwrap();
            assert_eq!(serde_json::to_string(&spec).unwrap(), json, "{name}");
            assert_eq!(serde_json::from_str::<ModelSpec>(json).unwrap(), spec, "{name}");
        }
    }

    /// A stored spec can hold any season (a settings file, an old artifact): a season longer
    /// than the address space halved fits or fails with a message, never overflows.
    #[test]
    fn a_season_of_any_size_fits_or_fails_cleanly() {
        let values: Vec<f64> = (0..40).map(|k| 10.0 + (k % 12) as f64 + 0.1 * k as f64).collect();
        let series = crate::data::Series::starting(
            crate::data::Frequency::Monthly,
            chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            values,
        );
        for season in [41, usize::MAX / 2 + 1, usize::MAX] {
            for spec in ModelSpec::all() {
                let spec = spec.with_default_season(Some(season));
                let json = serde_json::to_string(&spec).unwrap();
                let back: ModelSpec = serde_json::from_str(&json).unwrap();
                if let Ok(fitted) = back.build().fit(&series) {
                    let fc = fitted.predict(6, &[95.0]).unwrap();
                    assert!(fc.point.iter().all(|v| v.is_finite()), "{json}");
                }
            }
        }
    }

    #[test]
    fn every_family_answers_to_its_names_and_refuses_what_it_does_not_take() {
        for family in FAMILIES {
            for name in family.names {
                let spec: ModelSpec = name.parse().unwrap();
                assert!(
                    (family.defaults)().iter().any(|d| d.family().name() == spec.name()),
                    "{name}"
                );
            }
        }
        assert_eq!(
            "naive:3".parse::<ModelSpec>(),
            Err(ModelError::Invalid("naive takes no setting (got ':3')".into()))
        );
        assert!("ensemble:ensemble".parse::<ModelSpec>().is_err());
        assert!("auto:auto/ets".parse::<ModelSpec>().is_err());
        assert!("mstl:1".parse::<ModelSpec>().is_err());
        assert_eq!(ModelSpec::all().len(), 28);
    }
}
