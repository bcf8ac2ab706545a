//! The booster on problems with known answers: Friedman's #1 regression benchmark, a quantile
//! whose coverage is known, missing values that carry the signal; serialisation and seeds.

use horizon_gbm::{Booster, Matrix, Objective, Params};

struct Rng(u64);
impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit().max(1e-300), self.unit());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// Friedman (1991), "Multivariate adaptive regression splines", problem #1: ten uniform
/// features of which five matter, `10 sin(pi x1 x2) + 20 (x3 - 1/2)^2 + 10 x4 + 5 x5 + N(0, 1)`.
fn friedman1(n: usize, seed: u64) -> (Matrix, Vec<f64>) {
    let mut rng = Rng(seed);
    let mut cols: Vec<Vec<f64>> = (0..10).map(|_| Vec::with_capacity(n)).collect();
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let x: Vec<f64> = (0..10).map(|_| rng.unit()).collect();
        y.push(
            10.0 * (std::f64::consts::PI * x[0] * x[1]).sin()
                + 20.0 * (x[2] - 0.5).powi(2)
                + 10.0 * x[3]
                + 5.0 * x[4]
                + rng.normal(),
        );
        for (c, v) in cols.iter_mut().zip(x) {
            c.push(v);
        }
    }
    let names = (1..=10).map(|i| format!("x{i}")).collect();
    (Matrix { columns: cols, names }, y)
}

fn rmse(a: &[f64], b: &[f64]) -> f64 {
    (a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>() / a.len() as f64).sqrt()
}

#[test]
fn friedman_1_is_learned_close_to_the_noise_floor() {
    let (x, y) = friedman1(5000, 1);
    let (vx, vy) = friedman1(1000, 2);
    let (tx, ty) = friedman1(2000, 3);
    let b = Booster::train(&x, &y, Some((&vx, &vy)), &Params::default()).unwrap();
    let test = rmse(&b.predict(&tx), &ty);
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let baseline = rmse(&vec![mean; ty.len()], &ty);
    // The noise has sd 1: a perfect model scores 1.0; the mean scores about 5.
    assert!(baseline > 4.5, "{baseline}");
    assert!(test < 1.5, "test RMSE {test} (baseline {baseline})");
    // The five informative features carry the splits.
    let top: Vec<String> = b.split_counts().into_iter().take(5).map(|(n, _)| n).collect();
    for f in ["x1", "x2", "x4", "x5"] {
        assert!(top.contains(&f.to_string()), "{top:?}");
    }
}

#[test]
fn a_quantile_objective_covers_its_share() {
    let mut rng = Rng(9);
    let make = |rng: &mut Rng, n: usize| {
        let x: Vec<f64> = (0..n).map(|_| rng.unit() * 10.0).collect();
        // Noise grows with x, so a constant offset cannot cover.
        let y: Vec<f64> = x.iter().map(|v| v + (0.2 + 0.3 * v) * rng.normal()).collect();
        (
            Matrix {
                columns: vec![x],
                names: vec!["x".into()],
            },
            y,
        )
    };
    let (x, y) = make(&mut rng, 6000);
    let (tx, ty) = make(&mut rng, 4000);
    for alpha in [0.1, 0.5, 0.9] {
        let p = Params {
            objective: Objective::Quantile(alpha),
            rounds: 300,
            early_stopping_rounds: 0,
            ..Params::default()
        };
        let b = Booster::train(&x, &y, None, &p).unwrap();
        let below = b.predict(&tx).iter().zip(&ty).filter(|(q, t)| *t <= *q).count() as f64 / ty.len() as f64;
        assert!((below - alpha).abs() < 0.03, "alpha {alpha}: {below}");
    }
}

#[test]
fn missing_values_find_their_own_side() {
    // y is 5 where x is missing, x itself elsewhere (0..1).
    let mut rng = Rng(4);
    let x: Vec<f64> = (0..3000)
        .map(|i| if i % 3 == 0 { f64::NAN } else { rng.unit() })
        .collect();
    let y: Vec<f64> = x.iter().map(|v| if v.is_nan() { 5.0 } else { *v }).collect();
    let m = Matrix {
        columns: vec![x],
        names: vec!["x".into()],
    };
    let b = Booster::train(
        &m,
        &y,
        None,
        &Params {
            early_stopping_rounds: 0,
            ..Params::default()
        },
    )
    .unwrap();
    assert!((b.predict_row(&[f64::NAN]) - 5.0).abs() < 0.05);
    assert!((b.predict_row(&[0.25]) - 0.25).abs() < 0.1);
}

