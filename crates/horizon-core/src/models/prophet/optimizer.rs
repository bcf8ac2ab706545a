//! A pure-Rust optimizer for augurs-prophet: L-BFGS ([`crate::optim::lbfgs`], with
//! Stan's settings) on the MAP objective of [`super::objective`], started where Prophet starts
//! Stan. No cmdstan binary, no wasmtime: it runs wherever Rust does, wasm32 included.

use super::objective::Objective;
use crate::optim::lbfgs;
use augurs_prophet::PositiveFloat;
use augurs_prophet::optimizer::{Data, Error, InitialParams, OptimizeOpts, OptimizedParams, Optimizer};

/// L-BFGS on Prophet's MAP objective.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lbfgs {
    pub settings: lbfgs::Lbfgs,
}

/// The minimiser of `objective` from `x0`.
pub fn minimize(objective: &Objective, x0: &[f64], settings: &lbfgs::Lbfgs) -> Vec<f64> {
    settings.minimize(|x, g| objective.value_and_gradient(x, g), x0).x
}

impl Optimizer for Lbfgs {
    fn optimize(&self, init: &InitialParams, data: &Data, opts: &OptimizeOpts) -> Result<OptimizedParams, Error> {
        let objective = Objective::new(data, opts.jacobian.unwrap_or(false));
        let x0 = Objective::join(init.k, init.m, &init.delta, *init.sigma_obs, &init.beta);
        let mut settings = self.settings;
        if let Some(iter) = opts.iter {
            settings.max_iters = iter as usize;
        }
        let x = minimize(&objective, &x0, &settings);
        params_of(&objective, &x)
    }
}
/// The parameters at `x`, as augurs-prophet wants them.
pub fn params_of(objective: &Objective, x: &[f64]) -> Result<OptimizedParams, Error> {
    if x.iter().any(|v| !v.is_finite()) {
        return Err(Error::static_str("the optimum is not finite"));
    }
    let p = objective.split(x);
    let sigma_obs = PositiveFloat::try_new(p.sigma.max(1e-12)).map_err(|e| Error::string(e.to_string()))?;
    Ok(OptimizedParams {
        k: p.k,
        m: p.m,
        sigma_obs,
        delta: p.delta.to_vec(),
        beta: p.beta.to_vec(),
        trend: objective.trend(x),
    })
}
