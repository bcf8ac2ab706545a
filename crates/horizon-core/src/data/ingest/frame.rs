//! Typed columns → [`Panel`] + [`Report`]: the ingestion of callers that hold a data frame
//! rather than CSV text (the Python package's pandas and polars frames, through Arrow).
//!
//! Rows go through the checks of a CSV file's rows ([`super::rows`]) and the same panel
//! building ([`super::regular`]), so a frame and the CSV file it would write give the same
//! panel, and the same problems are reported with the same words. Rows are numbered by their
//! position in the frame, from 0 (`df.iloc[row]`); columns by their names.

use super::columns::truncate;
use super::options::{IngestOptions, IngestStats, Ingested, Mapping};
use super::regular::build_panel;
use super::rows::{Accumulator, judge_driver, judge_value, missing_id};
use crate::data::dates::{DateFormat, candidate_formats};
use crate::data::validate::{Issue, IssueKind, Report};
use chrono::NaiveDate;

/// One column of a data frame, as its producer typed it.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameColumn {
    /// Text: ids, or dates written as text (read in the layout their cells share).
    Text(Vec<Option<String>>),
    /// Numbers: the sales and the drivers; `None` and NaN are missing.
    Number(Vec<Option<f64>>),
    /// Calendar dates (a timestamp's date, as a CSV reading of it takes).
    Date(Vec<Option<NaiveDate>>),
}

