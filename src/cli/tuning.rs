//! `--tune-trials`: the GBM's parameter search before a forecast, one line per trial on stderr.

use super::CliError;
use horizon_core::data::Panel;
use horizon_core::models::gbm::tune::Tuner;
use horizon_core::models::gbm::{Loss, Tuned};
use horizon_core::tune::{Trial, TrialState};

/// Search the parameters of the GBM `spec` names, when it has a tuning budget: what the search
/// found (`None` for other models and an untuned GBM).
pub fn tune_gbm(panel: &Panel, spec: &horizon_core::ModelSpec) -> Result<Option<Tuned>, CliError> {
    let Some(gbm) = spec.gbm().map(|g| g.for_panel(panel)) else {
        return Ok(None);
    };
    let Some(tuning) = gbm.tune else {
        return Ok(None);
    };
    let clock = std::time::Instant::now();
    let series = gbm.trainable(&panel.series);
    if series.is_empty() {
        // Nothing to search on: the forecast says why for each series.
        return Ok(None);
    }
    let budget = tuning.budget();
    let fail = |e: horizon_core::ModelError| CliError::Data(format!("gbm tuning: {e}"));
    let mut tuner = Tuner::start(&gbm, &series, budget, gbm.params.seed, 0.0).map_err(fail)?;
    report(tuner.trials(), budget.trials);
    while tuner.has_budget(clock.elapsed().as_secs_f64()) {
        tuner.next_trial();
        report(tuner.trials(), budget.trials);
    }
    let tuned = tuner.finish();
    let p = &tuned.params;
    eprintln!(
        "gbm: {} trial(s) in {:.1} s; validation loss {:.5} with the defaults, {:.5} with learning_rate {:.4}, \
         num_leaves {}, min_data_in_leaf {}, lambda_l2 {:.4}, feature_fraction {:.3}, bagging_fraction {:.3}, \
         loss {}",
        tuned.trials.len(),
        clock.elapsed().as_secs_f64(),
        tuned.default_loss,
        tuned.best_loss,
        p.learning_rate,
        p.num_leaves,
        p.min_data_in_leaf,
        p.lambda_l2,
        p.feature_fraction,
        p.bagging_fraction,
        loss_words(Loss::of(p.objective))
    );
    Ok(Some(tuned))
}

fn report(trials: &[Trial], total: usize) {
    let Some(t) = trials.last() else { return };
    let what = match (t.state, t.value) {
        (TrialState::Complete, Some(v)) => format!("validation loss {v:.5}"),
        (TrialState::Pruned, _) => format!("pruned after {} reports", t.intermediate.len()),
        _ => "failed".into(),
    };
    let first = if t.number == 0 { " (the defaults)" } else { "" };
    eprintln!("gbm: trial {}/{total}{first}: {what}", t.number + 1);
}

/// The loss a search kept, as the summary line says it.
fn loss_words(loss: Loss) -> String {
    match loss {
        Loss::Squared => "squared error".into(),
        Loss::Absolute => "absolute error".into(),
        Loss::Poisson => "poisson".into(),
        Loss::Tweedie(p) => format!("tweedie (power {p})"),
    }
}
