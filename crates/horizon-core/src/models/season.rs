//! Which seasons a series really has, checked against its calendar.
//!
//! The calendar proposes (7 and 365 for daily data, 52 weekly, 12 monthly, 4 quarterly); the
//! data decides, on series with at least two full cycles. A season m is present when the
//! autocorrelation at lag m is significant — r_m > 2.576 · √((1 + 2 Σ_{k<m} r_k²) / n), the
//! seasonality test of the Theta method's classical decomposition (Assimakopoulos &
//! Nikolopoulos 2000, with Bartlett's standard error) at the 99 % level, or at 95 % when Welch's
//! periodogram (augurs-seasons) has a peak whose frequency bin holds m — or when the strength
//! of the STL seasonal component, F_s = max(0, 1 − Var(R) / Var(S + R)) (Wang, Smith & Hyndman
//! 2006; *Forecasting: Principles and Practice*, 3rd ed., §4.3), reaches 0.64, the level at
//! which `auto.arima` differences seasonally. The periodogram alone is too coarse to name long
//! seasons (it sees 52 weeks as 51 or 64), and STL strength alone gives white noise ~0.35.

use crate::data::{Frequency, Panel};
use augurs_mstl::stlrs;
use augurs_seasons::PeriodogramDetector;
use serde::{Deserialize, Serialize};

/// STL strength that settles it without the autocorrelation test.
const STRONG: f64 = 0.64;
/// z of the autocorrelation test: 99 % alone, 95 % when the periodogram agrees.
const Z_ACF: f64 = 2.576;
const Z_ACF_WITH_PEAK: f64 = 1.645;

/// One proposed season and what the data says of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeasonCheck {
    pub period: usize,
    /// STL seasonal strength in [0, 1]; `None` when the series is shorter than two cycles.
    pub strength: Option<f64>,
    /// The periodogram peak (its rounded period) whose bin holds `period`, if any.
    pub peak: Option<u32>,
    /// Autocorrelation at lag `period` and whether it is significant.
    pub acf: Option<f64>,
    pub acf_significant: bool,
    pub present: bool,
}

/// The checks of every calendar season of a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeasonDetection {
    pub checks: Vec<SeasonCheck>,
}

impl SeasonDetection {
    /// The strongest season present, if any.
    pub fn chosen(&self) -> Option<usize> {
        self.checks
            .iter()
            .filter(|c| c.present)
            .max_by(|a, b| a.strength.unwrap_or(0.0).total_cmp(&b.strength.unwrap_or(0.0)))
            .map(|c| c.period)
    }

    /// One line for users: `season 7: strength 0.62, periodogram peak 7 — present; …`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .checks
            .iter()
            .map(|c| match c.strength {
                None => format!("season {}: too few cycles to tell", c.period),
                Some(s) => format!(
                    "season {}: autocorrelation {:.2}{}, strength {s:.2}{} — {}",
                    c.period,
                    c.acf.unwrap_or(0.0),
                    if c.acf_significant { " (significant)" } else { "" },
                    c.peak.map_or_else(
                        || ", no periodogram peak".to_string(),
                        |p| format!(", periodogram peak {p}")
                    ),
                    if c.present { "present" } else { "not found" }
                ),
            })
            .collect();
        format!("Season check: {}.", parts.join("; "))
    }
}

/// The seasons the calendar proposes for `freq`.
pub fn calendar_seasons(freq: Frequency) -> Vec<usize> {
    match freq {
        Frequency::Daily => vec![7, freq.periods_per_year()],
        _ => vec![freq.periods_per_year()],
    }
}

/// STL seasonal strength of `y` at period `m` (Wang, Smith & Hyndman 2006): 1 − var(remainder)
/// / var(seasonal + remainder), floored at 0; `None` below two cycles or for a constant series.
/// The decomposition is the one R's `forecast::mstl` makes for a single season, which
/// `auto.arima`'s seasonal test reads (statsforecast's `seas_heuristic` too): STL with a
/// seasonal window of 11, local-constant seasonal smoothing, a low-pass window of the smallest
/// odd length above m, five inner passes, no robustness iterations and every point smoothed (no
/// interpolation jumps).
pub fn seasonal_strength(y: &[f64], m: usize) -> Option<f64> {
    strength(y, m, false)
}

/// Whether season `m` can be checked on `y`: two full cycles of finite, not constant values.
fn can_tell(y: &[f64], m: usize) -> bool {
    m >= 2
        && y.len() > m.saturating_mul(2)
        && y.iter().any(|v| (v - y[0]).abs() >= 1e-12)
        && y.iter().all(|v| v.is_finite())
}

/// Seasons from this length on are checked with the jumps of Cleveland et al.'s STL (below).
const JUMPS_FROM: usize = 52;

