//! Running the boosters forward: the forecasts of a fitted GBM, and of its first fits over the
//! validation stretch.

use crate::data::features::{FeatureSpec, Holidays};
use chrono::NaiveDate;
use horizon_gbm::Booster;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A booster and the gap between its last input and its target (1: the next value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gapped {
    pub gap: usize,
    pub booster: Arc<Booster>,
}

/// The drivers of the steps forecast: held at one value, or set per step (a what-if plan).
#[derive(Clone, Copy)]
pub(super) enum Drivers<'a> {
    Held(&'a [f64]),
    /// `[step][driver]`; steps past the end keep the last row.
    PerStep(&'a [Vec<f64>]),
}

impl Drivers<'_> {
    /// The drivers at step `h` (1-based).
    fn at(&self, h: usize) -> &[f64] {
        match self {
            Drivers::Held(x) => x,
            Drivers::PerStep(rows) => rows.get(h - 1).or(rows.last()).map_or(&[], Vec::as_slice),
        }
    }
}

/// Forecast `steps` values after `history` (whose last date is `last`). Steps go in blocks of
/// the longest gap; the `r`-th step of a block is forecast by the booster of the shortest gap
/// of at least `r`, from the history up to `gap` steps before it — the observed values and the
/// forecasts of earlier blocks (every step's, for the recursive strategy's gap of 1).
#[allow(clippy::too_many_arguments)]
pub(super) fn run_forward(
    boosters: &[Gapped],
    spec: &FeatureSpec,
    holidays: &Holidays,
    mut history: Vec<f64>,
    last: NaiveDate,
    exog: Drivers<'_>,
    ids: &[f64],
    steps: usize,
) -> Vec<f64> {
    let observed = history.len();
    let block = boosters.iter().map(|b| b.gap).max().unwrap_or(1).max(1);
    let mut out = Vec::with_capacity(steps);
    let mut row = Vec::new();
    for h in 1..=steps {
        let r = (h - 1) % block + 1;
        let Some(model) = boosters.iter().filter(|b| b.gap >= r).min_by_key(|b| b.gap) else {
            break;
        };
        row.clear();
        let date = spec.freq.advance(last, h as i64);
        // gap >= 1, so the end is at most the values known so far (observed + h - 1).
        let end = (observed + h).saturating_sub(model.gap);
        spec.row(&history[..end], date, exog.at(h), ids, holidays, &mut row);
        let f = model.booster.predict_row(&row);
        out.push(f);
        history.push(f);
    }
    out
}
