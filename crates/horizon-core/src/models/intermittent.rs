//! Intermittent demand: series of mostly zeros with occasional sales (store × product, spare
//! parts), where a smooth model's forecast chases the last spike.
//!
//! - **Croston** (Croston 1972, *Operational Research Quarterly* 23(3)): simple exponential
//!   smoothing (SES, α = 0.1) of the non-zero demands z and, separately, of the intervals p
//!   between them; the forecast per period is ẑ / p̂.
//! - **SBA** (Syntetos & Boylan 2005, *IJF* 21(2)): Croston × (1 − α/2) = 0.95, removing its
//!   bias.
//! - **Croston optimised**: α of each SES chosen in [0.1, 0.3] by minimum in-sample squared
//!   one-step error, by golden-section search (Kiefer 1953) to |b − a| < 1e-12.
//! - **TSB** (Teunter, Syntetos & Babai 2011, *EJOR* 214): SES of the demand sizes (α_d) and of
//!   the probability of demand, updated every period (α_p); the forecast is p̂ ẑ.
//! - **ADIDA** (Nikolopoulos et al. 2011, *JORS* 62): sum the series in buckets of the mean
//!   inter-demand interval (rounded; the incomplete oldest bucket dropped), forecast the bucket
//!   sums by optimised SES, spread the forecast evenly over the bucket's periods.
//! - **IMAPA** (Petropoulos & Kourentzes 2015, *JORS* 66): ADIDA at every bucket length from 1
//!   to the rounded mean interval, the forecasts averaged.
//!
//! The points follow statsforecast's implementations (`CrostonClassic`, `CrostonSBA`,
//! `CrostonOptimized`, `TSB`, `ADIDA`, `IMAPA`): SES starts at the first value, rounding of the
//! mean interval is half-to-even as Python's, and the tests pin its forecasts to 1e-9.
//!
//! Intervals: these methods have no stochastic model (statsforecast gives them none without
//! conformal calibration). Horizon's bands are the empirical quantiles of the last 100
//! periods' deviations from the flat forecast (y_t − ŷ) added to it — the demand a period may
//! see around the mean rate — and, as for every model, raised to zero when the history never
//! goes below it.

use super::family::{Entry, Family, without_setting};
use super::{Fitted, FittedModel, Forecast, Forecaster, Interval, ModelError, ModelSpec, check_finite, check_levels};
use crate::data::Series;
use serde::{Deserialize, Serialize};

/// Which intermittent-demand method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    Croston,
    Sba,
    CrostonOptimized,
    Tsb,
    Adida,
    Imapa,
}

impl Method {
    /// Every method, in the order pickers list them.
    pub const ALL: [Method; 6] = [
        Method::Croston,
        Method::Sba,
        Method::CrostonOptimized,
        Method::Tsb,
        Method::Adida,
        Method::Imapa,
    ];
}

/// An intermittent-demand model: its method and, for TSB, the smoothing of sizes and
/// probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Intermittent {
    pub method: Method,
    /// TSB's smoothing of the demand sizes and of the probability of demand.
    #[serde(default = "default_tsb_alpha", skip_serializing_if = "is_default_tsb_alpha")]
    pub alpha_d: f64,
    #[serde(default = "default_tsb_alpha", skip_serializing_if = "is_default_tsb_alpha")]
    pub alpha_p: f64,
}

// Specs are compared and hashed (pickers, caches): the alphas are finite and positive (parsed
// so), where equality of values and of bits agree.
impl Eq for Intermittent {}

impl std::hash::Hash for Intermittent {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.method.hash(state);
        self.alpha_d.to_bits().hash(state);
        self.alpha_p.to_bits().hash(state);
    }
}

fn default_tsb_alpha() -> f64 {
    0.1
}

fn is_default_tsb_alpha(a: &f64) -> bool {
    *a == default_tsb_alpha()
}

impl Intermittent {
    pub fn new(method: Method) -> Intermittent {
        Intermittent {
            method,
            alpha_d: default_tsb_alpha(),
            alpha_p: default_tsb_alpha(),
        }
    }
}

/// A fitted intermittent-demand model: its flat forecast and the deviations its bands
/// are drawn from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedIntermittent {
    method: Method,
    mean: f64,
    /// The last periods' deviations from the forecast, sorted.
    errors: Vec<f64>,
    description: String,
}

