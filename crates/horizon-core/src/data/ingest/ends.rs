//! A series' ends that would be read as sales they are not, left out instead of filled:
//!
//! - a month at an end of the extract that daily rows cover only in part, when the days are
//!   summed into months (a daily file read with `--freq monthly`): an extract ending on the
//!   19th would sum to 19 days of sales, a collapse to every model that reads it. As in
//!   `horizon aggregate`, the extract's first and last day decide (a product launched
//!   mid-month keeps its first month: those are its sales), and days without a row inside the
//!   extract (a shop shut on Sundays) count as covered;
//! - blank sales cells at an end of a series whose other cells are never blank: an incomplete
//!   last row, which filled would make the last value a zero and the forecast start from it
//!   (where blanks also stand inside the series, the export writes no sale as a blank, and the
//!   gap policy fills them all).

use chrono::{Datelike, Months, NaiveDate};

/// The days a daily extract spans: its first and last day over every series, and the longest
/// run of days without a row of any series inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Extract {
    first: NaiveDate,
    last: NaiveDate,
    closed: i64,
}

impl Extract {
    /// The extract of the series' sorted `dates`, when its rows are days (some two a day
    /// apart); `None` for weekly or coarser rows.
    pub(super) fn of<'a>(dates: impl Iterator<Item = &'a [NaiveDate]>) -> Option<Extract> {
        let mut days: Vec<NaiveDate> = dates.flatten().copied().collect();
        days.sort_unstable();
        days.dedup();
        let gaps: Vec<i64> = days.windows(2).map(|w| (w[1] - w[0]).num_days()).collect();
        if gaps.iter().min() != Some(&1) {
            return None;
        }
        Some(Extract {
            first: *days.first()?,
            last: *days.last()?,
            closed: gaps.iter().max().map_or(0, |g| g - 1),
        })
    }
}

/// A month at an end of the extract that its rows cover only in part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Part {
    /// The month's first day.
    pub start: NaiveDate,
    /// Its days from the extract's first to its last day.
    pub covered: i64,
    pub days: i64,
}

/// The first and the last month of a series of `months` monthly periods from `anchor`, when the
/// daily `extract` covers them only in part: by more than its longest closed run, and by more
/// than one day (a shop shut on New Year's Day still had January).
pub(super) fn partial_months(extract: &Extract, anchor: NaiveDate, months: usize) -> [Option<Part>; 2] {
    if months < 3 {
        return [None, None];
    }
    let start_of = |k: usize| -> Option<NaiveDate> {
        anchor
            .with_day(1)?
            .checked_add_months(Months::new(u32::try_from(k).ok()?))
    };
    let part = |k: usize| -> Option<Part> {
        let (start, next) = (start_of(k)?, start_of(k + 1)?);
        let days = (next - start).num_days();
        let covered = (next.pred_opt()?.min(extract.last) - start.max(extract.first)).num_days() + 1;
        (covered + extract.closed.max(1) < days).then_some(Part { start, covered, days })
    };
    [part(0), part(months - 1)]
}

/// How many periods at the start and at the end of a series hold a row whose sales cell is
/// blank (`seen` and NaN); none when every value is blank, or when blanks stand inside the
/// series too.
pub(super) fn blank_ends(values: &[f64], seen: &[bool]) -> (usize, usize) {
    let blank = |k: usize| seen[k] && values[k].is_nan();
    let head = (0..values.len()).take_while(|&k| blank(k)).count();
    if head == values.len() {
        return (0, 0);
    }
    let tail = (0..values.len()).rev().take_while(|&k| blank(k)).count();
    // Blanks inside too: the export's way to write no sale, filled like the rest.
    if (head..values.len() - tail).any(blank) {
        return (0, 0);
    }
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

    fn extract(dates: &[NaiveDate]) -> Extract {
        Extract::of(std::iter::once(dates)).expect("daily")
    }

    #[test]
    fn months_the_extract_covers_in_part_are_found_at_either_end() {
        // 20 Jan to 19 Jul: January has 12 of 31 days, July 19 of 31.
        let part = days(d(2023, 1, 20), d(2023, 7, 19));
        let [a, b] = partial_months(&extract(&part), d(2023, 1, 20), 7);
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
        assert_eq!(partial_months(&extract(&whole), d(2023, 1, 1), 6), [None, None]);
        // Shut on New Year's Day: January is whole but for one day.
        let shut = days(d(2023, 1, 2), d(2023, 6, 30));
        assert_eq!(partial_months(&extract(&shut), d(2023, 1, 2), 6), [None, None]);
        assert_eq!(
            partial_months(&extract(&part), d(2023, 1, 20), 2),
            [None, None],
            "too few"
        );
        // Shut on Sundays: a month ending on a Sunday is whole without its last day.
        let open: Vec<NaiveDate> = days(d(2023, 1, 2), d(2023, 4, 29))
            .into_iter()
            .filter(|x| x.weekday() != chrono::Weekday::Sun)
            .collect();
        assert_eq!(partial_months(&extract(&open), d(2023, 1, 2), 4), [None, None]);
        // Repeated dates (several rows a day) are one day; weekly rows are no daily extract.
        let twice: Vec<NaiveDate> = part.iter().flat_map(|x| [*x, *x]).collect();
        assert_eq!(extract(&twice), extract(&part));
        let weekly: Vec<NaiveDate> = part.iter().step_by(7).copied().collect();
        assert_eq!(Extract::of(std::iter::once(weekly.as_slice())), None);
    }

    #[test]
    fn the_extract_not_the_series_decides() {
        // A sells every day of January to June; B only on some days, from 6 Jan to 27 Jun,
        // and C from its launch on 15 March: no month of theirs is partial.
        let a = days(d(2023, 1, 1), d(2023, 6, 30));
        let b: Vec<NaiveDate> = days(d(2023, 1, 6), d(2023, 6, 27)).into_iter().step_by(3).collect();
        let c = days(d(2023, 3, 15), d(2023, 6, 30));
        let all = Extract::of([a.as_slice(), b.as_slice(), c.as_slice()].into_iter()).expect("daily");
        assert_eq!(partial_months(&all, d(2023, 1, 6), 6), [None, None]);
        assert_eq!(partial_months(&all, d(2023, 3, 15), 4), [None, None]);
        // The same C alone, in an extract that starts with it: its March is partial.
        let [first, last] = partial_months(&extract(&c), d(2023, 3, 15), 4);
        assert_eq!(first.map(|p| p.covered), Some(17));
        assert_eq!(last, None);
    }

    #[test]
    fn blank_cells_at_the_ends_are_counted_but_not_gaps_or_an_all_blank_series() {
        let nan = f64::NAN;
        assert_eq!(
            blank_ends(&[nan, 1.0, 3.0, 2.0, nan, nan], &[true, true, true, true, true, true]),
            (1, 2)
        );
        // A period never seen is a gap, not a blank cell.
        assert_eq!(blank_ends(&[nan, 1.0, 2.0, nan], &[false, true, true, true]), (0, 1));
        // Blanks inside as well: the export writes no sale as a blank; none is left out.
        assert_eq!(blank_ends(&[1.0, nan, 2.0, nan], &[true, true, true, true]), (0, 0));
        assert_eq!(blank_ends(&[nan, nan], &[true, true]), (0, 0));
        assert_eq!(blank_ends(&[1.0, 2.0], &[true, true]), (0, 0));
    }
}
