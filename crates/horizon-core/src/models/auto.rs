//! Auto, the default model choice: every candidate is backtested on the series' own recent
//! history, the one with the lowest mean MASE is fitted to the whole series, and the table of
//! candidates is kept to explain the choice.
//!
//! Selection by time-series cross-validation on rolling origins (Tashman 2000, "Out-of-sample
//! tests of forecasting accuracy", *International Journal of Forecasting* 16(4); Hyndman &
//! Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §5.10), scored by MASE
//! (Hyndman & Koehler 2006), so a series' candidates are compared in the series' own units of
//! difficulty. The candidates are the single models and their weighted ensemble. Selection from
//! a few backtest windows is noisy and combinations are hard to beat (the "forecast combination
//! puzzle", Smith & Wallis 2009; Fildes & Petropoulos 2015, "Simple versus complex selection
//! rules for forecasting many time series", *Journal of Business Research* 68(8)), so the
//! ensemble is kept unless a single model's backtest MASE is under half the ensemble's. Measured
//! on the public benchmark (benches/RESULTS.md): picking the lowest backtest error outright
//! was 1–14 % worse than the ensemble on every dataset; with this rule Auto is the ensemble's
//! equal there, and a series where one model is decisively better (an exact season, a holiday
//! effect only Prophet models) still gets that model.

use super::ensemble::{backtest_window, default_members};
use super::family::{Entry, Family, model_list};
use super::{Fitted, FittedModel, Forecast, Forecaster, ModelError, ModelSpec};
use crate::data::Series;
use crate::eval::metrics::seasonal_scale;
use serde::{Deserialize, Serialize};

/// Backtest origins per candidate.
const ORIGINS: usize = 3;
/// A single model replaces the ensemble only when its backtest MASE is below this share of the
/// ensemble's.
const SINGLE_MODEL_SHARE: f64 = 0.5;

/// The candidates Auto compares unless given others: seasonal naive (the benchmark every model
/// must beat), ETS, ARIMA, MSTL, Prophet and the ensemble of ETS, ARIMA and MSTL.
pub fn default_candidates() -> Vec<ModelSpec> {
    let mut c = vec![ModelSpec::SeasonalNaive(Default::default())];
    c.extend(default_members());
    c.push(ModelSpec::Prophet);
    c.push(ModelSpec::Ensemble(Default::default()));
    c
}

/// Pick the best of `candidates` for each series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auto {
    pub candidates: Vec<ModelSpec>,
    /// Add the intermittent-demand methods ([`intermittent_candidates`]) on a series whose
    /// demand is intermittent.
    pub intermittent: bool,
}

/// The candidates Auto adds on an intermittent series (average interval between sales above
/// 1.32, Syntetos, Boylan & Croston 2005): SBA, TSB, ADIDA and IMAPA.
pub fn intermittent_candidates() -> Vec<ModelSpec> {
    use super::intermittent::{Intermittent, Method};
    [Method::Sba, Method::Tsb, Method::Adida, Method::Imapa]
        .map(|m| ModelSpec::Intermittent(Intermittent::new(m)))
        .to_vec()
}

/// One candidate's backtest on the series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateScore {
    pub model: String,
    /// Mean MASE over the origins (`None`: it failed, see `error`).
    pub mase: Option<f64>,
    /// Mean absolute error over the origins (breaks ties; stands in when MASE is undefined).
    pub mae: Option<f64>,
    pub error: Option<String>,
}

/// The chosen model fitted to the series, with the comparison that chose it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedAuto {
    pub chosen: String,
    pub model: Box<FittedModel>,
    /// Every candidate's score, best first; empty when the series was too short to compare.
    pub table: Vec<CandidateScore>,
    pub origins: usize,
    pub steps: usize,
}

impl Forecaster for Auto {
    fn name(&self) -> String {
        "auto".into()
    }

    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        let first = self
            .candidates
            .first()
            .ok_or_else(|| ModelError::Invalid("auto needs at least one candidate".into()))?;
        super::check_finite(&series.values)?;
        let m = series.freq.default_season();
        let (steps, origins) = backtest_window(series, ORIGINS);
        let extra = if self.intermittent && super::intermittent::is_intermittent(&series.values) {
            intermittent_candidates()
        } else {
            Vec::new()
        };
        let mut table: Vec<(CandidateScore, &ModelSpec)> = self
            .candidates
            .iter()
            .chain(&extra)
            .map(|spec| (score(series, spec, &origins, steps, m), spec))
            .collect();
        table.sort_by(|(a, _), (b, _)| {
            rank(a).total_cmp(&rank(b)).then(
                a.mae
                    .unwrap_or(f64::INFINITY)
                    .total_cmp(&b.mae.unwrap_or(f64::INFINITY)),
            )
        });
        // The preferred candidate that fits the whole series; without a comparison, the first
        // candidate that fits (the series is too short to backtest).
        let order: Vec<&ModelSpec> = if origins.is_empty() {
            self.candidates.iter().collect()
        } else {
            preference(&table)
        };
        let mut last_error = None;
        for spec in order.into_iter().chain(std::iter::once(first)) {
            match super::stepping::fit(spec, series) {
                Ok(fitted) => {
                    return Ok(Box::new(FittedAuto {
                        chosen: spec.name(),
                        model: Box::new(fitted.to_state()),
                        table: if origins.is_empty() {
                            Vec::new()
                        } else {
                            table.into_iter().map(|(s, _)| s).collect()
                        },
                        origins: origins.len(),
                        steps,
                    }));
                }
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or_else(|| ModelError::Invalid("no candidate could be fitted".into())))
    }
}

