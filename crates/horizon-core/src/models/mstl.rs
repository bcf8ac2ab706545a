//! MSTL forecasting: the series is decomposed into one or more seasonal components, a trend and a
//! remainder by MSTL (Bandara, Hyndman & Bergmeir 2021, "MSTL: A Seasonal-Trend Decomposition
//! Algorithm for Time Series with Multiple Seasonal Patterns", arXiv:2107.13462; the `stlrs`
//! implementation that augurs-mstl uses); the seasonally adjusted series (trend + remainder) is
//! forecast by our non-seasonal AutoETS and each seasonal component by its last cycle, as
//! R's `stlf`/`mstl` and statsforecast's `MSTL` do.
//!
//! augurs-mstl's own `MSTLModel` does the same, but its fitted model cannot be serialised;
//! keeping the last cycles and the fitted ETS makes a self-contained artifact.
//!
//! Daily data gets weekly and yearly seasons (when there are two years), weekly data a 52-week
//! season, monthly 12, quarterly 4; a season is used only with at least two full cycles.

use super::ets::{AutoEts, FittedEts};
use super::family::{Entry, Family, MAX_SEASON};
use super::{Fitted, Forecast, Forecaster, ModelError, ModelSpec, check_finite, check_levels};
use crate::data::{Frequency, Series};
use augurs_mstl::stlrs;
use serde::{Deserialize, Serialize};

/// MSTL with an AutoETS trend.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Mstl {
    /// Season lengths; `None` = from the frequency.
    pub periods: Option<Vec<usize>>,
}

/// The seasons MSTL looks for by default.
pub fn default_periods(freq: Frequency) -> Vec<usize> {
    super::season::calendar_seasons(freq)
}

/// A fitted MSTL model: the last cycle of each seasonal component and the trend's ETS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedMstl {
    pub periods: Vec<usize>,
    /// Per period, its last `period` seasonal values, oldest first.
    pub last_cycles: Vec<Vec<f64>>,
    pub trend: FittedEts,
    /// Seasons asked for but left out (too few cycles).
    pub dropped: Vec<usize>,
}

impl Forecaster for Mstl {
    fn name(&self) -> String {
        "mstl".into()
    }

    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        let periods = self.periods.clone().unwrap_or_else(|| default_periods(series.freq));
        Ok(Box::new(fit_values(&series.values, &periods)?))
    }
}

/// Fit MSTL with seasons `periods` (those with fewer than two cycles of data are dropped).
pub fn fit_values(y: &[f64], periods: &[usize]) -> Result<FittedMstl, ModelError> {
    check_finite(y)?;
    let n = y.len();
    let (kept, dropped): (Vec<usize>, Vec<usize>) = periods.iter().partition(|&&p| p >= 2 && n >= p.saturating_mul(2));
    let (deseasoned, last_cycles) = if kept.is_empty() {
        (y.to_vec(), Vec::new())
    } else {
        let fit = stlrs::MstlParams::new()
            .fit(y, &kept)
            .map_err(|e| ModelError::Invalid(format!("MSTL decomposition failed: {e}")))?;
        let deseasoned: Vec<f64> = fit.trend().iter().zip(fit.remainder()).map(|(t, r)| t + r).collect();
        let last: Vec<Vec<f64>> = kept
            .iter()
            .zip(fit.seasonal())
            .map(|(&p, comp)| comp[comp.len() - p..].to_vec())
            .collect();
        (deseasoned, last)
    };
    // Its trend model's limits are MSTL's: said in MSTL's name.
    let trend = AutoEts { season: Some(1) }
        .fit_values(&deseasoned, 1)
        .map_err(|e| match e {
            ModelError::TooShort { needed, got, .. } => ModelError::TooShort {
                model: "mstl".into(),
                needed,
                got,
            },
            e => e,
        })?;
    Ok(FittedMstl {
        periods: kept,
        last_cycles,
        trend,
        dropped,
    })
}

