//! Tuning the GBM with the TPE search of [`crate::tune`]: each trial trains a booster on the
//! panel's training rows and is scored by its loss on every series' last stretch (one step
//! ahead, the rows the number of trees is chosen on). The booster reports that loss every
//! [`REPORT_EVERY`] rounds, so the median pruner stops poor trials early. The default
//! parameters are trial 0: the search can only keep or improve them.
//!
//! On sales that are all zero or more, the search of a plain GBM also chooses the loss: squared
//! error, Poisson or Tweedie (with its variance power), every trial then scored by the same
//! validation RMSE (of the series' scaled values, so an RMSSE pooled over series) — the count
//! losses are kept only where they forecast better. A Tweedie GBM searches its power; a
//! Poisson or median GBM keeps its loss.

use super::settings::Tuned;
use super::train::{Gbm, Rows};
use crate::data::Series;
use crate::models::ModelError;
use crate::tune::{Budget, Report, Space, Study, Trial};
use horizon_gbm::{Booster, Metric, Objective, Params};

/// Rounds between two reports to the pruner.
pub const REPORT_EVERY: usize = 10;

/// The parameters searched: learning rate, leaves, leaf size, L2 penalty, feature and row
/// subsampling (the ranges Optuna's LightGBM tuner uses); then, as `objectives` allows, the
/// loss (squared error, Poisson or Tweedie) and the Tweedie variance power.
pub fn space(objectives: Objectives) -> Space {
    let space = Space::default()
        .float("learning_rate", 0.01, 0.3, true)
        .int("num_leaves", 7, 127, true)
        .int("min_data_in_leaf", 5, 100, true)
        .float("lambda_l2", 1e-3, 10.0, true)
        .float("feature_fraction", 0.5, 1.0, false)
        .float("bagging_fraction", 0.5, 1.0, false);
    match objectives {
        Objectives::Fixed => space,
        Objectives::Power => space.float("tweedie_power", POWERS.0, POWERS.1, false),
        Objectives::Any => space
            .choice("objective", OBJECTIVES)
            .float("tweedie_power", POWERS.0, POWERS.1, false),
    }
}

/// What a search may change of the loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objectives {
    /// The loss stays (a median or Poisson model, or sales below zero).
    Fixed,
    /// The Tweedie power (a Tweedie model keeps its loss).
    Power,
    /// Squared error, Poisson or Tweedie and the power (a plain GBM on sales of zero or more).
    Any,
}

/// The Tweedie powers searched: every power a setting can give.
const POWERS: (f64, f64) = (1.01, 1.99);

/// The losses a search with objectives chooses among: squared error, Poisson, Tweedie.
const OBJECTIVES: usize = 3;

fn values_of(p: &Params, objectives: Objectives) -> Vec<f64> {
    let mut v = vec![
        p.learning_rate,
        p.num_leaves as f64,
        p.min_data_in_leaf as f64,
        p.lambda_l2,
        p.feature_fraction,
        p.bagging_fraction,
    ];
    let (choice, power) = match p.objective {
        Objective::Poisson => (1.0, 1.5),
        Objective::Tweedie(power) => (2.0, power.clamp(POWERS.0, POWERS.1)),
        _ => (0.0, 1.5),
    };
    match objectives {
        Objectives::Fixed => {}
        Objectives::Power => v.push(power),
        Objectives::Any => v.extend([choice, power]),
    }
    v
}

fn params_of(base: &Params, v: &[f64]) -> Params {
    let at = |i: usize, d: f64| v.get(i).copied().unwrap_or(d);
    // Powers in hundredths, as a spec stores them.
    let power = |i: usize| (at(i, 1.5) * 100.0).round() / 100.0;
    let objective = match (v.len(), v.get(6).map(|c| c.round() as usize)) {
        (7, _) => Objective::Tweedie(power(6)),
        (_, None) => base.objective,
        (_, Some(0)) => Objective::SquaredError,
        (_, Some(1)) => Objective::Poisson,
        (_, Some(_)) => Objective::Tweedie(power(7)),
    };
    Params {
        learning_rate: at(0, base.learning_rate),
        num_leaves: at(1, base.num_leaves as f64) as usize,
        min_data_in_leaf: at(2, base.min_data_in_leaf as f64) as usize,
        lambda_l2: at(3, base.lambda_l2),
        feature_fraction: at(4, base.feature_fraction),
        bagging_fraction: at(5, base.bagging_fraction),
        objective,
        ..base.clone()
    }
}

