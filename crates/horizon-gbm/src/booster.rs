//! The boosting loop: start from a constant, add shrunken trees fitted to the loss's
//! gradients, stop early when a validation set stops improving.

use crate::Matrix;
use crate::bins::BinnedMatrix;
use crate::objective::{Metric, Objective};
use crate::tree::{Grow, Tree, grow};
use serde::{Deserialize, Serialize};

/// Training settings (names as in LightGBM).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Params {
    pub objective: Objective,
    /// What the validation set is scored by (early stopping, [`Progress::valid_loss`]).
    #[serde(default)]
    pub metric: Metric,
    pub learning_rate: f64,
    /// Most trees (boosting rounds).
    pub rounds: usize,
    pub num_leaves: usize,
    pub max_depth: usize,
    pub min_data_in_leaf: usize,
    pub min_sum_hessian: f64,
    /// L2 penalty on leaf outputs (XGBoost's lambda).
    pub lambda_l2: f64,
    /// A split must gain more than this.
    pub min_gain: f64,
    /// Share of the features each tree may use.
    pub feature_fraction: f64,
    /// Share of the rows each tree is fitted on.
    pub bagging_fraction: f64,
    pub max_bins: usize,
    /// Stop when the validation loss has not improved for this many rounds (0: never).
    pub early_stopping_rounds: usize,
    pub seed: u64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            objective: Objective::SquaredError,
            metric: Metric::Objective,
            learning_rate: 0.05,
            rounds: 500,
            num_leaves: 31,
            max_depth: 12,
            min_data_in_leaf: 20,
            min_sum_hessian: 1e-3,
            lambda_l2: 1.0,
            min_gain: 0.0,
            feature_fraction: 0.9,
            bagging_fraction: 1.0,
            max_bins: 255,
            early_stopping_rounds: 30,
            seed: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainError {
    #[error("no rows to train on")]
    Empty,
    #[error("{rows} feature rows but {targets} targets")]
    Mismatch { rows: usize, targets: usize },
    #[error("target {0} is not a finite number")]
    NonFinite(usize),
    #[error("target {0} is negative: the count objectives need targets of zero or more")]
    Negative(usize),
    #[error("invalid setting: {0}")]
    Invalid(String),
}

/// Where training is, after each round.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub round: usize,
    pub train_loss: f64,
    pub valid_loss: Option<f64>,
}

/// A trained ensemble of trees: `base + learning_rate * sum(tree outputs)`, through the
/// objective's link (`exp` for the count objectives).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Booster {
    pub base: f64,
    pub learning_rate: f64,
    pub trees: Vec<Tree>,
    pub feature_names: Vec<String>,
    pub objective: Objective,
    /// The validation loss of the kept trees, when there was a validation set.
    pub valid_loss: Option<f64>,
}

