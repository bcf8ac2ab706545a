//! Small helpers on header cells and column lookups, shared by the mapping and the row reader.

use crate::data::dates::DateFormat;
use crate::data::validate::{Issue, IssueKind, Report};
use chrono::NaiveDate;

/// How many steps between consecutive distinct sample dates, read in layout `f`, are a
/// calendar frequency's step (1, 7, 28–31 or 89–92 days).
pub(super) fn regular_steps(f: DateFormat, cells: &[&str]) -> usize {
    let mut dates: Vec<NaiveDate> = cells.iter().filter_map(|c| f.parse(c)).collect();
    dates.sort_unstable();
    dates.dedup();
    dates
        .windows(2)
        .filter(|w| matches!((w[1] - w[0]).num_days(), 1 | 7 | 28..=31 | 89..=92))
        .count()
}

pub(super) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n).collect::<String>() + "…"
    }
}

pub(super) fn header_name(raw: &str, j: usize) -> String {
    let t = raw.trim();
    if t.is_empty() {
        format!("column_{}", j + 1)
    } else {
        t.to_string()
    }
}

pub(super) fn col_index(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or(0)
}

pub(super) fn find_column(header: &[String], name: &str, what: &str, report: &mut Report) -> Option<usize> {
    let pos = header
        .iter()
        .position(|h| h == name)
        .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)));
    if pos.is_none() {
        report.push(
            Issue::error(
                IssueKind::MissingColumn,
                format!(
                    "no {what} column named '{name}'; the columns are: {}",
                    header.join(", ")
                ),
            )
            .at_row(1)
            .in_column(name),
        );
    }
    pos
}
