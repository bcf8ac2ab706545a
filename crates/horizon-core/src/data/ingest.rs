//! CSV bytes → [`Panel`] + [`Report`], the one ingestion path of the desktop app, the CLI and
//! the browser.
//!
//! Long format: a date column, a value column, zero or more id columns and any number of extra
//! numeric (exogenous) columns. Every problem lands in the report with its row and column;
//! duplicates are aggregated and gaps filled by the chosen policy, and both are counted.

use super::calendar::{Frequency, infer_frequency};
use super::dates::DateFormat;
use super::sniff::{
    NotANumber, decode, delimiter_name, guess_date_column, guess_id_columns, guess_value_column, parse_number,
    profile_columns, sniff_delimiter,
};
use super::validate::{Issue, IssueKind, Report};
use super::{Panel, Series, key_label};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How rows with the same (id, date) are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum DuplicatePolicy {
    #[default]
    Sum,
    Mean,
}

/// How missing periods (and missing values) are filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum GapPolicy {
    /// No sale recorded means no sale: the usual reading of sales files.
    #[default]
    Zero,
    /// Straight line between the neighbouring observations.
    Linear,
}

impl std::str::FromStr for DuplicatePolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "sum" => Ok(DuplicatePolicy::Sum),
            "mean" => Ok(DuplicatePolicy::Mean),
            _ => Err(format!("unknown duplicate policy '{s}': use sum or mean")),
        }
    }
}

impl std::str::FromStr for GapPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "zero" => Ok(GapPolicy::Zero),
            "linear" => Ok(GapPolicy::Linear),
            _ => Err(format!("unknown gap policy '{s}': use zero or linear")),
        }
    }
}

/// The user's overrides (every `None` is guessed) and policies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IngestOptions {
    pub delimiter: Option<u8>,
    pub date_column: Option<String>,
    pub date_format: Option<DateFormat>,
    pub value_column: Option<String>,
    /// `Some(vec![])` means "no id column: the file is one series".
    pub id_columns: Option<Vec<String>>,
    pub exog_columns: Option<Vec<String>>,
    pub freq: Option<Frequency>,
    pub duplicates: DuplicatePolicy,
    pub gaps: GapPolicy,
    /// Season length the user will ask for; series shorter than two seasons are reported.
    /// `None`: the frequency's usual season.
    pub season: Option<usize>,
}

impl IngestOptions {
    /// The options for another file: column choices are guessed afresh, the policies (how
    /// duplicates and gaps are handled, the season) stay as the user set them.
    pub fn for_new_file(&self) -> IngestOptions {
        IngestOptions {
            duplicates: self.duplicates,
            gaps: self.gaps,
            season: self.season,
            ..Default::default()
        }
    }
}

/// How the file was read: the guesses, after the overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub delimiter: u8,
    pub columns: Vec<String>,
    pub date_column: String,
    pub date_format: DateFormat,
    pub value_column: String,
    pub id_columns: Vec<String>,
    pub exog_columns: Vec<String>,
    pub ignored_columns: Vec<String>,
    pub freq: Option<Frequency>,
}

/// Result of reading one file: always a report; a panel when the report has no error.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub report: Report,
    pub mapping: Option<Mapping>,
    /// The header's column names, as far as it could be read (empty if not), so that a user
    /// can pick the date and value columns even when the guesses failed.
    pub columns: Vec<String>,
    pub panel: Option<Panel>,
    /// Counts for the summary line: rows read, duplicates merged, periods filled.
    pub stats: IngestStats,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestStats {
    pub rows: usize,
    pub series: usize,
    pub duplicates_merged: usize,
    pub gaps_filled: usize,
    pub missing_filled: usize,
}

/// Rows used to guess the layout.
const SAMPLE_ROWS: usize = 200;