/// SplitMix64 (Steele, Lea & Flood 2014): seeded, no OS randomness (wasm).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl Booster {
    pub fn train(x: &Matrix, y: &[f64], valid: Option<(&Matrix, &[f64])>, p: &Params) -> Result<Booster, TrainError> {
        Booster::train_with(x, y, valid, p, &mut |_| true)
    }

    /// [`Booster::train`], calling `on_round` after every round; training stops (keeping the
    /// trees so far) when it answers `false` — a time budget, pruning, or the user's Cancel.
    pub fn train_with(
        x: &Matrix,
        y: &[f64],
        valid: Option<(&Matrix, &[f64])>,
        p: &Params,
        on_round: &mut dyn FnMut(&Progress) -> bool,
    ) -> Result<Booster, TrainError> {
        check(x, y, p)?;
        if let Some((vx, vy)) = valid {
            check(vx, vy, p)?;
            if vx.cols() != x.cols() {
                return Err(TrainError::Invalid(format!(
                    "validation has {} features, training {}",
                    vx.cols(),
                    x.cols()
                )));
            }
        }
        if p.objective.needs_non_negative() && !y.iter().any(|v| *v > 0.0) {
            return Err(TrainError::Invalid(
                "the count objectives need a training target above zero".into(),
            ));
        }
        let n = y.len();
        let binned = BinnedMatrix::new(x, p.max_bins);
        let mean = y.iter().sum::<f64>() / n as f64;
        let base = match p.objective {
            Objective::SquaredError => mean,
            Objective::Quantile(a) => quantile(&mut y.to_vec(), a),
            Objective::Poisson | Objective::Tweedie(_) => mean.ln(),
        };
        let grow_params = Grow {
            num_leaves: p.num_leaves.max(2),
            max_depth: p.max_depth.max(1),
            min_data_in_leaf: p.min_data_in_leaf.max(1),
            min_sum_hessian: p.min_sum_hessian,
            lambda: p.lambda_l2.max(0.0),
            min_gain: p.min_gain.max(0.0),
        };
        let mut rng = SplitMix(p.seed ^ 0x5EED);
        let mut pred = vec![base; n];
        let mut valid_pred: Vec<f64> = valid.map(|(_, vy)| vec![base; vy.len()]).unwrap_or_default();
        let mut grad = vec![0.0; n];
        let mut hess = vec![0.0; if p.objective.has_hessian() { n } else { 0 }];
        let mut trees: Vec<Tree> = Vec::new();
        let (mut best_loss, mut best_len) = (f64::INFINITY, 0usize);
        let n_features = x.cols();
        let mut rows: Vec<u32> = Vec::with_capacity(n);
        for round in 0..p.rounds {
            if hess.is_empty() {
                for i in 0..n {
                    grad[i] = p.objective.derivatives(pred[i], y[i]).0;
                }
            } else {
                for i in 0..n {
                    (grad[i], hess[i]) = p.objective.derivatives(pred[i], y[i]);
                }
            }
            rows.clear();
            if p.bagging_fraction < 1.0 {
                rows.extend((0..n as u32).filter(|_| rng.unit() < p.bagging_fraction));
            }
            if rows.is_empty() {
                rows.extend(0..n as u32);
            }
            let features = pick_features(n_features, p.feature_fraction, &mut rng);
            let hessian = (!hess.is_empty()).then_some(hess.as_slice());
            let (mut tree, leaves) = grow(&binned, &grad, hessian, &mut rows, &features, &grow_params);
            if let Objective::Quantile(a) = p.objective {
                // Leaves refitted to the quantile of their residuals (the Newton step of a
                // pinball loss says nothing about its size).
                for leaf in &leaves {
                    let mut r: Vec<f64> = rows[leaf.start..leaf.end]
                        .iter()
                        .map(|&i| y[i as usize] - pred[i as usize])
                        .collect();
                    tree.nodes[leaf.node] = crate::tree::Node::Leaf {
                        value: quantile(&mut r, a),
                    };
                }
            }
            if tree.leaves() < 2 {
                break; // nothing left to split on
            }
            // Every row, bagged or not, moves by the tree's output: read off the leaves' rows
            // when the tree was grown on all of them, else found by walking the tree.
            if rows.len() == n {
                for leaf in &leaves {
                    if let crate::tree::Node::Leaf { value } = tree.nodes[leaf.node] {
                        for &r in &rows[leaf.start..leaf.end] {
                            pred[r as usize] += p.learning_rate * value;
                        }
                    }
                }
            } else {
                for (i, pr) in pred.iter_mut().enumerate() {
                    *pr += p.learning_rate * tree.predict_with(|f| x.columns[f][i]);
                }
            }
            let valid_loss = valid.map(|(vx, vy)| {
                for (i, vp) in valid_pred.iter_mut().enumerate() {
                    *vp += p.learning_rate * tree.predict_with(|f| vx.columns[f][i]);
                }
                p.objective.loss(p.metric, &valid_pred, vy)
            });
            trees.push(tree);
            let progress = Progress {
                round: round + 1,
                train_loss: p.objective.loss(p.metric, &pred, y),
                valid_loss,
            };
            if let Some(v) = valid_loss {
                if v < best_loss {
                    (best_loss, best_len) = (v, trees.len());
                } else if p.early_stopping_rounds > 0 && trees.len() - best_len >= p.early_stopping_rounds {
                    break;
                }
            }
            if !on_round(&progress) {
                break;
            }
        }
        if valid.is_some() && best_len > 0 {
            trees.truncate(best_len);
        }
        Ok(Booster {
            base,
            learning_rate: p.learning_rate,
            trees,
            feature_names: x.names.clone(),
            objective: p.objective,
            valid_loss: valid.map(|_| best_loss).filter(|v| v.is_finite()),
        })
    }

    /// The prediction for one row (features in training order; NaN is missing).
    pub fn predict_row(&self, row: &[f64]) -> f64 {
        self.objective
            .link(self.base + self.learning_rate * self.trees.iter().map(|t| t.predict_row(row)).sum::<f64>())
    }

    pub fn predict(&self, x: &Matrix) -> Vec<f64> {
        (0..x.rows())
            .map(|i| {
                self.objective.link(
                    self.base
                        + self.learning_rate
                            * self
                                .trees
                                .iter()
                                .map(|t| t.predict_with(|f| x.columns[f][i]))
                                .sum::<f64>(),
                )
            })
            .collect()
    }

    /// How often each feature is split on, by name, most used first.
    pub fn split_counts(&self) -> Vec<(String, usize)> {
        let mut counts = vec![0usize; self.feature_names.len()];
        for t in &self.trees {
            for node in &t.nodes {
                if let crate::tree::Node::Split { feature, .. } = node
                    && let Some(c) = counts.get_mut(*feature as usize)
                {
                    *c += 1;
                }
            }
        }
        let mut out: Vec<(String, usize)> = self.feature_names.iter().cloned().zip(counts).collect();
        out.sort_by_key(|x| std::cmp::Reverse(x.1));
        out
    }
}

