//! Data drift of one series: its new values against the reference window the model was trained
//! on (the last year of the training data, kept in the artifact).
//!
//! Sales carry a season and persistence, so no test looks at raw values: the reference's
//! seasonal profile (multiplicative when every reference value is positive, additive otherwise,
//! from its last 26 seasons) is taken out of both windows, and a trend is projected only when
//! the reference's slope is clear (|t| > 2 on effective sizes). What is left — the new values'
//! departures from what the reference leads one to expect — is tested for:
//!
//! | check | test | material when |
//! |---|---|---|
//! | level | t test of the mean departure, effective sizes from the long-run variance | ≥ 10 % of the level |
//! | trend | t test of the departures' slope | ≥ 10 % of the level over the window |
//! | spread | F test of (relative) variances, effective degrees of freedom | ×1.5 or ÷1.5 |
//! | pattern | χ² test of the seasonal profile's departures | a season position ≥ 15 % |
//! | distribution | two-sample Kolmogorov–Smirnov | Wasserstein ≥ 1 reference sd |
//! | zeros | two-proportion z test of the share of zeros | ≥ 10 points |
//!
//! plus, for reading only, the population stability index (PSI) and Page's CUSUM, which dates
//! where a level shift began. Which p-values count as discoveries is decided over every series
//! of the run together (`super::significance`: Benjamini–Hochberg over the series, then the
//! tests within the flagged ones).

use super::stattest::{
    self, Outcome, chi_square, cusum, f_test, kolmogorov_smirnov, lag1, long_run_factor, mean, student_two_sided,
    two_proportions, variance, wasserstein,
};
use crate::data::Frequency;
use crate::headline::people;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// What a drift test looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Level,
    Trend,
    Spread,
    Pattern,
    Distribution,
    Zeros,
}

impl Check {
    pub fn name(self) -> &'static str {
        match self {
            Check::Level => "level",
            Check::Trend => "trend",
            Check::Spread => "spread",
            Check::Pattern => "pattern",
            Check::Distribution => "distribution",
            Check::Zeros => "zeros",
        }
    }

    /// The test behind the check, for reports.
    pub fn test(self) -> &'static str {
        match self {
            Check::Level => "t test of the mean departure (effective n)",
            Check::Trend => "t test of the departures' slope (effective n)",
            Check::Spread => "F test of variances (effective df)",
            Check::Pattern => "chi-square test of the seasonal profile",
            Check::Distribution => "two-sample Kolmogorov-Smirnov",
            Check::Zeros => "two-proportion z test",
        }
    }

    /// The statistic's symbol.
    pub fn statistic(self) -> &'static str {
        match self {
            Check::Level | Check::Trend => "t",
            Check::Zeros => "z",
            Check::Spread => "F",
            Check::Pattern => "chi2",
            Check::Distribution => "D",
        }
    }
}

/// One test of one series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftTest {
    pub check: Check,
    pub statistic: f64,
    pub p_value: f64,
    /// A discovery under the false-discovery-rate control over every test of the run.
    pub significant: bool,
    /// Large enough to matter for the forecasts (the thresholds of the module's table).
    pub material: bool,
    /// The change in words: "level +23 %", "Saturdays −40 %".
    pub effect: String,
}

/// The drift checks of one series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesDrift {
    pub tests: Vec<DriftTest>,
    /// Relative change of the level (none when the level is not positive).
    pub level_change: Option<f64>,
    /// Population stability index over the reference's deciles (rule of thumb: > 0.25 major).
    pub psi: f64,
    /// First Wasserstein distance, in reference standard deviations.
    pub wasserstein: f64,
    /// Where Page's CUSUM dates a level shift, if it raised one.
    pub shift_since: Option<NaiveDate>,
    /// The CUSUM statistic after each new value (its alarm line is 5).
    pub cusum: Vec<f64>,
    /// The season taken out (1: none) and how.
    pub season: usize,
    pub multiplicative: bool,
    /// Number of reference and new values the tests used.
    pub reference_n: usize,
    pub current_n: usize,
}

impl SeriesDrift {
    /// The tests that are significant, most material first.
    pub fn findings(&self) -> impl Iterator<Item = &DriftTest> {
        self.tests.iter().filter(|t| t.significant)
    }
}