/// SES of `x` with smoothing `alpha`, started at `x[0]`: the one-step forecast after the last
/// value, and the one-step forecasts of `x[1..]` (each made from the values before it).
fn ses(x: &[f64], alpha: f64) -> (f64, Vec<f64>) {
    let mut level = x[0];
    let mut fitted = Vec::with_capacity(x.len().saturating_sub(1));
    for w in x.windows(2) {
        level = alpha * w[0] + (1.0 - alpha) * level;
        fitted.push(level);
    }
    if x.len() == 1 {
        return (x[0], fitted);
    }
    (alpha * x[x.len() - 1] + (1.0 - alpha) * level, fitted)
}

/// The in-sample sum of squared one-step errors of SES with `alpha`.
fn ses_sse(x: &[f64], alpha: f64) -> f64 {
    let (_, fitted) = ses(x, alpha);
    x[1..].iter().zip(&fitted).map(|(v, f)| (v - f) * (v - f)).sum()
}

/// The α in [lower, upper] of least in-sample squared error, by golden-section search.
fn optimal_alpha(x: &[f64], lower: f64, upper: f64) -> f64 {
    let ratio = (5f64.sqrt() + 1.0) / 2.0;
    let (mut a, mut b) = (lower, upper);
    let mut c = b - (b - a) / ratio;
    let mut d = a + (b - a) / ratio;
    let (mut fc, mut fd) = (ses_sse(x, c), ses_sse(x, d));
    while (b - a).abs() >= 1e-12 {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - (b - a) / ratio;
            fc = ses_sse(x, c);
        } else if fd < fc {
            a = c;
            c = d;
            fc = fd;
            d = a + (b - a) / ratio;
            fd = ses_sse(x, d);
        } else {
            break;
        }
    }
    (a + b) / 2.0
}

/// SES with the optimal α in [0.1, 0.3]: the forecast.
fn optimized_ses(x: &[f64]) -> f64 {
    ses(x, optimal_alpha(x, 0.1, 0.3)).0
}

/// The intervals between non-zero values (the first counted from the series' start).
fn intervals(y: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    let mut last = 0usize;
    for (i, v) in y.iter().enumerate() {
        if *v != 0.0 {
            out.push((i + 1 - last) as f64);
            last = i + 1;
        }
    }
    out
}

/// Sums of consecutive buckets of `k` periods, the incomplete oldest one dropped.
fn bucket_sums(y: &[f64], k: usize) -> Vec<f64> {
    y[y.len() % k..].chunks_exact(k).map(|c| c.iter().sum()).collect()
}

/// The rounded mean interval (half to even, as Python rounds), at least 1.
fn mean_interval(y: &[f64]) -> usize {
    let iv = intervals(y);
    let mean = iv.iter().sum::<f64>() / iv.len() as f64;
    mean.round_ties_even().max(1.0) as usize
}

/// ADIDA's per-period forecast at bucket length `k`.
fn aggregate_forecast(y: &[f64], k: usize) -> f64 {
    let sums = bucket_sums(y, k);
    match sums.len() {
        0 => y[y.len() - 1] / k as f64,
        1 => sums[0] / k as f64,
        _ => optimized_ses(&sums) / k as f64,
    }
}

/// Croston's ratio ẑ / p̂ from the demand and interval forecasts.
fn ratio(z: f64, p: f64) -> f64 {
    if p != 0.0 { z / p } else { z }
}

impl Intermittent {
    /// The method's flat forecast after `y` (which holds a non-zero value).
    fn mean(&self, y: &[f64]) -> f64 {
        let demand: Vec<f64> = y.iter().copied().filter(|v| *v > 0.0).collect();
        match self.method {
            Method::Croston | Method::Sba | Method::CrostonOptimized if demand.is_empty() => y[y.len() - 1],
            Method::Croston => ratio(ses(&demand, 0.1).0, ses(&intervals(y), 0.1).0),
            Method::Sba => 0.95 * ratio(ses(&demand, 0.1).0, ses(&intervals(y), 0.1).0),
            Method::CrostonOptimized => ratio(optimized_ses(&demand), optimized_ses(&intervals(y))),
            Method::Tsb if demand.is_empty() => 0.0,
            Method::Tsb => {
                let occurs: Vec<f64> = y.iter().map(|v| f64::from(u8::from(*v != 0.0))).collect();
                ses(&occurs, self.alpha_p).0 * ses(&demand, self.alpha_d).0
            }
            Method::Adida | Method::Imapa if y.iter().all(|v| *v == 0.0) => 0.0,
            Method::Adida => aggregate_forecast(y, mean_interval(y)),
            Method::Imapa => {
                let top = mean_interval(y);
                (1..=top).map(|k| aggregate_forecast(y, k)).sum::<f64>() / top as f64
            }
        }
    }