#[test]
fn early_stopping_keeps_the_best_rounds_and_seeds_reproduce() {
    let (x, y) = friedman1(1500, 5);
    let (vx, vy) = friedman1(500, 6);
    let p = Params {
        learning_rate: 0.3,
        rounds: 1000,
        feature_fraction: 0.7,
        bagging_fraction: 0.8,
        seed: 42,
        ..Params::default()
    };
    let a = Booster::train(&x, &y, Some((&vx, &vy)), &p).unwrap();
    assert!(a.trees.len() < 300, "{} trees", a.trees.len());
    let v = rmse(&a.predict(&vx), &vy);
    assert!((v - a.valid_loss.unwrap()).abs() < 1e-9);
    let b = Booster::train(&x, &y, Some((&vx, &vy)), &p).unwrap();
    assert_eq!(a, b);
    let c = Booster::train(&x, &y, Some((&vx, &vy)), &Params { seed: 43, ..p }).unwrap();
    assert_ne!(a, c);
}

#[test]
fn a_booster_round_trips_through_json_and_stops_when_asked() {
    let (x, y) = friedman1(800, 7);
    let mut rounds = 0;
    let b = Booster::train_with(&x, &y, None, &Params::default(), &mut |p| {
        rounds = p.round;
        p.round < 17
    })
    .unwrap();
    assert_eq!((rounds, b.trees.len()), (17, 17));
    let json = serde_json::to_string(&b).unwrap();
    let back: Booster = serde_json::from_str(&json).unwrap();
    assert_eq!(back.predict(&x), b.predict(&x));
}

/// Histograms of many rows are built in parts on the threads there are: the model must not
/// depend on how many there are (a model trained on a laptop and in CI is the same).
#[test]
fn the_model_is_the_same_on_one_thread_and_on_three() {
    let (x, y) = friedman1(40_000, 9);
    let p = Params {
        rounds: 20,
        bagging_fraction: 0.8,
        feature_fraction: 0.8,
        ..Params::default()
    };
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| Booster::train(&x, &y, None, &p).unwrap())
    };
    assert_eq!(on(1), on(3));
}

/// Without bagging, the training predictions move by each leaf's value over the leaf's rows
/// instead of walking the tree: they must be what the stored trees predict, infinite and
/// missing feature values included.
#[test]
fn the_training_predictions_are_what_the_trees_predict() {
    let (mut x, y) = friedman1(3000, 11);
    // Few distinct values (edges at midpoints) and the infinities next to them.
    let mut odd: Vec<f64> = x.columns[0].iter().map(|v| (v * 10.0).floor()).collect();
    for (i, v) in odd.iter_mut().enumerate() {
        match i % 50 {
            0 => *v = f64::INFINITY,
            1 => *v = f64::NEG_INFINITY,
            2 => *v = f64::NAN,
            _ => {}
        }
    }
    x.columns.push(odd);
    x.names.push("odd".into());
    let p = Params {
        rounds: 40,
        ..Params::default()
    };
    let mut last = f64::NAN;
    let b = Booster::train_with(&x, &y, None, &p, &mut |pr| {
        last = pr.train_loss;
        true
    })
    .unwrap();
    assert_eq!(b.trees.len(), 40);
    let again = rmse(&b.predict(&x), &y);
    assert!((last - again).abs() < 1e-9, "training loss {last}, trees' loss {again}");
}

/// A draw from Poisson(`mean`) (Knuth's product of uniforms; small means only).
fn poisson(rng: &mut Rng, mean: f64) -> f64 {
    let (limit, mut k, mut p) = ((-mean).exp(), 0.0, 1.0);
    loop {
        p *= rng.unit();
        if p <= limit {
            return k;
        }
        k += 1.0;
    }
}

