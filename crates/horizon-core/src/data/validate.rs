//! The validation report: every problem found while reading a file, with where it is.
//!
//! Errors stop (no panel is built); warnings don't. Per-row problems of one kind are listed
//! in full up to [`Report::DETAIL_LIMIT`] and counted beyond it, so a file with a million bad
//! rows yields a readable report and an exact count.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn is_error(self) -> bool {
        self == Severity::Error
    }
}

/// What kind of problem an [`Issue`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum IssueKind {
    EmptyFile,
    HeaderOnly,
    Encoding,
    Delimiter,
    MissingColumn,
    DuplicateColumn,
    RaggedRow,
    BadDate,
    AmbiguousDate,
    BadNumber,
    NonFinite,
    MissingValue,
    Negative,
    Duplicate,
    Gap,
    OffGrid,
    Frequency,
    ShortSeries,
    IgnoredColumn,
    /// A series without a single sales value (left out).
    NoValues,
    /// Periods at a series' end left out: covered in part by the days summed into them, or
    /// with a blank sales cell.
    PartialEnd,
    /// A series whose data ends before the file's: its forecast starts earlier.
    EarlyEnd,
    /// A row whose id cell is empty.
    MissingId,
}

impl IssueKind {
    pub fn label(self) -> &'static str {
        match self {
            IssueKind::EmptyFile => "empty file",
            IssueKind::HeaderOnly => "no data rows",
            IssueKind::Encoding => "encoding",
            IssueKind::Delimiter => "delimiter",
            IssueKind::MissingColumn => "missing column",
            IssueKind::DuplicateColumn => "duplicate column",
            IssueKind::RaggedRow => "wrong number of fields",
            IssueKind::BadDate => "unparsable date",
            IssueKind::AmbiguousDate => "ambiguous date format",
            IssueKind::BadNumber => "unparsable number",
            IssueKind::NonFinite => "non-finite number",
            IssueKind::MissingValue => "missing value",
            IssueKind::Negative => "negative value",
            IssueKind::Duplicate => "duplicate (id, date) rows",
            IssueKind::Gap => "gaps in dates",
            IssueKind::OffGrid => "date off the frequency grid",
            IssueKind::Frequency => "frequency",
            IssueKind::ShortSeries => "series too short",
            IssueKind::IgnoredColumn => "ignored column",
            IssueKind::NoValues => "series without values",
            IssueKind::PartialEnd => "period left out at an end",
            IssueKind::EarlyEnd => "series ends early",
            IssueKind::MissingId => "missing id",
        }
    }
}

/// `s` with control characters (terminal escape sequences, line breaks, NUL) and the invisible
/// marks that reorder or hide text (bidirectional overrides, zero-width characters) written as
/// escapes (`\u{1b}`, `\n`), so a message that quotes a file shows what is in it and cannot
/// act on the terminal or the page.
pub fn escape_controls(s: &str) -> String {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    if !s.chars().any(hidden) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if hidden(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// One problem, located as precisely as it can be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    pub severity: Severity,
    pub kind: IssueKind,
    /// Row as a spreadsheet shows it: the header is row 1, the first data row is row 2.
    pub row: Option<usize>,
    pub column: Option<String>,
    /// The series (id values joined by " / ") the issue concerns, if any.
    pub series: Option<String>,
    pub message: String,
}

impl Issue {
    /// Messages quote the file's cells: control characters in them are shown escaped (see
    /// [`escape_controls`]), here and in the column and series names.
    pub fn new(severity: Severity, kind: IssueKind, message: impl Into<String>) -> Self {
        Issue {
            severity,
            kind,
            row: None,
            column: None,
            series: None,
            message: escape_controls(&message.into()),
        }
    }
    pub fn error(kind: IssueKind, message: impl Into<String>) -> Self {
        Issue::new(Severity::Error, kind, message)
    }
    pub fn warning(kind: IssueKind, message: impl Into<String>) -> Self {
        Issue::new(Severity::Warning, kind, message)
    }
    pub fn at_row(mut self, row: usize) -> Self {
        self.row = Some(row);
        self
    }
    pub fn in_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(escape_controls(&column.into()));
        self
    }
    pub fn for_series(mut self, series: impl Into<String>) -> Self {
        self.series = Some(escape_controls(&series.into()));
        self
    }
}

