//! The losses the trees descend: their gradients and Hessians in the raw score, the start
//! score, the link from the raw score to a prediction, and the loss reported on a validation set.
//!
//! The count objectives follow LightGBM (`objective = "poisson"` and `"tweedie"`,
//! `src/objective/regression_objective.hpp`): a log link, the raw score `F = log(mean)`, and the
//! negative log-likelihood's derivatives in `F`:
//!
//! - Poisson: `g = exp(F) - y`, `h = exp(F + 0.7)` (LightGBM's `poisson_max_delta_step` = 0.7
//!   inflates the Hessian so that early Newton steps stay small where the mean is near zero).
//! - Tweedie with variance power `1 < p < 2` (Jørgensen 1987; the compound Poisson–gamma
//!   distribution with a mass at zero, with which LightGBM won the M5: Makridakis, Spiliotis &
//!   Assimakopoulos 2022): `g = -y exp((1-p)F) + exp((2-p)F)`,
//!   `h = -y (1-p) exp((1-p)F) + (2-p) exp((2-p)F)`.

use serde::{Deserialize, Serialize};

/// LightGBM's `poisson_max_delta_step`.
const POISSON_MAX_DELTA_STEP: f64 = 0.7;

/// The loss the trees descend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub enum Objective {
    /// Squared error: the trees estimate the conditional mean.
    #[default]
    SquaredError,
    /// Pinball loss at `alpha` (0 < alpha < 1): the conditional `alpha` quantile.
    Quantile(f64),
    /// Poisson log-likelihood with a log link: the conditional mean of counts (targets >= 0).
    Poisson,
    /// Tweedie log-likelihood with variance power `p` (1 < p < 2) and a log link: the
    /// conditional mean of non-negative targets with many zeros.
    Tweedie(f64),
}

/// What a validation set is scored by (early stopping, the tuner's trials).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Metric {
    /// The objective's own loss (RMSE for squared error, the mean pinball loss, the mean
    /// negative log-likelihood of the count objectives).
    #[default]
    Objective,
    /// Root mean squared error of the predictions, whatever the objective: comparable across
    /// objectives.
    Rmse,
}

impl Objective {
    /// Whether the Hessian varies by row (else it is 1 and the trees use row counts).
    pub(crate) fn has_hessian(self) -> bool {
        matches!(self, Objective::Poisson | Objective::Tweedie(_))
    }

    /// Whether the objective needs non-negative targets (with a positive mean).
    pub fn needs_non_negative(self) -> bool {
        self.has_hessian()
    }

    /// The settings' own check: `None` when valid, else why not.
    pub(crate) fn invalid(self) -> Option<String> {
        match self {
            Objective::Quantile(a) if !(a > 0.0 && a < 1.0) => Some(format!("quantile {a} not in (0, 1)")),
            Objective::Tweedie(p) if !(p > 1.0 && p < 2.0) => Some(format!("tweedie variance power {p} not in (1, 2)")),
            _ => None,
        }
    }

    /// The prediction of a raw score.
    pub fn link(self, raw: f64) -> f64 {
        if self.has_hessian() { raw.exp() } else { raw }
    }

    /// The gradient and Hessian of the loss at raw score `f` for target `y`.
    pub(crate) fn derivatives(self, f: f64, y: f64) -> (f64, f64) {
        match self {
            Objective::SquaredError => (f - y, 1.0),
            Objective::Quantile(a) => (if f >= y { 1.0 - a } else { -a }, 1.0),
            Objective::Poisson => (f.exp() - y, (f + POISSON_MAX_DELTA_STEP).exp()),
            Objective::Tweedie(p) => {
                let (a, b) = (((1.0 - p) * f).exp(), ((2.0 - p) * f).exp());
                (-y * a + b, -y * (1.0 - p) * a + (2.0 - p) * b)
            }
        }
    }

    /// One row's loss at raw score `f` (summed and averaged by [`Objective::loss`]).
    fn row_loss(self, f: f64, y: f64) -> f64 {
        match self {
            Objective::SquaredError => (f - y).powi(2),
            Objective::Quantile(a) => {
                let d = y - f;
                if d >= 0.0 { a * d } else { (a - 1.0) * d }
            }
            Objective::Poisson => f.exp() - y * f,
            Objective::Tweedie(p) => -y * ((1.0 - p) * f).exp() / (1.0 - p) + ((2.0 - p) * f).exp() / (2.0 - p),
        }
    }

    /// The loss of raw scores `raw` against `y` under `metric`: RMSE, the mean pinball loss or
    /// the mean negative log-likelihood (without the terms that do not depend on the score).
    pub(crate) fn loss(self, metric: Metric, raw: &[f64], y: &[f64]) -> f64 {
        let n = y.len().max(1) as f64;
        match (metric, self) {
            (Metric::Rmse, _) | (Metric::Objective, Objective::SquaredError) => {
                let sse: f64 = raw.iter().zip(y).map(|(f, t)| (self.link(*f) - t).powi(2)).sum();
                (sse / n).sqrt()
            }
            (Metric::Objective, _) => raw.iter().zip(y).map(|(f, t)| self.row_loss(*f, *t)).sum::<f64>() / n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gradients are the derivatives of the row losses (central differences), and the
    /// Hessians theirs (Poisson's inflated by its max delta step, as LightGBM's).
    #[test]
    fn gradients_and_hessians_are_the_losses_derivatives() {
        let d = 1e-5;
        for o in [
            Objective::SquaredError,
            Objective::Poisson,
            Objective::Tweedie(1.2),
            Objective::Tweedie(1.5),
            Objective::Tweedie(1.9),
        ] {
            for (f, y) in [(0.3, 2.0), (-1.0, 0.0), (1.5, 7.0), (0.0, 1.0)] {
                let (g, h) = o.derivatives(f, y);
                let (g_up, _) = o.derivatives(f + d, y);
                let (g_down, _) = o.derivatives(f - d, y);
                let numeric_g = (o.row_loss(f + d, y) - o.row_loss(f - d, y)) / (2.0 * d);
                // Squared error's loss is (f - y)^2 whose gradient is 2 (f - y): the factor 2
                // is the usual 1/2 of the loss, left out.
                let scale = if o == Objective::SquaredError { 2.0 } else { 1.0 };
                assert!((scale * g - numeric_g).abs() < 1e-6, "{o:?} g at {f}, {y}");
                let numeric_h = (g_up - g_down) / (2.0 * d);
                let h = if o == Objective::Poisson {
                    h / POISSON_MAX_DELTA_STEP.exp()
                } else {
                    h
                };
                assert!((h - numeric_h).abs() < 1e-6 * (1.0 + h.abs()), "{o:?} h at {f}, {y}");
            }
        }
    }

    /// The count losses are least at the log of the target's mean (their maximum-likelihood
    /// estimate of a constant mean).
    #[test]
    fn the_count_losses_are_least_at_the_log_mean() {
        let y = [0.0, 0.0, 3.0, 1.0, 0.0, 6.0, 2.0];
        let best = (y.iter().sum::<f64>() / y.len() as f64).ln();
        for o in [Objective::Poisson, Objective::Tweedie(1.1), Objective::Tweedie(1.7)] {
            let at = |f: f64| o.loss(Metric::Objective, &vec![f; y.len()], &y);
            assert!(at(best) < at(best + 0.01) && at(best) < at(best - 0.01), "{o:?}");
            let g: f64 = y.iter().map(|t| o.derivatives(best, *t).0).sum();
            assert!(g.abs() < 1e-9, "{o:?}: gradient sum {g}");
        }
    }
}
