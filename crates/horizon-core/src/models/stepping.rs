//! Fitting in steps, for a page that must keep drawing: a model made of several fits (the
//! ensemble, conformal calibration) does one new fit per step.
//!
//! Composite models fit their parts through [`fit`]. Under a [`Steps`] driver, [`fit`] serves
//! parts fitted in earlier steps from the driver's cache and allows one new fit per step; a
//! second one stops the step (it returns an error and marks the step unfinished, whatever the
//! composite does with that error), and the driver runs the whole operation again next step.
//! Everything else (the composite's own arithmetic) is cheap and simply redone. Outside a
//! driver, [`fit`] is a plain fit. The operation must ask for the same parts in the same way
//! each time, which fits of a fixed series do.

use super::{Fitted, FittedModel, ModelError, ModelSpec};
use crate::data::Series;
use std::cell::RefCell;
use std::collections::HashMap;

/// The state of an operation run in steps: the parts fitted so far.
#[derive(Default)]
pub struct Steps {
    /// (model, length of the history it was fitted to) → the fit (or its error). One driver
    /// serves one series, whose heads the parts are fitted to, so the length names the data.
    cache: HashMap<(ModelSpec, usize), Result<FittedModel, ModelError>>,
    /// New fits allowed in the current step.
    budget: usize,
    /// A part was refused in this step: the step's result is not final.
    unfinished: bool,
}

thread_local! {
    static ACTIVE: RefCell<Option<Steps>> = const { RefCell::new(None) };
}

impl Steps {
    /// Parts fitted so far.
    pub fn fits(&self) -> usize {
        self.cache.len()
    }

    /// One step of `operation`: `Some(result)` when it finished in this step, `None` when it
    /// needs another.
    pub fn step<T>(&mut self, operation: impl FnOnce() -> T) -> Option<T> {
        let mut state = std::mem::take(self);
        state.budget = 1;
        state.unfinished = false;
        ACTIVE.with(|a| *a.borrow_mut() = Some(state));
        let out = operation();
        *self = ACTIVE.with(|a| a.borrow_mut().take()).unwrap_or_default();
        (!self.unfinished).then_some(out)
    }
}

/// Run `operation` outside any driver (as a plain operation, in one go), restoring the driver
/// afterwards: for fits of many series at once, which the driver's cache (of one series'
/// parts) cannot serve.
pub fn unstepped<T>(operation: impl FnOnce() -> T) -> T {
    let suspended = ACTIVE.with(|a| a.borrow_mut().take());
    let out = operation();
    if suspended.is_some() {
        ACTIVE.with(|a| *a.borrow_mut() = suspended);
    }
    out
}

/// Whether an operation runs under a driver on this thread (its fits must then stay on it).
pub fn active() -> bool {
    ACTIVE.with(|a| a.borrow().is_some())
}

/// Fit `spec` to `series` (a part of a composite model); see the module documentation. A part
/// that is itself composite (a calibrated member of an ensemble) is neither counted nor cached:
/// its own parts are.
pub fn fit(spec: &ModelSpec, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
    if spec.family().is_composite() {
        return spec.build().fit(series);
    }
    let key = (spec.clone(), series.len());
    let cached = ACTIVE.with(|a| {
        let mut a = a.borrow_mut();
        let state = a.as_mut()?;
        if let Some(hit) = state.cache.get(&key) {
            return Some(Some(hit.clone()));
        }
        if state.budget == 0 {
            state.unfinished = true;
            return Some(None);
        }
        state.budget -= 1;
        None
    });
    match cached {
        // Not under a driver, or the one new fit of this step.
        None => {
            let fitted = spec.build().fit(series).map(|f| f.to_state());
            ACTIVE.with(|a| {
                if let Some(state) = a.borrow_mut().as_mut() {
                    state.cache.insert(key, fitted.clone());
                }
            });
            fitted.map(|f| Box::new(f) as Box<dyn Fitted>)
        }
        Some(Some(hit)) => hit.map(|f| Box::new(f) as Box<dyn Fitted>),
        Some(None) => Err(ModelError::Invalid(
            "fitting in steps: continued in the next step".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Frequency;
    use crate::models::predict::fit_predict;

    fn series() -> Series {
        let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let values: Vec<f64> = (0..96)
            .map(|k| 100.0 + 10.0 * ((k % 12) as f64 / 12.0 * std::f64::consts::TAU).sin() + (k * 7 % 5) as f64)
            .collect();
        Series::starting(Frequency::Monthly, start, values)
    }

    /// The ensemble and a calibrated model, fitted one part per step, give exactly the
    /// forecast of the plain fit; a plain model takes one step.
    #[test]
    fn composites_fitted_in_steps_equal_their_plain_fits() {
        let s = series();
        let cases = [
            ("ets", 1),
            ("ensemble", 10),
            ("ets+conformal", 10),
            // Composites inside composites, and members that differ only in their settings.
            ("ensemble+conformal", 20),
            ("ensemble:ets+conformal/ets:4/ets:12", 20),
        ];
        for (name, min_steps) in cases {
            let spec: ModelSpec = name.parse().unwrap();
            let plain = fit_predict(&s, &spec, 12, &[80.0, 95.0]).unwrap();
            let mut steps = Steps::default();
            let mut n = 0;
            let stepped = loop {
                n += 1;
                assert!(n < 1000, "{name} never finishes");
                if let Some(r) = steps.step(|| fit_predict(&s, &spec, 12, &[80.0, 95.0])) {
                    break r.unwrap();
                }
            };
            assert!(stepped == plain, "{name}: the stepped fit differs");
            assert!(n >= min_steps, "{name}: {n} steps");
            assert_eq!(n, steps.fits().max(1), "{name}: one new fit per step");
        }
    }
}
