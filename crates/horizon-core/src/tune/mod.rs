//! Hyperparameter search: a Tree-structured Parzen Estimator sampler (Bergstra, Bardenet,
//! Bengio & Kégl, *Algorithms for hyper-parameter optimization*, NIPS 2011; the univariate
//! form Optuna uses by default) with median pruning, a trial budget and a time budget.
//!
//! The objective reports intermediate scores (e.g. a backtest fold by fold, or a booster
//! round by round); a trial whose score at a step is worse than the median of earlier
//! trials at that step is pruned (Optuna's `MedianPruner`). Every trial's parameters and score
//! are kept, to be logged as run metrics.

mod space;
mod tpe;

pub use space::{Dist, Param, Space};
pub use tpe::Tpe;

use serde::{Deserialize, Serialize};

/// How a trial ended.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum TrialState {
    Complete,
    /// Stopped early by the pruner (its last intermediate score is kept).
    Pruned,
    /// The objective failed (no score).
    Failed,
}

/// One evaluated set of parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trial {
    pub number: usize,
    /// Values in the order of the [`Space`].
    pub params: Vec<f64>,
    /// The final score (lower is better), or the last intermediate one when pruned.
    pub value: Option<f64>,
    pub state: TrialState,
    /// Scores reported step by step.
    pub intermediate: Vec<f64>,
}

/// What stops a search: a number of trials, a time in seconds, or the user (see
/// [`Study::optimize`]'s `keep_going`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    pub trials: usize,
    pub seconds: Option<f64>,
}

/// Median pruning: from the `warmup_steps`-th step on, after `startup_trials` trials have
/// completed, a trial is stopped when its score is worse than the median of the earlier
/// trials' scores at the same step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MedianPruner {
    pub startup_trials: usize,
    pub warmup_steps: usize,
}

impl Default for MedianPruner {
    fn default() -> Self {
        MedianPruner {
            startup_trials: 5,
            warmup_steps: 0,
        }
    }
}

impl MedianPruner {
    /// Whether a trial scoring `value` at `step` (0-based) should stop, given the trials so far.
    pub fn prune(&self, trials: &[Trial], step: usize, value: f64) -> bool {
        if step < self.warmup_steps {
            return false;
        }
        let mut at: Vec<f64> = trials
            .iter()
            .filter(|t| t.state == TrialState::Complete)
            .filter_map(|t| t.intermediate.get(step).copied())
            .filter(|v| v.is_finite())
            .collect();
        if at.len() < self.startup_trials.max(1) {
            return false;
        }
        at.sort_by(f64::total_cmp);
        let mid = at.len() / 2;
        let median = if at.len() % 2 == 1 {
            at[mid]
        } else {
            (at[mid - 1] + at[mid]) / 2.0
        };
        value > median
    }
}

/// Handed to the objective: report a score after each step; `false` means stop now (pruned).
pub struct Report<'a> {
    pruner: &'a MedianPruner,
    trials: &'a [Trial],
    intermediate: Vec<f64>,
    pruned: bool,
}

impl Report<'_> {
    /// Record the score after the next step; `false` when the trial should stop.
    pub fn step(&mut self, value: f64) -> bool {
        let step = self.intermediate.len();
        self.intermediate.push(value);
        if self.pruner.prune(self.trials, step, value) {
            self.pruned = true;
        }
        !self.pruned
    }
}

/// A search in progress or done: the sampler, the pruner and every trial.
#[derive(Debug, Clone)]
pub struct Study {
    pub space: Space,
    pub sampler: Tpe,
    pub pruner: MedianPruner,
    pub trials: Vec<Trial>,
}

impl Study {
    pub fn new(space: Space, seed: u64) -> Study {
        Study {
            space,
            sampler: Tpe::new(seed),
            pruner: MedianPruner::default(),
            trials: Vec::new(),
        }
    }

    /// Evaluate `first` (e.g. the defaults) as trial 0 before sampling, so the search can only
    /// improve on it.
    pub fn enqueue(&mut self, first: Vec<f64>, objective: &mut dyn FnMut(&[f64], &mut Report) -> Option<f64>) {
        self.run(first, objective);
    }

    /// Sample and evaluate trials until the budget is spent or `keep_going` (called before
    /// each trial with the trials so far) says stop. `now` gives seconds since any fixed
    /// point (a clock; injected so tests and the browser can supply theirs).
    pub fn optimize(
        &mut self,
        budget: Budget,
        now: &dyn Fn() -> f64,
        keep_going: &mut dyn FnMut(&[Trial]) -> bool,
        objective: &mut dyn FnMut(&[f64], &mut Report) -> Option<f64>,
    ) {
        let start = now();
        while self.trials.len() < budget.trials {
            if budget.seconds.is_some_and(|s| now() - start >= s) || !keep_going(&self.trials) {
                break;
            }
            self.sample(objective);
        }
    }

    /// Sample one set of parameters and evaluate it (a search driven one trial at a time).
    pub fn sample(&mut self, objective: &mut dyn FnMut(&[f64], &mut Report) -> Option<f64>) {
        let params = self.sampler.suggest(&self.space, &self.trials);
        self.run(params, objective);
    }

    fn run(&mut self, params: Vec<f64>, objective: &mut dyn FnMut(&[f64], &mut Report) -> Option<f64>) {
        let mut report = Report {
            pruner: &self.pruner,
            trials: &self.trials,
            intermediate: Vec::new(),
            pruned: false,
        };
        let value = objective(&params, &mut report).filter(|v| v.is_finite());
        let (intermediate, pruned) = (report.intermediate, report.pruned);
        let (state, value) = match (pruned, value) {
            (true, _) => (TrialState::Pruned, intermediate.last().copied()),
            (false, Some(v)) => (TrialState::Complete, Some(v)),
            (false, None) => (TrialState::Failed, None),
        };
        self.trials.push(Trial {
            number: self.trials.len(),
            params,
            value,
            state,
            intermediate,
        });
    }

    /// The completed trial with the lowest score.
    pub fn best(&self) -> Option<&Trial> {
        self.trials
            .iter()
            .filter(|t| t.state == TrialState::Complete)
            .filter_map(|t| t.value.map(|v| (t, v)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(t, _)| t)
    }
}

#[cfg(test)]
mod tests;
