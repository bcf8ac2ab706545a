//! The search space: each parameter's name and distribution.

use serde::{Deserialize, Serialize};

/// A parameter's distribution (a prior the sampler starts from).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Dist {
    /// Uniform on `[low, high]`, or log-uniform when `log`.
    Float { low: f64, high: f64, log: bool },
    /// Whole numbers `low..=high` (log-uniform when `log`).
    Int { low: i64, high: i64, log: bool },
    /// One of `n` choices (`0..n`).
    Choice { n: usize },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    pub dist: Dist,
}

/// Every parameter searched, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Space {
    pub params: Vec<Param>,
}

impl Space {
    pub fn float(mut self, name: &str, low: f64, high: f64, log: bool) -> Space {
        self.params.push(Param {
            name: name.into(),
            dist: Dist::Float { low, high, log },
        });
        self
    }

    pub fn int(mut self, name: &str, low: i64, high: i64, log: bool) -> Space {
        self.params.push(Param {
            name: name.into(),
            dist: Dist::Int { low, high, log },
        });
        self
    }

    pub fn choice(mut self, name: &str, n: usize) -> Space {
        self.params.push(Param {
            name: name.into(),
            dist: Dist::Choice { n: n.max(1) },
        });
        self
    }

    /// The value of parameter `name` in `values`.
    pub fn get(&self, values: &[f64], name: &str) -> Option<f64> {
        self.params
            .iter()
            .position(|p| p.name == name)
            .and_then(|i| values.get(i).copied())
    }
}

impl Dist {
    /// The internal (search) scale: logs for log-scaled parameters.
    pub(crate) fn to_internal(self, v: f64) -> f64 {
        match self {
            Dist::Float { log: true, .. } | Dist::Int { log: true, .. } => v.max(f64::MIN_POSITIVE).ln(),
            _ => v,
        }
    }

    pub(crate) fn value_of_internal(self, x: f64) -> f64 {
        match self {
            Dist::Float { low, high, log } => {
                let v = if log { x.exp() } else { x };
                v.clamp(low, high)
            }
            Dist::Int { low, high, log } => {
                let v = if log { x.exp() } else { x };
                v.round().clamp(low as f64, high as f64)
            }
            Dist::Choice { n } => x.round().clamp(0.0, (n - 1) as f64),
        }
    }

    /// Bounds on the internal scale (integers widened by half a step so rounding is fair).
    pub(crate) fn bounds(self) -> (f64, f64) {
        match self {
            Dist::Float { low, high, log } => {
                if log {
                    (low.max(f64::MIN_POSITIVE).ln(), high.max(f64::MIN_POSITIVE).ln())
                } else {
                    (low, high)
                }
            }
            Dist::Int { low, high, log } => {
                if log {
                    ((low as f64 - 0.5).max(0.5).ln(), (high as f64 + 0.5).ln())
                } else {
                    (low as f64 - 0.5, high as f64 + 0.5)
                }
            }
            Dist::Choice { n } => (-0.5, n as f64 - 0.5),
        }
    }
}