/// [`seasonal_strength`], optionally with the jumps of the original STL (Cleveland, Cleveland,
/// McRae & Terpenning 1990, §3.5): each loess is fitted at every jump-th point and interpolated
/// linearly between. The seasonal smoother jumps ⌈window/10⌉ (R's `stl` default); the trend and
/// low-pass smoothers, local-linear over windows longer than the season, jump half a window —
/// their fits barely bend within it — which makes a yearly season of daily data about twenty
/// times cheaper to check, the strength within 0.003 of the exact one on the test series.
fn strength(y: &[f64], m: usize, jumps: bool) -> Option<f64> {
    if !can_tell(y, m) {
        return None;
    }
    let low_pass = if m % 2 == 1 { m + 2 } else { m + 1 };
    // stlrs's trend window: the smallest odd number above 1.5 m / (1 − 1.5 / seasonal window).
    let trend = {
        let t = (1.5 * m as f64 / (1.0 - 1.5 / 11.0)).ceil() as usize;
        t + 1 - t % 2
    };
    let jump = |window: usize, parts: usize| if jumps { window.div_ceil(parts) } else { 1 };
    let stl = stlrs::params()
        .seasonal_length(11)
        .seasonal_degree(0)
        .inner_loops(5)
        .outer_loops(0)
        .low_pass_length(low_pass)
        .seasonal_jump(jump(11, 10))
        .trend_jump(jump(trend, 2))
        .low_pass_jump(jump(low_pass, 2))
        .fit(y, m)
        .ok()?;
    let (seasonal, remainder) = (stl.seasonal(), stl.remainder());
    let var = |v: &[f64]| {
        let mu = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / v.len() as f64
    };
    let sr: Vec<f64> = seasonal.iter().zip(remainder).map(|(s, r)| s + r).collect();
    let total = var(&sr);
    Some(if total > 0.0 {
        (1.0 - var(remainder) / total).max(0.0)
    } else {
        0.0
    })
}

/// Autocorrelation at lag `m` and its standard error (Bartlett).
pub(crate) fn acf_at(y: &[f64], m: usize) -> (Option<f64>, f64) {
    let n = y.len();
    if m == 0 || n <= m + 1 {
        return (None, f64::INFINITY);
    }
    let mean = y.iter().sum::<f64>() / n as f64;
    let z: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let c0 = lane_dot(&z, &z);
    if c0 <= 0.0 {
        return (None, f64::INFINITY);
    }
    let rs: Vec<f64> = (1..=m).map(|k| lane_dot(&z[k..], &z[..n - k]) / c0).collect();
    let var = (1.0 + 2.0 * rs[..m - 1].iter().map(|v| v * v).sum::<f64>()) / n as f64;
    (Some(rs[m - 1]), var.sqrt())
}

/// Σ aᵢbᵢ over the shorter length, summed in four lanes so that the compiler vectorises it
/// (the autocorrelations of a yearly season of daily data are most of the panel check's work).
fn lane_dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for ((l, xi), yi) in lanes.iter_mut().zip(x).zip(y) {
            *l += xi * yi;
        }
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail
}

/// A peak of the periodogram: its rounded period and the periods its frequency bin holds.
struct Peak {
    period: u32,
    holds: std::ops::RangeInclusive<u32>,
}

/// The periodogram's peaks of `y` (Welch, augurs-seasons).
fn peaks(y: &[f64]) -> Vec<Peak> {
    if !(y.iter().all(|v| v.is_finite()) && y.len() >= 16) {
        return Vec::new();
    }
    let detector = PeriodogramDetector::builder().min_period(2).threshold(0.5).build();
    detector
        .periodogram(y)
        .peaks(0.5)
        .map(|k| Peak {
            period: k.period,
            holds: k.next_period.min(k.prev_period).max(2)..=k.next_period.max(k.prev_period),
        })
        .collect()
}

/// The check of season `period` of `y`, given its periodogram's peaks and, when already
/// computed, its autocorrelation and standard error at that lag.
fn check(y: &[f64], period: usize, peaks: &[Peak], acf: Option<(Option<f64>, f64)>) -> SeasonCheck {
    let strength = strength(y, period, period >= JUMPS_FROM);
    let p = period as u32;
    let peak = peaks.iter().find(|k| k.holds.contains(&p)).map(|k| k.period);
    let (acf, se) = match strength {
        Some(_) => acf.unwrap_or_else(|| acf_at(y, period)),
        None => (None, f64::INFINITY),
    };
    let r = acf.unwrap_or(0.0);
    let acf_significant = r > Z_ACF * se || (peak.is_some() && r > Z_ACF_WITH_PEAK * se);
    let present = strength.is_some_and(|s| s >= STRONG) || acf_significant;
    SeasonCheck {
        period,
        strength,
        peak,
        acf,
        acf_significant,
        present,
    }
}