/// The new values: their dates, values, and how many periods after the reference's last value
/// the first one comes (1 when they follow at once).
pub struct Current<'a> {
    pub dates: &'a [NaiveDate],
    pub values: &'a [f64],
    pub gap: usize,
}

/// Fewest new values the checks run on.
pub const MIN_CURRENT: usize = 3;

/// The drift checks of `current` against `reference` (ending just before it); `Err` says why
/// the series cannot be checked.
pub fn drift(reference: &[f64], current: &Current<'_>, freq: Frequency, season: usize) -> Result<SeriesDrift, String> {
    let r = reference;
    let c = current.values;
    // A season longer than half the reference is not taken out (and the pattern not checked).
    let min_reference = 14;
    if r.len() < min_reference {
        return Err(format!(
            "{} reference values: too few to check drift (at least {min_reference})",
            r.len()
        ));
    }
    if c.len() < MIN_CURRENT {
        return Err(format!(
            "{} new value(s): too few to check drift (at least {MIN_CURRENT})",
            c.len()
        ));
    }
    let profile = Profile::of(r, season);
    // Time of each value: reference 0..R, the new values after the gap.
    let t0 = r.len() - 1 + current.gap.max(1);
    let rd: Vec<f64> = r.iter().enumerate().map(|(i, v)| profile.remove(*v, i)).collect();
    let cd: Vec<f64> = c.iter().enumerate().map(|(j, v)| profile.remove(*v, t0 + j)).collect();
    let tc: Vec<f64> = (0..c.len()).map(|j| (t0 + j) as f64).collect();

    // The trend of the whole reference, kept only when clear.
    let tr: Vec<f64> = (0..r.len()).map(|i| i as f64).collect();
    let lags = 2 * profile.season.max(7);
    // The reference around its line: its persistence, and how clear its slope is.
    let residuals = detrended(&tr, &rd);
    let (slope, slope_var) = clear_slope(&tr, &rd, &residuals, lags);
    // The recent reference sets the level and the noise.
    let recent = r.len().min(recent_len(freq));
    let (tr_recent, rd_recent) = (&tr[r.len() - recent..], &rd[r.len() - recent..]);
    let level_r = mean(rd_recent);
    let t_bar = mean(tr_recent);
    let expect = |t: f64| level_r + slope * (t - t_bar);
    let er: Vec<f64> = tr_recent.iter().zip(rd_recent).map(|(t, v)| v - expect(*t)).collect();
    let ec: Vec<f64> = tc.iter().zip(&cd).map(|(t, v)| v - expect(*t)).collect();
    // The persistence of the noise, from the whole reference around its line: the larger of
    // the Bartlett-weighted long-run variance and the AR(1) one (each alone reads too low on
    // one kind of noise).
    let rho1 = lag1(&residuals);
    let lrv = long_run_factor(&residuals, lags).max((1.0 + rho1) / (1.0 - rho1));
    let rho = lag1(&er);
    // The noise level of the recent reference; a persistent series' sample variance reads low
    // by the factor (1 − lrv/n), undone here.
    let sigma = (variance(&er) * recent as f64 / (recent as f64 - lrv).max(1.0)).sqrt();
    // A reference that never moved: a change of 1 % of its level counts as one sd, so that a
    // real change is tested (and found) rather than skipped.
    let sigma = if sigma > 0.0 {
        sigma
    } else {
        0.01 * level_r.abs().max(1.0)
    };
    let (neff_r, neff_c) = ((recent as f64 / lrv).max(2.0), (c.len() as f64 / lrv).max(2.0));
    let expected_c = mean(&tc.iter().map(|t| expect(*t)).collect::<Vec<_>>());
    let scale = if expected_c > 0.0 { expected_c } else { f64::NAN };
    let mut tests = Vec::new();
    let mut push = |check: Check, o: Outcome, material: bool, effect: String| {
        tests.push(DriftTest {
            check,
            statistic: o.statistic,
            p_value: o.p_value,
            significant: false,
            material,
            effect,
        })
    };
    let sigma_ok = sigma > 0.0 && sigma.is_finite();

    // Level.
    let dep = mean(&ec);
    let level_change = dep / scale;
    if sigma_ok {
        let extrapolation = slope_var * (mean(&tc) - t_bar).powi(2);
        // Each mean's variance: from the noise and its persistence, or — when larger — as the
        // means of as many consecutive reference days actually varied over the year.
        let mean_var =
            |n: usize, neff: f64| (sigma * sigma / neff).max(block_mean_variance(&residuals, n).unwrap_or(0.0));
        let se = (mean_var(c.len(), neff_c) + mean_var(recent, neff_r) + extrapolation).sqrt();
        let z = dep / se;
        let p = student_two_sided(z, neff_r - 1.0);
        let material = if level_change.is_finite() {
            level_change.abs() >= 0.10
        } else {
            dep.abs() >= sigma
        };
        push(
            Check::Level,
            Outcome {
                statistic: z,
                p_value: p,
            },
            material,
            format!("level {}", relative_or_units(dep, scale)),
        );
    }
    // Trend within the new values.
    if sigma_ok && c.len() >= (2 * profile.season).max(8) {
        let (b, sxx) = ols_slope(&tc, &ec);
        let se = sigma * lrv.sqrt() / sxx.sqrt();
        let z = b / se;
        let p = student_two_sided(z, neff_r - 1.0);
        let over = b * (c.len() - 1) as f64;
        let material = if scale.is_finite() {
            (over / scale).abs() >= 0.10
        } else {
            over.abs() >= sigma
        };
        push(
            Check::Trend,
            Outcome {
                statistic: z,
                p_value: p,
            },
            material,
            format!(
                "trend {} over the {} new {}s",
                relative_or_units(over, scale),
                c.len(),
                freq.unit()
            ),
        );
    }
    // Spread, relative to the level when the season is multiplicative.
    if sigma_ok && c.len() >= 5 {
        let sc = variance(&ec).sqrt();
        let ratio = if profile.multiplicative && level_r > 0.0 && mean(&cd) > 0.0 {
            (sc / mean(&cd)) / (sigma / level_r)
        } else {
            sc / sigma
        };
        let df = |n: usize| (n as f64 * (1.0 - rho * rho) / (1.0 + rho * rho) - 1.0).max(1.0);
        let o = f_test(ratio * ratio, df(c.len()), df(recent));
        push(
            Check::Spread,
            o,
            !(1.0 / 1.5..1.5).contains(&ratio),
            format!("spread ×{ratio:.2}"),
        );
    }
    // The seasonal pattern.
    if sigma_ok
        && profile.season >= 2
        && c.len() >= profile.season
        && let Some((o, material, effect)) = pattern(&cd, &ec, t0, &profile, sigma, level_r, current.dates, freq)
    {
        push(Check::Pattern, o, material, effect);
    }
    // The distribution of the departures.
    let ks = kolmogorov_smirnov(&er, &ec, neff_r, neff_c);
    let w = if sigma_ok { wasserstein(&er, &ec) / sigma } else { 0.0 };
    push(
        Check::Distribution,
        ks,
        w >= 1.0,
        format!("distribution D = {:.2}, Wasserstein {w:.2} sd", ks.statistic),
    );
    // Share of zeros, on the raw values.
    let raw_recent = &r[r.len() - recent..];
    let zr = raw_recent.iter().filter(|v| **v == 0.0).count();
    let zc = c.iter().filter(|v| **v == 0.0).count();
    if zr + zc > 0 {
        let o = two_proportions(zr, recent, zc, c.len());
        let (pr, pc) = (zr as f64 / recent as f64, zc as f64 / c.len() as f64);
        push(
            Check::Zeros,
            o,
            (pc - pr).abs() >= 0.10,
            format!("zeros {:.0} % → {:.0} % of {}s", 100.0 * pr, 100.0 * pc, freq.unit()),
        );
    }
    let mut path = Vec::new();
    let std: Vec<f64> = if sigma_ok {
        ec.iter().map(|e| e / sigma).collect()
    } else {
        vec![0.0; ec.len()]
    };
    let cs = cusum(&std, &mut path);
    Ok(SeriesDrift {
        tests,
        level_change: level_change.is_finite().then_some(level_change),
        psi: stattest::psi(&er, &ec),
        wasserstein: w,
        shift_since: cs.alarm(dep).and_then(|(_, start)| current.dates.get(start).copied()),
        cusum: path,
        season: profile.season,
        multiplicative: profile.multiplicative,
        reference_n: recent,
        current_n: c.len(),
    })
}

