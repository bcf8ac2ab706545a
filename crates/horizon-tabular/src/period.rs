//! The periods transactions are summed over: days, weeks from Monday, calendar months, each
//! numbered so that consecutive periods have consecutive indices.

use chrono::{Datelike, NaiveDate};
use horizon_core::data::Frequency;

/// The length of the periods rows are summed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    #[default]
    Day,
    /// Weeks from Monday to Sunday, dated by their Monday.
    Week,
    /// Calendar months, dated by their first day.
    Month,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Day, Period::Week, Period::Month];

    pub fn frequency(self) -> Frequency {
        match self {
            Period::Day => Frequency::Daily,
            Period::Week => Frequency::Weekly,
            Period::Month => Frequency::Monthly,
        }
    }

    pub fn adjective(self) -> &'static str {
        match self {
            Period::Day => "daily",
            Period::Week => "weekly",
            Period::Month => "monthly",
        }
    }

    pub(crate) fn noun(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week (Monday to Sunday)",
            Period::Month => "month",
        }
    }

    /// The period a day falls in, as a number that grows by one per period.
    pub(crate) fn index(self, day: NaiveDate) -> i64 {
        match self {
            Period::Day => day.num_days_from_ce() as i64,
            // Day 1 of the common era was a Monday.
            Period::Week => (day.num_days_from_ce() as i64 - 1).div_euclid(7),
            Period::Month => day.year() as i64 * 12 + day.month0() as i64,
        }
    }

    /// The first day of the period `index`.
    pub(crate) fn start(self, index: i64) -> Option<NaiveDate> {
        match self {
            Period::Day => NaiveDate::from_num_days_from_ce_opt(i32::try_from(index).ok()?),
            Period::Week => NaiveDate::from_num_days_from_ce_opt(i32::try_from(index * 7 + 1).ok()?),
            Period::Month => NaiveDate::from_ymd_opt(
                i32::try_from(index.div_euclid(12)).ok()?,
                index.rem_euclid(12) as u32 + 1,
                1,
            ),
        }
    }
}