/// Check every calendar season of `y`.
pub fn detect_seasons(y: &[f64], freq: Frequency) -> SeasonDetection {
    let peaks = peaks(y);
    let checks = calendar_seasons(freq)
        .into_iter()
        .map(|period| check(y, period, &peaks, None))
        .collect();
    SeasonDetection { checks }
}

/// [`detect_seasons`]' verdicts alone — present, absent, or `None` when the series cannot
/// tell — reached cheaply where they can be: an autocorrelation significant at 99 % makes a
/// season present whatever STL and the periodogram say, so they are computed only for the
/// seasons it does not settle.
fn verdicts(y: &[f64], freq: Frequency) -> Vec<Option<bool>> {
    let mut peaks_of_y: Option<Vec<Peak>> = None;
    calendar_seasons(freq)
        .into_iter()
        .map(|period| {
            if !can_tell(y, period) {
                return None;
            }
            let (acf, se) = acf_at(y, period);
            if acf.is_some_and(|r| r > Z_ACF * se) {
                return Some(true);
            }
            let peaks = peaks_of_y.get_or_insert_with(|| peaks(y));
            let c = check(y, period, peaks, Some((acf, se)));
            c.strength.map(|_| c.present)
        })
        .collect()
}

/// How many series of a panel have one calendar season: the summary of `horizon validate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeasonCount {
    pub period: usize,
    /// Series where the data has the season.
    pub present: usize,
    /// Series long enough to tell (two cycles).
    pub told: usize,
}

/// The verdicts of [`detect_seasons`] on every series of `panel` (in parallel), counted per
/// calendar season.
pub fn panel_seasons(panel: &Panel) -> Vec<SeasonCount> {
    use rayon::prelude::*;
    let verdicts: Vec<Vec<Option<bool>>> = panel.series.par_iter().map(|s| verdicts(&s.values, s.freq)).collect();
    calendar_seasons(panel.freq)
        .into_iter()
        .enumerate()
        .map(|(i, period)| SeasonCount {
            period,
            present: verdicts.iter().filter(|v| v[i] == Some(true)).count(),
            told: verdicts.iter().filter(|v| v[i].is_some()).count(),
        })
        .collect()
}

/// The seasonal indices taken out before fitting, per position in the season.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Deseasoned {
    pub(crate) figure: Vec<f64>,
    pub(crate) multiplicative: bool,
    /// Position in the season of the first forecast step.
    pub(crate) next: usize,
}

/// Whether the autocorrelation at lag `m` is significant (one-sided 90 %: z > 1.645), the
/// seasonal test of Theta (Fiorucci et al. 2016, as statsforecast).
pub(crate) fn significant_season(y: &[f64], m: usize) -> bool {
    if m < 4 || y.len() < m.saturating_mul(2) {
        return false;
    }
    match acf_at(y, m) {
        (Some(r), se) => r.abs() / se > crate::stats::normal_quantile(0.95),
        (None, _) => false,
    }
}

/// The classical decomposition's indices for `y` (multiplicative when the data is positive and
/// no index is below 0.01).
pub(crate) fn deseason(y: &[f64], m: usize) -> Option<Deseasoned> {
    let positive = y.iter().all(|v| *v > 0.0);
    let multiplicative =
        positive && super::ets::seasonal_figure(y, m, true).is_some_and(|f| f.iter().all(|s| *s >= 0.01));
    let figure = super::ets::seasonal_figure(y, m, multiplicative)?;
    Some(Deseasoned {
        figure,
        multiplicative,
        next: y.len() % m,
    })
}

impl Deseasoned {
    fn index(&self, t: usize) -> f64 {
        self.figure[t % self.figure.len()]
    }

    pub(crate) fn remove(&self, y: &[f64]) -> Vec<f64> {
        y.iter()
            .enumerate()
            .map(|(t, v)| {
                if self.multiplicative {
                    v / self.index(t)
                } else {
                    v - self.index(t)
                }
            })
            .collect()
    }

    /// `v` at forecast step `j` (from 0) with the season put back.
    pub(crate) fn restore(&self, j: usize, v: f64) -> f64 {
        let s = self.index(self.next + j);
        if self.multiplicative { v * s } else { v + s }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize, seed: u64) -> Vec<f64> {
        let mut next = crate::stats::xorshift(seed);
        (0..n).map(|_| (next() % 1000) as f64 / 1000.0 - 0.5).collect()
    }

