//! Reading rows into raw series: dates and values parsed, bad cells reported by row and
//! column, duplicates combined by policy.

use super::columns::truncate;
use super::options::Mapping;
use crate::data::dates::DateFormat;
use crate::data::sniff::{NotANumber, delimiter_name, parse_number};
use crate::data::validate::{Issue, IssueKind, Report};
use chrono::NaiveDate;
use std::collections::HashMap;

/// The largest magnitude read as a number: beyond it a value is a typo or a units error, and
/// models' sums of squares overflow (1e154² is infinite).
pub const MAX_MAGNITUDE: f64 = 1e100;

/// Observations of one series as read, before sorting and regularising.
pub(super) struct RawSeries {
    pub(super) key: Vec<String>,
    pub(super) dates: Vec<NaiveDate>,
    pub(super) values: Vec<f64>,
    pub(super) rows: Vec<u32>,
    /// Row-major, `n_exog` per observation.
    pub(super) exog: Vec<f64>,
}

pub(super) struct Accumulator {
    pub(super) n_exog: usize,
    pub(super) series: Vec<RawSeries>,
    pub(super) index: HashMap<Vec<u8>, usize>,
    pub(super) last_key: Vec<u8>,
    pub(super) last_idx: Option<usize>,
    pub(super) key_buf: Vec<u8>,
}

impl Accumulator {
    pub(super) fn new(n_exog: usize) -> Self {
        Accumulator {
            n_exog,
            series: Vec::new(),
            index: HashMap::new(),
            last_key: Vec::new(),
            last_idx: None,
            key_buf: Vec::new(),
        }
    }
}

/// The lookup key of a series: its trimmed id cells, each followed by the unit separator.
fn push_key<'a>(buf: &mut Vec<u8>, cells: impl Iterator<Item = &'a [u8]>) {
    buf.clear();
    for c in cells {
        buf.extend_from_slice(c.trim_ascii());
        buf.push(0x1f);
    }
}

impl Accumulator {
    /// Add the observations of `later`, read from the rows after this one's: each series joins
    /// the one with its key (in row order), or comes after the series already here.
    pub(super) fn absorb(&mut self, later: Accumulator) {
        for s in later.series {
            let mut key = Vec::new();
            push_key(&mut key, s.key.iter().map(String::as_bytes));
            match self.index.get(&key) {
                Some(&i) => {
                    let into = &mut self.series[i];
                    into.dates.extend(s.dates);
                    into.values.extend(s.values);
                    into.rows.extend(s.rows);
                    into.exog.extend(s.exog);
                }
                None => {
                    self.index.insert(key, self.series.len());
                    self.series.push(s);
                }
            }
        }
        self.last_idx = None;
    }
}

impl Accumulator {
    /// The index of the series whose trimmed id cells are `cells`, added when new. Files are
    /// usually sorted by id, so the previous row's series is tried first.
    pub(super) fn series_of<'a>(&mut self, cells: impl Iterator<Item = &'a [u8]> + Clone) -> usize {
        push_key(&mut self.key_buf, cells.clone());
        if let Some(i) = self.last_idx
            && self.last_key == self.key_buf
        {
            return i;
        }
        let i = match self.index.get(self.key_buf.as_slice()) {
            Some(&i) => i,
            None => {
                let key = cells
                    .map(|c| String::from_utf8_lossy(c.trim_ascii()).into_owned())
                    .collect();
                self.series.push(RawSeries {
                    key,
                    dates: Vec::new(),
                    values: Vec::new(),
                    rows: Vec::new(),
                    exog: Vec::new(),
                });
                self.index.insert(self.key_buf.clone(), self.series.len() - 1);
                self.series.len() - 1
            }
        };
        self.last_key.clone_from(&self.key_buf);
        self.last_idx = Some(i);
        i
    }
}

