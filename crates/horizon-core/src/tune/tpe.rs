//! The univariate Tree-structured Parzen Estimator (Bergstra et al., NIPS 2011, §4), with the
//! choices Optuna's `TPESampler` makes by default: 10 random start-up trials, the best
//! `min(ceil(0.1 n), 25)` trials as the "good" set, a prior component in each Parzen mixture,
//! bandwidths from the distance to the neighbouring observations, 24 candidates drawn from
//! the good mixture `l(x)` and the one maximising `l(x) / g(x)` kept.

use super::space::{Dist, Space};
use super::{Trial, TrialState};

const STARTUP_TRIALS: usize = 10;
const CANDIDATES: usize = 24;

/// The sampler; its random stream is seeded, so a search is reproducible.
#[derive(Debug, Clone)]
pub struct Tpe {
    state: u64,
}

impl Tpe {
    pub fn new(seed: u64) -> Tpe {
        Tpe {
            state: seed ^ 0x7E57_AB1E,
        }
    }

    /// SplitMix64 (Steele, Lea & Flood 2014).
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit().max(1e-300), self.unit());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    /// The next parameters to try, given the trials so far.
    pub fn suggest(&mut self, space: &Space, trials: &[Trial]) -> Vec<f64> {
        // Ranked: completed trials by score, then pruned ones by their last score.
        let mut ranked: Vec<(&Trial, (u8, f64))> = trials
            .iter()
            .filter_map(|t| match (t.state, t.value) {
                (TrialState::Complete, Some(v)) => Some((t, (0, v))),
                (TrialState::Pruned, Some(v)) => Some((t, (1, v))),
                _ => None,
            })
            .collect();
        if ranked.len() < STARTUP_TRIALS {
            return space
                .params
                .iter()
                .map(|p| {
                    let (lo, hi) = p.dist.bounds();
                    p.dist.value_of_internal(lo + (hi - lo) * self.unit())
                })
                .collect();
        }
        ranked.sort_by(|a, b| a.1.0.cmp(&b.1.0).then(a.1.1.total_cmp(&b.1.1)));
        let n_good = ((ranked.len() as f64 * 0.1).ceil() as usize).clamp(1, 25);
        let (good, bad) = ranked.split_at(n_good);
        space
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let obs = |set: &[(&Trial, (u8, f64))]| -> Vec<f64> {
                    set.iter()
                        .filter_map(|(t, _)| t.params.get(i))
                        .map(|v| p.dist.to_internal(*v))
                        .collect()
                };
                let (g, b) = (obs(good), obs(bad));
                let x = match p.dist {
                    Dist::Choice { n } => self.categorical(n, &g, &b),
                    _ => self.numerical(p.dist.bounds(), &g, &b),
                };
                p.dist.value_of_internal(x)
            })
            .collect()
    }

    fn numerical(&mut self, (lo, hi): (f64, f64), good: &[f64], bad: &[f64]) -> f64 {
        let l = Parzen::new(good, lo, hi);
        let g = Parzen::new(bad, lo, hi);
        let mut best = (f64::NEG_INFINITY, (lo + hi) / 2.0);
        for _ in 0..CANDIDATES {
            let x = l.sample(self);
            let score = l.log_pdf(x) - g.log_pdf(x);
            if score > best.0 {
                best = (score, x);
            }
        }
        best.1
    }

    fn categorical(&mut self, n: usize, good: &[f64], bad: &[f64]) -> f64 {
        // Counts plus a uniform prior of weight one.
        let weights = |obs: &[f64]| {
            let mut w = vec![1.0 / n as f64; n];
            for &o in obs {
                if let Some(c) = w.get_mut(o.round().max(0.0) as usize) {
                    *c += 1.0;
                }
            }
            let total: f64 = w.iter().sum();
            w.into_iter().map(|c| c / total).collect::<Vec<f64>>()
        };
        let (l, g) = (weights(good), weights(bad));
        let mut best = (f64::NEG_INFINITY, 0usize);
        for _ in 0..CANDIDATES {
            let mut u = self.unit();
            let mut k = n - 1;
            for (i, w) in l.iter().enumerate() {
                if u < *w {
                    k = i;
                    break;
                }
                u -= w;
            }
            let score = l[k].ln() - g[k].ln();
            if score > best.0 {
                best = (score, k);
            }
        }
        best.1 as f64
    }
}

/// A mixture of Gaussians truncated to `[lo, hi]`: one per observation and one wide prior.
struct Parzen {
    mus: Vec<f64>,
    sigmas: Vec<f64>,
    lo: f64,
    hi: f64,
}

impl Parzen {
    fn new(obs: &[f64], lo: f64, hi: f64) -> Parzen {
        let range = (hi - lo).max(f64::EPSILON);
        let mut mus: Vec<f64> = obs.to_vec();
        mus.push((lo + hi) / 2.0); // the prior
        let mut order: Vec<usize> = (0..mus.len()).collect();
        order.sort_by(|&a, &b| mus[a].total_cmp(&mus[b]));
        let floor = range / (100.0f64).min(mus.len() as f64 + 1.0);
        let mut sigmas = vec![range; mus.len()];
        for (k, &i) in order.iter().enumerate() {
            let left = if k == 0 {
                mus[i] - lo
            } else {
                mus[i] - mus[order[k - 1]]
            };
            let right = if k + 1 == order.len() {
                hi - mus[i]
            } else {
                mus[order[k + 1]] - mus[i]
            };
            sigmas[i] = left.max(right).clamp(floor, range);
        }
        let prior = mus.len() - 1;
        sigmas[prior] = range;
        Parzen { mus, sigmas, lo, hi }
    }

    fn sample(&self, rng: &mut Tpe) -> f64 {
        let k = (rng.next() % self.mus.len() as u64) as usize;
        for _ in 0..100 {
            let x = self.mus[k] + self.sigmas[k] * rng.normal();
            if (self.lo..=self.hi).contains(&x) {
                return x;
            }
        }
        self.mus[k].clamp(self.lo, self.hi)
    }

    fn log_pdf(&self, x: f64) -> f64 {
        let n = self.mus.len() as f64;
        let p: f64 = self
            .mus
            .iter()
            .zip(&self.sigmas)
            .map(|(&m, &s)| {
                let mass = phi((self.hi - m) / s) - phi((self.lo - m) / s);
                let z = (x - m) / s;
                (-0.5 * z * z).exp() / (s * (2.0 * std::f64::consts::PI).sqrt()) / mass.max(1e-12)
            })
            .sum::<f64>()
            / n;
        p.max(1e-300).ln()
    }
}

/// Standard normal CDF through erfc (W. J. Cody's rational approximation is overkill here:
/// Abramowitz & Stegun 7.1.26, absolute error below 1.5e-7).
fn phi(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly =
        t * (0.254_829_592 + t * (-0.284_496_736 + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erfc = poly * (-x * x).exp();
    if z >= 0.0 { 1.0 - erfc / 2.0 } else { erfc / 2.0 }
}
