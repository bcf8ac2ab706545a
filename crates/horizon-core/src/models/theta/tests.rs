//! Theta's names, descriptions, variants and bands.

use super::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Tourism's T_Q014 gets θ ≈ 5·10⁷ from the dynamic optimised model: said in powers of ten.
#[test]
fn a_huge_theta_is_said_in_powers_of_ten() {
    assert_eq!(theta_words(49_756_134.11), "4.98e7");
    assert_eq!(theta_words(2.0), "2.00");
    assert_eq!(theta_words(999.994), "999.99");
    assert_eq!(theta_words(999.995), "1.00e3");
    assert_eq!(theta_words(-1234.5), "-1.23e3");
}

#[test]
fn parses_variants_and_seasons() {
    let t = |season, variant| Ok(ModelSpec::Theta(AutoTheta { season, variant }));
    assert_eq!("theta".parse::<ModelSpec>(), t(None, None));
    assert_eq!("theta:12".parse::<ModelSpec>(), t(Some(12), None));
    assert_eq!(
        "theta:dotm".parse::<ModelSpec>(),
        t(None, Some(Variant::DynamicOptimized))
    );
    assert_eq!("theta:stm/4".parse::<ModelSpec>(), t(Some(4), Some(Variant::Standard)));
    assert!("theta:xyz".parse::<ModelSpec>().is_err());
    assert!("theta:xyz/4".parse::<ModelSpec>().is_err());
    assert!("theta:otm/0".parse::<ModelSpec>().is_err());
    assert_eq!("theta:otm".parse::<ModelSpec>().unwrap().name(), "theta:otm");
}

/// With θ = 1 the model is simple exponential smoothing: the forecast is the last level.
#[test]
fn theta_one_is_simple_exponential_smoothing() {
    let y = [3.0, 5.0, 4.0, 6.0, 5.0];
    let p = Params {
        level0: 2.0,
        alpha: 0.5,
        theta: 1.0,
    };
    let (errors, last) = run(&y, &p, false);
    let mut level = 2.0;
    for (t, v) in y.iter().enumerate() {
        assert!((errors[t] - (v - level)).abs() < 1e-12);
        level = 0.5 * v + 0.5 * level;
    }
    assert!((last.level - level).abs() < 1e-12);
}

/// The dynamic trend line is the least-squares line of the values so far.
#[test]
fn the_dynamic_line_is_the_running_least_squares_line() {
    let y = [3.0, 5.0, 4.0, 7.0, 6.0, 9.0, 8.0];
    let p = Params {
        level0: 1.0,
        alpha: 0.3,
        theta: 2.0,
    };
    let (mut s, _) = start(&y, &p, true);
    for (i, &v) in y.iter().enumerate().skip(1) {
        s = advance(&s, i, v, &p, true);
        let seen = &y[..=i];
        let (fixed, _) = start(seen, &p, false);
        assert!((s.b - fixed.b).abs() < 1e-12 && (s.a - fixed.a).abs() < 1e-12, "{i}");
    }
}

fn fitted_of(y: Vec<f64>, variant: Variant) -> FittedTheta {
    let s = Series::starting(
        crate::data::Frequency::Monthly,
        chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        y,
    );
    let spec = AutoTheta {
        season: Some(1),
        variant: Some(variant),
    };
    match Forecaster::fit(&spec, &s).unwrap().to_state() {
        FittedModel::Theta(t) => t,
        _ => unreachable!(),
    }
}

/// The bands equal the quantiles of paths simulated through the model's own equations, for
/// the fixed and the dynamic trend line.
#[test]
fn bands_follow_the_model() {
    let y: Vec<f64> = (0..40)
        .map(|t| 50.0 + 0.4 * t as f64 + ((t * 7919) % 13) as f64)
        .collect();
    for variant in [Variant::Optimized, Variant::DynamicOptimized] {
        let t = fitted_of(y.clone(), variant);
        let f = t.predict(12, &[95.0]).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let paths = 20_000;
        let mut last = vec![Vec::new(); 12];
        for _ in 0..paths {
            let mut s = t.last;
            for (j, step) in last.iter_mut().enumerate() {
                let z: f64 = StandardNormal.sample(&mut rng);
                let v = mean_at(&s, t.n + j, &t.params) + t.sigma * z;
                s = advance(&s, t.n + j, v, &t.params, variant.dynamic());
                step.push(v);
            }
        }
        for (j, step) in last.iter_mut().enumerate() {
            step.sort_by(f64::total_cmp);
            let (lo, hi) = (step[paths * 25 / 1000], step[paths * 975 / 1000]);
            let (width, want) = (f.intervals[0].upper[j] - f.intervals[0].lower[j], hi - lo);
            assert!(
                (width / want - 1.0).abs() < 0.03,
                "{variant:?} step {j}: {width} vs simulated {want}"
            );
        }
    }
}

/// The optimiser's criterion equals the one of the kept errors.
#[test]
fn the_objective_is_the_criterion_of_the_run() {
    let y: Vec<f64> = (0..50).map(|t| 20.0 + 0.3 * t as f64 + ((t * 13) % 7) as f64).collect();
    for dynamic in [false, true] {
        let p = Params {
            level0: 9.0,
            alpha: 0.37,
            theta: 2.6,
        };
        let (a, b) = (
            criterion(&run(&y, &p, dynamic).0, 3.0),
            criterion_of(&y, &p, dynamic, 3.0),
        );
        assert!((a - b).abs() < 1e-9 * a, "{a} vs {b}");
    }
}