    #[test]
    fn a_weekly_pattern_in_daily_sales_is_found_and_noise_has_none() {
        let week = [0.0, -2.0, -1.0, 0.5, 2.0, 4.0, 1.0];
        let y: Vec<f64> = noise(400, 7)
            .iter()
            .enumerate()
            .map(|(t, e)| 20.0 + week[t % 7] + e)
            .collect();
        let d = detect_seasons(&y, Frequency::Daily);
        assert_eq!(d.chosen(), Some(7), "{}", d.describe());
        assert!(d.checks[0].strength.unwrap() > 0.8);
        assert!(d.checks[0].peak.is_some(), "{}", d.describe());
        // 400 days are not two years: the yearly season cannot be told.
        assert_eq!(d.checks[1].strength, None);
        // White noise (STL alone gives it a "strength" near 0.35): no season, whatever the draw.
        for seed in 11..31 {
            let flat = detect_seasons(&noise(400, seed), Frequency::Daily);
            assert_eq!(flat.chosen(), None, "seed {seed}: {}", flat.describe());
            assert!(flat.describe().contains("not found"));
        }
    }

    #[test]
    fn the_weekly_pattern_of_the_bundled_retail_sample_is_found_in_every_series() {
        use crate::data::generate::{RetailParams, retail};
        let p = retail(&RetailParams {
            stores: 2,
            products: 3,
            days: 730,
            ..Default::default()
        });
        for s in &p.series {
            let d = detect_seasons(&s.values, s.freq);
            assert_eq!(d.chosen(), Some(7), "{}: {}", s.label(), d.describe());
        }
    }

    /// The jumps that make long seasons cheap to check move the strength little and the
    /// verdict not at all: yearly seasons of daily and weekly data, with and without a season.
    #[test]
    fn jumps_keep_the_strength_of_long_seasons() {
        for (m, n) in [(365, 1000), (52, 160)] {
            for amplitude in [0.0, 0.3, 1.0, 3.0] {
                let y: Vec<f64> = noise(n, m as u64)
                    .iter()
                    .enumerate()
                    .map(|(t, e)| 10.0 + amplitude * (t as f64 * std::f64::consts::TAU / m as f64).sin() + e)
                    .collect();
                let (exact, fast) = (strength(&y, m, false).unwrap(), strength(&y, m, true).unwrap());
                assert!(
                    (exact - fast).abs() < 0.005,
                    "m {m}, amplitude {amplitude}: {exact} vs {fast}"
                );
                assert_eq!(exact >= STRONG, fast >= STRONG, "m {m}, amplitude {amplitude}");
            }
        }
    }

    /// The panel summary's shortcut gives detect_seasons' verdicts: weekly and yearly seasons,
    /// present or not, short and constant series.
    #[test]
    fn the_panel_summary_counts_what_detect_seasons_finds() {
        use crate::data::generate::{RetailParams, retail};
        let mut panel = retail(&RetailParams {
            stores: 2,
            products: 3,
            days: 800,
            ..Default::default()
        });
        let template = panel.series[0].clone();
        for (k, values) in [noise(800, 5), noise(800, 6), vec![3.0; 800], noise(20, 7)]
            .into_iter()
            .enumerate()
        {
            let mut s = template.clone();
            s.key = vec![format!("extra{k}"), String::new()];
            s.dates.truncate(values.len());
            s.exog.iter_mut().for_each(|c| c.truncate(values.len()));
            s.values = values;
            panel.series.push(s);
        }
        let counts = panel_seasons(&panel);
        for (i, c) in counts.iter().enumerate() {
            let checks: Vec<SeasonCheck> = panel
                .series
                .iter()
                .map(|s| detect_seasons(&s.values, s.freq).checks[i].clone())
                .collect();
            assert_eq!(c.present, checks.iter().filter(|k| k.present).count(), "{c:?}");
            assert_eq!(c.told, checks.iter().filter(|k| k.strength.is_some()).count(), "{c:?}");
        }
        assert_eq!((counts[0].present, counts[0].told), (6, 9), "{counts:?}");
    }

    #[test]
    fn a_yearly_season_of_weekly_data_is_named_52() {
        let y: Vec<f64> = noise(156, 3)
            .iter()
            .enumerate()
            .map(|(t, e)| 100.0 + 30.0 * (t as f64 * std::f64::consts::TAU / 52.0).sin() + 5.0 * e)
            .collect();
        let d = detect_seasons(&y, Frequency::Weekly);
        assert_eq!(d.chosen(), Some(52), "{}", d.describe());
    }

    #[test]
    fn short_constant_and_broken_series_give_no_season_and_no_panic() {
        for y in [vec![], vec![1.0; 3], vec![5.0; 60], vec![1.0, f64::NAN, 2.0, 3.0]] {
            assert_eq!(detect_seasons(&y, Frequency::Monthly).chosen(), None);
        }
    }
}