/// All issues of one file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The file name (or "manual entry", "sample") the issues refer to.
    pub source: String,
    pub issues: Vec<Issue>,
    /// Occurrences per (severity, kind), including those not listed in `issues`.
    pub counts: BTreeMap<(Severity, IssueKind), usize>,
}

impl Report {
    /// How many issues of one (severity, kind) are kept in full.
    pub const DETAIL_LIMIT: usize = 50;

    pub fn new(source: impl Into<String>) -> Self {
        Report {
            source: escape_controls(&source.into()),
            ..Default::default()
        }
    }

    pub fn push(&mut self, issue: Issue) {
        let n = self.counts.entry((issue.severity, issue.kind)).or_insert(0);
        *n += 1;
        if *n <= Self::DETAIL_LIMIT {
            self.issues.push(issue);
        }
    }

    /// Add the issues of `later`, a report of the rows after this one's: as if they had been
    /// pushed here one by one (the same kept details, the same counts).
    pub fn absorb(&mut self, later: Report) {
        let mut kept: BTreeMap<(Severity, IssueKind), usize> = BTreeMap::new();
        for issue in later.issues {
            *kept.entry((issue.severity, issue.kind)).or_insert(0) += 1;
            self.push(issue);
        }
        for (key, n) in later.counts {
            let unlisted = n - kept.get(&key).copied().unwrap_or(0);
            *self.counts.entry(key).or_insert(0) += unlisted;
        }
    }

    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.counts
            .iter()
            .filter(|((s, _), _)| *s == severity)
            .map(|(_, n)| n)
            .sum()
    }

    /// Occurrences of one kind (any severity).
    pub fn count_of(&self, kind: IssueKind) -> usize {
        self.counts
            .iter()
            .filter(|((_, k), _)| *k == kind)
            .map(|(_, n)| n)
            .sum()
    }

    /// One line per issue, `file:row N, column 'c': message`, errors first, then a line per
    /// kind whose occurrences were not all listed.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self.sorted_issues().iter().map(|i| self.format_issue(i)).collect();
        out.extend(self.more_lines());
        out
    }

    /// The listed issues in the order of [`Report::lines`]: errors first, then by row.
    pub fn sorted_issues(&self) -> Vec<&Issue> {
        let mut sorted: Vec<&Issue> = self.issues.iter().collect();
        sorted.sort_by_key(|i| (std::cmp::Reverse(i.severity), i.row.unwrap_or(0)));
        sorted
    }

    /// A line per kind whose occurrences were not all listed (`… 12 more …`).
    pub fn more_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (&(sev, kind), &n) in &self.counts {
            if n > Self::DETAIL_LIMIT {
                out.push(
                    format!(
                        "{}: {} more {} ({} in all)",
                        self.source,
                        n - Self::DETAIL_LIMIT,
                        kind.label(),
                        n
                    ) + if sev == Severity::Error { " [error]" } else { "" },
                );
            }
        }
        out
    }

    /// `file:row 17, column 'date': error: ...`
    pub fn format_issue(&self, issue: &Issue) -> String {
        let mut place = self.source.clone();
        if let Some(row) = issue.row {
            place.push_str(&format!(":row {row}"));
        }
        if let Some(col) = &issue.column {
            place.push_str(&format!(", column '{col}'"));
        }
        if let Some(series) = &issue.series {
            place.push_str(&format!(", series '{series}'"));
        }
        let sev = match issue.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        format!("{place}: {sev}: {}", issue.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in self.lines() {
            writeln!(f, "{line}")?;
        }
        write!(
            f,
            "{}: {} error(s), {} warning(s)",
            self.source,
            self.error_count(),
            self.warning_count()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_details_but_counts_everything() {
        let mut r = Report::new("f.csv");
        for row in 0..120 {
            r.push(
                Issue::error(IssueKind::BadDate, "bad")
                    .at_row(row + 2)
                    .in_column("date"),
            );
        }
        r.push(Issue::warning(IssueKind::Gap, "gap"));
        assert_eq!(r.error_count(), 120);
        assert_eq!(r.warning_count(), 1);
        assert_eq!(r.issues.len(), Report::DETAIL_LIMIT + 1);
        let lines = r.lines();
        assert_eq!(lines[0], "f.csv:row 2, column 'date': error: bad");
        assert!(
            lines
                .last()
                .is_some_and(|l| l.contains("70 more unparsable date (120 in all)"))
        );
    }
}