/// Counts with a log-linear mean `exp(-1 + 1.5 x1 - x2)` (x uniform on 0..1, two noise
/// features): the data the Poisson objective is for, with its true mean known.
fn counts(n: usize, seed: u64, tweedie: bool) -> (Matrix, Vec<f64>, Vec<f64>) {
    let mut rng = Rng(seed);
    let mut cols: Vec<Vec<f64>> = (0..4).map(|_| Vec::with_capacity(n)).collect();
    let (mut y, mut mean) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let x: Vec<f64> = (0..4).map(|_| rng.unit()).collect();
        let mu = (-2.0 + 3.0 * x[0] - 1.5 * x[1]).exp();
        // Tweedie's compound Poisson-gamma: Poisson(mu / 2) events of Exponential(mean 2)
        // size (mean mu, zero with probability exp(-mu / 2)).
        let v = if tweedie {
            let events = poisson(&mut rng, mu / 2.0) as usize;
            (0..events).map(|_| -2.0 * rng.unit().max(1e-300).ln()).sum()
        } else {
            poisson(&mut rng, mu)
        };
        y.push(v);
        mean.push(mu);
        for (c, v) in cols.iter_mut().zip(x) {
            c.push(v);
        }
    }
    let names = (1..=4).map(|i| format!("x{i}")).collect();
    (Matrix { columns: cols, names }, y, mean)
}

/// The Poisson and Tweedie objectives learn the mean of zero-heavy counts (within 30 % of the
/// true mean's spread), never below zero. Whether they beat squared error depends on the data
/// (on these rows it is a tie either way): the tuner chooses.
#[test]
fn the_count_objectives_learn_the_mean_of_zero_heavy_counts() {
    for (tweedie, objective) in [(false, Objective::Poisson), (true, Objective::Tweedie(1.5))] {
        let (x, y, _) = counts(8000, 21, tweedie);
        let (tx, _, truth) = counts(3000, 23, tweedie);
        let zeros = y.iter().filter(|v| **v == 0.0).count() as f64 / y.len() as f64;
        assert!(zeros > 0.35, "{zeros}");
        // The same number of trees for both (early stopping on noisy counts is noisy itself).
        let fit = |objective| {
            let p = Params {
                objective,
                num_leaves: 7,
                rounds: 100,
                early_stopping_rounds: 0,
                ..Params::default()
            };
            Booster::train(&x, &y, None, &p).unwrap().predict(&tx)
        };
        let count = fit(objective);
        assert!(count.iter().all(|v| *v > 0.0));
        // A constant (the overall mean) would miss the true mean by its standard deviation.
        let mean_truth = truth.iter().sum::<f64>() / truth.len() as f64;
        let spread = rmse(&vec![mean_truth; truth.len()], &truth);
        let error = rmse(&count, &truth);
        assert!(error < 0.3 * spread, "{objective:?}: {error} vs spread {spread}");
    }
}

/// With one feature of two values, the count objectives' maximum-likelihood answer is each
/// group's mean (the log link's Newton steps converge there); a negative target is refused.
#[test]
fn the_count_objectives_reach_each_groups_mean_and_refuse_negatives() {
    let x: Vec<f64> = (0..400).map(|i| (i % 2) as f64).collect();
    let y: Vec<f64> = (0..400)
        .map(|i| {
            if i % 2 == 0 {
                (i % 5) as f64
            } else {
                10.0 * ((i % 3) as f64)
            }
        })
        .collect();
    let group_mean = |g: usize| {
        let v: Vec<f64> = y.iter().skip(g).step_by(2).copied().collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let m = Matrix {
        columns: vec![x],
        names: vec!["group".into()],
    };
    for objective in [Objective::Poisson, Objective::Tweedie(1.3), Objective::Tweedie(1.8)] {
        let p = Params {
            objective,
            learning_rate: 0.3,
            rounds: 300,
            lambda_l2: 0.0,
            early_stopping_rounds: 0,
            ..Params::default()
        };
        let b = Booster::train(&m, &y, None, &p).unwrap();
        for g in [0, 1] {
            let got = b.predict_row(&[g as f64]);
            assert!(
                (got - group_mean(g)).abs() < 1e-6 * group_mean(g),
                "{objective:?} group {g}: {got}"
            );
        }
    }
    let mut negative = y.clone();
    negative[5] = -1.0;
    let p = Params {
        objective: Objective::Poisson,
        ..Params::default()
    };
    let err = Booster::train(&m, &negative, None, &p).unwrap_err();
    assert!(err.to_string().contains("target 5 is negative"), "{err}");
    let zero = Booster::train(&m, &vec![0.0; 400], None, &p).unwrap_err();
    assert!(zero.to_string().contains("above zero"), "{zero}");
    let bad = Params {
        objective: Objective::Tweedie(2.5),
        ..Params::default()
    };
    assert!(Booster::train(&m, &y, None, &bad).is_err());
}
