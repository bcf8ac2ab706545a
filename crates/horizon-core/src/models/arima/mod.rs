//! Seasonal ARIMA: automatic (Hyndman–Khandakar stepwise search, [`search`]) or with pinned
//! orders, fitted by exact likelihood through a Kalman filter ([`kalman`], [`fit`]). Forecasts
//! run the filter's state forward and undo the differencing; the prediction variance is
//! σ² Σ ψ_j² from the ψ-weights of the whole (integrated) model (Box, Jenkins, Reinsel & Ljung
//! 2015, *Time Series Analysis*, §5.2).

mod family;
mod fit;
mod kalman;
pub mod search;

use super::{Fitted, Forecast, Forecaster, ModelError, check_finite, check_levels};
use crate::data::Series;
pub use family::ARIMA;
pub use fit::{FitResult, Order};
use serde::{Deserialize, Serialize};

/// SARIMA; orders found automatically unless pinned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Arima {
    /// Season length; `None` = the frequency's usual season.
    pub season: Option<usize>,
    /// Pinned (p, d, q).
    pub order: Option<[usize; 3]>,
    /// Pinned (P, D, Q); needs `order` too.
    pub seasonal_order: Option<[usize; 3]>,
}

/// A fitted SARIMA model, self-contained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedArima {
    pub fit: FitResult,
    pub automatic: bool,
}

impl Forecaster for Arima {
    fn name(&self) -> String {
        "arima".into()
    }

    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        let m = self.season.unwrap_or(series.freq.default_season());
        Ok(Box::new(self.fit_values(&series.values, m)?))
    }
}

impl Arima {
    pub fn fit_values(&self, y: &[f64], m: usize) -> Result<FittedArima, ModelError> {
        check_finite(y)?;
        if y.len() < 4 {
            return Err(ModelError::TooShort {
                model: "arima".into(),
                needed: 4,
                got: y.len(),
            });
        }
        match self.order {
            None => {
                let fit = search::auto_arima(y, m.max(1)).ok_or_else(|| {
                    if y.len() < 8 {
                        ModelError::TooShort {
                            model: "arima".into(),
                            needed: 8,
                            got: y.len(),
                        }
                    } else {
                        ModelError::Invalid(format!(
                            "no ARIMA model could be fitted to these {} observations (every candidate was \
                             non-stationary, non-invertible or did not converge)",
                            y.len()
                        ))
                    }
                })?;
                Ok(FittedArima { fit, automatic: true })
            }
            Some([p, d, q]) => {
                let [sp, sd, sq] = self.seasonal_order.unwrap_or([0, 0, 0]);
                let order = Order {
                    p,
                    d,
                    q,
                    sp,
                    sd,
                    sq,
                    m: if sp + sd + sq > 0 { m.max(1) } else { 1 },
                    constant: d + sd <= 1,
                };
                let fit = fit::fit(y, order).ok_or_else(|| {
                    ModelError::Invalid(format!(
                        "{} could not be fitted to {} observations (too short, or no stationary and invertible fit)",
                        order.label(),
                        y.len()
                    ))
                })?;
                Ok(FittedArima { fit, automatic: false })
            }
        }
    }
}

impl FittedArima {
    /// Point forecasts of the original series and the ψ-weight standard deviations.
    fn forecast(&self, h: usize) -> (Vec<f64>, Vec<f64>) {
        let r = &self.fit;
        let o = &r.order;
        let (_, phi, _) = kalman::harvey_form(&r.ar_full, &r.ma_full);
        let dim = phi.len();
        let mut a = r.state.clone();
        a.resize(dim, 0.0);
        let mut next = vec![0.0; dim];
        let mut w = Vec::with_capacity(h);
        for _ in 0..h {
            w.push(r.mean + a[0]);
            for i in 0..dim {
                next[i] = phi[i] * a[0] + if i + 1 < dim { a[i + 1] } else { 0.0 };
            }
            std::mem::swap(&mut a, &mut next);
        }
        // Undo the differencing: y_t = w_t + Σ δ_k y_{t−k}.
        let delta = fit::diff_poly(o.d, o.sd, o.m.max(1));
        let mut hist = r.tail.clone();
        let mut point = Vec::with_capacity(h);
        for wt in w {
            let len = hist.len();
            let y = wt
                + delta
                    .iter()
                    .enumerate()
                    .map(|(k, dk)| dk * hist[len - 1 - k])
                    .sum::<f64>();
            hist.push(y);
            point.push(y);
        }
        // ψ-weights of θ(B) / (φ(B) Δ(B)).
        let ar_total = fit::ar_product(&r.ar_full, &delta, 1);
        let mut psi = vec![1.0];
        for j in 1..h {
            let theta = r.ma_full.get(j - 1).copied().unwrap_or(0.0);
            let s: f64 = (1..=j.min(ar_total.len())).map(|i| ar_total[i - 1] * psi[j - i]).sum();
            psi.push(theta + s);
        }
        let mut acc = 0.0;
        let sd = psi
            .iter()
            .map(|p| {
                acc += p * p;
                (r.sigma2 * acc).sqrt()
            })
            .collect();
        (point, sd)
    }
}

impl Fitted for FittedArima {
    fn to_state(&self) -> crate::models::FittedModel {
        crate::models::FittedModel::Arima(self.clone())
    }

    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
        let levels = check_levels(levels)?;
        let (point, sd) = self.forecast(horizon);
        if point.iter().chain(&sd).any(|v| !v.is_finite()) {
            return Err(ModelError::Invalid(format!(
                "{} produced a non-finite forecast",
                self.fit.order.label()
            )));
        }
        Forecast::normal(point, &sd, &levels)
    }

    fn description(&self) -> String {
        let r = &self.fit;
        if r.fits_exactly() {
            let (term, series) = if r.order.d + r.order.sd == 0 {
                ("mean", "constant")
            } else {
                ("drift", "a steady trend")
            };
            return format!(
                "{} fits every observation exactly ({term}={:.3}): the series is {series}; zero-width intervals.",
                r.order.label(),
                r.mean
            );
        }
        let coef = |name: &str, v: &[f64]| {
            v.iter()
                .enumerate()
                .map(|(i, c)| format!("{name}{}={c:.3}", i + 1))
                .collect::<Vec<_>>()
        };
        let mut parts = coef("ar", &r.ar);
        parts.extend(coef("ma", &r.ma));
        parts.extend(coef("sar", &r.sar));
        parts.extend(coef("sma", &r.sma));
        if r.order.constant {
            parts.push(format!("constant={:.3}", r.mean));
        }
        format!(
            "{} {} (AICc {:.1}); {}σ²={:.4}.",
            r.order.label(),
            if self.automatic {
                "chosen by a stepwise AICc search"
            } else {
                "with the orders as set"
            },
            r.aicc,
            if parts.is_empty() {
                String::new()
            } else {
                format!("{}, ", parts.join(", "))
            },
            r.sigma2
        )
    }
}