    fn label(&self) -> String {
        match self.method {
            Method::Tsb if (self.alpha_d, self.alpha_p) != (0.1, 0.1) => {
                format!("tsb:{}/{}", self.alpha_d, self.alpha_p)
            }
            m => name_of(m).to_string(),
        }
    }
}

fn name_of(m: Method) -> &'static str {
    match m {
        Method::Croston => "croston",
        Method::Sba => "sba",
        Method::CrostonOptimized => "croston-optimized",
        Method::Tsb => "tsb",
        Method::Adida => "adida",
        Method::Imapa => "imapa",
    }
}

impl Forecaster for Intermittent {
    fn name(&self) -> String {
        self.label()
    }

    fn fit(&self, series: &Series) -> Result<Box<dyn Fitted>, ModelError> {
        let y = &series.values;
        check_finite(y)?;
        // Demand sizes and intervals of sales: a negative value (a return) is neither, and
        // IMAPA's aggregates of it forecast negative sales.
        super::check_non_negative(series, &self.label())?;
        if y.len() < 2 {
            return Err(ModelError::TooShort {
                model: self.label(),
                needed: 2,
                got: y.len(),
            });
        }
        let mean = self.mean(y);
        // The spread of the last 100 periods around the flat rate (refitting each period's
        // history instead would cost IMAPA minutes on a long, sparse series).
        let mut errors: Vec<f64> = y[y.len().saturating_sub(100)..].iter().map(|v| v - mean).collect();
        errors.sort_by(f64::total_cmp);
        let zeros = y.iter().filter(|v| **v == 0.0).count();
        let description = format!(
            "{}: a flat {mean:.3} per period ({} of {} periods without sales). {}",
            words_of(self.method),
            zeros,
            y.len(),
            "Bands from the spread of the last 100 periods around that rate."
        );
        Ok(Box::new(FittedIntermittent {
            method: self.method,
            mean,
            errors,
            description,
        }))
    }
}

fn summary_of(m: Method) -> &'static str {
    match m {
        Method::Croston => "average sale over average gap (sparse sales)",
        Method::Sba => "Croston with bias correction (sparse sales)",
        Method::CrostonOptimized => "Croston, smoothing fitted (sparse sales)",
        Method::Tsb => "chance of a sale times its size (sparse sales)",
        Method::Adida => "sales summed over the usual gap, spread back",
        Method::Imapa => "ADIDA over several bucket sizes (sparse sales)",
    }
}

/// The method in words, for the fitted model's description.
fn words_of(m: Method) -> &'static str {
    match m {
        Method::Croston => "Croston: average sale size over average gap between sales",
        Method::Sba => "Croston with the Syntetos-Boylan bias correction",
        Method::CrostonOptimized => "Croston with smoothing chosen from the history",
        Method::Tsb => "TSB: chance of a sale times its average size",
        Method::Adida => "ADIDA: sales summed over the typical gap, forecast, spread back",
        Method::Imapa => "IMAPA: ADIDA averaged over several bucket lengths",
    }
}

/// The `q` quantile of sorted values (linear between order statistics).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

impl Fitted for FittedIntermittent {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast, ModelError> {
        let levels = check_levels(levels)?;
        let point = vec![self.mean; horizon];
        let intervals = levels
            .iter()
            .map(|&level| {
                let tail = (1.0 - level / 100.0) / 2.0;
                let (lo, hi) = (quantile(&self.errors, tail), quantile(&self.errors, 1.0 - tail));
                Interval {
                    level,
                    lower: vec![(self.mean + lo).min(self.mean); horizon],
                    upper: vec![(self.mean + hi).max(self.mean); horizon],
                }
            })
            .collect();
        Ok(Forecast { point, intervals })
    }

    fn description(&self) -> String {
        self.description.clone()
    }

    fn to_state(&self) -> FittedModel {
        FittedModel::Intermittent(self.clone())
    }
}

impl Family for Intermittent {
    fn name(&self) -> String {
        self.label()
    }
    fn summary(&self) -> &'static str {
        summary_of(self.method)
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(*self)
    }
}

/// `tsb:0.2/0.05`: α of the sizes and of the probability.
fn tsb_setting(setting: Option<&str>) -> Result<ModelSpec, ModelError> {
    let Some(s) = setting else {
        return Ok(ModelSpec::Intermittent(Intermittent::new(Method::Tsb)));
    };
    let bad = || {
        ModelError::Invalid(format!(
            "tsb:{s}: give the smoothing of sizes and of probability, each in (0, 1], as tsb:0.2/0.1"
        ))
    };
    let (d, p) = s.split_once('/').ok_or_else(bad)?;
    let parse = |v: &str| v.parse::<f64>().ok().filter(|a| *a > 0.0 && *a <= 1.0).ok_or_else(bad);
    Ok(ModelSpec::Intermittent(Intermittent {
        method: Method::Tsb,
        alpha_d: parse(d)?,
        alpha_p: parse(p)?,
    }))
}