impl FrameColumn {
    pub fn len(&self) -> usize {
        match self {
            FrameColumn::Text(v) => v.len(),
            FrameColumn::Number(v) => v.len(),
            FrameColumn::Date(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn kind(&self) -> &'static str {
        match self {
            FrameColumn::Text(_) => "text",
            FrameColumn::Number(_) => "numbers",
            FrameColumn::Date(_) => "dates",
        }
    }
}

/// A data frame: named columns of equal length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    pub names: Vec<String>,
    pub columns: Vec<FrameColumn>,
}

impl Frame {
    fn column(&self, name: &str) -> Option<(usize, &FrameColumn)> {
        self.names.iter().position(|n| n == name).map(|j| (j, &self.columns[j]))
    }
}

/// The column roles of a frame: the user's where given, else the statsforecast convention
/// (`unique_id`, `ds`, `y`, every other numeric column a driver).
struct Roles {
    date: usize,
    value: usize,
    ids: Vec<usize>,
    exog: Vec<usize>,
    ignored: Vec<usize>,
}

fn resolve_roles(frame: &Frame, opts: &IngestOptions, report: &mut Report) -> Option<Roles> {
    let find = |name: &str, role: &str, report: &mut Report| {
        let found = frame.column(name).map(|(j, _)| j);
        if found.is_none() {
            report.push(
                Issue::error(
                    IssueKind::MissingColumn,
                    format!(
                        "the {role} column '{name}' is not in the data frame; its columns are: {}",
                        frame.names.join(", ")
                    ),
                )
                .in_column(name.to_string()),
            );
        }
        found
    };
    let date = find(opts.date_column.as_deref().unwrap_or("ds"), "date", report);
    let value = find(opts.value_column.as_deref().unwrap_or("y"), "value", report);
    let ids: Option<Vec<usize>> = match &opts.id_columns {
        Some(names) => names.iter().map(|n| find(n, "id", report)).collect(),
        None => Some(frame.column("unique_id").map(|(j, _)| vec![j]).unwrap_or_default()),
    };
    let (date, value, ids) = (date?, value?, ids?);
    if date == value {
        report.push(Issue::error(
            IssueKind::MissingColumn,
            "the date and value columns are the same",
        ));
        return None;
    }
    let taken = |j: usize| j == date || j == value || ids.contains(&j);
    let exog: Vec<usize> = match &opts.exog_columns {
        Some(names) => names.iter().map(|n| find(n, "driver", report)).collect::<Option<_>>()?,
        None => (0..frame.names.len())
            .filter(|&j| !taken(j) && matches!(frame.columns[j], FrameColumn::Number(_)))
            .collect(),
    };
    let ignored: Vec<usize> = (0..frame.names.len())
        .filter(|&j| !taken(j) && !exog.contains(&j))
        .collect();
    let mut ok = true;
    let mut expect = |j: usize, role: &str, fits: bool, report: &mut Report| {
        if !fits {
            ok = false;
            report.push(
                Issue::error(
                    IssueKind::MissingColumn,
                    format!(
                        "the {role} column '{}' holds {}",
                        frame.names[j],
                        frame.columns[j].kind()
                    ),
                )
                .in_column(frame.names[j].clone()),
            );
        }
    };
    let col = |j: usize| &frame.columns[j];
    expect(
        date,
        "date",
        matches!(col(date), FrameColumn::Date(_) | FrameColumn::Text(_)),
        report,
    );
    expect(value, "value", matches!(col(value), FrameColumn::Number(_)), report);
    for &j in &ids {
        expect(j, "id", matches!(col(j), FrameColumn::Text(_)), report);
    }
    for &j in &exog {
        expect(j, "driver", matches!(col(j), FrameColumn::Number(_)), report);
    }
    // As for a CSV file: a driver that is also the value, the date or an id is refused.
    for &j in exog.iter().filter(|&&j| taken(j)) {
        ok = false;
        report.push(
            Issue::error(
                IssueKind::MissingColumn,
                format!(
                    "column '{}' is already the date, value or an id; it cannot also be a driver",
                    frame.names[j]
                ),
            )
            .in_column(frame.names[j].clone()),
        );
    }
    ok.then_some(Roles {
        date,
        value,
        ids,
        exog,
        ignored,
    })
}

/// The layout of a text date column, chosen as a CSV file's is: from the first 200 rows'
/// non-empty cells, the one layout they all parse in; between day first and month first the
/// one under which the dates step most regularly, a true tie read day first and reported.
fn text_date_format(cells: &[Option<String>], column: &str, report: &mut Report) -> DateFormat {
    let sample: Vec<&str> = cells
        .iter()
        .take(200)
        .filter_map(|c| c.as_deref())
        .filter(|c| !c.trim().is_empty())
        .collect();
    let formats = candidate_formats(sample.iter().copied());
    match formats.as_slice() {
        [only] => *only,
        [] => DateFormat::ALL
            .into_iter()
            .max_by_key(|f| sample.iter().filter(|c| f.parse(c).is_some()).count())
            .unwrap_or(DateFormat::Iso),
        several => super::mapping::most_regular(
            several,
            &sample,
            sample.first().copied().unwrap_or("").trim(),
            column,
            report,
        ),
    }
}

/// Read a data frame named `source` (used in messages, e.g. "data frame").
pub fn ingest_frame(frame: &Frame, source: &str, opts: &IngestOptions) -> Ingested {
    let mut report = Report::new(source);
    let mut stats = IngestStats::default();
    let names = frame.names.clone();
    let refused = |report, stats| Ingested {
        report,
        mapping: None,
        columns: names.clone(),
        panel: None,
        stats,
    };
    let rows = frame.columns.first().map_or(0, FrameColumn::len);
    if let Some(j) = frame.columns.iter().position(|c| c.len() != rows) {
        report.push(Issue::error(
            IssueKind::RaggedRow,
            format!(
                "column '{}' has {} row(s), column '{}' has {rows}",
                frame.names[j],
                frame.columns[j].len(),
                frame.names[0]
            ),
        ));
        return refused(report, stats);
    }
    if rows == 0 {
        report.push(Issue::error(IssueKind::HeaderOnly, "the data frame has no rows"));
        return refused(report, stats);
    }
    let Some(roles) = resolve_roles(frame, opts, &mut report) else {
        return refused(report, stats);
    };
    for &j in &roles.ignored {
        report.push(
            Issue::warning(
                IssueKind::IgnoredColumn,
                format!(
                    "column '{}' is neither date, value, id nor numeric; it is not used",
                    frame.names[j]
                ),
            )
            .in_column(frame.names[j].clone()),
        );
    }
    let date_format = match (&frame.columns[roles.date], opts.date_format) {
        (_, Some(f)) => f,
        (FrameColumn::Text(cells), None) => text_date_format(cells, &frame.names[roles.date], &mut report),
        _ => DateFormat::Iso,
    };
    let mut mapping = Mapping {
        delimiter: b',',
        columns: frame.names.clone(),
        date_column: frame.names[roles.date].clone(),
        date_format,
        value_column: frame.names[roles.value].clone(),
        id_columns: roles.ids.iter().map(|&j| frame.names[j].clone()).collect(),
        exog_columns: roles.exog.iter().map(|&j| frame.names[j].clone()).collect(),
        ignored_columns: roles.ignored.iter().map(|&j| frame.names[j].clone()).collect(),
        freq: opts.freq,
    };
    let text = |j: usize| match &frame.columns[j] {
        FrameColumn::Text(v) => v.as_slice(),
        _ => &[],
    };
    let number = |j: usize| match &frame.columns[j] {
        FrameColumn::Number(v) => v.as_slice(),
        _ => &[],
    };
    let ids: Vec<&[Option<String>]> = roles.ids.iter().map(|&j| text(j)).collect();
    let exog: Vec<&[Option<f64>]> = roles.exog.iter().map(|&j| number(j)).collect();
    let values = number(roles.value);
    let mut acc = Accumulator::new(exog.len());
    for row in 0..rows {
        let date = match &frame.columns[roles.date] {
            FrameColumn::Date(d) => d[row].ok_or_else(|| "the date is missing".to_string()),
            FrameColumn::Text(cells) => read_text_date(cells[row].as_deref(), date_format),
            FrameColumn::Number(_) => Err("not a date".to_string()),
        };
        let date = match date {
            Ok(d) => d,
            Err(msg) => {
                report.push(
                    Issue::error(IssueKind::BadDate, msg)
                        .at_row(row)
                        .in_column(mapping.date_column.clone()),
                );
                continue;
            }
        };
        let (parsed, shown) = match values[row] {
            Some(v) if !v.is_nan() => (Ok(Some(v)), v.to_string()),
            _ => (Ok(None), String::new()),
        };
        let Some(value) = judge_value(parsed, &shown, row, &mapping.value_column, &mut report) else {
            continue;
        };
        // As for a CSV file: a row without its id belongs to no series.
        if let Some(k) = ids
            .iter()
            .position(|col| col[row].as_deref().is_none_or(|c| c.trim().is_empty()))
        {
            report.push(missing_id(row, &mapping.id_columns[k]));
            continue;
        }
        let idx = acc.series_of(ids.iter().map(|col| col[row].as_deref().unwrap_or("").as_bytes()));
        let s = &mut acc.series[idx];
        for (k, col) in exog.iter().enumerate() {
            let (parsed, shown) = match col[row] {
                Some(v) if !v.is_nan() => (Ok(Some(v)), v.to_string()),
                _ => (Ok(None), String::new()),
            };
            s.exog
                .push(judge_driver(parsed, &shown, row, &mapping.exog_columns[k], &mut report));
        }
        s.dates.push(date);
        s.values.push(value);
        s.rows.push(u32::try_from(row).unwrap_or(u32::MAX));
    }
    stats.rows = rows;
    if report.has_errors() {
        return Ingested {
            report,
            mapping: Some(mapping),
            columns: names,
            panel: None,
            stats,
        };
    }
    let panel = build_panel(acc, &mut mapping, opts, &mut report, &mut stats);
    let panel = if report.has_errors() { None } else { panel };
    Ingested {
        report,
        mapping: Some(mapping),
        columns: names,
        panel,
        stats,
    }
}

/// A text date cell in `format`, or why it is not one (the words of a CSV cell's).
fn read_text_date(cell: Option<&str>, format: DateFormat) -> Result<NaiveDate, String> {
    let cell = cell.unwrap_or("");
    format.parse(cell).ok_or_else(|| {
        if cell.trim().is_empty() {
            "the date is missing".to_string()
        } else if DateFormat::ALL.iter().any(|f| f.parse(cell).is_some()) {
            format!("'{}' is in another date format than the column's {format}", cell.trim())
        } else {
            format!("'{}' is not a date ({format})", truncate(cell.trim(), 40))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::generate::{RetailParams, retail};
    use crate::data::ingest_csv;

    /// The columns of a CSV text, typed as a data frame library would type them.
    fn frame_of_csv(csv: &str, dates_as_text: bool) -> Frame {
        let mut lines = csv.lines();
        let names: Vec<String> = lines.next().unwrap().split(',').map(str::to_string).collect();
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        let columns = names
            .iter()
            .enumerate()
            .map(|(j, name)| {
                let cells = rows.iter().map(|r| r.get(j).copied().unwrap_or(""));
                if name == "date" {
                    if dates_as_text {
                        FrameColumn::Text(cells.map(|c| Some(c.to_string())).collect())
                    } else {
                        FrameColumn::Date(cells.map(|c| DateFormat::Iso.parse(c)).collect())
                    }
                } else if name.ends_with("_id") {
                    FrameColumn::Text(cells.map(|c| Some(c.to_string())).collect())
                } else {
                    FrameColumn::Number(cells.map(|c| c.parse().ok()).collect())
                }
            })
            .collect();
        Frame { names, columns }
    }

    fn options() -> IngestOptions {
        IngestOptions {
            date_column: Some("date".into()),
            value_column: Some("sales".into()),
            id_columns: Some(vec!["store_id".into(), "product_id".into()]),
            ..IngestOptions::default()
        }
    }

    /// A frame gives the panel its CSV gives: same series, dates, values, drivers, frequency
    /// and counts — with dates typed or as text, rows in any order, duplicates and gaps.
    #[test]
    fn a_frame_reads_as_its_csv_does() {
        let panel = retail(&RetailParams {
            stores: 2,
            products: 3,
            days: 120,
            ..Default::default()
        });
        let csv = crate::export::panel_csv(&panel);
        let mut lines: Vec<&str> = csv.lines().collect();
        // A duplicate row, a gap (a removed row) and rows out of order.
        let dup = lines[5];
        lines.insert(9, dup);
        lines.remove(30);
        lines[1..].reverse();
        let csv = lines.join("\n") + "\n";
        let opts = options();
        let from_csv = ingest_csv(csv.as_bytes(), "f.csv", &opts);
        assert!(from_csv.panel.is_some(), "{}", from_csv.report);
        for as_text in [false, true] {
            let got = ingest_frame(&frame_of_csv(&csv, as_text), "data frame", &opts);
            assert_eq!(got.panel, from_csv.panel, "dates as text: {as_text}");
            assert_eq!(got.stats, from_csv.stats);
            assert_eq!(
                got.mapping.as_ref().map(|m| &m.exog_columns),
                from_csv.mapping.as_ref().map(|m| &m.exog_columns)
            );
        }
    }

    /// Ambiguous day/month text dates are read as the CSV reader reads them (a tie: day first,
    /// with the same warning).
    #[test]
    fn ambiguous_text_dates_read_as_the_csv_does() {
        let csv = "date,sales\n01/01/2024,1\n01/02/2024,2\n01/03/2024,3\n01/04/2024,4\n";
        let opts = IngestOptions {
            date_column: Some("date".into()),
            value_column: Some("sales".into()),
            id_columns: Some(vec![]),
            ..IngestOptions::default()
        };
        let from_csv = ingest_csv(csv.as_bytes(), "f.csv", &opts);
        let got = ingest_frame(&frame_of_csv(csv, true), "data frame", &opts);
        assert_eq!(
            got.mapping.as_ref().map(|m| m.date_format),
            from_csv.mapping.as_ref().map(|m| m.date_format)
        );
        assert_eq!(got.panel, from_csv.panel);
        assert_eq!(
            got.report.count_of(IssueKind::AmbiguousDate),
            from_csv.report.count_of(IssueKind::AmbiguousDate)
        );
    }

    /// Bad cells are reported by position and column, with the CSV reading's words; an
    /// error leaves no panel.
    #[test]
    fn bad_cells_are_named_by_row_and_column() {
        let frame = Frame {
            names: vec!["unique_id".into(), "ds".into(), "y".into()],
            columns: vec![
                FrameColumn::Text(vec![Some("a".into()); 4]),
                FrameColumn::Date(vec![
                    NaiveDate::from_ymd_opt(2024, 1, 1),
                    None,
                    NaiveDate::from_ymd_opt(2024, 1, 3),
                    NaiveDate::from_ymd_opt(2024, 1, 4),
                ]),
                FrameColumn::Number(vec![Some(1.0), Some(2.0), Some(f64::INFINITY), Some(-1.0)]),
            ],
        };
        let got = ingest_frame(&frame, "data frame", &IngestOptions::default());
        assert!(got.panel.is_none());
        let lines = got.report.lines().join("\n");
        assert!(
            lines.contains("row 1, column 'ds': error: the date is missing"),
            "{lines}"
        );
        assert!(
            lines.contains("row 2, column 'y': error: value 'inf' is not a finite number"),
            "{lines}"
        );
        assert!(
            lines.contains("row 3, column 'y': warning: negative value -1"),
            "{lines}"
        );
    }

    /// Missing and wrongly typed columns are named with the frame's columns.
    #[test]
    fn missing_or_mistyped_columns_are_refused() {
        let frame = Frame {
            names: vec!["unique_id".into(), "ds".into(), "sales".into()],
            columns: vec![
                FrameColumn::Number(vec![Some(1.0)]),
                FrameColumn::Date(vec![NaiveDate::from_ymd_opt(2024, 1, 1)]),
                FrameColumn::Number(vec![Some(1.0)]),
            ],
        };
        let got = ingest_frame(&frame, "data frame", &IngestOptions::default());
        let lines = got.report.lines().join("\n");
        assert!(
            lines.contains("the value column 'y' is not in the data frame; its columns are: unique_id, ds, sales"),
            "{lines}"
        );
        let opts = IngestOptions {
            value_column: Some("sales".into()),
            ..IngestOptions::default()
        };
        let got = ingest_frame(&frame, "data frame", &opts);
        let lines = got.report.lines().join("\n");
        assert!(lines.contains("the id column 'unique_id' holds numbers"), "{lines}");
    }

    /// As for a CSV file: a row without its id, and a driver that is the value, are refused.
    #[test]
    fn an_empty_id_and_the_value_as_a_driver_are_refused() {
        let day = |d| NaiveDate::from_ymd_opt(2024, 1, d);
        let frame = Frame {
            names: vec!["unique_id".into(), "ds".into(), "y".into()],
            columns: vec![
                FrameColumn::Text(vec![Some("a".into()), None, Some(" ".into()), Some("a".into())]),
                FrameColumn::Date(vec![day(1), day(2), day(3), day(4)]),
                FrameColumn::Number(vec![Some(1.0), Some(2.0), Some(3.0), Some(4.0)]),
            ],
        };
        let got = ingest_frame(&frame, "data frame", &IngestOptions::default());
        assert!(got.panel.is_none());
        assert_eq!(got.report.count_of(IssueKind::MissingId), 2, "{}", got.report);
        let frame = Frame {
            columns: vec![
                FrameColumn::Text(vec![Some("a".into()); 4]),
                frame.columns[1].clone(),
                frame.columns[2].clone(),
            ],
            ..frame
        };
        let opts = IngestOptions {
            exog_columns: Some(vec!["y".into()]),
            ..IngestOptions::default()
        };
        let got = ingest_frame(&frame, "data frame", &opts);
        assert!(got.panel.is_none());
        let lines = got.report.lines().join("\n");
        assert!(
            lines.contains("column 'y' is already the date, value or an id"),
            "{lines}"
        );
    }
}
