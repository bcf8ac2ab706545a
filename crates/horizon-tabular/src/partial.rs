//! Weeks and months at the ends of the data that the data covers only in part: an extract from
//! the 20th to the 3rd has a first month of 12 days and a last one of 3, whose totals look like
//! a collapse in sales to every model that reads them. Sums and counts leave them out unless
//! asked to keep them; means (a price, a basket size) are not biased by a short period.

use crate::period::Period;
use chrono::NaiveDate;
use std::fmt;

/// A period at an end of the data that the data covers only in part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialPeriod {
    pub period: Period,
    /// Its first day, the date its row carries.
    pub start: NaiveDate,
    /// Its days from the data's first to its last day.
    pub covered: i64,
    /// Its days.
    pub days: i64,
}

impl fmt::Display for PartialPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.period {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        };
        write!(
            f,
            "the {unit} of {} ({} of {} days)",
            self.start, self.covered, self.days
        )
    }
}

/// The periods (index, description) at the ends of `first..=last` that it covers only in part,
/// by more than `closed` days (the longest run of days without a row inside the data: a shop
/// shut on Sundays has a last week of six days every week, not a partial one); none for days.
pub(crate) fn partial_ends(
    period: Period,
    first: NaiveDate,
    last: NaiveDate,
    closed: i64,
) -> Vec<(i64, PartialPeriod)> {
    if period == Period::Day || last < first {
        return Vec::new();
    }
    let (a, b) = (period.index(first), period.index(last));
    let ends = if a == b { vec![a] } else { vec![a, b] };
    ends.into_iter()
        .filter_map(|index| {
            let start = period.start(index)?;
            let next = period.start(index + 1)?;
            let end = next.pred_opt()?;
            let covered = (end.min(last) - start.max(first)).num_days() + 1;
            let days = (next - start).num_days();
            (covered + closed < days).then_some((
                index,
                PartialPeriod {
                    period,
                    start,
                    covered,
                    days,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn only_the_ends_the_data_covers_in_part() {
        // 2022-12-25 was a Sunday, 2023-03-01 a Wednesday.
        let weeks = partial_ends(Period::Week, d(2022, 12, 25), d(2023, 3, 1), 0);
        let described: Vec<String> = weeks.iter().map(|(_, p)| p.to_string()).collect();
        assert_eq!(
            described,
            [
                "the week of 2022-12-19 (1 of 7 days)",
                "the week of 2023-02-27 (3 of 7 days)"
            ]
        );
        let months = partial_ends(Period::Month, d(2022, 12, 25), d(2023, 3, 1), 0);
        let described: Vec<String> = months.iter().map(|(_, p)| p.to_string()).collect();
        assert_eq!(
            described,
            [
                "the month of 2022-12-01 (7 of 31 days)",
                "the month of 2023-03-01 (1 of 31 days)"
            ]
        );
        // Whole periods at both ends, and days, are never partial.
        assert!(partial_ends(Period::Month, d(2024, 1, 1), d(2024, 2, 29), 0).is_empty());
        assert!(partial_ends(Period::Week, d(2024, 1, 1), d(2024, 1, 14), 0).is_empty());
        assert!(partial_ends(Period::Day, d(2024, 1, 3), d(2024, 1, 5), 0).is_empty());
        // A shop shut on Sundays (a day without rows inside the data): a Monday-to-Saturday
        // week is whole; a week of three days is not.
        assert!(partial_ends(Period::Week, d(2024, 1, 1), d(2024, 1, 13), 1).is_empty());
        assert_eq!(partial_ends(Period::Week, d(2024, 1, 1), d(2024, 1, 10), 1).len(), 1);
        // Data inside one month: that month, once.
        let one = partial_ends(Period::Month, d(2024, 2, 3), d(2024, 2, 10), 0);
        assert_eq!(one.len(), 1);
        assert_eq!((one[0].1.covered, one[0].1.days), (8, 29));
    }
}