/// "+23 %" of `scale`, or "+1.2 units" when the level is not positive.
fn relative_or_units(v: f64, scale: f64) -> String {
    let sign = if v >= 0.0 { "+" } else { "−" };
    if scale.is_finite() {
        format!("{sign}{:.0} %", (100.0 * v / scale).abs())
    } else {
        format!("{sign}{} units", people(v.abs()))
    }
}

/// How many of the reference's last values set the expected level and the noise: twelve weeks
/// of days, half a year of weeks, a year of months, two of quarters.
fn recent_len(freq: Frequency) -> usize {
    match freq {
        Frequency::Daily => 84,
        Frequency::Weekly => 26,
        Frequency::Monthly => 12,
        Frequency::Quarterly => 8,
    }
}

/// Whole seasons (at most) the reference's seasonal profile is averaged over.
const PROFILE_SEASONS: usize = 26;

/// The reference's seasonal profile: per position of the season, a ratio (multiplicative) or
/// an offset (additive) to the mean of the last (up to) [`PROFILE_SEASONS`] whole seasons.
struct Profile {
    season: usize,
    /// Reference values behind each position.
    counts: Vec<usize>,
    multiplicative: bool,
    index: Vec<f64>,
}

impl Profile {
    fn of(r: &[f64], season: usize) -> Profile {
        if season < 2 || r.len() < season.saturating_mul(2) {
            return Profile {
                season: 1,
                counts: vec![r.len()],
                multiplicative: false,
                index: vec![0.0],
            };
        }
        let k = (r.len().min(PROFILE_SEASONS * season) / season) * season;
        let from = r.len() - k;
        let base = &r[from..];
        let multiplicative = base.iter().all(|v| *v > 0.0);
        let overall = mean(base);
        let mut sums = vec![0.0; season];
        let mut counts = vec![0usize; season];
        for (i, v) in base.iter().enumerate() {
            sums[(from + i) % season] += v;
            counts[(from + i) % season] += 1;
        }
        let index = sums
            .iter()
            .zip(&counts)
            .map(|(s, n)| {
                let m = s / (*n).max(1) as f64;
                if multiplicative { m / overall } else { m - overall }
            })
            .collect();
        Profile {
            season,
            counts,
            multiplicative,
            index,
        }
    }

