//! [`FittedModel`]: every fitted model as serialisable data, so a trained model can be stored
//! in an artifact and forecast again, bit for bit, after loading.

use super::arima::FittedArima;
use super::auto::FittedAuto;
use super::ces::FittedCes;
use super::conformal::FittedConformal;
use super::ensemble::FittedEnsemble;
use super::ets::FittedEts;
use super::gbm::FittedGbm;
use super::intermittent::FittedIntermittent;
use super::mstl::FittedMstl;
use super::naive::FittedBaseline;
use super::prophet::FittedProphet;
use super::scum::FittedScum;
use super::theta::FittedTheta;
use super::{Fitted, Forecast, ModelError};
use serde::{Deserialize, Serialize};

/// A fitted model of any family. It answers the same calls as the model it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "kebab-case")]
pub enum FittedModel {
    Baseline(FittedBaseline),
    Ets(FittedEts),
    Arima(FittedArima),
    Theta(FittedTheta),
    Ces(FittedCes),
    Mstl(FittedMstl),
    Intermittent(FittedIntermittent),
    Prophet(FittedProphet),
    Gbm(FittedGbm),
    Ensemble(FittedEnsemble),
    Scum(FittedScum),
    Auto(FittedAuto),
    Conformal(FittedConformal),
}

impl FittedModel {
    fn inner(&self) -> &dyn Fitted {
        match self {
            FittedModel::Baseline(f) => f,
            FittedModel::Ets(f) => f,
            FittedModel::Arima(f) => f,
            FittedModel::Theta(f) => f,
            FittedModel::Ces(f) => f,
            FittedModel::Mstl(f) => f,
            FittedModel::Intermittent(f) => f,
            FittedModel::Prophet(f) => f,
            FittedModel::Gbm(f) => f,
            FittedModel::Ensemble(f) => f,
            FittedModel::Scum(f) => f,
            FittedModel::Auto(f) => f,
            FittedModel::Conformal(f) => f,
        }
    }
}

impl Fitted for FittedModel {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
        self.inner().predict(horizon, levels)
    }

    fn description(&self) -> String {
        self.inner().description()
    }

    fn to_state(&self) -> FittedModel {
        self.clone()
    }

    fn drivers(&self) -> Vec<(String, f64)> {
        self.inner().drivers()
    }

    fn predict_planned(&self, horizon: usize, levels: &[f64], future: &[Vec<f64>]) -> Result<Forecast, ModelError> {
        self.inner().predict_planned(horizon, levels, future)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Frequency, Series};
    use crate::models::ModelSpec;
    use chrono::NaiveDate;

    #[test]
    fn every_model_forecasts_the_same_after_a_json_round_trip() {
        let start = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
        let values: Vec<f64> = (0..60)
            .map(|t| {
                100.0
                    + 0.5 * t as f64
                    + 10.0 * ((t % 12) as f64 / 12.0 * std::f64::consts::TAU).sin()
                    + ((t * 37) % 11) as f64
            })
            .collect();
        let dates = (0..values.len())
            .map(|k| Frequency::Monthly.advance(start, k as i64))
            .collect();
        let series = Series::new(vec![], Frequency::Monthly, dates, values);
        let mut specs = ModelSpec::all();
        specs.push("ets+conformal".parse().unwrap());
        specs.push("snaive:100".parse().unwrap()); // falls back to naive
        for spec in specs {
            let fitted = spec.build().fit(&series).unwrap();
            let json = serde_json::to_string(&fitted.to_state()).unwrap();
            let back: FittedModel = serde_json::from_str(&json).unwrap();
            assert_eq!(back, fitted.to_state(), "{spec}");
            let (a, b) = (
                fitted.predict(18, &[80.0, 95.0]).unwrap(),
                back.predict(18, &[80.0, 95.0]).unwrap(),
            );
            assert_eq!(a, b, "{spec}: forecasts differ after the round trip");
            assert_eq!(fitted.description(), back.description(), "{spec}");
        }
    }
}