/// What a search may change of the loss: a plain GBM (squared error) on sales that are all zero
/// or more, some of the training rows above, chooses among the losses, every trial then scored
/// by the validation RMSE whatever its loss; a Tweedie GBM searches its power; the others keep
/// theirs (a Poisson model stays Poisson, a median model a median).
fn searched_objectives(objective: Objective, train: &Rows, valid: &Rows) -> Objectives {
    match objective {
        Objective::Tweedie(_) => Objectives::Power,
        Objective::SquaredError
            if train.1.iter().chain(&valid.1).all(|v| *v >= 0.0) && train.1.iter().any(|v| *v > 0.0) =>
        {
            Objectives::Any
        }
        _ => Objectives::Fixed,
    }
}

/// A search driven one trial at a time (the workbench runs one per step, so its progress bar
/// moves and Cancel works between trials); [`tune`] drives it to the end.
pub struct Tuner {
    train: Rows,
    valid: Rows,
    base: Params,
    study: Study,
    budget: Budget,
    started: f64,
}

impl Tuner {
    /// Build the training and validation rows and evaluate the default parameters (trial 0).
    /// `now` is the clock reading (seconds) the time budget counts from.
    pub fn start(gbm: &Gbm, series: &[Series], budget: Budget, seed: u64, now: f64) -> Result<Tuner, ModelError> {
        let (train, valid) = gbm.validation_split(series)?;
        let objectives = searched_objectives(gbm.params.objective, &train, &valid);
        let base = Params {
            seed,
            metric: if objectives == Objectives::Any {
                Metric::Rmse
            } else {
                gbm.params.metric
            },
            ..gbm.params.clone()
        };
        let mut tuner = Tuner {
            train,
            valid,
            study: Study::new(space(objectives), seed),
            base,
            budget,
            started: now,
        };
        let first = values_of(&tuner.base, objectives);
        let Tuner {
            train,
            valid,
            base,
            study,
            ..
        } = &mut tuner;
        study.enqueue(first, &mut |v, report| objective(train, valid, base, v, report));
        if tuner.study.trials[0].value.is_none() {
            return Err(ModelError::Invalid(
                "gbm: the default parameters could not be trained".into(),
            ));
        }
        Ok(tuner)
    }

    /// Whether the budget allows another trial at clock reading `now`.
    pub fn has_budget(&self, now: f64) -> bool {
        self.study.trials.len() < self.budget.trials && self.budget.seconds.is_none_or(|s| now - self.started < s)
    }

    /// Run one more trial (the caller checks [`Tuner::has_budget`]).
    pub fn next_trial(&mut self) {
        let Tuner {
            train,
            valid,
            base,
            study,
            ..
        } = self;
        study.sample(&mut |v, report| objective(train, valid, base, v, report));
    }

    pub fn trials(&self) -> &[Trial] {
        &self.study.trials
    }

    /// Trials the budget allows at most (for a progress bar).
    pub fn max_trials(&self) -> usize {
        self.budget.trials
    }

    /// The best parameters found, with the search's record.
    pub fn finish(self) -> Tuned {
        let default_loss = self.study.trials[0].value.unwrap_or(f64::INFINITY);
        let (params, best_loss) = match self.study.best() {
            Some(t) => (params_of(&self.base, &t.params), t.value.unwrap_or(default_loss)),
            None => (self.base.clone(), default_loss),
        };
        Tuned {
            params,
            default_loss,
            best_loss,
            space: self.study.space,
            trials: self.study.trials,
        }
    }
}

