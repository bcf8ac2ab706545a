//! A series' ends that would be read as sales they are not, left out instead of filled:
//!
//! - a month (or quarter) at an end that daily rows cover only in part, when the days are summed
//!   into months (a daily file read with `--freq monthly`): an extract ending on the 19th
//!   would sum to 19 days of sales, a collapse to every model that reads it (`horizon
//!   aggregate` leaves such periods out for the same reason);
//! - blank sales cells at an end: filled by the gap policy they would make the last value a
//!   zero (or a copy), and the forecast starts from it.

use crate::data::calendar::Frequency;
use chrono::{Datelike, Months, NaiveDate};

/// A period at an end of a series that its rows cover only in part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Part {
    /// The period's first day.
    pub start: NaiveDate,
    /// Its days from the data's first to its last day.
    pub covered: i64,
    pub days: i64,
}

/// The first and the last period of a series on `freq`'s grid from `anchor`, with `periods`
/// periods, when its daily `dates` (sorted; repeated dates allowed) cover them only in part.
/// Only days summed into months or quarters are judged; a period's missing days count as
/// uncovered only beyond the longest run of days without a row inside the data (a shop shut on
/// Sundays has a last month ending on a Saturday every time).
pub(super) fn partial_periods(
    dates: &[NaiveDate],
    freq: Frequency,
    anchor: NaiveDate,
    periods: usize,
) -> [Option<Part>; 2] {
    if !matches!(freq, Frequency::Monthly | Frequency::Quarterly) || periods < 3 {
        return [None, None];
    }
    let mut days = dates.to_vec();
    days.dedup();
    let gaps: Vec<i64> = days.windows(2).map(|w| (w[1] - w[0]).num_days()).collect();
    // Rows a day apart somewhere: a daily file (weekly rows summed into months are not judged).
    if gaps.iter().min() != Some(&1) {
        return [None, None];
    }
    let closed = gaps.iter().max().map_or(0, |g| g - 1);
    let (Some(&first), Some(&last)) = (days.first(), days.last()) else {
        return [None, None];
    };
    let months = if freq == Frequency::Quarterly { 3 } else { 1 };
    let start_of = |k: usize| -> Option<NaiveDate> {
        let month = u32::try_from(k * months).ok()?;
        anchor.with_day(1)?.checked_add_months(Months::new(month))
    };
    let part = |k: usize| -> Option<Part> {
        let (start, next) = (start_of(k)?, start_of(k + 1)?);
        let days = (next - start).num_days();
        let covered = (next.pred_opt()?.min(last) - start.max(first)).num_days() + 1;
        (covered + closed < days).then_some(Part { start, covered, days })
    };
    [part(0), part(periods - 1)]
}

/// How many periods at the start and at the end of a series hold a row whose sales cell is
/// blank (`seen` and NaN), none when every value is blank.
pub(super) fn blank_ends(values: &[f64], seen: &[bool]) -> (usize, usize) {
    let blank = |k: usize| seen[k] && values[k].is_nan();
    let head = (0..values.len()).take_while(|&k| blank(k)).count();
    if head == values.len() {
        return (0, 0);
    }
    let tail = (0..values.len()).rev().take_while(|&k| blank(k)).count();
    (head, tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn days(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        from.iter_days().take_while(|x| *x <= to).collect()
    }

    #[test]
    fn months_that_daily_rows_cover_in_part_are_found_at_either_end() {
        let m = Frequency::Monthly;
        // 20 Jan to 19 Jul: January has 12 of 31 days, July 19 of 31.
        let part = days(d(2023, 1, 20), d(2023, 7, 19));
        let [a, b] = partial_periods(&part, m, d(2023, 1, 20), 7);
        assert_eq!(
            a,
            Some(Part {
                start: d(2023, 1, 1),
                covered: 12,
                days: 31
            })
        );
        assert_eq!(
            b,
            Some(Part {
                start: d(2023, 7, 1),
                covered: 19,
                days: 31
            })
        );
        let whole = days(d(2023, 1, 1), d(2023, 6, 30));
        assert_eq!(partial_periods(&whole, m, d(2023, 1, 1), 6), [None, None]);
        // Quarters from the anchor's month: February to July is two whole quarters.
        let q = days(d(2023, 2, 1), d(2023, 7, 31));
        assert_eq!(
            partial_periods(&q, Frequency::Quarterly, d(2023, 2, 1), 2),
            [None, None]
        );
        assert_eq!(
            partial_periods(&q[..q.len() - 5], Frequency::Quarterly, d(2023, 2, 1), 2),
            [None, None],
            "too few periods to leave one out"
        );
        // Shut on Sundays: a month ending on a Sunday is whole without its last day.
        let open: Vec<NaiveDate> = days(d(2023, 1, 2), d(2023, 4, 29))
            .into_iter()
            .filter(|x| x.weekday() != chrono::Weekday::Sun)
            .collect();
        assert_eq!(partial_periods(&open, m, d(2023, 1, 2), 4), [None, None]);
        // Repeated dates (several rows a day) and weekly rows.
        let twice: Vec<NaiveDate> = part.iter().flat_map(|x| [*x, *x]).collect();
        assert_eq!(partial_periods(&twice, m, d(2023, 1, 20), 7), [a, b]);
        let weekly: Vec<NaiveDate> = part.iter().step_by(7).copied().collect();
        assert_eq!(partial_periods(&weekly, m, d(2023, 1, 20), 7), [None, None]);
        assert_eq!(
            partial_periods(&part, Frequency::Daily, d(2023, 1, 20), 181),
            [None, None]
        );
    }

    #[test]
    fn blank_cells_at_the_ends_are_counted_but_not_gaps_or_an_all_blank_series() {
        let nan = f64::NAN;
        assert_eq!(
            blank_ends(&[nan, 1.0, nan, 2.0, nan, nan], &[true, true, true, true, true, true]),
            (1, 2)
        );
        // A period never seen is a gap, not a blank cell.
        assert_eq!(blank_ends(&[nan, 1.0, nan], &[false, true, true]), (0, 1));
        assert_eq!(blank_ends(&[nan, nan], &[true, true]), (0, 0));
        assert_eq!(blank_ends(&[1.0, 2.0], &[true, true]), (0, 0));
    }
}