/// A sales value as read (`Ok(None)`: an empty cell), judged: the value to keep (NaN for a
/// missing one, filled later by the gap policy), or `None` when the row cannot be read. Every
/// problem is reported at `row` in `column`; `shown` is the cell as the user wrote it.
pub(super) fn judge_value(
    parsed: Result<Option<f64>, NotANumber>,
    shown: &str,
    row: usize,
    column: &str,
    report: &mut Report,
) -> Option<f64> {
    let at = |issue: Issue| issue.at_row(row).in_column(column.to_string());
    match parsed {
        Ok(Some(v)) if v.abs() > MAX_MAGNITUDE && v.is_finite() => {
            report.push(at(Issue::error(
                IssueKind::BadNumber,
                format!(
                    "value '{}' is too large for a sales figure (beyond 1e100): a typo or a units error?",
                    truncate(shown.trim(), 40)
                ),
            )));
            None
        }
        Ok(Some(v)) if v.is_finite() => {
            if v < 0.0 {
                report.push(at(Issue::warning(
                    IssueKind::Negative,
                    format!("negative value {v} (a return?) is kept as is"),
                )));
            }
            Some(v)
        }
        Ok(Some(v)) => {
            report.push(at(Issue::error(
                IssueKind::NonFinite,
                format!("value '{}' is not a finite number", shown.trim()),
            )));
            Some(v)
        }
        Ok(None) => {
            report.push(at(Issue::warning(
                IssueKind::MissingValue,
                format!(
                    "missing value ('{}'): filled by the gap policy inside a series, left out at its ends",
                    shown.trim()
                ),
            )));
            Some(f64::NAN)
        }
        Err(NotANumber) => {
            report.push(at(Issue::error(
                IssueKind::BadNumber,
                format!("'{}' is not a number", truncate(shown.trim(), 40)),
            )));
            None
        }
    }
}

/// A driver (exogenous) value as read, judged: a number, or NaN (missing, interpolated later)
/// with a warning when it is not a finite number of a sensible size.
pub(super) fn judge_driver(
    parsed: Result<Option<f64>, NotANumber>,
    shown: &str,
    row: usize,
    column: &str,
    report: &mut Report,
) -> f64 {
    match parsed {
        Ok(Some(v)) if v.is_finite() && v.abs() <= MAX_MAGNITUDE => v,
        Ok(Some(_)) | Err(NotANumber) => {
            report.push(
                Issue::warning(
                    IssueKind::BadNumber,
                    format!(
                        "'{}' is not a finite number; this driver is treated as missing here and interpolated",
                        truncate(shown.trim(), 40)
                    ),
                )
                .at_row(row)
                .in_column(column.to_string()),
            );
            f64::NAN
        }
        Ok(None) => f64::NAN,
    }
}

/// A row whose id cell (in `column`) is empty: it would start a series of its own, named by
/// nothing.
pub(super) fn missing_id(row: usize, column: &str) -> Issue {
    Issue::error(
        IssueKind::MissingId,
        "the id is empty: the row belongs to no series (fill it in, or leave this column out of the ids)",
    )
    .at_row(row)
    .in_column(column.to_string())
}

pub(super) struct RowContext<'a> {
    pub(super) mapping: &'a Mapping,
    pub(super) date_idx: usize,
    pub(super) value_idx: usize,
    pub(super) id_idx: &'a [usize],
    pub(super) exog_idx: &'a [usize],
    pub(super) needed: usize,
    pub(super) width: usize,
    pub(super) decimal_comma: bool,
    /// Per column of the header: its first rows show decimal commas (`12,5`), so `1,250` in it
    /// is 1.25 ([`crate::data::sniff::ambiguous_number`]).
    pub(super) commas_settled: &'a [bool],
}

