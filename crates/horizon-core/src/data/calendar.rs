//! Calendar: sampling frequencies, stepping dates along them, and inferring the frequency of a
//! set of dates.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Sampling frequency of a regular series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Frequency {
    Daily,
    Weekly,
    Monthly,
    Quarterly,
}

impl Frequency {
    pub const ALL: [Frequency; 4] = [
        Frequency::Daily,
        Frequency::Weekly,
        Frequency::Monthly,
        Frequency::Quarterly,
    ];

    /// Periods in a year (365 days, 52 weeks).
    pub fn periods_per_year(self) -> usize {
        match self {
            Frequency::Daily => 365,
            Frequency::Weekly => 52,
            Frequency::Monthly => 12,
            Frequency::Quarterly => 4,
        }
    }

    /// The usual season of a sales series at this frequency: a week of days, a year of weeks,
    /// months or quarters.
    pub fn default_season(self) -> usize {
        match self {
            Frequency::Daily => 7,
            Frequency::Weekly => 52,
            Frequency::Monthly => 12,
            Frequency::Quarterly => 4,
        }
    }

    /// The period's name for people: "day", "week", "month", "quarter".
    pub fn unit(self) -> &'static str {
        match self {
            Frequency::Daily => "day",
            Frequency::Weekly => "week",
            Frequency::Monthly => "month",
            Frequency::Quarterly => "quarter",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
        }
    }

    /// The date `k` periods after `date`. Monthly and quarterly steps keep the day of the month
    /// (clamped to the month's length) and keep month ends at month ends.
    pub fn advance(self, date: NaiveDate, k: i64) -> NaiveDate {
        // Beyond chrono's calendar the result saturates at its ends: never a panic.
        let limit = if k >= 0 { NaiveDate::MAX } else { NaiveDate::MIN };
        let days = match self {
            Frequency::Daily => Some(k),
            Frequency::Weekly => Some(k.saturating_mul(7)),
            Frequency::Monthly | Frequency::Quarterly => None,
        };
        if let Some(days) = days {
            return chrono::TimeDelta::try_days(days)
                .and_then(|d| date.checked_add_signed(d))
                .unwrap_or(limit);
        }
        let months = if self == Frequency::Quarterly {
            k.saturating_mul(3)
        } else {
            k
        };
        let shifted = u32::try_from(months.unsigned_abs()).ok().and_then(|m| {
            if months >= 0 {
                date.checked_add_months(Months::new(m))
            } else {
                date.checked_sub_months(Months::new(m))
            }
        });
        let Some(shifted) = shifted else { return limit };
        if is_month_end(date) {
            month_end(shifted)
        } else {
            shifted
        }
    }

    /// Position of `date` on this frequency's grid: consecutive periods have consecutive
    /// indices. Weekly grids are anchored on `anchor` (its weekday defines the week).
    pub fn period_index(self, date: NaiveDate, anchor: NaiveDate) -> PeriodIndex {
        let days = (date - anchor).num_days();
        match self {
            Frequency::Daily => PeriodIndex {
                index: days,
                on_grid: true,
            },
            Frequency::Weekly => PeriodIndex {
                index: days.div_euclid(7),
                on_grid: days.rem_euclid(7) == 0,
            },
            Frequency::Monthly => PeriodIndex {
                index: month_number(date) - month_number(anchor),
                on_grid: true,
            },
            Frequency::Quarterly => {
                let diff = month_number(date) - month_number(anchor);
                PeriodIndex {
                    index: diff.div_euclid(3),
                    on_grid: diff.rem_euclid(3) == 0,
                }
            }
        }
    }
}

/// See [`Frequency::period_index`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodIndex {
    pub index: i64,
    /// False when the date falls between two grid points (a Tuesday in a Monday-weekly file).
    pub on_grid: bool,
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Frequency {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "d" | "day" | "daily" => Ok(Frequency::Daily),
            "w" | "week" | "weekly" => Ok(Frequency::Weekly),
            "m" | "month" | "monthly" => Ok(Frequency::Monthly),
            "q" | "quarter" | "quarterly" => Ok(Frequency::Quarterly),
            _ => Err(format!(
                "unknown frequency '{s}': use daily, weekly, monthly or quarterly"
            )),
        }
    }
}

