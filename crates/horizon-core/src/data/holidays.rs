//! Public holiday calendars, computed from their rules (no tables to go stale). The United
//! States' federal holidays (5 U.S.C. 6103) are the default: observed dates move a Saturday
//! holiday to Friday and a Sunday holiday to Monday, as the Office of Personnel Management does.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// A holiday calendar a user can pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum HolidayCalendar {
    #[default]
    UnitedStates,
}

/// One occurrence of a named holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayDate {
    pub name: &'static str,
    pub date: NaiveDate,
}

impl HolidayCalendar {
    /// Every holiday (as observed) falling in the years `first..=last`, by date.
    pub fn between_years(self, first: i32, last: i32) -> Vec<HolidayDate> {
        let mut out: Vec<HolidayDate> = (first..=last).flat_map(us_federal).collect();
        out.sort_by_key(|h| h.date);
        out
    }
}

fn us_federal(year: i32) -> Vec<HolidayDate> {
    let mut days = Vec::new();
    let mut fixed = |name, month, day| {
        if let Some(date) = NaiveDate::from_ymd_opt(year, month, day) {
            days.push(HolidayDate {
                name,
                date: observed(date),
            });
        }
    };
    fixed("New Year's Day", 1, 1);
    if year >= 2021 {
        fixed("Juneteenth", 6, 19);
    }
    fixed("Independence Day", 7, 4);
    fixed("Veterans Day", 11, 11);
    fixed("Christmas Day", 12, 25);
    let nth = [
        ("Martin Luther King Jr. Day", 1, Weekday::Mon, 3),
        ("Presidents' Day", 2, Weekday::Mon, 3),
        ("Labor Day", 9, Weekday::Mon, 1),
        ("Columbus Day", 10, Weekday::Mon, 2),
        ("Thanksgiving", 11, Weekday::Thu, 4),
    ];
    for (name, month, weekday, n) in nth {
        if let Some(date) = NaiveDate::from_weekday_of_month_opt(year, month, weekday, n) {
            days.push(HolidayDate { name, date });
        }
    }
    if let Some(date) = last_weekday_of_may(year) {
        days.push(HolidayDate {
            name: "Memorial Day",
            date,
        });
    }
    days
}

fn last_weekday_of_may(year: i32) -> Option<NaiveDate> {
    let last = NaiveDate::from_ymd_opt(year, 5, 31)?;
    let back = last.weekday().num_days_from_monday();
    Some(last - Duration::days(i64::from(back)))
}

/// A Saturday holiday is observed on Friday, a Sunday holiday on Monday.
fn observed(date: NaiveDate) -> NaiveDate {
    match date.weekday() {
        Weekday::Sat => date - Duration::days(1),
        Weekday::Sun => date + Duration::days(1),
        _ => date,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// The 2024 federal holidays as published by the U.S. Office of Personnel Management.
    #[test]
    fn us_2024_matches_the_published_list() {
        let got: Vec<(NaiveDate, &str)> = HolidayCalendar::UnitedStates
            .between_years(2024, 2024)
            .into_iter()
            .map(|h| (h.date, h.name))
            .collect();
        let want = vec![
            (d(2024, 1, 1), "New Year's Day"),
            (d(2024, 1, 15), "Martin Luther King Jr. Day"),
            (d(2024, 2, 19), "Presidents' Day"),
            (d(2024, 5, 27), "Memorial Day"),
            (d(2024, 6, 19), "Juneteenth"),
            (d(2024, 7, 4), "Independence Day"),
            (d(2024, 9, 2), "Labor Day"),
            (d(2024, 10, 14), "Columbus Day"),
            (d(2024, 11, 11), "Veterans Day"),
            (d(2024, 11, 28), "Thanksgiving"),
            (d(2024, 12, 25), "Christmas Day"),
        ];
        assert_eq!(got, want);
    }

    /// Weekend holidays move to the nearest weekday (OPM: 2021 and 2022 observed dates).
    #[test]
    fn weekend_holidays_are_observed_on_a_weekday() {
        let y2021 = HolidayCalendar::UnitedStates.between_years(2021, 2022);
        let find = |name: &str, year: i32| {
            y2021
                .iter()
                .find(|h| h.name == name && h.date.year() == year)
                .map(|h| h.date)
        };
        assert_eq!(find("Independence Day", 2021), Some(d(2021, 7, 5)));
        assert_eq!(find("Christmas Day", 2021), Some(d(2021, 12, 24)));
        assert_eq!(find("Juneteenth", 2022), Some(d(2022, 6, 20)));
        assert_eq!(find("Juneteenth", 2021), Some(d(2021, 6, 18)));
    }
}