/// One trial: train a booster with the parameters `v` and report its validation loss every
/// [`REPORT_EVERY`] rounds, so the pruner can stop it.
fn objective(train: &Rows, valid: &Rows, base: &Params, v: &[f64], report: &mut Report) -> Option<f64> {
    let p = params_of(base, v);
    let mut stopped = false;
    let booster = Booster::train_with(&train.0, &train.1, Some((&valid.0, &valid.1)), &p, &mut |progress| {
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
    let mut tuner = Tuner::start(gbm, series, budget, seed, now())?;
    while tuner.has_budget(now()) && keep_going(tuner.trials()) {
        tuner.next_trial();
    }
    Ok(tuner.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::generate::{RetailParams, retail};
    use crate::models::gbm::{Loss, Tuning};

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
        // Cancelled after 3 trials.
        let c = tune(&gbm, &series, budget, 3, &|| 0.0, &mut |t| t.len() < 3).unwrap();
        assert_eq!(c.trials.len(), 3);
    }

    /// On sales of zero or more the search also chooses the loss (squared error, Poisson or
    /// Tweedie), every trial scored by the validation RMSE; the model fitted keeps the best
    /// trial's loss. Negative sales or a median model keep the search to the booster's settings.
    #[test]
    fn the_search_chooses_the_loss_on_sales_of_zero_or_more() {
        let series = panel();
        let budget = Budget {
            trials: 12,
            seconds: None,
        };
        let tuned = tune(&Gbm::default(), &series, budget, 5, &|| 0.0, &mut |_| true).unwrap();
        assert_eq!(tuned.space.params.len(), 8);
        let choice = |t: &Trial| t.params[6].round() as usize;
        let tried: std::collections::BTreeSet<usize> = tuned.trials.iter().map(choice).collect();
        assert!(tried.len() >= 2, "{tried:?}");
        let best = tuned.trials.iter().find(|t| t.value == Some(tuned.best_loss)).unwrap();
        let expected = match choice(best) {
            0 => Loss::Squared,
            1 => Loss::Poisson,
            _ => Loss::of(horizon_gbm::Objective::Tweedie(best.params[7])),
        };
        assert_eq!(Loss::of(tuned.params.objective), expected);
        assert_eq!(tuned.params.metric, Metric::Rmse);
        let fitted = Gbm::default().fit_tuned(&series, &tuned).unwrap();
        assert_eq!(fitted[0].loss(), expected);
        let small = Budget {
            trials: 2,
            seconds: None,
        };
        let mut negative = series.clone();
        negative[0].values[10] = -1.0;
        let kept = tune(&Gbm::default(), &negative, small, 5, &|| 0.0, &mut |_| true).unwrap();
        assert_eq!(kept.space.params.len(), 6);
        let model = |loss| Gbm::new(None, crate::models::gbm::Strategy::Recursive, loss, None);
        for loss in [Loss::Absolute, Loss::Poisson] {
            let kept = tune(&model(loss), &series, budget, 5, &|| 0.0, &mut |_| true).unwrap();
            assert_eq!(kept.space.params.len(), 6);
            assert_eq!(kept.params.metric, Metric::Objective);
            assert_eq!(Loss::of(kept.params.objective), loss);
        }
        // A Tweedie model searches its power only (in hundredths), trial 0 at its own.
        let power = crate::models::gbm::Power::try_from(1.05).unwrap();
        let tweedie = tune(&model(Loss::Tweedie(power)), &series, budget, 5, &|| 0.0, &mut |_| true).unwrap();
        assert_eq!(tweedie.space.params.len(), 7);
        assert_eq!(tweedie.trials[0].params[6], 1.05);
        let Objective::Tweedie(p) = tweedie.params.objective else {
            panic!("{:?}", tweedie.params.objective)
        };
        assert_eq!((p * 100.0).round() / 100.0, p);
        assert!(tweedie.trials.iter().any(|t| t.params[6] != 1.05));
    }

    /// A GBM with a tuning budget searches first and fits with what it found: the same model
    /// as a search run on its own and then [`Gbm::fit_tuned`], with the search recorded.
    #[test]
    fn a_gbm_with_a_budget_fits_the_parameters_its_search_found() {
        let series = panel();
        let tuning = Tuning {
            trials: 5,
            seconds: None,
        };
        let gbm = Gbm {
            tune: Some(tuning),
            ..Gbm::default()
        };
        // Calibrated intervals refit the model a dozen times: no search inside them.
        let calibrated: crate::models::ModelSpec = "gbm+conformal".parse().unwrap();
        assert!(calibrated.with_tuning(tuning).is_err());
        let fitted = gbm.fit_panel(&series).unwrap();
        let tuned = tune(&Gbm::default(), &series, tuning.budget(), 0, &|| 0.0, &mut |_| true).unwrap();
        let by_hand = Gbm::default().fit_tuned(&series, &tuned).unwrap();
        assert_eq!(fitted, by_hand);
        let record = fitted[0].tuning.clone().expect("the search is recorded");
        assert_eq!(record.trials, 5);
        assert!(record.best_loss <= record.default_loss);
        assert!(
            crate::models::Fitted::description(&fitted[0]).contains("tuned by a TPE search of 5 trials"),
            "{}",
            crate::models::Fitted::description(&fitted[0])
        );
        // The stepwise search (the workbench's) is the same search.
        let mut tuner = Tuner::start(&Gbm::default(), &series, tuning.budget(), 0, 0.0).unwrap();
        while tuner.has_budget(0.0) {
            tuner.next_trial();
        }
        assert_eq!(tuner.finish().trials, tuned.trials);
        // A time budget stops the search: the clock moves 2 s per trial, the budget is 1 s.
        let mut ticks = 0.0;
        let budget = Budget {
            trials: 50,
            seconds: Some(1.0),
        };
        let clock = std::cell::Cell::new(0.0);
        let timed = tune(&Gbm::default(), &series, budget, 0, &|| clock.get(), &mut |_| {
            ticks += 2.0;
            clock.set(ticks);
            true
        })
        .unwrap();
        assert_eq!(
            timed.trials.len(),
            2,
            "the defaults and one trial before the clock ran out"
        );
    }
}
