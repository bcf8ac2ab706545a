//! Global gradient-boosted trees: one [`horizon_gbm::Booster`] learns from every series of a
//! panel at once (as the LightGBM models of the M5 competition did; Makridakis, Spiliotis &
//! Assimakopoulos, *M5 accuracy competition: results, findings and conclusions*, IJF 38(4),
//! 2022), on the features of [`crate::data::features`]: lags, rolling statistics, calendar,
//! holidays, the file's drivers and the series ids.
//!
//! - Each series is divided by its scale (mean absolute value of its last year) so that one
//!   model serves series of any size; forecasts are multiplied back.
//! - Multi-step forecasts ([`Strategy`]) are recursive by default: each step's forecast joins
//!   the history the next step's lags and windows are computed from — the same feature code as
//!   in training. The direct strategy (`gbm-direct`) trains one booster per block of steps
//!   instead, each on features that end `gap` steps before its target (the "non-recursive"
//!   models of the M5 winners, Makridakis et al. 2022 §4; Taieb et al., *A review and comparison
//!   of strategies for multi-step ahead time series forecasting*, Expert Systems with
//!   Applications 39(8), 2012): its errors do not compound step after step, so they differ
//!   from the recursive model's, which is what an ensemble of the two feeds on.
//! - The number of trees is chosen by early stopping on each series' last stretch (one step
//!   ahead, or `gap` steps for a direct booster); the model is then refitted on everything with
//!   that many trees.
//! - Intervals: the multi-step forecast errors of that stretch, divided by the series' scale and
//!   by √h, pooled over series and steps; the band at level L is the L-quantile of their
//!   absolute values × √h × scale. `gbm+conformal` calibrates them per series instead.
//! - Drivers (price, promotion) are not known in the future: each is held at its usual value
//!   of about the last two months (regular price, no promotion), see [`usual_value`].
//!
//! Fitting one series ([`Forecaster::fit`]) is the same model on a panel of one.
//!
//! Files: [`settings`] (strategy, loss, search budget), [`train`] (features, early stopping,
//! boosters), [`forward`] (running boosters ahead), [`fitted`] (the stored model), [`tune`]
//! (the parameter search), and here the model as a [`Forecaster`] and on a panel.

mod family;
mod fitted;
mod forward;
mod settings;
mod train;
pub mod tune;

pub use family::{GBM, GbmSpec};
pub use fitted::{FittedGbm, TuneRecord};
pub use forward::Gapped;
pub use settings::{Loss, Power, Strategy, Tuned, Tuning, model_name};
pub use train::{Gbm, Rows, feature_matrix, usual_value, usual_window};

use crate::data::{Panel, Series};
use crate::models::{Fitted, Forecaster, ModelError};
use tune::tune;

impl Forecaster for Gbm {
    fn name(&self) -> String {
        model_name(self.strategy, Loss::of(self.params.objective))
    }

    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        let mut fitted = self.fit_panel(std::slice::from_ref(series))?;
        fitted
            .pop()
            .map(|f| Box::new(f) as Box<dyn Fitted>)
            .ok_or_else(|| ModelError::Invalid("no series to fit".into()))
    }
}

impl Gbm {
    /// Fit one booster on every series (after the parameter search, when the model has a
    /// tuning budget); one fitted model per series, in order.
    pub fn fit_panel(&self, series: &[Series]) -> Result<Vec<FittedGbm>, ModelError> {
        let Some(tuning) = self.tune else {
            return self.fit_untuned(series, None);
        };
        let clock = web_time::Instant::now();
        let plain = Gbm {
            tune: None,
            ..self.clone()
        };
        let tuned = tune(
            &plain,
            series,
            tuning.budget(),
            self.params.seed,
            &|| clock.elapsed().as_secs_f64(),
            &mut |_| true,
        )?;
        plain.fit_tuned(series, &tuned)
    }
}

/// The GBM on a panel: one booster learns from every series of it.
impl Gbm {
    /// This model set up for `panel`'s id and driver columns.
    pub fn for_panel(self, panel: &Panel) -> Gbm {
        Gbm {
            id_columns: panel.id_columns.clone(),
            exog_columns: panel.exog_columns.clone(),
            ..self
        }
    }

    /// The series this model can train on (the others fail alone).
    pub fn trainable(&self, series: &[Series]) -> Vec<Series> {
        series.iter().filter(|s| self.check(s).is_ok()).cloned().collect()
    }

    /// Fit on `series` together (with the parameters of `tuned` when a search already ran):
    /// one fitted model per series in order, or the reason for each series.
    pub fn fit_series(&self, series: &[Series], tuned: Option<&Tuned>) -> Vec<Result<Box<dyn Fitted>, ModelError>> {
        let chosen = self.trainable(series);
        let fits = match tuned {
            Some(t) => self.fit_tuned(&chosen, t),
            None => self.fit_panel(&chosen),
        };
        let mut fitted = match fits {
            Ok(f) => f
                .into_iter()
                .map(|f| Ok(Box::new(f) as Box<dyn Fitted>))
                .collect::<Vec<_>>(),
            Err(e) => chosen.iter().map(|_| Err(e.clone())).collect(),
        }
        .into_iter();
        series
            .iter()
            .map(|s| {
                self.check(s).and_then(|()| {
                    fitted
                        .next()
                        .unwrap_or_else(|| Err(ModelError::Invalid("the global model lost a series".into())))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