impl Fitted for FittedMstl {
    fn to_state(&self) -> crate::models::FittedModel {
        crate::models::FittedModel::Mstl(self.clone())
    }

    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
        let levels = check_levels(levels)?;
        let mut f = self.trend.predict(horizon, &levels)?;
        for (p, cycle) in self.periods.iter().zip(&self.last_cycles) {
            for j in 0..horizon {
                let s = cycle[j % p];
                f.point[j] += s;
                for iv in &mut f.intervals {
                    iv.lower[j] += s;
                    iv.upper[j] += s;
                }
            }
        }
        Ok(f)
    }

    fn description(&self) -> String {
        let seasons = if self.periods.is_empty() {
            "no season".to_string()
        } else {
            format!(
                "season{} {}",
                if self.periods.len() > 1 { "s" } else { "" },
                self.periods
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(" and ")
            )
        };
        let mut d = format!(
            "MSTL decomposition ({seasons}); the seasonally adjusted series by {}",
            self.trend.description()
        );
        if !self.dropped.is_empty() {
            d.push_str(&format!(
                " Season {} left out: fewer than two cycles of data.",
                self.dropped.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")
            ));
        }
        d
    }
}

/// `mstl`, `mstl:7/365`.
pub const MSTL: Entry = Entry {
    names: &["mstl"],
    parse: |_, setting| {
        let periods = setting
            .map(|a| {
                a.split('/')
                    .map(|p| p.trim().parse::<usize>().ok().filter(|m| (2..=MAX_SEASON).contains(m)))
                    .collect::<Option<Vec<usize>>>()
                    .ok_or_else(|| {
                        ModelError::Invalid(format!(
                            "MSTL seasons '{a}' must be whole numbers from 2 to {MAX_SEASON}, e.g. 7/365"
                        ))
                    })
            })
            .transpose()?;
        Ok(ModelSpec::Mstl(Mstl { periods }))
    },
    defaults: || vec![ModelSpec::Mstl(Mstl::default())],
};

impl Family for Mstl {
    fn name(&self) -> String {
        Forecaster::name(self)
    }
    fn summary(&self) -> &'static str {
        "seasonal decomposition (weekly + yearly for daily data) with ETS trend"
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(self.clone())
    }
    fn with_season(&self, season: usize) -> Option<ModelSpec> {
        self.periods.is_none().then(|| {
            ModelSpec::Mstl(Mstl {
                periods: Some(vec![season]),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn daily(values: Vec<f64>) -> Series {
        Series::starting(
            Frequency::Daily,
            chrono::NaiveDate::from_ymd_opt(2022, 1, 3).unwrap(),
            values,
        )
    }

    #[test]
    fn too_short_says_mstl() {
        let e = Mstl::default()
            .fit(&daily(vec![1.0, 2.0]))
            .err()
            .expect("too short")
            .to_string();
        assert!(e.contains("mstl"), "{e}");
    }

    #[test]
    fn weekly_and_yearly_patterns_are_both_forecast() {
        use std::f64::consts::TAU;
        // Three years of daily sales: weekend peaks and a summer high, no noise.
        let shape = |t: usize| {
            let week = if t % 7 >= 5 { 30.0 } else { 0.0 };
            200.0 + week + 50.0 * (TAU * t as f64 / 365.0).sin()
        };
        let s = daily((0..3 * 365).map(shape).collect());
        let fitted = Mstl::default().fit(&s).unwrap();
        assert!(
            fitted.description().contains("seasons 7 and 365"),
            "{}",
            fitted.description()
        );
        let f = fitted.predict(28, &[95.0]).unwrap();
        let truth: Vec<f64> = (3 * 365..3 * 365 + 28).map(shape).collect();
        let mae = f.point.iter().zip(&truth).map(|(a, b)| (a - b).abs()).sum::<f64>() / 28.0;
        assert!(mae < 3.0, "MAE {mae} on a noiseless pattern");
        let iv = &f.intervals[0];
        assert!((0..28).all(|j| iv.lower[j] <= f.point[j] && f.point[j] <= iv.upper[j]));
        // Self-contained: a serde round trip forecasts the same.
        let json = serde_json::to_string(&fitted_values(&s)).unwrap();
        let back: FittedMstl = serde_json::from_str(&json).unwrap();
        assert_eq!(back.predict(28, &[95.0]).unwrap(), f);
    }

    fn fitted_values(s: &Series) -> FittedMstl {
        fit_values(&s.values, &default_periods(s.freq)).unwrap()
    }

    #[test]
    fn seasons_without_two_cycles_are_left_out_and_said() {
        let s = daily((0..100).map(|t| 10.0 + (t % 7) as f64).collect());
        let fitted = Mstl::default().fit(&s).unwrap();
        let d = fitted.description();
        assert!(d.contains("season 7") && d.contains("Season 365 left out"), "{d}");
    }
}
