//! Tuning the GBM with the TPE search of [`crate::tune`]: each trial trains a booster on the
//! panel's training rows and is scored by its loss on every series' last stretch (one step
//! ahead, the rows the number of trees is chosen on). The booster reports that loss every
//! [`REPORT_EVERY`] rounds, so the median pruner stops poor trials early. The default
//! parameters are trial 0: the search can only keep or improve them.

use super::ModelError;
use super::gbm::Gbm;
use crate::data::Series;
use crate::tune::{Budget, Report, Space, Study, Trial};
use horizon_gbm::{Booster, Params};

/// Rounds between two reports to the pruner.
pub const REPORT_EVERY: usize = 10;

/// What the search found.
#[derive(Debug, Clone)]
pub struct Tuned {
    pub params: Params,
    /// Validation loss of the default parameters and of the best trial.
    pub default_loss: f64,
    pub best_loss: f64,
    pub space: Space,
    pub trials: Vec<Trial>,
}

/// The parameters searched: learning rate, leaves, leaf size, L2 penalty, feature and row
/// subsampling (the ranges Optuna's LightGBM tuner uses).
pub fn space() -> Space {
    Space::default()
        .float("learning_rate", 0.01, 0.3, true)
        .int("num_leaves", 7, 127, true)
        .int("min_data_in_leaf", 5, 100, true)
        .float("lambda_l2", 1e-3, 10.0, true)
        .float("feature_fraction", 0.5, 1.0, false)
        .float("bagging_fraction", 0.5, 1.0, false)
}

fn values_of(p: &Params) -> Vec<f64> {
    vec![
        p.learning_rate,
        p.num_leaves as f64,
        p.min_data_in_leaf as f64,
        p.lambda_l2,
        p.feature_fraction,
        p.bagging_fraction,
    ]
}

fn params_of(base: &Params, v: &[f64]) -> Params {
    let at = |i: usize, d: f64| v.get(i).copied().unwrap_or(d);
    Params {
        learning_rate: at(0, base.learning_rate),
        num_leaves: at(1, base.num_leaves as f64) as usize,
        min_data_in_leaf: at(2, base.min_data_in_leaf as f64) as usize,
        lambda_l2: at(3, base.lambda_l2),
        feature_fraction: at(4, base.feature_fraction),
        bagging_fraction: at(5, base.bagging_fraction),
        ..base.clone()
    }
}

/// Search `gbm`'s booster parameters on `series` within `budget`; `now` is a clock in seconds,
/// `keep_going` is asked before each trial (progress, Cancel).
pub fn tune(
    gbm: &Gbm,
    series: &[Series],
    budget: Budget,
    seed: u64,
    now: &dyn Fn() -> f64,
    keep_going: &mut dyn FnMut(&[Trial]) -> bool,
) -> Result<Tuned, ModelError> {
    let ((x, y), (vx, vy)) = gbm.validation_split(series)?;
    let base = Params {
        seed,
        ..gbm.params.clone()
    };
    let mut objective = |v: &[f64], report: &mut Report| -> Option<f64> {
        let p = params_of(&base, v);
        let mut stopped = false;
        let booster = Booster::train_with(&x, &y, Some((&vx, &vy)), &p, &mut |progress| {
            if progress.round % REPORT_EVERY == 0
                && let Some(loss) = progress.valid_loss
                && !report.step(loss)
            {
                stopped = true;
                return false;
            }
            true
        })
        .ok()?;
        if stopped { None } else { booster.valid_loss }
    };
    let mut study = Study::new(space(), seed);
    study.enqueue(values_of(&base), &mut objective);
    let default_loss = study.trials[0]
        .value
        .ok_or_else(|| ModelError::Invalid("gbm: the default parameters could not be trained".into()))?;
    if budget.trials > 1 {
        study.optimize(budget, now, keep_going, &mut objective);
    }
    let best = study.best().cloned();
    let (params, best_loss) = match best {
        Some(t) => (params_of(&base, &t.params), t.value.unwrap_or(default_loss)),
        None => (base.clone(), default_loss),
    };
    Ok(Tuned {
        params,
        default_loss,
        best_loss,
        space: study.space,
        trials: study.trials,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::generate::{RetailParams, retail};

    fn panel() -> Vec<Series> {
        retail(&RetailParams {
            stores: 2,
            products: 2,
            days: 200,
            seed: 11,
            ..RetailParams::default()
        })
        .series
    }

    #[test]
    fn the_search_improves_on_the_defaults_reproducibly_within_its_budget() {
        let series = panel();
        let gbm = Gbm::default();
        let budget = Budget {
            trials: 8,
            seconds: None,
        };
        let a = tune(&gbm, &series, budget, 3, &|| 0.0, &mut |_| true).unwrap();
        assert_eq!(a.trials.len(), 8);
        assert!(a.best_loss < a.default_loss, "{} vs {}", a.best_loss, a.default_loss);
        let b = tune(&gbm, &series, budget, 3, &|| 0.0, &mut |_| true).unwrap();
        assert_eq!(a.trials, b.trials);
        assert_eq!(a.params, b.params);
        // Cancelled after 5 trials.
        let c = tune(&gbm, &series, budget, 3, &|| 0.0, &mut |t| t.len() < 3).unwrap();
        assert_eq!(c.trials.len(), 3);
    }
}