/// Read CSV bytes named `source` (the file name used in messages).
pub fn ingest_csv(bytes: &[u8], source: &str, opts: &IngestOptions) -> Ingested {
    let mut report = Report::new(source);
    let mut stats = IngestStats::default();
    let done = |report, mapping, stats, columns| Ingested {
        report,
        mapping,
        columns,
        panel: None,
        stats,
    };

    let text = decode(bytes, &mut report);
    if text.trim().is_empty() {
        report.push(Issue::error(IssueKind::EmptyFile, "the file is empty"));
        return done(report, None, stats, Vec::new());
    }
    let Some(delimiter) = opts.delimiter.or_else(|| sniff_delimiter(&text)) else {
        let first = text.lines().next().unwrap_or("").trim();
        report.push(
            Issue::error(
                IssueKind::Delimiter,
                format!(
                    "found a single column ('{}'): a sales file needs at least a date and a value \
                     column separated by a comma, semicolon or tab (set the delimiter if it is another)",
                    truncate(first, 60)
                ),
            )
            .at_row(1),
        );
        return done(report, None, stats, Vec::new());
    };

    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().enumerate().map(|(j, s)| header_name(s, j)).collect(),
        Err(e) => {
            report.push(Issue::error(IssueKind::RaggedRow, format!("cannot read the header: {e}")).at_row(1));
            return done(report, None, stats, Vec::new());
        }
    };
    for (j, name) in header.iter().enumerate() {
        if header[..j].contains(name) {
            report.push(
                Issue::error(
                    IssueKind::DuplicateColumn,
                    format!("the header names column '{name}' twice"),
                )
                .at_row(1)
                .in_column(name.clone()),
            );
        }
    }

    // Read the sample used for guessing, keep the records to process them again below.
    let decimal_comma = delimiter == b';';
    let mut records = reader.into_byte_records();
    let mut sample: Vec<csv::ByteRecord> = Vec::with_capacity(SAMPLE_ROWS);
    let mut read_error = None;
    for rec in records.by_ref() {
        match rec {
            Ok(r) => sample.push(r),
            Err(e) => {
                read_error = Some(e);
                break;
            }
        }
        if sample.len() == SAMPLE_ROWS {
            break;
        }
    }
    if sample.is_empty() && read_error.is_none() {
        report.push(Issue::error(IssueKind::HeaderOnly, "the file has a header but no data rows").at_row(1));
        return done(report, None, stats, header.clone());
    }
    let sample_text: Vec<Vec<String>> = sample
        .iter()
        .map(|r| r.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect())
        .collect();
    let profiles = profile_columns(&header, &sample_text, decimal_comma);

    let Some(mapping) = resolve_mapping(&header, &profiles, &sample_text, delimiter, opts, &mut report) else {
        return done(report, None, stats, header.clone());
    };
    let date_idx = col_index(&header, &mapping.date_column);
    let value_idx = col_index(&header, &mapping.value_column);
    let id_idx: Vec<usize> = mapping.id_columns.iter().map(|c| col_index(&header, c)).collect();
    let exog_idx: Vec<usize> = mapping.exog_columns.iter().map(|c| col_index(&header, c)).collect();
    let needed = [date_idx, value_idx]
        .into_iter()
        .chain(id_idx.iter().copied())
        .chain(exog_idx.iter().copied())
        .max()
        .unwrap_or(0)
        + 1;

    // The row loop.
    let mut acc = Accumulator::new(exog_idx.len());
    let ctx = RowContext {
        mapping: &mapping,
        date_idx,
        value_idx,
        id_idx: &id_idx,
        exog_idx: &exog_idx,
        needed,
        width: header.len(),
        decimal_comma,
    };
    // Rows are numbered as a spreadsheet shows them (the header is row 1): the line a record
    // starts on, so blank lines and quoted line breaks do not shift the numbers.
    let mut records_read = 0usize;
    let mut lines = super::preview::LineCounter::new();
    let mut process = |rec: &csv::ByteRecord, report: &mut Report| {
        records_read += 1;
        let row = rec
            .position()
            .map(|p| lines.record_start(text.as_bytes(), p).1)
            .unwrap_or(records_read + 1);
        ctx.process(rec, row, &mut acc, report);
    };
    for rec in &sample {
        process(rec, &mut report);
    }
    if read_error.is_none() {
        for rec in records {
            match rec {
                Ok(r) => process(&r, &mut report),
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            }
        }
    }
    if let Some(e) = read_error {
        let at = e.position().and_then(|p| usize::try_from(p.line()).ok());
        let mut issue = Issue::error(
            IssueKind::RaggedRow,
            format!("the CSV cannot be read past this row: {e}"),
        );
        if let Some(r) = at {
            issue = issue.at_row(r);
        }
        report.push(issue);
    }
    stats.rows = records_read;
    if report.has_errors() {
        return done(report, Some(mapping), stats, header.clone());
    }

    let mut mapping = mapping;
    let panel = build_panel(acc, &mut mapping, opts, &mut report, &mut stats);
    let panel = if report.has_errors() { None } else { panel };
    Ingested {
        report,
        columns: header,
        mapping: Some(mapping),
        panel,
        stats,
    }
}

