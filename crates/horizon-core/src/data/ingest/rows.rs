//! Reading rows into raw series: dates and values parsed, bad cells reported by row and
//! column, duplicates combined by policy.

use super::columns::truncate;
use super::options::Mapping;
use crate::data::dates::DateFormat;
use crate::data::sniff::{NotANumber, delimiter_name, parse_number};
use crate::data::validate::{Issue, IssueKind, Report};
use chrono::NaiveDate;
use std::collections::HashMap;

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

pub(super) struct RowContext<'a> {
    pub(super) mapping: &'a Mapping,
    pub(super) date_idx: usize,
    pub(super) value_idx: usize,
    pub(super) id_idx: &'a [usize],
    pub(super) exog_idx: &'a [usize],
    pub(super) needed: usize,
    pub(super) width: usize,
    pub(super) decimal_comma: bool,
}

impl RowContext<'_> {
    pub(super) fn process(&self, rec: &csv::ByteRecord, row: usize, acc: &mut Accumulator, report: &mut Report) {
        let m = self.mapping;
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
        let value = match parse_number(value_cell, self.decimal_comma) {
            Ok(Some(v)) if v.is_finite() => {
                if v < 0.0 {
                    report.push(
                        Issue::warning(
                            IssueKind::Negative,
                            format!("negative value {v} (a return?) is kept as is"),
                        )
                        .at_row(row)
                        .in_column(m.value_column.clone()),
                    );
                }
                v
            }
            Ok(Some(v)) => {
                report.push(
                    Issue::error(
                        IssueKind::NonFinite,
                        format!("value '{}' is not a finite number", value_cell.trim()),
                    )
                    .at_row(row)
                    .in_column(m.value_column.clone()),
                );
                v
            }
            Ok(None) => {
                report.push(
                    Issue::warning(
                        IssueKind::MissingValue,
                        format!("missing value ('{}') is filled by the gap policy", value_cell.trim()),
                    )
                    .at_row(row)
                    .in_column(m.value_column.clone()),
                );
                f64::NAN
            }
            Err(NotANumber) => {
                report.push(
                    Issue::error(
                        IssueKind::BadNumber,
                        format!("'{}' is not a number", truncate(value_cell.trim(), 40)),
                    )
                    .at_row(row)
                    .in_column(m.value_column.clone()),
                );
                return;
            }
        };
        // Series lookup: files are usually sorted by id, so compare with the previous row first.
        acc.key_buf.clear();
        for &j in self.id_idx {
            acc.key_buf.extend_from_slice(rec[j].trim_ascii());
            acc.key_buf.push(0x1f);
        }
        let idx = match acc.last_idx {
            Some(i) if acc.last_key == acc.key_buf => i,
            _ => {
                let i = match acc.index.get(acc.key_buf.as_slice()) {
                    Some(&i) => i,
                    None => {
                        let key = self.id_idx.iter().map(|&j| cell(j).trim_ascii().to_string()).collect();
                        acc.series.push(RawSeries {
                            key,
                            dates: Vec::new(),
                            values: Vec::new(),
                            rows: Vec::new(),
                            exog: Vec::new(),
                        });
                        acc.index.insert(acc.key_buf.clone(), acc.series.len() - 1);
                        acc.series.len() - 1
                    }
                };
                acc.last_key.clone_from(&acc.key_buf);
                acc.last_idx = Some(i);
                i
            }
        };
        let s = &mut acc.series[idx];
        for (k, &j) in self.exog_idx.iter().enumerate() {
            let c = cell(j);
            let v = match parse_number(c, self.decimal_comma) {
                Ok(Some(v)) if v.is_finite() => v,
                Ok(Some(_)) | Err(NotANumber) => {
                    report.push(
                        Issue::warning(
                            IssueKind::BadNumber,
                            format!(
                                "'{}' is not a finite number; this driver is treated as missing here and interpolated",
                                truncate(c.trim(), 40)
                            ),
                        )
                        .at_row(row)
                        .in_column(m.exog_columns[k].clone()),
                    );
                    f64::NAN
                }
                Ok(None) => f64::NAN,
            };
            s.exog.push(v);
        }
        s.dates.push(date);
        s.values.push(value);
        s.rows.push(row as u32);
    }
}
