//! Generated drift scenarios where the truth is known, for the drift benchmark and the tests:
//! daily sales with a weekly pattern, a mild trend, Poisson counts around a demand with
//! persistent (AR(1)) day-to-day noise; a year of training data, then a new window in which
//! one kind of change happens — or none.

use crate::Panel;
use crate::artifact::{Artifact, SCHEMA_VERSION, TrainingSummary};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Poisson};

/// What changes after the training data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Unchanged,
    /// The level moves by this fraction (0.2 = +20 %) from the first new day.
    Level(f64),
    /// The level starts to grow by this fraction of itself per day.
    Trend(f64),
    /// The weekly pattern turns: the busy days move by three days.
    Pattern,
    /// Every day's departure from the expected demand doubles.
    Noise,
    /// Three days in ten sell nothing (stock-outs, closures).
    Zeros,
}

impl Kind {
    /// The kinds of the benchmark.
    pub const ALL: [Kind; 13] = [
        Kind::Unchanged,
        Kind::Level(0.1),
        Kind::Level(-0.1),
        Kind::Level(0.2),
        Kind::Level(-0.2),
        Kind::Level(0.3),
        Kind::Level(-0.3),
        Kind::Level(0.5),
        Kind::Level(-0.5),
        Kind::Trend(0.01),
        Kind::Pattern,
        Kind::Noise,
        Kind::Zeros,
    ];

    pub fn name(self) -> String {
        match self {
            Kind::Unchanged => "unchanged".into(),
            Kind::Level(p) => format!("level{:+.0}", 100.0 * p),
            Kind::Trend(p) => format!("trend{:+.0}%/day", 100.0 * p),
            Kind::Pattern => "pattern".into(),
            Kind::Noise => "noise2x".into(),
            Kind::Zeros => "zeros".into(),
        }
    }
}

/// One generated series: `reference` (the training data's last `reference_len` days) and the
/// `window` new days.
pub struct Scenario {
    pub reference: Vec<f64>,
    pub current: Vec<f64>,
}

/// Day-to-day noise of the log demand, and its persistence.
const NOISE: f64 = 0.12;
const PHI: f64 = 0.3;

/// Series `index` of `kind` (deterministic from `seed`): `reference_len` training days, then
/// `window` new days.
pub fn scenario(kind: Kind, reference_len: usize, window: usize, seed: u64, index: u64) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let level = rng.random_range(30.0..300.0);
    let yearly_growth = rng.random_range(-0.1..0.1);
    let mut week = [0.0; 7];
    for w in &mut week {
        *w = rng.random_range(0.7..1.3);
    }
    let mean_week = week.iter().sum::<f64>() / 7.0;
    for w in &mut week {
        *w /= mean_week;
    }
    let normal = Normal::new(0.0, 1.0).ok();
    let mut e = 0.0;
    let n = reference_len + window;
    let mut values = Vec::with_capacity(n);
    for t in 0..n {
        let new = t >= reference_len;
        let k = (t + 1).saturating_sub(reference_len) as f64;
        let mut demand = level * (1.0 + yearly_growth * t as f64 / 365.0);
        let mut weekday = week[t % 7];
        let sd = NOISE;
        let mut spread = 1.0;
        if new {
            match kind {
                Kind::Level(p) => demand *= 1.0 + p,
                Kind::Trend(p) => demand *= 1.0 + p * k,
                Kind::Pattern => weekday = week[(t + 3) % 7],
                Kind::Noise => spread = 2.0,
                Kind::Unchanged | Kind::Zeros => {}
            }
        }
        let shock = normal.as_ref().map_or(0.0, |d| d.sample(&mut rng));
        e = PHI * e + (1.0 - PHI * PHI).sqrt() * sd * shock;
        let expected = demand * weekday;
        let mean = (expected * e.exp()).max(0.0);
        let mut v = Poisson::new(mean.max(1e-9)).map_or(mean.round(), |p| p.sample(&mut rng));
        // Doubled noise: every departure from the expected demand twice as large.
        v = (expected + spread * (v - expected)).round().max(0.0);
        if new && kind == Kind::Zeros && rng.random_range(0.0..1.0) < 0.3 {
            v = 0.0;
        }
        values.push(v);
    }
    let current = values.split_off(reference_len);
    Scenario {
        reference: values,
        current,
    }
}

/// A registered model's artifact as the drift checks read it, for `train` (a naive model, a
/// weekly season, the backtest's promise `metrics`): what the tests and the benchmark monitor.
pub fn artifact(train: &Panel, metrics: std::collections::BTreeMap<String, f64>) -> Artifact {
    Artifact {
        schema_version: SCHEMA_VERSION,
        horizon_version: crate::artifact::HORIZON_VERSION.into(),
        created_at: "2026-01-01T00:00:00Z".into(),
        spec: crate::ModelSpec::Naive,
        preprocessing: Default::default(),
        horizon: 14,
        levels: vec![95.0],
        folds: 1,
        season: Some(7),
        metric: Default::default(),
        training: TrainingSummary::of(train, "generated"),
        metrics,
        series: Vec::new(),
    }
}
