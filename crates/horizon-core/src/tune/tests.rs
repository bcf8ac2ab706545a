use super::*;

/// A noisy-free bowl with its minimum at (2, 0.01) on a log scale and a best choice.
fn bowl(p: &[f64]) -> f64 {
    (p[0] - 2.0).powi(2) + (p[1].ln() - 0.01f64.ln()).powi(2) + if p[2] == 1.0 { 0.0 } else { 1.0 }
}

fn space() -> Space {
    Space::default()
        .float("x", -10.0, 10.0, false)
        .float("rate", 1e-4, 1.0, true)
        .choice("kind", 3)
}

fn search(seed: u64, trials: usize) -> Study {
    let mut study = Study::new(space(), seed);
    let budget = Budget { trials, seconds: None };
    study.optimize(budget, &|| 0.0, &mut |_| true, &mut |p, _| Some(bowl(p)));
    study
}

#[test]
fn tpe_beats_random_search_and_finds_the_bowl() {
    let tpe = search(1, 80);
    let best = tpe.best().unwrap().value.unwrap();
    // The first 10 trials are random: the rest must improve on them.
    let random_best = tpe.trials[..10]
        .iter()
        .filter_map(|t| t.value)
        .fold(f64::INFINITY, f64::min);
    assert!(best < 0.75 * random_best, "{best} vs {random_best}");
    // Later trials concentrate nearer the optimum than the random ones.
    let dist = |ts: &[Trial]| ts.iter().map(|t| (t.params[0] - 2.0).abs()).sum::<f64>() / ts.len() as f64;
    assert!(dist(&tpe.trials[60..]) < dist(&tpe.trials[..10]), "{best}");
}

#[test]
fn a_search_is_reproducible_from_its_seed() {
    assert_eq!(search(7, 30).trials, search(7, 30).trials);
    assert_ne!(search(7, 30).trials, search(8, 30).trials);
}

#[test]
fn the_budgets_stop_the_search() {
    assert_eq!(search(3, 17).trials.len(), 17);
    // A clock that advances one second per reading: a 5-second budget runs few trials.
    let clock = std::cell::Cell::new(0.0);
    let now = || {
        clock.set(clock.get() + 1.0);
        clock.get()
    };
    let mut study = Study::new(space(), 3);
    let budget = Budget {
        trials: 1000,
        seconds: Some(5.0),
    };
    study.optimize(budget, &now, &mut |_| true, &mut |p, _| Some(bowl(p)));
    assert!((3..=5).contains(&study.trials.len()), "{}", study.trials.len());
    // And the user's Cancel.
    let mut study = Study::new(space(), 3);
    study.optimize(
        Budget {
            trials: 1000,
            seconds: None,
        },
        &|| 0.0,
        &mut |t| t.len() < 4,
        &mut |p, _| Some(bowl(p)),
    );
    assert_eq!(study.trials.len(), 4);
}

#[test]
fn median_pruning_stops_trials_worse_than_the_median() {
    let mut study = Study::new(Space::default().float("x", 0.0, 1.0, false), 5);
    // Each trial reports five steps of x + step; trials with large x are pruned once five
    // trials have completed.
    let mut objective = |p: &[f64], r: &mut Report| {
        for step in 0..5 {
            if !r.step(p[0] + step as f64) {
                return None;
            }
        }
        Some(p[0] + 4.0)
    };
    study.optimize(
        Budget {
            trials: 40,
            seconds: None,
        },
        &|| 0.0,
        &mut |_| true,
        &mut objective,
    );
    let pruned: Vec<&Trial> = study.trials.iter().filter(|t| t.state == TrialState::Pruned).collect();
    assert!(!pruned.is_empty());
    for t in &pruned {
        // A pruned trial stopped at its first step above the median: it never ran all five.
        assert!(t.intermediate.len() < 5);
    }
    let complete = study.trials.iter().filter(|t| t.state == TrialState::Complete).count();
    assert!(complete >= 5);
}
