//! [`FittedGbm`]: a series' share of a fitted GBM, stored in artifacts and forecast from.

use super::forward::{Drivers, Gapped, run_forward};
use super::settings::{Loss, Tuned};
use crate::data::features::{FeatureSpec, Holidays};
use crate::models::{Fitted, FittedModel, Forecast, Interval, ModelError, check_levels};
use chrono::NaiveDate;
use horizon_gbm::Booster;
use serde::{Deserialize, Deserializer, Serialize};
use std::sync::Arc;

/// The boosters as stored, or the one recursive booster of artifacts made before the direct
/// strategy (field `booster`).
fn boosters_or_one<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Gapped>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Gapped(Vec<Gapped>),
        One(Arc<Booster>),
    }
    Ok(match Stored::deserialize(d)? {
        Stored::Gapped(v) => v,
        Stored::One(booster) => vec![Gapped { gap: 1, booster }],
    })
}

/// A series' share of a fitted GBM: the boosters (shared by the panel) and what forecasting
/// this series needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedGbm {
    /// One booster of gap 1 (recursive), or one per block of steps (direct).
    #[serde(alias = "booster", deserialize_with = "boosters_or_one")]
    pub boosters: Vec<Gapped>,
    pub spec: FeatureSpec,
    pub last_date: NaiveDate,
    /// The last scaled values, as many as the features look back.
    pub tail: Vec<f64>,
    pub scale: f64,
    /// The drivers' values assumed for the future: each one's usual value, see [`super::usual_value`].
    pub exog_last: Vec<f64>,
    pub ids: Vec<f64>,
    /// Quantiles of the pooled |error| / √h (scaled), see the module doc.
    pub error_quantiles: Vec<f64>,
    pub panel_size: usize,
    pub rows: usize,
    /// The parameter search that chose the booster's settings, if one ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuning: Option<TuneRecord>,
}

/// What a parameter search did, kept with the model it tuned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneRecord {
    pub trials: usize,
    pub pruned: usize,
    /// Validation loss (one step ahead, scaled) of the default and of the chosen parameters.
    pub default_loss: f64,
    pub best_loss: f64,
}

impl TuneRecord {
    pub fn of(t: &Tuned) -> TuneRecord {
        TuneRecord {
            trials: t.trials.len(),
            pruned: t
                .trials
                .iter()
                .filter(|t| t.state == crate::tune::TrialState::Pruned)
                .count(),
            default_loss: t.default_loss,
            best_loss: t.best_loss,
        }
    }

    fn describe(&self) -> String {
        format!(
            " Parameters tuned by a TPE search of {} trials ({} pruned): validation loss {:.4} with the defaults, {:.4} tuned.",
            self.trials, self.pruned, self.default_loss, self.best_loss
        )
    }
}

impl FittedGbm {
    /// The loss the boosters were trained on (a search may have chosen it).
    pub fn loss(&self) -> Loss {
        self.boosters
            .first()
            .map_or(Loss::Squared, |g| Loss::of(g.booster.objective))
    }

    /// The error quantile at probability `p` (interpolated in the stored table).
    fn error_at(&self, p: f64) -> f64 {
        let q = &self.error_quantiles;
        if q.is_empty() {
            return 0.0;
        }
        let pos = p.clamp(0.0, 1.0) * (q.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        q[lo] + (q[hi] - q[lo]) * (pos - lo as f64)
    }
}

impl FittedGbm {
    fn forecast(&self, horizon: usize, levels: &[f64], drivers: Drivers<'_>) -> Result<Forecast, ModelError> {
        let levels = check_levels(levels)?;
        let first = self.last_date;
        let holidays = Holidays::new(
            self.spec.holidays,
            first,
            self.spec.freq.advance(first, horizon as i64 + 1),
        );
        let scaled = run_forward(
            &self.boosters,
            &self.spec,
            &holidays,
            self.tail.clone(),
            self.last_date,
            drivers,
            &self.ids,
            horizon,
        );
        let point: Vec<f64> = scaled.iter().map(|v| v * self.scale).collect();
        // A count loss's sales are zero or more: so is its lower bound.
        let floor = if self.loss().is_count() { 0.0 } else { f64::NEG_INFINITY };
        let intervals = levels
            .into_iter()
            .map(|level| {
                let q = self.error_at(level / 100.0) * self.scale;
                let width = |h: usize| q * (h as f64).sqrt();
                Interval {
                    level,
                    lower: point
                        .iter()
                        .enumerate()
                        .map(|(i, p)| (p - width(i + 1)).max(floor))
                        .collect(),
                    upper: point.iter().enumerate().map(|(i, p)| p + width(i + 1)).collect(),
                }
            })
            .collect();
        Ok(Forecast { point, intervals })
    }
}

impl Fitted for FittedGbm {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
        self.forecast(horizon, levels, Drivers::Held(&self.exog_last))
    }

    fn drivers(&self) -> Vec<(String, f64)> {
        self.spec
            .exog
            .iter()
            .cloned()
            .zip(self.exog_last.iter().copied())
            .collect()
    }

    fn predict_planned(&self, horizon: usize, levels: &[f64], future: &[Vec<f64>]) -> Result<Forecast, ModelError> {
        if future.iter().any(|row| row.len() != self.exog_last.len()) {
            return Err(ModelError::Plan(format!(
                "a plan must give {} driver value(s) per step",
                self.exog_last.len()
            )));
        }
        self.forecast(horizon, levels, Drivers::PerStep(future))
    }

    fn description(&self) -> String {
        let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        for g in &self.boosters {
            for (name, n) in g.booster.split_counts() {
                *counts.entry(name).or_default() += n;
            }
        }
        let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
        counts.sort_by_key(|c| std::cmp::Reverse(c.1));
        let top: Vec<String> = counts.into_iter().take(3).map(|(n, _)| n).collect();
        let drivers = if self.spec.exog.is_empty() {
            String::new()
        } else {
            format!(
                " Drivers ({}) held at their usual values of about the last two months.",
                self.spec.exog.join(", ")
            )
        };
        let tuning = self.tuning.as_ref().map(TuneRecord::describe).unwrap_or_default();
        let trees = self.boosters.iter().flat_map(|g| &g.booster.trees);
        let strategy = match self.boosters.as_slice() {
            [one] if one.gap == 1 => String::new(),
            many => format!(
                ", direct: one model per block of steps, forecasting {} steps past its inputs",
                many.iter().map(|g| g.gap.to_string()).collect::<Vec<_>>().join(", ")
            ),
        };
        let loss = match self.loss() {
            Loss::Absolute => " of the median (absolute error)".to_string(),
            Loss::Poisson => " of the mean of counts (Poisson loss, log link)".to_string(),
            Loss::Tweedie(p) => format!(" of the mean of sales with many zeros (Tweedie loss, variance power {p})"),
            Loss::Squared => String::new(),
        };
        format!(
            "Gradient-boosted trees{loss}{strategy}: {} trees of up to {} leaves on {} features, trained on {} rows of {} series; most used: {}.{}{}",
            trees.clone().count(),
            trees.map(horizon_gbm::Tree::leaves).max().unwrap_or(0),
            self.spec.names().len(),
            self.rows,
            self.panel_size,
            top.join(", "),
            drivers,
            tuning
        )
    }

    fn to_state(&self) -> FittedModel {
        FittedModel::Gbm(self.clone())
    }
}