/// The candidates that could be backtested, in the order Auto prefers them: by backtest error
/// (`table` is sorted), but the ensemble first unless a single model's error is under
/// [`SINGLE_MODEL_SHARE`] of the ensemble's.
fn preference<'a>(table: &[(CandidateScore, &'a ModelSpec)]) -> Vec<&'a ModelSpec> {
    let ok: Vec<&(CandidateScore, &ModelSpec)> = table.iter().filter(|(s, _)| s.error.is_none()).collect();
    let mut order: Vec<&ModelSpec> = ok.iter().map(|(_, spec)| *spec).collect();
    let ensemble = ok.iter().position(|(_, spec)| matches!(spec, ModelSpec::Ensemble(_)));
    if let (Some(k), Some((best, _))) = (ensemble, ok.first()) {
        let (best, ens) = (rank(best), rank(&ok[k].0));
        // `rank` is never NaN.
        if k > 0 && best >= SINGLE_MODEL_SHARE * ens {
            let spec = order.remove(k);
            order.insert(0, spec);
        }
    }
    order
}

/// The sort key: mean MASE, failures last.
fn rank(s: &CandidateScore) -> f64 {
    match (s.error.as_ref(), s.mase) {
        (None, Some(v)) if v.is_finite() => v,
        (None, _) => f64::MAX,
        (Some(_), _) => f64::INFINITY,
    }
}

/// How `spec` does on `series` in the backtest Auto runs for each candidate (the same origins
/// and steps): its MASE and mean absolute error per period; `None` when the series is too
/// short to backtest. What the workbench's headline reports for a model the user picked.
pub fn backtest_score(series: &Series, spec: &ModelSpec) -> Option<CandidateScore> {
    let (steps, origins) = backtest_window(series, ORIGINS);
    (!origins.is_empty()).then(|| score(series, spec, &origins, steps, series.freq.default_season()))
}

/// Backtest `spec` at `origins`, `steps` ahead each.
fn score(series: &Series, spec: &ModelSpec, origins: &[usize], steps: usize, m: usize) -> CandidateScore {
    let mut mase = Vec::new();
    let mut mae = Vec::new();
    for &origin in origins {
        let forecast = super::stepping::fit(spec, &series.head(origin)).and_then(|f| f.predict(steps, &[95.0]));
        let f = match forecast {
            Ok(f) => f,
            Err(e) => {
                return CandidateScore {
                    model: spec.name(),
                    mase: None,
                    mae: None,
                    error: Some(e.to_string()),
                };
            }
        };
        let actual = &series.values[origin..origin + steps];
        let err = actual.iter().zip(&f.point).map(|(y, p)| (y - p).abs()).sum::<f64>() / steps as f64;
        if !err.is_finite() {
            return CandidateScore {
                model: spec.name(),
                mase: None,
                mae: None,
                error: Some("its backtest forecast was not finite".into()),
            };
        }
        let scale = seasonal_scale(&series.values[..origin], m);
        if scale.is_finite() && scale > 0.0 {
            mase.push(err / scale);
        }
        mae.push(err);
    }
    let mean = |v: &[f64]| (!v.is_empty() && v.len() == origins.len()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    CandidateScore {
        model: spec.name(),
        mase: mean(&mase),
        mae: mean(&mae),
        error: None,
    }
}

impl Fitted for FittedAuto {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
        self.model.predict(horizon, levels)
    }

    fn drivers(&self) -> Vec<(String, f64)> {
        self.model.drivers()
    }

    fn predict_planned(&self, horizon: usize, levels: &[f64], future: &[Vec<f64>]) -> Result<Forecast, ModelError> {
        self.model.predict_planned(horizon, levels, future)
    }

    fn description(&self) -> String {
        let mut text = if self.table.is_empty() {
            format!(
                "Auto: {} (the series is too short to compare candidates on its own history).",
                self.chosen
            )
        } else {
            let rows: Vec<String> = self
                .table
                .iter()
                .map(|s| match (&s.error, s.mase, s.mae) {
                    (Some(e), _, _) => format!("{} failed ({e})", s.model),
                    (None, Some(v), _) => format!("{} {v:.3}", s.model),
                    (None, None, Some(v)) => format!("{} MAE {v:.3}", s.model),
                    (None, None, None) => format!("{} not scored", s.model),
                })
                .collect();
            let kept = if self.table.first().is_some_and(|best| best.model != self.chosen) && self.chosen == "ensemble"
            {
                " (the ensemble is kept unless a single model halves its error)"
            } else {
                ""
            };
            format!(
                "Auto: {} chosen by backtest MASE{kept} ({} origins, {} steps ahead): {}.",
                self.chosen,
                self.origins,
                self.steps,
                rows.join(", ")
            )
        };
        text.push(' ');
        text.push_str(&self.model.description());
        text
    }

    fn to_state(&self) -> FittedModel {
        FittedModel::Auto(self.clone())
    }
}

