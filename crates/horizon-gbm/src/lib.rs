//! Gradient-boosted regression trees on histograms, in pure Rust (no C, no threads required:
//! it builds for `wasm32`; natively, histograms are built in parallel with rayon).
//!
//! The algorithm follows:
//!
//! - J. H. Friedman, *Greedy function approximation: a gradient boosting machine*, Annals of
//!   Statistics 29(5), 2001 — boosting as gradient descent in function space, shrinkage.
//! - T. Chen, C. Guestrin, *XGBoost: a scalable tree boosting system*, KDD 2016 — second-order
//!   split gain and leaf weights with L2 regularisation (eqs. 6–7), the learned default
//!   direction for missing values (§3.4), column subsampling (§2.3).
//! - G. Ke et al., *LightGBM: a highly efficient gradient boosting decision tree*, NIPS 2017 —
//!   features binned into at most 255 histogram bins, histogram subtraction (a node's larger
//!   child is its parent minus the smaller one), leaf-wise (best-first) growth with a leaf budget.
//!
//! Objectives ([`Objective`]): squared error, the pinball loss of a quantile (leaves refitted to
//! the quantile of their residuals, as LightGBM does), and the Poisson and Tweedie
//! log-likelihoods of counts with a log link (Newton steps with their Hessians, as LightGBM's).

mod bins;
mod booster;
mod objective;
mod tree;

pub use bins::BinnedMatrix;
pub use booster::{Booster, Params, Progress, TrainError};
pub use objective::{Metric, Objective};
pub use tree::Tree;

/// A dense matrix of features, column-major: `columns[f][row]`. Missing values are NaN.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Matrix {
    pub columns: Vec<Vec<f64>>,
    pub names: Vec<String>,
}

impl Matrix {
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }

    pub fn cols(&self) -> usize {
        self.columns.len()
    }

    /// Row `i` as a vector (for prediction).
    pub fn row(&self, i: usize) -> Vec<f64> {
        self.columns.iter().map(|c| c[i]).collect()
    }
}
