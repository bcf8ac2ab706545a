//! A forecast in plain words for a business reader: what is expected over the horizon, its
//! range, the change against the span just before, and how far off the model typically was in
//! its backtest — with numbers and dates written for people (thousands separators, month names).
//!
//! The range is the total's own ([`crate::models::total`]: the bands read as a linear model's
//! lead-time demand), not the per-period bounds added up, which hold only if every period
//! misses the same way (for a mean model over 28 days, a range √28 ≈ 5.3 times too wide).

use crate::data::{Frequency, Series};
use crate::export::{SeriesForecast, level_label};
use chrono::{Datelike, NaiveDate};

/// The numbers behind the headline of one forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// Whose forecast: "S01 / P001", "all stores", …
    pub subject: String,
    pub freq: Frequency,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub periods: usize,
    /// Expected total over the horizon.
    pub total: f64,
    /// The level and the total's range at it.
    pub range: Option<(f64, f64, f64)>,
    /// The total of the same number of periods just before the forecast, when the history is
    /// that long.
    pub before: Option<f64>,
    /// The typical error per period in the model's backtest, as a share of the period's
    /// average sales over the last year (mean absolute error / mean level).
    pub typical_error: Option<f64>,
}

impl Headline {
    /// The headline of `forecast` of `history` at `level` (the widest level forecast when it
    /// was not asked for), with the backtest's mean absolute error per period if one was run.
    pub fn new(history: &Series, forecast: &SeriesForecast, level: f64, backtest_mae: Option<f64>) -> Option<Headline> {
        let f = &forecast.forecast;
        let (&first, &last) = (forecast.dates.first()?, forecast.dates.last()?);
        let periods = f.point.len();
        let total = f.total();
        let range = total_range(f, level);
        let n = history.values.len();
        let before = (n >= periods && periods > 0).then(|| history.values[n - periods..].iter().sum());
        let year = history.freq.periods_per_year().max(periods);
        let recent = &history.values[n.saturating_sub(year)..];
        let level_now = recent.iter().map(|v| v.abs()).sum::<f64>() / recent.len().max(1) as f64;
        let typical_error = backtest_mae
            .filter(|m| m.is_finite() && *m >= 0.0 && level_now > 0.0)
            .map(|m| m / level_now);
        Some(Headline {
            subject: history.label(),
            freq: history.freq,
            first,
            last,
            periods,
            total,
            range,
            before,
            typical_error,
        })
    }

    /// The change against the span before, as a fraction (0.042 = 4.2 % more).
    pub fn change(&self) -> Option<f64> {
        self.before.filter(|b| *b > 0.0).map(|b| self.total / b - 1.0)
    }

    /// "Next 28 days (7 Jan – 3 Feb 2024)".
    pub fn span(&self) -> String {
        format!(
            "Next {} ({})",
            count(self.periods, self.freq.unit()),
            date_span(self.freq, self.first, self.last)
        )
    }

    /// The headline's sentences, one per line.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let range = self.range.map_or_else(String::new, |(level, lo, hi)| {
            format!(", {}", range_words(level, lo, hi))
        });
        lines.push(format!("{}: {} expected{range}.", self.span(), people(self.total)));
        let span_before = count(self.periods, self.freq.unit());
        match (self.before, self.change()) {
            (Some(before), Some(change)) => {
                let how = if change.abs() < 0.0005 {
                    "about the same as".to_string()
                } else if change >= 9.0 {
                    // "2400 % more" reads worse than a multiple.
                    format!("{} times", people(change + 1.0))
                } else {
                    format!(
                        "{} % {} than",
                        percent(change.abs()),
                        if change > 0.0 { "more" } else { "less" }
                    )
                };
                lines.push(format!("That is {how} the {span_before} before ({}).", people(before)));
            }
            (Some(0.0), None) => {
                lines.push(format!("There were no sales in the {span_before} before."));
            }
            _ => {}
        }
        if let Some(e) = self.typical_error {
            lines.push(format!(
                "In its backtest this model was typically within ±{} % per {}.",
                percent(e),
                self.freq.unit()
            ));
        }
        lines
    }
}

