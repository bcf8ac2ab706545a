//! Per-series forecast metrics, exactly as the public benchmark defines them
//! (`shared/bench/METRICS.md`, checked against its `metric_golden.json`), plus MAPE and R².
//!
//! The interval metrics take the interval's level: at 95 % they are the benchmark's
//! `coverage95`, `width95`, `is95` and `msis` (interval score of Gneiting & Raftery 2007 with
//! α = 1 − level/100; MSIS as in the M4 competition), and the M5 competition's RMSSE (root
//! mean squared error over the in-sample mean squared one-step change, counted from the first
//! non-zero value; Makridakis, Spiliotis & Assimakopoulos 2022, "M5 accuracy competition",
//! *IJF* 38(4)).

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The actuals, forecasts and bounds given to [`Metrics::compute`] differ in length, or are empty.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("cannot score: {actual} actual value(s), {point} forecast(s), {lower} lower and {upper} upper bound(s)")]
pub struct LengthMismatch {
    pub actual: usize,
    pub point: usize,
    pub lower: usize,
    pub upper: usize,
}

/// In-sample MAE of the seasonal-naive forecast on the training part: lag `m` when the
/// training part is longer than `m`, else lag 1. NaN when there is nothing to difference.
pub fn seasonal_scale(train: &[f64], m: usize) -> f64 {
    let n = train.len();
    let s = if n > m && m >= 1 { m } else { 1 };
    if n <= s {
        return f64::NAN;
    }
    let sum: f64 = (s..n).map(|t| (train[t] - train[t - s]).abs()).sum();
    sum / (n - s) as f64
}

/// The M5 competition's RMSSE denominator: the mean squared one-step change of `train` from
/// its first non-zero value on. NaN when fewer than two values remain.
pub fn squared_change_scale(train: &[f64]) -> f64 {
    let from = train.iter().position(|v| *v != 0.0).unwrap_or(train.len());
    let active = &train[from..];
    if active.len() < 2 {
        return f64::NAN;
    }
    active.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<f64>() / (active.len() - 1) as f64
}

/// All metrics of one forecast of one series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub scale: f64,
    pub mae: f64,
    pub mase: f64,
    pub rmse: f64,
    /// Percent; terms with a zero actual are left out; NaN when every actual is zero.
    pub mape: f64,
    /// Percent, 0..200; a term whose denominator is zero counts as zero.
    pub smape: f64,
    /// 1 − SSE/SST on the hold-out; NaN when the hold-out is constant.
    pub r2: f64,
    /// The level of the interval the next four describe (e.g. 95).
    pub level: f64,
    pub coverage: f64,
    pub width: f64,
    pub swidth: f64,
    pub interval_score: f64,
    pub msis: f64,
    /// Root mean squared scaled error (M5); NaN when the scale is zero or undefined.
    #[serde(default = "nan")]
    pub rmsse: f64,
}

fn nan() -> f64 {
    f64::NAN
}

impl Metrics {
    /// Score point forecasts `f` and the central `level` % interval `[lo, hi]` against `test`,
    /// scaled by the seasonal-naive MAE of `train` at season `m`. The four must have one
    /// length, at least 1.
    pub fn compute(
        train: &[f64],
        test: &[f64],
        f: &[f64],
        lo: &[f64],
        hi: &[f64],
        m: usize,
        level: f64,
    ) -> Result<Metrics, LengthMismatch> {
        let h = test.len();
        if h == 0 || f.len() != h || lo.len() != h || hi.len() != h {
            return Err(LengthMismatch {
                actual: h,
                point: f.len(),
                lower: lo.len(),
                upper: hi.len(),
            });
        }
        let hf = h as f64;
        let scale = seasonal_scale(train, m);
        let e: Vec<f64> = test.iter().zip(f).map(|(y, p)| y - p).collect();
        let mae = e.iter().map(|x| x.abs()).sum::<f64>() / hf;
        let rmse = (e.iter().map(|x| x * x).sum::<f64>() / hf).sqrt();
        let smape = 100.0
            * test
                .iter()
                .zip(f)
                .map(|(y, p)| {
                    let d = y.abs() + p.abs();
                    if d > 0.0 { 2.0 * (y - p).abs() / d } else { 0.0 }
                })
                .sum::<f64>()
            / hf;
        let nonzero: Vec<f64> = test
            .iter()
            .zip(&e)
            .filter(|(y, _)| **y != 0.0)
            .map(|(y, e)| (e / y).abs())
            .collect();
        let mape = if nonzero.is_empty() {
            f64::NAN
        } else {
            100.0 * nonzero.iter().sum::<f64>() / nonzero.len() as f64
        };
        let mean_y = test.iter().sum::<f64>() / hf;
        let sst: f64 = test.iter().map(|y| (y - mean_y).powi(2)).sum();
        let sse: f64 = e.iter().map(|x| x * x).sum();
        let r2 = if sst > 0.0 { 1.0 - sse / sst } else { f64::NAN };
        let alpha = 1.0 - level / 100.0;
        let mut cover = 0.0;
        let mut width = 0.0;
        let mut score = 0.0;
        for j in 0..h {
            let (y, l, u) = (test[j], lo[j], hi[j]);
            if l <= y && y <= u {
                cover += 1.0;
            }
            width += u - l;
            score += (u - l)
                + (2.0 / alpha) * (l - y) * f64::from(u8::from(y < l))
                + (2.0 / alpha) * (y - u) * f64::from(u8::from(y > u));
        }
        let change = squared_change_scale(train);
        let rmsse = if change.is_finite() && change > 0.0 {
            (sse / hf / change).sqrt()
        } else {
            f64::NAN
        };
        let ok = scale.is_finite() && scale > 0.0;
        let per = |x: f64| if ok { x / scale } else { f64::NAN };
        Ok(Metrics {
            scale,
            mae,
            mase: per(mae),
            rmse,
            mape,
            smape,
            r2,
            level,
            coverage: cover / hf,
            width: width / hf,
            swidth: per(width / hf),
            interval_score: score / hf,
            msis: per(score / hf),
            rmsse,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RMSSE by hand: one-step changes 1, 2, 3 (scale 14/3, leading zeros left out), errors
    /// 1 and −2 (mean square 2.5).
    #[test]
    fn rmsse_by_hand() {
        for train in [&[1.0, 2.0, 4.0, 7.0][..], &[0.0, 0.0, 1.0, 2.0, 4.0, 7.0]] {
            let m = Metrics::compute(train, &[10.0, 12.0], &[9.0, 14.0], &[8.0, 11.0], &[11.0, 15.0], 1, 95.0).unwrap();
            assert!((m.rmsse - (2.5f64 / (14.0 / 3.0)).sqrt()).abs() < 1e-12, "{}", m.rmsse);
        }
        let flat = Metrics::compute(&[3.0, 3.0, 3.0], &[3.0], &[3.0], &[2.0], &[4.0], 1, 95.0).unwrap();
        assert!(flat.rmsse.is_nan());
    }
}