impl RowContext<'_> {
    /// Why the number `cell` of column `j` has two readings, if it has.
    fn ambiguous(&self, cell: &str, j: usize) -> Option<String> {
        let settled = self.commas_settled.get(j).copied().unwrap_or(false);
        crate::data::sniff::ambiguous_number(cell, self.decimal_comma, settled)
    }

    pub(super) fn process(&self, rec: &csv::ByteRecord, row: usize, acc: &mut Accumulator, report: &mut Report) {
        let m = self.mapping;
        if rec.len() > self.width && !self.extra_fields(rec, row, report) {
            return;
        }
        if rec.len() < self.needed {
            let hint = if rec.iter().any(|f| f.contains(&b'\n')) {
                "; a quoted field runs over several lines — is a quote (\") left open?"
            } else {
                ""
            };
            report.push(
                Issue::error(
                    IssueKind::RaggedRow,
                    format!(
                        "row has {} field(s), the header has {} (delimiter: {}){hint}",
                        rec.len(),
                        self.width,
                        delimiter_name(m.delimiter)
                    ),
                )
                .at_row(row),
            );
            return;
        }
        let cell = |j: usize| std::str::from_utf8(&rec[j]).unwrap_or("");
        let date_cell = cell(self.date_idx);
        let date = m.date_format.parse(date_cell);
        let Some(date) = date else {
            let msg = if date_cell.trim().is_empty() {
                "the date is missing".to_string()
            } else if DateFormat::ALL.iter().any(|f| f.parse(date_cell).is_some()) {
                format!(
                    "'{}' is in another date format than the file's {}",
                    date_cell.trim(),
                    m.date_format
                )
            } else {
                format!("'{}' is not a date ({})", truncate(date_cell.trim(), 40), m.date_format)
            };
            report.push(
                Issue::error(IssueKind::BadDate, msg)
                    .at_row(row)
                    .in_column(m.date_column.clone()),
            );
            return;
        };
        let value_cell = cell(self.value_idx);
        // `1.250` or `1,250` in a `;` file: read either way it may be a thousand times off, so
        // it is refused with the two readings.
        if let Some(why) = self.ambiguous(value_cell, self.value_idx) {
            report.push(
                Issue::error(IssueKind::BadNumber, why)
                    .at_row(row)
                    .in_column(m.value_column.clone()),
            );
            return;
        }
        let Some(value) = judge_value(
            parse_number(value_cell, self.decimal_comma),
            value_cell,
            row,
            &m.value_column,
            report,
        ) else {
            return;
        };
        // A row without its id would start a series of its own, named by nothing.
        if let Some(k) = self.id_idx.iter().position(|&j| cell(j).trim().is_empty()) {
            report.push(missing_id(row, &m.id_columns[k]));
            return;
        }
        // Series lookup: files are usually sorted by id, so compare with the previous row first.
        let idx = acc.series_of(self.id_idx.iter().map(|&j| &rec[j]));
        let s = &mut acc.series[idx];
        for (k, &j) in self.exog_idx.iter().enumerate() {
            let c = cell(j);
            if let Some(why) = self.ambiguous(c, j) {
                report.push(
                    Issue::warning(
                        IssueKind::BadNumber,
                        format!("{why}; this driver is treated as missing here and interpolated"),
                    )
                    .at_row(row)
                    .in_column(m.exog_columns[k].clone()),
                );
                s.exog.push(f64::NAN);
                continue;
            }
            s.exog.push(judge_driver(
                parse_number(c, self.decimal_comma),
                c,
                row,
                &m.exog_columns[k],
                report,
            ));
        }
        s.dates.push(date);
        s.values.push(value);
        s.rows.push(row as u32);
    }

    /// A row with more fields than the header. When a number column's cell is a whole number
    /// and the next field is digits, the value may have been split in two — `1,000` by its
    /// thousands separator or `5,3` by a decimal comma in a comma-separated file — and the row
    /// is refused (a wrong number is worse than none). Otherwise the extra fields are ignored
    /// with a warning naming the row. Returns whether the row is read.
    fn extra_fields(&self, rec: &csv::ByteRecord, row: usize, report: &mut Report) -> bool {
        let m = self.mapping;
        let (width, got) = (self.width, rec.len());
        let split = |j: usize| {
            let (a, b) = (rec[j].trim_ascii(), rec.get(j + 1).unwrap_or(b"").trim_ascii());
            let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
            digits(a.strip_prefix(b"-").unwrap_or(a)) && digits(b)
        };
        let numeric = std::iter::once(self.value_idx).chain(self.exog_idx.iter().copied());
        let comma = m.delimiter == b',';
        let Some(j) = numeric.filter(|&j| comma && j + 1 < got).find(|&j| split(j)) else {
            let extra: Vec<String> = rec
                .iter()
                .skip(width)
                .take(3)
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            report.push(
                Issue::warning(
                    IssueKind::RaggedRow,
                    format!(
                        "row has {got} field(s), the header has {width}; the {} extra field(s) ('{}'{}) are ignored",
                        got - width,
                        truncate(&extra.join("', '"), 60),
                        if got - width > 3 { ", …" } else { "" }
                    ),
                )
                .at_row(row),
            );
            return true;
        };
        let (a, b) = (
            String::from_utf8_lossy(rec[j].trim_ascii()),
            String::from_utf8_lossy(rec[j + 1].trim_ascii()),
        );
        report.push(
            Issue::error(
                IssueKind::RaggedRow,
                format!(
                    "row has {got} field(s), the header has {width} (delimiter: {}): '{a},{b}' in column '{}' looks \
                     like one number split in two by a thousands separator or a decimal comma; write it {a}{b} or \
                     {a}.{b}",
                    delimiter_name(m.delimiter),
                    m.columns.get(j).map_or("?", String::as_str)
                ),
            )
            .at_row(row),
        );
        false
    }
}