    fn remove(&self, v: f64, t: usize) -> f64 {
        let i = self.index[t % self.season];
        if self.multiplicative { v / i } else { v - i }
    }
}

/// Slope of `y` on `t` and Σ(t − t̄)².
fn ols_slope(t: &[f64], y: &[f64]) -> (f64, f64) {
    let (tb, yb) = (mean(t), mean(y));
    let sxx: f64 = t.iter().map(|v| (v - tb).powi(2)).sum();
    if sxx <= 0.0 {
        return (0.0, 1.0);
    }
    let sxy: f64 = t.iter().zip(y).map(|(a, b)| (a - tb) * (b - yb)).sum();
    (sxy / sxx, sxx)
}

/// The variance of the means of `len` consecutive values of `x` (overlapping blocks), when `x`
/// holds at least four such blocks.
fn block_mean_variance(x: &[f64], len: usize) -> Option<f64> {
    if len == 0 || x.len() < 4 * len {
        return None;
    }
    let mut sum: f64 = x[..len].iter().sum();
    let mut means = vec![sum / len as f64];
    for i in len..x.len() {
        sum += x[i] - x[i - len];
        means.push(sum / len as f64);
    }
    Some(variance(&means))
}

/// |t| above which the reference's slope is projected into the new days.
const CLEAR_SLOPE: f64 = 2.0;

/// `y` less its least-squares line on `t`.
fn detrended(t: &[f64], y: &[f64]) -> Vec<f64> {
    let (b, _) = ols_slope(t, y);
    let (tb, yb) = (mean(t), mean(y));
    t.iter().zip(y).map(|(a, v)| v - yb - b * (a - tb)).collect()
}