pub const INTERMITTENT: Entry = Entry {
    names: &["croston", "sba", "croston-optimized", "tsb", "adida", "imapa"],
    parse: |name, setting| {
        let method = match name {
            "croston" => Method::Croston,
            "sba" => Method::Sba,
            "croston-optimized" => Method::CrostonOptimized,
            "adida" => Method::Adida,
            "imapa" => Method::Imapa,
            _ => return tsb_setting(setting),
        };
        without_setting(name, setting, ModelSpec::Intermittent(Intermittent::new(method)))
    },
    defaults: || {
        Method::ALL
            .map(|m| ModelSpec::Intermittent(Intermittent::new(m)))
            .to_vec()
    },
};

/// Syntetos-Boylan-Croston classification (Syntetos, Boylan & Croston 2005, *JORS* 56): a
/// series is intermittent (or lumpy) when its average inter-demand interval exceeds 1.32.
pub fn is_intermittent(y: &[f64]) -> bool {
    let iv = intervals(y);
    !iv.is_empty() && iv.iter().sum::<f64>() / iv.len() as f64 > 1.32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ses_starts_at_the_first_value_and_golden_section_finds_the_minimum() {
        let x = [3.0, 5.0, 4.0];
        let (f, fitted) = ses(&x, 0.5);
        assert_eq!(fitted, vec![3.0, 4.0]);
        assert_eq!(f, 4.0);
        // A noisy level: the optimum lies inside the bracket, where the SSE is flat.
        let x: Vec<f64> = (0..60).map(|t| 10.0 + ((t * 7919) % 13) as f64 - 6.0).collect();
        let a = optimal_alpha(&x, 0.1, 0.3);
        let grid = (0..=2000).map(|k| 0.1 + 0.2 * k as f64 / 2000.0);
        let best = grid.min_by(|p, q| ses_sse(&x, *p).total_cmp(&ses_sse(&x, *q))).unwrap();
        assert!((a - best).abs() < 2e-4, "{a} vs {best}");
    }

    #[test]
    fn intervals_buckets_and_rounding_as_defined() {
        let y = [0.0, 2.0, 0.0, 0.0, 3.0, 1.0];
        assert_eq!(intervals(&y), vec![2.0, 3.0, 1.0]);
        assert_eq!(bucket_sums(&y, 4), vec![4.0]);
        assert_eq!(bucket_sums(&y, 2), vec![2.0, 0.0, 4.0]);
        // Mean interval 2.5 rounds to 2 (half to even).
        assert_eq!(mean_interval(&[0.0, 1.0, 0.0, 0.0, 1.0]), 2);
        assert!(is_intermittent(&y));
        assert!(!is_intermittent(&[1.0, 2.0, 3.0]));
    }

    #[test]
    fn bands_hold_the_point_and_widen_with_the_level() {
        let y: Vec<f64> = (0..120)
            .map(|t| if t % 4 == 0 { 5.0 + (t % 3) as f64 } else { 0.0 })
            .collect();
        let s = Series::starting(
            crate::data::Frequency::Daily,
            chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            y,
        );
        for m in Method::ALL {
            let f = Intermittent::new(m).fit(&s).unwrap().predict(3, &[50.0, 95.0]).unwrap();
            assert!(f.point[0] > 0.0 && f.point[0] < 7.0, "{m:?}: {}", f.point[0]);
            let (n, w) = (&f.intervals[0], &f.intervals[1]);
            assert!(
                w.lower[0] <= n.lower[0]
                    && n.lower[0] <= f.point[0]
                    && f.point[0] <= n.upper[0]
                    && n.upper[0] <= w.upper[0]
            );
        }
    }

    #[test]
    fn a_return_in_the_history_is_refused_with_its_date() {
        let y = [0.0, 3.0, 0.0, -2.0, 0.0, 0.0, 4.0, 0.0];
        let s = Series::starting(
            crate::data::Frequency::Daily,
            chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            y.to_vec(),
        );
        for m in Method::ALL {
            let e = Intermittent::new(m).fit(&s).err().expect("refused").to_string();
            assert!(
                e.contains("sales of zero or more; the series has -2 on 2024-01-04"),
                "{m:?}: {e}"
            );
        }
    }
}