/// Auto's settings: its candidates (`None`: [`default_candidates`], with the intermittent-demand
/// methods added on intermittent series) and the season the default candidates take.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AutoSpec {
    pub candidates: Option<Vec<ModelSpec>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub season: Option<usize>,
}

impl AutoSpec {
    /// The candidates, the default ones if none were given.
    pub fn candidates(&self) -> Vec<ModelSpec> {
        self.candidates.clone().unwrap_or_else(|| {
            default_candidates()
                .into_iter()
                .map(|s| s.with_default_season(self.season))
                .collect()
        })
    }
}

/// `auto`, `auto:ets/arima/ensemble`.
pub const AUTO: Entry = Entry {
    names: &["auto"],
    parse: |_, setting| {
        let candidates = model_list(
            setting,
            |s| matches!(s, ModelSpec::Auto(_)),
            "auto's candidates are models other than auto, e.g. auto:ets/arima/ensemble",
        )?;
        Ok(ModelSpec::Auto(AutoSpec {
            candidates,
            season: None,
        }))
    },
    defaults: || vec![ModelSpec::Auto(AutoSpec::default())],
};

impl Family for AutoSpec {
    fn name(&self) -> String {
        "auto".into()
    }
    fn summary(&self) -> &'static str {
        "the best model for each series, chosen by backtest (ensemble included)"
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(Auto {
            candidates: self.candidates(),
            intermittent: self.candidates.is_none(),
        })
    }
    fn is_composite(&self) -> bool {
        true
    }
    fn with_season(&self, season: usize) -> Option<ModelSpec> {
        if self.candidates.is_none() {
            return self.season.is_none().then_some(ModelSpec::Auto(AutoSpec {
                candidates: None,
                season: Some(season),
            }));
        }
        let candidates = self
            .candidates()
            .into_iter()
            .map(|s| s.with_default_season(Some(season)));
        Some(ModelSpec::Auto(AutoSpec {
            candidates: Some(candidates.collect()),
            season: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Frequency;

    fn monthly(values: Vec<f64>) -> Series {
        Series::starting(
            Frequency::Monthly,
            chrono::NaiveDate::from_ymd_opt(2015, 1, 1).unwrap(),
            values,
        )
    }

    /// A pure seasonal pattern: the seasonal models beat the mean and the drift by far, and
    /// Auto picks one of them and says so with the whole table.
    #[test]
    fn picks_the_candidate_with_the_lowest_backtest_error_and_explains() {
        let y: Vec<f64> = (0..96)
            .map(|t| 100.0 + 30.0 * ((t % 12) as f64 / 12.0 * std::f64::consts::TAU).sin() + ((t * 7) % 5) as f64)
            .collect();
        let auto = Auto {
            candidates: vec![
                ModelSpec::Mean,
                ModelSpec::Drift,
                ModelSpec::SeasonalNaive(Default::default()),
            ],
            intermittent: false,
        };
        let fitted = auto.fit(&monthly(y)).unwrap();
        let FittedModel::Auto(a) = fitted.to_state() else {
            panic!("not an auto fit")
        };
        assert_eq!(a.chosen, "seasonal-naive");
        assert_eq!(a.table.len(), 3);
        assert_eq!(a.table[0].model, "seasonal-naive");
        assert!(a.table[0].mase < a.table[1].mase && a.table[1].mase <= a.table[2].mase);
        let d = fitted.description();
        assert!(
            d.starts_with("Auto: seasonal-naive chosen by backtest MASE (3 origins"),
            "{d}"
        );
        assert!(d.contains("mean ") && d.contains("drift "), "{d}");
    }

    /// The chosen model forecasts exactly as it does alone.
    #[test]
    fn forecasts_are_the_chosen_models() {
        let y: Vec<f64> = (0..60).map(|t| 50.0 + 2.0 * t as f64 + ((t * 13) % 5) as f64).collect();
        let s = monthly(y);
        let auto = Auto {
            candidates: vec![ModelSpec::Mean, ModelSpec::Drift],
            intermittent: false,
        };
        let a = auto.fit(&s).unwrap().predict(6, &[80.0, 95.0]).unwrap();
        let d = ModelSpec::Drift
            .build()
            .fit(&s)
            .unwrap()
            .predict(6, &[80.0, 95.0])
            .unwrap();
        assert_eq!(a, d);
    }

    fn scored(model: &str, mase: f64) -> CandidateScore {
        CandidateScore {
            model: model.into(),
            mase: Some(mase),
            mae: Some(mase),
            error: None,
        }
    }

    /// The ensemble stays first unless a single model's backtest error is under half its own;
    /// failed candidates are never chosen.
    #[test]
    fn the_ensemble_is_kept_unless_a_single_model_halves_its_error() {
        let (ets, ens, naive) = (
            ModelSpec::Ets(Default::default()),
            ModelSpec::Ensemble(Default::default()),
            ModelSpec::Naive,
        );
        let failed = CandidateScore {
            model: "naive".into(),
            mase: None,
            mae: None,
            error: Some("too short".into()),
        };
        let names = |t: &[(CandidateScore, &ModelSpec)]| preference(t).iter().map(|s| s.name()).collect::<Vec<_>>();
        let close = [
            (scored("ets", 0.6), &ets),
            (scored("ensemble", 1.0), &ens),
            (failed.clone(), &naive),
        ];
        assert_eq!(names(&close), ["ensemble", "ets"]);
        let decisive = [(scored("ets", 0.49), &ets), (scored("ensemble", 1.0), &ens)];
        assert_eq!(names(&decisive), ["ets", "ensemble"]);
        let ensemble_best = [(scored("ensemble", 0.8), &ens), (scored("ets", 0.9), &ets)];
        assert_eq!(names(&ensemble_best), ["ensemble", "ets"]);
        let no_ensemble = [(scored("ets", 0.9), &ets), (failed, &naive)];
        assert_eq!(names(&no_ensemble), ["ets"]);
    }

    /// Too short to backtest: the first candidate that fits, said in the description.
    #[test]
    fn a_short_series_gets_the_first_candidate_that_fits() {
        let s = monthly(vec![3.0, 4.0, 5.0, 4.0, 6.0]);
        let fitted = Auto {
            candidates: default_candidates(),
            intermittent: false,
        }
        .fit(&s)
        .unwrap();
        assert!(
            fitted.description().contains("too short to compare"),
            "{}",
            fitted.description()
        );
        assert!(fitted.predict(3, &[95.0]).unwrap().point.iter().all(|v| v.is_finite()));
        assert!(matches!(
            Auto {
                candidates: vec![],
                intermittent: false
            }
            .fit(&s),
            Err(ModelError::Invalid(_))
        ));
    }

    /// On intermittent demand the default Auto also backtests the intermittent methods; on
    /// smooth demand, or with candidates of the user's, it does not.
    #[test]
    fn intermittent_series_get_the_intermittent_candidates() {
        let sparse: Vec<f64> = (0..120)
            .map(|t| if (t * 7) % 5 == 0 { 3.0 + (t % 4) as f64 } else { 0.0 })
            .collect();
        let smooth: Vec<f64> = (0..120).map(|t| 20.0 + ((t * 7) % 5) as f64).collect();
        let models = |spec: &AutoSpec, y: &[f64]| -> Vec<String> {
            let FittedModel::Auto(a) = spec.build().fit(&monthly(y.to_vec())).unwrap().to_state() else {
                panic!("not an auto fit")
            };
            a.table.into_iter().map(|c| c.model).collect()
        };
        let default = AutoSpec::default();
        let on_sparse = models(&default, &sparse);
        for m in ["sba", "tsb", "adida", "imapa"] {
            assert!(on_sparse.iter().any(|c| c == m), "{m} in {on_sparse:?}");
        }
        assert!(!models(&default, &smooth).iter().any(|c| c == "sba"));
        let mine: ModelSpec = "auto:mean/drift".parse().unwrap();
        let ModelSpec::Auto(mine) = mine else { panic!() };
        assert_eq!(models(&mine, &sparse).len(), 2);
        // A season given to the default Auto keeps it default (and its JSON as it was).
        let seasonal = ModelSpec::Auto(default).with_default_season(Some(4));
        assert_eq!(
            serde_json::to_string(&seasonal).unwrap(),
            r#"{"model":"auto","candidates":null,"season":4}"#
        );
        let ModelSpec::Auto(seasonal) = seasonal else { panic!() };
        assert!(models(&seasonal, &sparse).iter().any(|c| c == "imapa"));
    }
}