/// The reference's slope and its variance when it is clear (|t| > [`CLEAR_SLOPE`], the variance from the
/// long-run variance of its `residuals` around the line over `lags` lags), else no trend.
fn clear_slope(t: &[f64], y: &[f64], residuals: &[f64], lags: usize) -> (f64, f64) {
    let (b, sxx) = ols_slope(t, y);
    let var = variance(residuals) / sxx * long_run_factor(residuals, lags);
    if var > 0.0 && (b / var.sqrt()).abs() > CLEAR_SLOPE {
        (b, var)
    } else {
        (0.0, 0.0)
    }
}

/// The χ² test of the new values' seasonal profile against the reference's, its materiality
/// and the position that moved most in words.
#[allow(clippy::too_many_arguments)]
fn pattern(
    cd: &[f64],
    ec: &[f64],
    t0: usize,
    profile: &Profile,
    sigma: f64,
    level_r: f64,
    dates: &[NaiveDate],
    freq: Frequency,
) -> Option<(Outcome, bool, String)> {
    let m = profile.season;
    let relative = profile.multiplicative && level_r > 0.0 && mean(cd) > 0.0;
    // Departures per position of the season, relative to the level when multiplicative.
    let (values, noise): (Vec<f64>, f64) = if relative {
        let lc = mean(cd);
        (cd.iter().map(|v| v / lc - 1.0).collect(), sigma / level_r)
    } else {
        let mc = mean(ec);
        (ec.iter().map(|v| v - mc).collect(), sigma)
    };
    let mut sums = vec![0.0; m];
    let mut counts = vec![0usize; m];
    let mut first = vec![None; m];
    for (j, v) in values.iter().enumerate() {
        let p = (t0 + j) % m;
        sums[p] += v;
        counts[p] += 1;
        if first[p].is_none() {
            first[p] = dates.get(j).copied();
        }
    }
    let present = counts.iter().filter(|n| **n > 0).count();
    if present < 2 {
        return None;
    }
    let grand = sums.iter().sum::<f64>() / counts.iter().sum::<usize>() as f64;
    let mut x2 = 0.0;
    let mut worst: Option<(f64, usize)> = None;
    for p in 0..m {
        if counts[p] == 0 {
            continue;
        }
        let d = sums[p] / counts[p] as f64 - grand;
        // The reference's profile is estimated too: its error adds to the variance.
        let var = noise * noise * (1.0 / counts[p] as f64 + 1.0 / profile.counts[p].max(1) as f64);
        x2 += d * d / var;
        if worst.is_none_or(|(w, _)| d.abs() > w.abs()) {
            worst = Some((d, p));
        }
    }
    let (d, p) = worst?;
    let material = if relative {
        d.abs() >= 0.15
    } else if level_r > 0.0 {
        d.abs() >= 0.15 * level_r
    } else {
        d.abs() >= sigma
    };
    let name = first[p].map_or_else(
        || format!("position {} of the season", p + 1),
        |d| position_name(d, freq, m),
    );
    let change = if relative {
        relative_or_units(d, 1.0)
    } else {
        relative_or_units(d, if level_r > 0.0 { level_r } else { f64::NAN })
    };
    Some((
        chi_square(x2, (present - 1) as f64),
        material,
        format!("{name} {change}"),
    ))
}

/// A position of the season for people: "Saturdays" (days in a week), "March" (months in a
/// year), else the date it fell on.
fn position_name(d: NaiveDate, freq: Frequency, season: usize) -> String {
    match (freq, season) {
        (Frequency::Daily, 7) => format!("{}s", weekday(d)),
        (Frequency::Monthly, 12) => d.format("%B").to_string(),
        _ => format!("the {} of {d}", freq.unit()),
    }
}

fn weekday(d: NaiveDate) -> &'static str {
    match d.weekday() {
        chrono::Weekday::Mon => "Monday",
        chrono::Weekday::Tue => "Tuesday",
        chrono::Weekday::Wed => "Wednesday",
        chrono::Weekday::Thu => "Thursday",
        chrono::Weekday::Fri => "Friday",
        chrono::Weekday::Sat => "Saturday",
        chrono::Weekday::Sun => "Sunday",
    }
}