/// How many steps between consecutive distinct sample dates, read in layout `f`, are a
/// calendar frequency's step (1, 7, 28–31 or 89–92 days).
fn regular_steps(f: DateFormat, cells: &[&str]) -> usize {
    let mut dates: Vec<NaiveDate> = cells.iter().filter_map(|c| f.parse(c)).collect();
    dates.sort_unstable();
    dates.dedup();
    dates
        .windows(2)
        .filter(|w| matches!((w[1] - w[0]).num_days(), 1 | 7 | 28..=31 | 89..=92))
        .count()
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n).collect::<String>() + "…"
    }
}

fn header_name(raw: &str, j: usize) -> String {
    let t = raw.trim();
    if t.is_empty() {
        format!("column_{}", j + 1)
    } else {
        t.to_string()
    }
}

fn col_index(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or(0)
}

fn find_column(header: &[String], name: &str, what: &str, report: &mut Report) -> Option<usize> {
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

/// Apply the overrides to the guesses; report what cannot be resolved.
fn resolve_mapping(
    header: &[String],
    profiles: &[super::sniff::ColumnProfile],
    sample: &[Vec<String>],
    delimiter: u8,
    opts: &IngestOptions,
    report: &mut Report,
) -> Option<Mapping> {
    let date = match &opts.date_column {
        Some(name) => find_column(header, name, "date", report),
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
    let ignored: Vec<String> = (0..header.len())
        .filter(|&j| j != date && j != value && !ids.contains(&j) && !exog.contains(&j))
        .map(|j| header[j].clone())
        .collect();
    for name in &ignored {
        report.push(
            Issue::warning(
                IssueKind::IgnoredColumn,
                format!("column '{name}' is neither date, value, id nor numeric; it is not used"),
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
                    // Day/month order: the reading under which the dates are the most regular
                    // wins; a true tie is reported.
                    let cells: Vec<&str> = sample.iter().filter_map(|r| r.get(date).map(String::as_str)).collect();
                    let scores: Vec<usize> = several.iter().map(|f| regular_steps(*f, &cells)).collect();
                    let best = scores.iter().copied().max().unwrap_or(0);
                    let f = several[scores.iter().position(|s| *s == best).unwrap_or(0)];
                    let tie = scores.iter().filter(|s| **s == best).count() > 1;
                    if tie && several.contains(&DateFormat::DayFirst) && several.contains(&DateFormat::MonthFirst) {
                        report.push(
                            Issue::warning(
                                IssueKind::AmbiguousDate,
                                format!(
                                    "dates like '{}' read as {} (day first); set the date format to MM/DD/YYYY if months come first",
                                    p.first_cell, f
                                ),
                            )
                            .in_column(header[date].clone()),
                        );
                    }
                    f
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
        ignored_columns: ignored,
        freq: opts.freq,
    })
}

/// Observations of one series as read, before sorting and regularising.
struct RawSeries {
    key: Vec<String>,
    dates: Vec<NaiveDate>,
    values: Vec<f64>,
    rows: Vec<u32>,
    /// Row-major, `n_exog` per observation.
    exog: Vec<f64>,
}

struct Accumulator {
    n_exog: usize,
    series: Vec<RawSeries>,
    index: HashMap<Vec<u8>, usize>,
    last_key: Vec<u8>,
    last_idx: Option<usize>,
    key_buf: Vec<u8>,
}

impl Accumulator {
    fn new(n_exog: usize) -> Self {
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

struct RowContext<'a> {
    mapping: &'a Mapping,
    date_idx: usize,
    value_idx: usize,
    id_idx: &'a [usize],
    exog_idx: &'a [usize],
    needed: usize,
    width: usize,
    decimal_comma: bool,
}

impl RowContext<'_> {
    fn process(&self, rec: &csv::ByteRecord, row: usize, acc: &mut Accumulator, report: &mut Report) {
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

/// Sort, merge duplicates, put every series on the frequency grid and fill gaps.
fn build_panel(
    acc: Accumulator,
    mapping: &mut Mapping,
    opts: &IngestOptions,
    report: &mut Report,
    stats: &mut IngestStats,
) -> Option<Panel> {
    let n_exog = acc.n_exog;
    let mut raws = acc.series;
    for s in &mut raws {
        sort_raw(s, n_exog);
    }
    let freq = match mapping
        .freq
        .or_else(|| infer_frequency(raws.iter().map(|s| s.dates.as_slice())))
    {
        Some(f) => f,
        None => {
            report.push(Issue::error(
                IssueKind::Frequency,
                "cannot infer the frequency: no two consecutive dates are 1, 7, 28–31 or 89–92 days apart \
                 (set the frequency: daily, weekly, monthly or quarterly)",
            ));
            return None;
        }
    };
    mapping.freq = Some(freq);
    if !spans_fit_in_memory(&raws, freq, report) {
        return None;
    }
    let season = opts.season.unwrap_or(freq.default_season());
    let mut series = Vec::with_capacity(raws.len());
    for raw in raws {
        if let Some(s) = regularise(raw, freq, n_exog, opts, report, stats) {
            if s.len() < 2 * season {
                report.push(
                    Issue::warning(
                        IssueKind::ShortSeries,
                        format!(
                            "{} observation(s), fewer than two seasons ({} for season {season}): seasonal patterns are poorly \
                             estimated; seasonal naive needs more than one season ({}) and otherwise falls back to naive",
                            s.len(),
                            2 * season,
                            season + 1
                        ),
                    )
                    .for_series(s.label()),
                );
            }
            series.push(s);
        }
    }
    stats.series = series.len();
    Some(Panel {
        id_columns: mapping.id_columns.clone(),
        date_column: mapping.date_column.clone(),
        value_column: mapping.value_column.clone(),
        exog_columns: mapping.exog_columns.clone(),
        freq,
        series,
    })
}

/// Periods on the dense grid of a sorted raw series (first to last date).
fn span(raw: &RawSeries, freq: Frequency) -> usize {
    match (raw.dates.first(), raw.dates.last()) {
        (Some(&a), Some(&b)) => usize::try_from(freq.period_index(b, a).index)
            .unwrap_or(0)
            .saturating_add(1),
        _ => 0,
    }
}

/// Refuse date ranges that would need an absurd grid (a stray year 0001 in a daily file): a
/// series may span at most max(100 × its rows, 20,000) periods, the panel at most
/// max(20 × its rows, 20,000,000).
fn spans_fit_in_memory(raws: &[RawSeries], freq: Frequency, report: &mut Report) -> bool {
    let mut ok = true;
    let mut total = 0usize;
    let mut rows = 0usize;
    for raw in raws {
        let n = raw.dates.len();
        let periods = span(raw, freq);
        total = total.saturating_add(periods);
        rows += n;
        if periods > (100 * n).max(20_000) {
            ok = false;
            let (first, last) = (raw.dates[0], raw.dates[n - 1]);
            let label = key_label(&raw.key);
            report.push(
                Issue::error(
                    IssueKind::Gap,
                    format!("dates run from {first} (row {}) to {last} (row {}): {periods} {freq} periods for {n} row(s) — check these dates", raw.rows[0], raw.rows[n - 1]),
                )
                .at_row(raw.rows[0] as usize)
                .for_series(label),
            );
        }
    }
    if ok && total > (20 * rows).max(20_000_000) {
        report.push(Issue::error(
            IssueKind::Gap,
            format!("the series span {total} {freq} periods in all for {rows} rows; the dates are too sparse to put on a regular grid"),
        ));
        ok = false;
    }
    ok
}

fn sort_raw(s: &mut RawSeries, n_exog: usize) {
    if s.dates.windows(2).all(|w| w[0] <= w[1]) {
        return;
    }
    let mut order: Vec<usize> = (0..s.dates.len()).collect();
    order.sort_by_key(|&i| (s.dates[i], s.rows[i]));
    s.dates = order.iter().map(|&i| s.dates[i]).collect();
    s.values = order.iter().map(|&i| s.values[i]).collect();
    s.rows = order.iter().map(|&i| s.rows[i]).collect();
    if n_exog > 0 {
        s.exog = order
            .iter()
            .flat_map(|&i| s.exog[i * n_exog..(i + 1) * n_exog].iter().copied())
            .collect();
    }
}

/// One sorted raw series → a dense series on the grid of `freq`.
fn regularise(
    raw: RawSeries,
    freq: Frequency,
    n_exog: usize,
    opts: &IngestOptions,
    report: &mut Report,
    stats: &mut IngestStats,
) -> Option<Series> {
    let label = key_label(&raw.key);
    let anchor = *raw.dates.first()?;
    let mut values: Vec<f64> = Vec::with_capacity(raw.dates.len());
    let mut seen: Vec<bool> = Vec::with_capacity(raw.dates.len());
    let mut counts: Vec<u32> = Vec::with_capacity(raw.dates.len());
    let mut exog: Vec<Vec<f64>> = vec![Vec::with_capacity(raw.dates.len()); n_exog];
    let mut exog_counts: Vec<Vec<u32>> = vec![Vec::with_capacity(raw.dates.len()); n_exog];
    let mut dup_rows: Vec<u32> = Vec::new();
    // Rows whose date differs from an earlier date of the same period (two days of one month in
    // a monthly file): merged like duplicates, and said so.
    let mut same_period: Vec<(u32, NaiveDate, NaiveDate)> = Vec::new();
    let mut off_grid = false;
    for (i, &d) in raw.dates.iter().enumerate() {
        let p = freq.period_index(d, anchor);
        if !p.on_grid {
            off_grid = true;
            report.push(
                Issue::error(
                    IssueKind::OffGrid,
                    format!("{d} is not on the {freq} grid of this series, which starts {anchor}"),
                )
                .at_row(raw.rows[i] as usize)
                .for_series(label.clone()),
            );
            continue;
        }
        let k = p.index as usize;
        while values.len() <= k {
            values.push(f64::NAN);
            seen.push(false);
            counts.push(0);
            for c in &mut exog {
                c.push(f64::NAN);
            }
            for c in &mut exog_counts {
                c.push(0);
            }
        }
        let v = raw.values[i];
        if seen[k] {
            dup_rows.push(raw.rows[i]);
            if raw.dates[i] != raw.dates[i - 1] {
                same_period.push((raw.rows[i], d, raw.dates[i - 1]));
            }
            if !v.is_nan() {
                values[k] = if values[k].is_nan() { v } else { values[k] + v };
                counts[k] += 1;
            }
        } else {
            seen[k] = true;
            values[k] = v;
            counts[k] = u32::from(!v.is_nan());
        }
        for (c, (col, count)) in exog.iter_mut().zip(&mut exog_counts).enumerate() {
            let x = raw.exog[i * n_exog + c];
            if !x.is_nan() {
                // Exogenous drivers (price, promotion) are averaged over duplicates: summed
                // here, divided below.
                col[k] = if col[k].is_nan() { x } else { col[k] + x };
                count[k] += 1;
            }
        }
    }
    for (col, count) in exog.iter_mut().zip(&exog_counts) {
        for (x, &n) in col.iter_mut().zip(count) {
            if n > 1 {
                *x /= f64::from(n);
            }
        }
    }
    if off_grid {
        return None;
    }
    if !dup_rows.is_empty() {
        if opts.duplicates == DuplicatePolicy::Mean {
            for (v, &n) in values.iter_mut().zip(&counts) {
                if n > 1 {
                    *v /= n as f64;
                }
            }
        }
        stats.duplicates_merged += dup_rows.len();
        let rows: Vec<String> = dup_rows.iter().take(5).map(u32::to_string).collect();
        report.push(
            Issue::warning(
                IssueKind::Duplicate,
                format!(
                    "{} row(s) repeat a date of this series and were merged by {} (rows {}{})",
                    dup_rows.len(),
                    if opts.duplicates == DuplicatePolicy::Sum {
                        "sum"
                    } else {
                        "mean"
                    },
                    rows.join(", "),
                    if dup_rows.len() > 5 { ", …" } else { "" }
                ),
            )
            .at_row(dup_rows[0] as usize)
            .for_series(label.clone()),
        );
    }
    if let Some(&(row, date, earlier)) = same_period.first() {
        report.push(
            Issue::warning(
                IssueKind::Duplicate,
                format!(
                    "{} row(s) fall in a {freq} period that already has another date (row {row}: {date} joins {earlier}); \
                     they are merged into one period — set the frequency if this file is finer than {freq}",
                    same_period.len()
                ),
            )
            .at_row(row as usize)
            .for_series(label.clone()),
        );
    }
    // Gaps: periods never seen; missing values: seen with an empty cell.
    let gaps = seen.iter().filter(|s| !**s).count();
    let missing = values.iter().zip(&seen).filter(|(v, s)| **s && v.is_nan()).count();
    if gaps > 0 {
        let longest = longest_run(&seen);
        stats.gaps_filled += gaps;
        report.push(
            Issue::warning(
                IssueKind::Gap,
                format!(
                    "{gaps} missing {} period(s) filled with {} (longest gap: {longest}){}",
                    freq,
                    if opts.gaps == GapPolicy::Zero {
                        "zero"
                    } else {
                        "linear interpolation"
                    },
                    if longest * 4 >= values.len() {
                        " — a huge gap; check the data"
                    } else {
                        ""
                    }
                ),
            )
            .for_series(label.clone()),
        );
    }
    stats.missing_filled += missing;
    fill(&mut values, opts.gaps);
    for c in &mut exog {
        fill(c, GapPolicy::Linear);
    }
    let dates = (0..values.len()).map(|k| freq.advance(anchor, k as i64)).collect();
    Some(Series {
        key: raw.key,
        freq,
        dates,
        values,
        exog,
    })
}

fn longest_run(seen: &[bool]) -> usize {
    let (mut best, mut cur) = (0, 0);
    for &s in seen {
        cur = if s { 0 } else { cur + 1 };
        best = best.max(cur);
    }
    best
}

/// Fill NaNs in place: zeros, or straight lines between neighbours (ends take the nearest
/// value). An all-NaN column becomes zeros.
pub fn fill(values: &mut [f64], policy: GapPolicy) {
    if policy == GapPolicy::Zero {
        values.iter_mut().filter(|v| v.is_nan()).for_each(|v| *v = 0.0);
        return;
    }
    let known: Vec<usize> = (0..values.len()).filter(|&i| !values[i].is_nan()).collect();
    let (Some(&first), Some(&last)) = (known.first(), known.last()) else {
        values.iter_mut().for_each(|v| *v = 0.0);
        return;
    };
    let (head, tail) = (values[first], values[last]);
    values[..first].iter_mut().for_each(|v| *v = head);
    values[last + 1..].iter_mut().for_each(|v| *v = tail);
    for w in known.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (va, vb) = (values[a], values[b]);
        for (k, v) in values[a + 1..b].iter_mut().enumerate() {
            *v = va + (vb - va) * (k + 1) as f64 / (b - a) as f64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_fill_draws_lines_and_extends_ends() {
        let mut v = [f64::NAN, 1.0, f64::NAN, f64::NAN, 4.0, f64::NAN];
        fill(&mut v, GapPolicy::Linear);
        assert_eq!(v, [1.0, 1.0, 2.0, 3.0, 4.0, 4.0]);
        let mut z = [1.0, f64::NAN];
        fill(&mut z, GapPolicy::Zero);
        assert_eq!(z, [1.0, 0.0]);
    }
}

#[cfg(test)]
mod ambiguity_tests {
    use super::*;

    #[test]
    fn monthly_day_first_dates_are_read_day_first() {
        // First of each month, 2 years, written DD/MM/YYYY: every part <= 12, but only the
        // day-first reading is regular.
        let mut csv = String::from("date,sales\n");
        for y in [2023, 2024] {
            for m in 1..=12 {
                csv.push_str(&format!("01/{m:02}/{y},{m}\n"));
            }
        }
        let ing = ingest_csv(csv.as_bytes(), "m.csv", &IngestOptions::default());
        let m = ing.mapping.unwrap();
        assert_eq!(m.date_format, DateFormat::DayFirst);
        assert_eq!(m.freq, Some(Frequency::Monthly));
        assert_eq!(ing.report.count_of(IssueKind::AmbiguousDate), 0, "{}", ing.report);
        // Month-first monthly data is read month first.
        let mut csv = String::from("date,sales\n");
        for y in [2023, 2024] {
            for m in 1..=12 {
                csv.push_str(&format!("{m:02}/01/{y},{m}\n"));
            }
        }
        let ing = ingest_csv(csv.as_bytes(), "m.csv", &IngestOptions::default());
        assert_eq!(ing.mapping.unwrap().date_format, DateFormat::MonthFirst);
    }
}