/// What a what-if plan changes: the expected total with the plan, its range, and the uplift
/// over the forecast without it (the baseline).
#[derive(Debug, Clone, PartialEq)]
pub struct Uplift {
    pub planned: f64,
    pub baseline: f64,
    /// The level and the range of the planned total at it.
    pub range: Option<(f64, f64, f64)>,
}

impl Uplift {
    /// The uplift of `planned` over `baseline` (forecasts of the same periods) at `level`.
    pub fn new(planned: &crate::models::Forecast, baseline: &crate::models::Forecast, level: f64) -> Uplift {
        Uplift {
            planned: planned.total(),
            baseline: baseline.total(),
            range: total_range(planned, level),
        }
    }

    /// Units more (negative: fewer) with the plan.
    pub fn units(&self) -> f64 {
        self.planned - self.baseline
    }

    /// "With the plan: 820 expected (95 % range 700 to 940), 143 more than without it (+21 %)."
    pub fn line(&self) -> String {
        let range = self.range.map_or_else(String::new, |(level, lo, hi)| {
            format!(" ({})", range_words(level, lo, hi))
        });
        let units = self.units();
        let share = if self.baseline > 0.0 {
            let p = units / self.baseline;
            format!(" ({}{} %)", if p >= 0.0 { "+" } else { "−" }, percent(p.abs()))
        } else {
            String::new()
        };
        let how = if units.abs() < 0.5 {
            "about the same as without it".to_string()
        } else {
            format!(
                "{} {} than without it{share}",
                people(units.abs()),
                if units > 0.0 { "more" } else { "fewer" }
            )
        };
        format!("With the plan: {} expected{range}, {how}.", people(self.planned))
    }
}

/// The level and the range of `f`'s total at `level`, or at the widest level forecast when
/// `level` was not.
fn total_range(f: &crate::models::Forecast, level: f64) -> Option<(f64, f64, f64)> {
    let r = f.total_range(level).or_else(|| f.total_range(f.widest_level()))?;
    Some((r.level, r.lower, r.upper))
}

/// "95 % range 4,800 to 5,800".
fn range_words(level: f64, lo: f64, hi: f64) -> String {
    format!("{} % range {} to {}", level_label(level), people(lo), people(hi))
}

