//! How a model is fitted to the series of a panel — the one place that tells a local model
//! from a global one. A local model is fitted series by series (in parallel natively; one after
//! the other in the browser, where rayon runs on the current thread); a global model (the GBM,
//! or an ensemble with one) is fitted once on all the series given, learning across them, as
//! statsforecast's `core.py` runs one panel loop for every model.
//!
//! A global fit runs outside a [`super::stepping`] driver: the driver's cache of parts serves
//! the heads of one series, and a global fit is of many.

use super::ensemble::EnsembleSpec;
use super::gbm::Tuned;
use super::{Fitted, ModelError, ModelSpec, global_ensemble, stepping};
use crate::data::{Panel, Series};
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One series' fitted model, or why it could not be fitted.
pub type Fit = Result<Box<dyn Fitted>, ModelError>;

/// Told after each fit of a local model (fits done, fits in all) and before a global one
/// (0, 1); answers whether to go on. Once it says no, the fits not yet started fail with
/// [`ModelError::Cancelled`].
pub type Progress = dyn Fn(usize, usize) -> bool + Send + Sync;

/// Fit `spec` to each of `series` (series of `panel`, or their heads in a backtest): one
/// fitted model per series in order, or the reason for each. `tuned` gives a GBM the parameters
/// a search already found (other models ignore it; a GBM with a tuning budget and no `tuned`
/// runs its search here).
pub fn fit(panel: &Panel, series: &[Series], spec: &ModelSpec, tuned: Option<&Tuned>) -> Vec<Fit> {
    let all: Vec<usize> = (0..series.len()).collect();
    fit_some(panel, series, &all, spec, tuned, None)
}

/// [`fit`] for the series at `wanted` (indices into `series`), in that order: a local model is
/// fitted to those alone, a global one still learns from every series of `series`.
pub fn fit_some(
    panel: &Panel,
    series: &[Series],
    wanted: &[usize],
    spec: &ModelSpec,
    tuned: Option<&Tuned>,
    progress: Option<&Progress>,
) -> Vec<Fit> {
    if wanted.is_empty() {
        // Nothing to fit: a global model is not trained for nobody.
        return Vec::new();
    }
    let go_on = || progress.is_none_or(|p| p(0, 1));
    let global = if let Some(gbm) = spec.gbm() {
        let gbm = gbm.for_panel(panel);
        Some(go_on().then(|| stepping::unstepped(|| gbm.fit_series(series, tuned))))
    } else if let ModelSpec::Ensemble(EnsembleSpec { members: Some(m) }) = spec
        && spec.is_global()
    {
        Some(go_on().then(|| stepping::unstepped(|| global_ensemble::fit_panel(panel, series, m))))
    } else {
        None
    };
    match global {
        Some(Some(mut fits)) => wanted
            .iter()
            .map(|&i| match fits.get_mut(i) {
                Some(f) => std::mem::replace(f, Err(ModelError::Cancelled)),
                None => Err(ModelError::Invalid("the series is not in the panel".into())),
            })
            .collect(),
        Some(None) => wanted.iter().map(|_| Err(ModelError::Cancelled)).collect(),
        None => fit_each(series, wanted, spec, progress),
    }
}

/// A local model fitted to each wanted series alone.
fn fit_each(series: &[Series], wanted: &[usize], spec: &ModelSpec, progress: Option<&Progress>) -> Vec<Fit> {
    let done = AtomicUsize::new(0);
    let cancelled = std::sync::atomic::AtomicBool::new(false);
    let one = |&i: &usize| -> Fit {
        if cancelled.load(Ordering::Relaxed) {
            return Err(ModelError::Cancelled);
        }
        let s = series
            .get(i)
            .ok_or_else(|| ModelError::Invalid("the series is not in the panel".into()))?;
        let fitted = spec.build().fit(s);
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if progress.is_some_and(|p| !p(n, wanted.len())) {
            cancelled.store(true, Ordering::Relaxed);
        }
        fitted
    };
    // Under a driver, the fits stay on this thread, where the driver is. Its cache of parts
    // serves the heads of one series, so it serves one series at a time.
    if stepping::active() {
        debug_assert!(wanted.len() <= 1, "a stepping driver serves one series");
        wanted.iter().map(one).collect()
    } else {
        wanted.par_iter().map(one).collect()
    }
}