fn month_number(d: NaiveDate) -> i64 {
    d.year() as i64 * 12 + d.month0() as i64
}

fn is_month_end(d: NaiveDate) -> bool {
    d.succ_opt().is_none_or(|n| n.month() != d.month())
}

fn month_end(d: NaiveDate) -> NaiveDate {
    let first_next = if d.month() == 12 {
        NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
    };
    first_next.and_then(|f| f.pred_opt()).unwrap_or(d)
}

/// The frequency one step of `days` between two dates is typical of: 1 day, 7, 28–31 or
/// 89–92; `None` for any other step.
pub fn step_frequency(days: i64) -> Option<Frequency> {
    match days {
        1 => Some(Frequency::Daily),
        7 => Some(Frequency::Weekly),
        28..=31 => Some(Frequency::Monthly),
        89..=92 => Some(Frequency::Quarterly),
        _ => None,
    }
}

/// Infer the frequency from the steps between consecutive distinct dates of each series.
///
/// Every series contributes its day gaps; the most common gap decides: 1 day → daily, 7 →
/// weekly, 28–31 → monthly, 89–92 → quarterly. `None` when no series has two dates or the most
/// common gap is none of these.
pub fn infer_frequency<'a>(series_dates: impl Iterator<Item = &'a [NaiveDate]>) -> Option<Frequency> {
    let mut counts = [0usize; 4];
    for dates in series_dates {
        for w in dates.windows(2) {
            if let Some(f) = step_frequency((w[1] - w[0]).num_days()) {
                counts[f as usize] += 1;
            }
        }
    }
    let (best, &n) = counts
        .iter()
        .enumerate()
        .max_by_key(|&(i, c)| (*c, std::cmp::Reverse(i)))?;
    (n > 0).then_some(Frequency::ALL[best])
}

