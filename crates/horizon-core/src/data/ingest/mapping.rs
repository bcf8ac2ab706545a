//! Resolving the column roles: the user's choices where given, the sniffer's guesses
//! otherwise, each guess or failure reported.

use super::columns::{find_column, regular_steps};
use super::options::{IngestOptions, Mapping};
use crate::data::dates::DateFormat;
use crate::data::sniff::{delimiter_name, guess_date_column, guess_id_columns, guess_value_column};
use crate::data::validate::{Issue, IssueKind, Report};

/// Apply the overrides to the guesses; report what cannot be resolved.
pub(super) fn resolve_mapping(
    header: &[String],
    profiles: &[crate::data::sniff::ColumnProfile],
    sample: &[Vec<String>],
    delimiter: u8,
    opts: &IngestOptions,
    report: &mut Report,
) -> Option<Mapping> {
    let date = match &opts.date_column {
        // A column named as the date that holds no date in the sample: said of that column,
        // not left to surface as a missing value column.
        Some(name) => find_column(header, name, "date", report).and_then(|j| {
            let p = &profiles[j];
            if p.non_empty > 0 && p.dates == 0 {
                report.push(
                    Issue::error(
                        IssueKind::BadDate,
                        format!(
                            "the date column '{name}' holds no dates (first value '{}'; dates are YYYY-MM-DD, \
                             DD/MM/YYYY or MM/DD/YYYY)",
                            p.first_cell
                        ),
                    )
                    .in_column(name.clone()),
                );
                None
            } else {
                Some(j)
            }
        }),
        None => {
            let g = guess_date_column(profiles);
            if g.is_none() {
                report.push(
                    Issue::error(
                        IssueKind::MissingColumn,
                        format!(
                            "no column holds dates (YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY); the columns are: {} \
                             (delimiter: {})",
                            header.join(", "),
                            delimiter_name(delimiter)
                        ),
                    )
                    .at_row(1),
                );
            }
            g
        }
    }?;
    let ids: Vec<usize> = match &opts.id_columns {
        Some(names) => names
            .iter()
            .map(|n| find_column(header, n, "id", report))
            .collect::<Option<Vec<_>>>()?,
        None => guess_id_columns(profiles, date, sample),
    };
    let value = match &opts.value_column {
        Some(name) => find_column(header, name, "value", report),
        None => {
            let g = guess_value_column(profiles, date, &ids);
            if g.is_none() {
                report.push(
                    Issue::error(
                        IssueKind::MissingColumn,
                        format!("no numeric column to forecast; the columns are: {}", header.join(", ")),
                    )
                    .at_row(1),
                );
            }
            g
        }
    }?;
    let ids: Vec<usize> = ids.into_iter().filter(|&j| j != value).collect();
    let exog: Vec<usize> = match &opts.exog_columns {
        Some(names) => names
            .iter()
            .map(|n| find_column(header, n, "exogenous", report))
            .collect::<Option<Vec<_>>>()?,
        None => (0..header.len())
            .filter(|&j| j != date && j != value && !ids.contains(&j) && profiles[j].is_numeric())
            .collect(),
    };
    // A driver that is also the value, the date or an id would let the model read the sales it
    // forecasts (or a label) as their cause.
    for &j in &exog {
        let role = if j == value {
            Some("the sales (value) column")
        } else if j == date {
            Some("the date column")
        } else if ids.contains(&j) {
            Some("an id column")
        } else {
            None
        };
        if let Some(role) = role {
            report.push(
                Issue::error(
                    IssueKind::MissingColumn,
                    format!("column '{}' is {role}; it cannot also be a driver", header[j]),
                )
                .at_row(1)
                .in_column(header[j].clone()),
            );
            return None;
        }
    }
    let ignored: Vec<usize> = (0..header.len())
        .filter(|&j| j != date && j != value && !ids.contains(&j) && !exog.contains(&j))
        .collect();
    for &j in &ignored {
        let name = &header[j];
        let why = if opts.exog_columns.is_some() && profiles[j].is_numeric() {
            "is not among the drivers given"
        } else {
            "is neither date, value, id nor numeric"
        };
        report.push(
            Issue::warning(
                IssueKind::IgnoredColumn,
                format!("column '{name}' {why}; it is not used"),
            )
            .at_row(1)
            .in_column(name.clone()),
        );
    }
    let date_format = match opts.date_format {
        Some(f) => f,
        None => {
            let p = &profiles[date];
            match p.formats.as_slice() {
                [only] => *only,
                [] => {
                    // Mixed layouts: take the one most sample cells follow; the others are
                    // reported row by row.
                    DateFormat::ALL
                        .into_iter()
                        .max_by_key(|f| p.dates_in(*f))
                        .unwrap_or(DateFormat::Iso)
                }
                several => {
                    let cells: Vec<&str> = sample.iter().filter_map(|r| r.get(date).map(String::as_str)).collect();
                    most_regular(several, &cells, &p.first_cell, &header[date], report)
                }
            }
        }
    };
    if value == date {
        report.push(Issue::error(IssueKind::MissingColumn, "the date and value columns are the same").at_row(1));
        return None;
    }
    Some(Mapping {
        delimiter,
        columns: header.to_vec(),
        date_column: header[date].clone(),
        date_format,
        value_column: header[value].clone(),
        id_columns: ids.iter().map(|&j| header[j].clone()).collect(),
        exog_columns: exog.iter().map(|&j| header[j].clone()).collect(),
        ignored_columns: ignored.iter().map(|&j| header[j].clone()).collect(),
        freq: opts.freq,
    })
}

/// Between layouts that read every sample cell (`several`), the one under which the dates
/// step most regularly; a true tie between day first and month first is read day first and
/// reported (`first_cell` shows which dates, in `column`). Shared by the CSV and frame readers.
pub(super) fn most_regular(
    several: &[DateFormat],
    cells: &[&str],
    first_cell: &str,
    column: &str,
    report: &mut Report,
) -> DateFormat {
    let scores: Vec<usize> = several.iter().map(|f| regular_steps(*f, cells)).collect();
    let best = scores.iter().copied().max().unwrap_or(0);
    let f = several
        .get(scores.iter().position(|s| *s == best).unwrap_or(0))
        .copied()
        .unwrap_or(DateFormat::Iso);
    let tie = scores.iter().filter(|s| **s == best).count() > 1;
    if tie && several.contains(&DateFormat::DayFirst) && several.contains(&DateFormat::MonthFirst) {
        report.push(
            Issue::warning(
                IssueKind::AmbiguousDate,
                format!(
                    "dates like '{first_cell}' read as {f} (day first); set the date format to MM/DD/YYYY if months come first"
                ),
            )
            .in_column(column.to_string()),
        );
    }
    f
}
