//! Date formats accepted in files, with a fast parser (no allocation, no format string).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A date layout found in sales files. Each also accepts a trailing time of day
/// (`2024-01-31 00:00:00`, `2024-01-31T00:00:00Z`), which is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DateFormat {
    /// `2024-01-31` (also `2024/01/31`)
    Iso,
    /// `31/01/2024` (also `31.01.2024`, `31-01-2024`)
    DayFirst,
    /// `01/31/2024`
    MonthFirst,
}

impl DateFormat {
    pub const ALL: [DateFormat; 3] = [DateFormat::Iso, DateFormat::DayFirst, DateFormat::MonthFirst];

    /// The layout as a user writes it on the command line.
    pub fn pattern(self) -> &'static str {
        match self {
            DateFormat::Iso => "YYYY-MM-DD",
            DateFormat::DayFirst => "DD/MM/YYYY",
            DateFormat::MonthFirst => "MM/DD/YYYY",
        }
    }

    /// Parse one cell; `None` when it is not a valid date in this layout.
    pub fn parse(self, s: &str) -> Option<NaiveDate> {
        let (a, b, c) = split_date(s.trim().as_bytes())?;
        let (y, m, d) = match self {
            DateFormat::Iso => (a, b, c),
            DateFormat::DayFirst => (c, b, a),
            DateFormat::MonthFirst => (c, a, b),
        };
        // Year must be written with four digits, the others with one or two.
        if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
            return None;
        }
        NaiveDate::from_ymd_opt(digits(y)? as i32, digits(m)?, digits(d)?)
    }
}

impl fmt::Display for DateFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.pattern())
    }
}

impl FromStr for DateFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().replace(['.', '-'], "/").as_str() {
            "YYYY/MM/DD" | "ISO" | "%Y/%M/%D" => Ok(DateFormat::Iso),
            "DD/MM/YYYY" | "DMY" | "%D/%M/%Y" => Ok(DateFormat::DayFirst),
            "MM/DD/YYYY" | "MDY" | "%M/%D/%Y" => Ok(DateFormat::MonthFirst),
            _ => Err(format!(
                "unknown date format '{s}': use YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY"
            )),
        }
    }
}

/// Split `aa?bb?cccc[ time]` into its three digit groups; the separators must be one of `-/.`
/// and both the same.
fn split_date(s: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    // Cut a time part: everything from the first space or 'T' after position 6.
    let end = s
        .iter()
        .enumerate()
        .position(|(i, &c)| i >= 6 && (c == b' ' || c == b'T'))
        .unwrap_or(s.len());
    let s = &s[..end];
    let sep_pos: Vec<usize> = s
        .iter()
        .enumerate()
        .filter(|&(_, c)| matches!(c, b'-' | b'/' | b'.'))
        .map(|(i, _)| i)
        .collect();
    if sep_pos.len() != 2 || s[sep_pos[0]] != s[sep_pos[1]] {
        return None;
    }
    Some((&s[..sep_pos[0]], &s[sep_pos[0] + 1..sep_pos[1]], &s[sep_pos[1] + 1..]))
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 4 {
        return None;
    }
    s.iter()
        .try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32))
}

/// Which layouts parse every one of `samples` (non-empty cells); ambiguous day/month files
/// (all parts <= 12) answer both `DayFirst` and `MonthFirst`.
pub fn candidate_formats<'a>(samples: impl Iterator<Item = &'a str> + Clone) -> Vec<DateFormat> {
    DateFormat::ALL
        .into_iter()
        .filter(|f| {
            let mut any = false;
            let all = samples.clone().all(|s| {
                any = true;
                f.parse(s).is_some()
            });
            any && all
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
    fn parses_every_supported_layout() {
        assert_eq!(DateFormat::Iso.parse("2024-01-31"), Some(d(2024, 1, 31)));
        assert_eq!(DateFormat::Iso.parse("2024-01-31 00:00:00"), Some(d(2024, 1, 31)));
        assert_eq!(DateFormat::Iso.parse("2024-01-31T12:00:00Z"), Some(d(2024, 1, 31)));
        assert_eq!(DateFormat::Iso.parse("2024/1/5"), Some(d(2024, 1, 5)));
        assert_eq!(DateFormat::DayFirst.parse("31/01/2024"), Some(d(2024, 1, 31)));
        assert_eq!(DateFormat::DayFirst.parse("31.01.2024"), Some(d(2024, 1, 31)));
        assert_eq!(DateFormat::MonthFirst.parse("01/31/2024"), Some(d(2024, 1, 31)));
    }

    #[test]
    fn rejects_impossible_and_malformed_dates() {
        for bad in [
            "2024-02-30",
            "2024-13-01",
            "31/01/24",
            "2024-01",
            "abc",
            "",
            "2024-01/31",
        ] {
            assert_eq!(DateFormat::Iso.parse(bad), None, "{bad}");
            assert_eq!(DateFormat::DayFirst.parse(bad), None, "{bad}");
        }
        assert_eq!(DateFormat::MonthFirst.parse("31/01/2024"), None);
    }

    #[test]
    fn candidates_tell_day_first_from_month_first() {
        let dmy = ["01/02/2024", "13/02/2024"];
        assert_eq!(candidate_formats(dmy.iter().copied()), vec![DateFormat::DayFirst]);
        let mdy = ["02/01/2024", "02/13/2024"];
        assert_eq!(candidate_formats(mdy.iter().copied()), vec![DateFormat::MonthFirst]);
        let ambiguous = ["01/02/2024", "03/02/2024"];
        assert_eq!(
            candidate_formats(ambiguous.iter().copied()),
            vec![DateFormat::DayFirst, DateFormat::MonthFirst]
        );
        assert_eq!("dd/mm/yyyy".parse::<DateFormat>(), Ok(DateFormat::DayFirst));
    }
}