/// The coarsest frequency whose grid every series' dates lie on (repeated dates aside): weekly
/// when every step is a whole number of weeks, monthly when every date is the same day of its
/// month (or every one a month's end) a month or more apart, quarterly when those months are
/// also whole quarters apart; daily otherwise. Stricter than [`infer_frequency`]'s most common
/// step: a slow mover sold on scattered days is daily data with gaps, not weekly data. `None`
/// when no series has two dates.
pub fn grid_frequency<'a>(series_dates: impl Iterator<Item = &'a [NaiveDate]>) -> Option<Frequency> {
    let (mut any, mut weekly, mut monthly, mut quarterly) = (false, true, true, true);
    for dates in series_dates {
        let mut dates: Vec<NaiveDate> = dates.to_vec();
        dates.dedup();
        if dates.len() < 2 {
            continue;
        }
        any = true;
        let same_day = dates.iter().all(|d| d.day() == dates[0].day());
        let month_ends = dates.iter().all(|d| is_month_end(*d));
        for w in dates.windows(2) {
            let days = (w[1] - w[0]).num_days();
            let months = month_number(w[1]) - month_number(w[0]);
            weekly &= days % 7 == 0;
            monthly &= (same_day || month_ends) && months >= 1;
            quarterly &= (same_day || month_ends) && months >= 3 && months % 3 == 0;
        }
    }
    let freq = if quarterly {
        Frequency::Quarterly
    } else if monthly {
        Frequency::Monthly
    } else if weekly {
        Frequency::Weekly
    } else {
        Frequency::Daily
    };
    any.then_some(freq)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn grid_frequency_needs_every_date_on_the_grid() {
        let dates = |start: NaiveDate, steps: &[i64]| -> Vec<NaiveDate> {
            let mut v = vec![start];
            for s in steps {
                v.push(*v.last().unwrap() + chrono::Duration::days(*s));
            }
            v
        };
        let grid = |v: &[NaiveDate]| grid_frequency(std::iter::once(v));
        assert_eq!(grid(&dates(d(2024, 1, 1), &[7, 7, 14, 7])), Some(Frequency::Weekly));
        // A slow mover on scattered days: gaps of 3, 7, 2 are daily data, whatever is most common.
        assert_eq!(grid(&dates(d(2024, 1, 1), &[3, 7, 2, 7])), Some(Frequency::Daily));
        let months = [d(2024, 1, 31), d(2024, 2, 29), d(2024, 3, 31), d(2024, 5, 31)];
        assert_eq!(grid(&months), Some(Frequency::Monthly));
        let quarters = [d(2024, 1, 1), d(2024, 4, 1), d(2024, 10, 1)];
        assert_eq!(grid(&quarters), Some(Frequency::Quarterly));
        // Repeated dates are one date; a single date says nothing.
        assert_eq!(
            grid(&[d(2024, 1, 1), d(2024, 1, 1), d(2024, 1, 8)]),
            Some(Frequency::Weekly)
        );
        assert_eq!(grid(&[d(2024, 1, 1)]), None);
        // Every series must lie on the grid.
        let a = dates(d(2024, 1, 1), &[7, 7]);
        let b = dates(d(2024, 1, 2), &[1, 1]);
        assert_eq!(
            grid_frequency([a.as_slice(), b.as_slice()].into_iter()),
            Some(Frequency::Daily)
        );
    }

    #[test]
    fn advance_keeps_month_ends() {
        assert_eq!(Frequency::Monthly.advance(d(2024, 1, 31), 1), d(2024, 2, 29));
        assert_eq!(Frequency::Monthly.advance(d(2024, 2, 29), 1), d(2024, 3, 31));
        assert_eq!(Frequency::Monthly.advance(d(2024, 1, 15), 13), d(2025, 2, 15));
        assert_eq!(Frequency::Quarterly.advance(d(2024, 1, 1), 2), d(2024, 7, 1));
        assert_eq!(Frequency::Weekly.advance(d(2024, 1, 1), 2), d(2024, 1, 15));
        assert_eq!(Frequency::Daily.advance(d(2024, 2, 28), 2), d(2024, 3, 1));
        assert_eq!(Frequency::Monthly.advance(d(2024, 3, 31), -1), d(2024, 2, 29));
        // Far beyond the calendar: saturates, never panics.
        assert_eq!(Frequency::Daily.advance(d(2024, 1, 1), i64::MAX), NaiveDate::MAX);
        assert_eq!(Frequency::Weekly.advance(d(2024, 1, 1), i64::MIN), NaiveDate::MIN);
        assert_eq!(
            Frequency::Quarterly.advance(d(2024, 1, 1), i64::MAX / 2),
            NaiveDate::MAX
        );
    }

    #[test]
    fn period_index_is_consecutive() {
        let a = d(2024, 1, 1);
        assert_eq!(Frequency::Weekly.period_index(d(2024, 1, 15), a).index, 2);
        assert!(!Frequency::Weekly.period_index(d(2024, 1, 16), a).on_grid);
        assert_eq!(
            Frequency::Monthly.period_index(d(2025, 2, 28), d(2024, 1, 31)).index,
            13
        );
        assert_eq!(Frequency::Quarterly.period_index(d(2024, 10, 1), a).index, 3);
    }

    #[test]
    fn infers_each_frequency() {
        let daily: Vec<_> = (0..10).map(|k| Frequency::Daily.advance(d(2024, 1, 1), k)).collect();
        let weekly: Vec<_> = (0..10).map(|k| Frequency::Weekly.advance(d(2024, 1, 1), k)).collect();
        let monthly: Vec<_> = (0..10).map(|k| Frequency::Monthly.advance(d(2024, 1, 31), k)).collect();
        let quarterly: Vec<_> = (0..10)
            .map(|k| Frequency::Quarterly.advance(d(2024, 1, 1), k))
            .collect();
        for (dates, want) in [
            (&daily, Frequency::Daily),
            (&weekly, Frequency::Weekly),
            (&monthly, Frequency::Monthly),
            (&quarterly, Frequency::Quarterly),
        ] {
            assert_eq!(infer_frequency(std::iter::once(dates.as_slice())), Some(want));
        }
        // A daily series with a few gaps is still daily.
        let mut gappy = daily.clone();
        gappy.remove(4);
        assert_eq!(
            infer_frequency(std::iter::once(gappy.as_slice())),
            Some(Frequency::Daily)
        );
        assert_eq!(infer_frequency(std::iter::once(&daily[..1])), None);
    }
}