fn check(x: &Matrix, y: &[f64], p: &Params) -> Result<(), TrainError> {
    if y.is_empty() {
        return Err(TrainError::Empty);
    }
    if x.columns.iter().any(|c| c.len() != y.len()) {
        return Err(TrainError::Mismatch {
            rows: x.rows(),
            targets: y.len(),
        });
    }
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(TrainError::NonFinite(i));
    }
    if !(p.learning_rate > 0.0 && p.learning_rate <= 1.0) {
        return Err(TrainError::Invalid(format!(
            "learning_rate {} not in (0, 1]",
            p.learning_rate
        )));
    }
    if let Some(why) = p.objective.invalid() {
        return Err(TrainError::Invalid(why));
    }
    if p.objective.needs_non_negative()
        && let Some(i) = y.iter().position(|v| *v < 0.0)
    {
        return Err(TrainError::Negative(i));
    }
    Ok(())
}

/// A random subset of `ceil(fraction * n)` features (at least one), in order.
fn pick_features(n: usize, fraction: f64, rng: &mut SplitMix) -> Vec<usize> {
    if fraction >= 1.0 || n <= 1 {
        return (0..n).collect();
    }
    let k = ((fraction * n as f64).ceil() as usize).clamp(1, n);
    // Partial Fisher–Yates shuffle.
    let mut all: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = i + (rng.next() % (n - i) as u64) as usize;
        all.swap(i, j);
    }
    let mut chosen = all[..k].to_vec();
    chosen.sort_unstable();
    chosen
}

/// The `a` quantile of `v` (reordered), by the lower order statistic.
fn quantile(v: &mut [f64], a: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let k = ((a * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    let (_, q, _) = v.select_nth_unstable_by(k, f64::total_cmp);
    *q
}