/// "1 day", "28 days".
fn count(n: usize, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// A share as a percentage for people: 0.0912 -> "9.1", 0.25 -> "25".
fn percent(share: f64) -> String {
    let p = share * 100.0;
    // Rounded first, so that 9.96 % reads "10", not "10.0".
    if (p * 10.0).round() >= 100.0 {
        people(p.round())
    } else {
        format!("{p:.1}")
    }
}

/// A number for people: thousands separated, whole above 100 ("12,345"), one decimal below
/// ("42.5"), "−" for negatives.
pub fn people(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let a = v.abs();
    // No "−0" for a value that rounds to zero.
    let sign = if v < 0.0 && a >= 0.05 { "−" } else { "" };
    if a < 100.0 {
        let s = format!("{a:.1}");
        return format!("{sign}{}", s.strip_suffix(".0").unwrap_or(&s));
    }
    let digits = format!("{:.0}", a);
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month(d: NaiveDate) -> &'static str {
    MONTHS[d.month0() as usize]
}

/// A date span in a form fit for the frequency: "7 Jan – 3 Feb 2024" (days and weeks, the
/// week's first day), "Jan – Jun 2024" (months), "Q1 – Q4 2024" (quarters); the first year is
/// written only when it differs from the last.
pub fn date_span(freq: Frequency, first: NaiveDate, last: NaiveDate) -> String {
    let one = |d: NaiveDate, year: bool| {
        let y = if year { format!(" {}", d.year()) } else { String::new() };
        match freq {
            Frequency::Daily | Frequency::Weekly => format!("{} {}{y}", d.day(), month(d)),
            Frequency::Monthly => format!("{}{y}", month(d)),
            Frequency::Quarterly => format!("Q{}{y}", d.month0() / 3 + 1),
        }
    };
    let prefix = if freq == Frequency::Weekly { "weeks of " } else { "" };
    if first == last {
        return format!("{prefix}{}", one(first, true));
    }
    format!(
        "{prefix}{} – {}",
        one(first, first.year() != last.year()),
        one(last, true)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uplift_of_a_plan_in_plain_words() {
        let f = |p: Vec<f64>, lo: Vec<f64>, hi: Vec<f64>| crate::models::Forecast {
            point: p,
            intervals: vec![crate::models::Interval {
                level: 95.0,
                lower: lo,
                upper: hi,
            }],
        };
        let base = f(vec![100.0, 100.0], vec![80.0, 80.0], vec![120.0, 120.0]);
        let planned = f(vec![150.0, 110.0], vec![120.0, 90.0], vec![180.0, 130.0]);
        let u = Uplift::new(&planned, &base, 95.0);
        assert_eq!(u.units(), 60.0);
        assert_eq!(
            u.line(),
            "With the plan: 260 expected (95 % range 224 to 296), 60 more than without it (+30 %)."
        );
        let less = Uplift::new(&base, &planned, 95.0);
        assert!(
            less.line().ends_with("60 fewer than without it (−23 %)."),
            "{}",
            less.line()
        );
    }
    use crate::models::{Forecast, Interval};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn forecast_of(history: &Series, point: Vec<f64>, lower: Vec<f64>, upper: Vec<f64>) -> SeriesForecast {
        SeriesForecast {
            key: history.key.clone(),
            model: "ets".into(),
            dates: history.future_dates(point.len()),
            forecast: Forecast {
                point,
                intervals: vec![Interval {
                    level: 95.0,
                    lower,
                    upper,
                }],
            },
        }
    }

    #[test]
    fn numbers_are_written_for_people() {
        assert_eq!(people(0.0), "0");
        assert_eq!(people(42.46), "42.5");
        assert_eq!(people(99.96), "100");
        assert_eq!(people(999.4), "999");
        assert_eq!(people(1234.6), "1,235");
        assert_eq!(people(1_234_567.0), "1,234,567");
        assert_eq!(people(-12_345.0), "−12,345");
        assert_eq!(people(f64::NAN), "—");
        assert_eq!(people(-0.04), "0");
        assert_eq!(percent(0.0912), "9.1");
        assert_eq!(percent(0.0996), "10");
        assert_eq!(percent(0.25), "25");
        assert_eq!(percent(12.5), "1,250");
    }

    #[test]
    fn date_spans_follow_the_frequency() {
        let (a, b) = (day(2024, 1, 7), day(2024, 2, 3));
        assert_eq!(date_span(Frequency::Daily, a, b), "7 Jan – 3 Feb 2024");
        assert_eq!(
            date_span(Frequency::Daily, day(2023, 12, 20), a),
            "20 Dec 2023 – 7 Jan 2024"
        );
        assert_eq!(date_span(Frequency::Weekly, a, b), "weeks of 7 Jan – 3 Feb 2024");
        assert_eq!(
            date_span(Frequency::Monthly, day(2024, 1, 1), day(2024, 6, 1)),
            "Jan – Jun 2024"
        );
        assert_eq!(
            date_span(Frequency::Quarterly, day(2024, 1, 1), day(2024, 10, 1)),
            "Q1 – Q4 2024"
        );
        assert_eq!(date_span(Frequency::Monthly, a, a), "Jan 2024");
    }

    /// Totals, range, change and accuracy computed by hand on a small daily series.
    #[test]
    fn the_headline_adds_up_the_horizon_and_compares_it_with_the_span_before() {
        let history = Series {
            key: vec!["S01".into(), "P001".into()],
            ..Series::starting(Frequency::Daily, day(2024, 1, 1), vec![100.0; 10])
        };
        let f = forecast_of(
            &history,
            vec![110.0, 120.0, 130.0],
            vec![90.0, 95.0, 100.0],
            vec![130.0, 145.0, 160.0],
        );
        let h = Headline::new(&history, &f, 95.0, Some(9.0)).unwrap();
        assert_eq!(h.total, 360.0);
        // The bands widen by 20, 25, 30: ψ = 20, 15, √275 (in units of the error), so the
        // total's spread is √((20 + 15 + √275)² + 35² + 20²) = 65.47, inside the bounds' sum 75.
        let (level, lo, hi) = h.range.unwrap();
        let spread = ((35.0 + 275f64.sqrt()).powi(2) + 35f64.powi(2) + 400.0).sqrt();
        assert_eq!(level, 95.0);
        assert!(
            (hi - 360.0 - spread).abs() < 1e-9 && (360.0 - lo - spread).abs() < 1e-9,
            "{lo} {hi}"
        );
        assert_eq!(h.before, Some(300.0));
        assert!((h.change().unwrap() - 0.2).abs() < 1e-12);
        assert!((h.typical_error.unwrap() - 0.09).abs() < 1e-12);
        assert_eq!(
            h.lines(),
            vec![
                "Next 3 days (11 Jan – 13 Jan 2024): 360 expected, 95 % range 295 to 425.",
                "That is 20 % more than the 3 days before (300).",
                "In its backtest this model was typically within ±9.0 % per day.",
            ]
        );
        assert_eq!(h.subject, "S01 / P001");
    }

    #[test]
    fn a_short_history_or_no_backtest_leaves_those_sentences_out() {
        let history = Series::starting(Frequency::Monthly, day(2024, 1, 1), vec![5.0, 7.0]);
        let f = forecast_of(&history, vec![6.0, 6.0, 6.0], vec![1.0; 3], vec![11.0; 3]);
        let h = Headline::new(&history, &f, 80.0, None).unwrap();
        assert_eq!(h.before, None);
        assert_eq!(h.typical_error, None);
        // 80 % was not forecast: the widest level is the range.
        assert_eq!(
            h.lines(),
            vec!["Next 3 months (Mar – May 2024): 18 expected, 95 % range 9.3 to 26.7."]
        );
    }

    #[test]
    fn a_jump_from_little_or_nothing_is_said_plainly() {
        let history = Series::starting(Frequency::Daily, day(2024, 1, 1), vec![0.0, 0.0, 1.0, 0.0]);
        let f = forecast_of(&history, vec![10.0, 10.0], vec![0.0; 2], vec![20.0; 2]);
        let lines = Headline::new(&history, &f, 95.0, None).unwrap().lines();
        assert_eq!(lines[1], "That is 20 times the 2 days before (1).");
        let history = Series::starting(Frequency::Daily, day(2024, 1, 1), vec![3.0, 0.0, 0.0]);
        let lines = Headline::new(&history, &f, 95.0, None).unwrap().lines();
        assert_eq!(lines[1], "There were no sales in the 2 days before.");
    }

    #[test]
    fn a_fall_is_said_as_less() {
        let history = Series::starting(Frequency::Weekly, day(2024, 1, 1), vec![2000.0; 8]);
        let f = forecast_of(&history, vec![1500.0; 4], vec![1000.0; 4], vec![2000.0; 4]);
        let lines = Headline::new(&history, &f, 95.0, None).unwrap().lines();
        assert_eq!(lines[1], "That is 25 % less than the 4 weeks before (8,000).");
        assert!(lines[0].starts_with("Next 4 weeks (weeks of 26 Feb – 18 Mar 2024): 6,000 expected"));
    }
}
