//! CSV bytes → [`Panel`] + [`Report`], the one ingestion path of the desktop app, the CLI and
//! the browser.
//!
//! Long format: a date column, a value column, zero or more id columns and any number of extra
//! numeric (exogenous) columns. Every problem lands in the report with its row and column;
//! duplicates are aggregated and gaps filled by the chosen policy, and both are counted.

mod chunks;
mod columns;
mod ends;
mod frame;
mod mapping;
mod options;
mod regular;
mod rows;

pub use frame::{Frame, FrameColumn, ingest_frame};
pub use options::{DuplicatePolicy, GapPolicy, IngestOptions, IngestStats, Ingested, Mapping};
pub use regular::fill;
pub use rows::MAX_MAGNITUDE;

use columns::{col_index, header_name, truncate};
use mapping::resolve_mapping;
use regular::build_panel;
use rows::{Accumulator, RowContext};

use super::sniff::{decode, profile_columns, sniff_delimiter};
use super::validate::{Issue, IssueKind, Report};

/// Rows used to guess the layout.
const SAMPLE_ROWS: usize = 200;

/// Fields a line may have: beyond them a file is not a sales table, and refusing it up front
/// keeps memory bounded by the file's size (the CSV reader holds a row's fields at once).
pub const MAX_FIELDS: usize = 10_000;

/// The first line (numbered from 1) of a record with more than [`MAX_FIELDS`] fields, read
/// with the CSV reader's rules: a quote opens a quoted field only at a field's start, `""`
/// inside one is a quote, and `\n`, `\r\n` and a lone `\r` end a line.
fn overlong_row(text: &[u8], delimiter: u8) -> Option<usize> {
    match memchr::memchr(b'"', text) {
        None => overlong_line(text, delimiter),
        Some(_) => overlong_record(text, delimiter),
    }
}

/// [`overlong_row`] byte by byte, following quotes.
fn overlong_record(text: &[u8], delimiter: u8) -> Option<usize> {
    let (mut line, mut fields, mut quoted, mut field_start) = (1, 1, false, true);
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        let next = text.get(i + 1).copied();
        let line_end = b == b'\n' || (b == b'\r' && next != Some(b'\n'));
        if quoted {
            if b == b'"' && next == Some(b'"') {
                i += 1;
            } else if b == b'"' {
                quoted = false;
            } else if line_end {
                line += 1;
            }
        } else if b == b'"' && field_start {
            quoted = true;
            field_start = false;
        } else if b == delimiter {
            fields += 1;
            field_start = true;
            if fields > MAX_FIELDS {
                return Some(line);
            }
        } else if line_end {
            line += 1;
            fields = 1;
            field_start = true;
        } else if b != b'\r' {
            field_start = false;
        }
        i += 1;
    }
    None
}

/// [`overlong_row`] of a text without quotes, where records are lines: only a line of at
/// least [`MAX_FIELDS`] bytes can hold that many delimiters, so only those are counted.
fn overlong_line(text: &[u8], delimiter: u8) -> Option<usize> {
    let (mut line, mut start) = (1, 0);
    let ends = memchr::memchr2_iter(b'\n', b'\r', text).chain(std::iter::once(text.len()));
    for end in ends {
        if end - start >= MAX_FIELDS && text[start..end].iter().filter(|&&b| b == delimiter).count() >= MAX_FIELDS {
            return Some(line);
        }
        // `\r\n` ends one line; the `\r` is counted at its `\n`.
        if !(text.get(end) == Some(&b'\r') && text.get(end + 1) == Some(&b'\n')) {
            line += 1;
        }
        start = end + 1;
    }
    None
}

/// Read CSV bytes named `source` (the file name used in messages).
pub fn ingest_csv(bytes: &[u8], source: &str, opts: &IngestOptions) -> Ingested {
    ingest_csv_with(bytes, source, opts, chunks::PARALLEL_FROM)
}

/// [`ingest_csv`], its rows read in parallel when more than `parallel_from` bytes follow the
/// guessing sample (see [`chunks`]).
fn ingest_csv_with(bytes: &[u8], source: &str, opts: &IngestOptions, parallel_from: usize) -> Ingested {
    let mut report = Report::new(source);
    let mut stats = IngestStats::default();
    let done = |report, mapping, stats, columns| Ingested {
        report,
        mapping,
        columns,
        panel: None,
        stats,
    };

    // Binary files a sales CSV is often confused with: said, not read as a column of noise.
    let binary = if bytes.starts_with(b"PAR1") {
        Some(
            "a Parquet file, not a CSV file: aggregate it into sales first (`horizon aggregate`, or the workbench's Aggregate transactions dialog)",
        )
    } else if bytes.starts_with(&[0x1f, 0x8b]) {
        Some("a gzip-compressed file: decompress it first (gunzip)")
    } else if bytes.starts_with(b"PK\x03\x04") {
        Some("a ZIP archive (or an Excel workbook): extract the CSV, or save the sheet as CSV")
    } else {
        None
    };
    if let Some(what) = binary {
        report.push(Issue::error(IssueKind::Encoding, format!("this is {what}")));
        return done(report, None, stats, Vec::new());
    }
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

    if let Some(line) = overlong_row(text.as_bytes(), delimiter) {
        report.push(
            Issue::error(
                IssueKind::RaggedRow,
                format!(
                    "this line has more than {MAX_FIELDS} fields (delimiter: {}): not a table of sales; \
                     the file is not read",
                    super::sniff::delimiter_name(delimiter)
                ),
            )
            .at_row(line),
        );
        return done(report, None, stats, Vec::new());
    }
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
        // Fields beyond the header's are reported row by row below; guesses never need them.
        .map(|r| {
            r.iter()
                .take(header.len())
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect()
        })
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

    let commas_settled: Vec<bool> = (0..header.len())
        .map(|j| {
            decimal_comma
                && sample_text
                    .iter()
                    .any(|r| r.get(j).is_some_and(|c| super::sniff::settles_decimal_comma(c)))
        })
        .collect();

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
        commas_settled: &commas_settled,
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
        let mut reader = records.into_reader();
        let start = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
        let n_exog = exog_idx.len();
        let parallel = chunks::read_rows(text.as_bytes(), start, delimiter, &ctx, (n_exog, source), parallel_from);
        // One record reused for every row: a fresh one per row was a tenth of the reading time.
        let mut rec = csv::ByteRecord::new();
        if let Some((parts, rows, error)) = parallel {
            for (rest, rest_report) in parts {
                acc.absorb(rest);
                report.absorb(rest_report);
            }
            records_read += rows;
            read_error = error;
        } else {
            loop {
                match reader.read_byte_record(&mut rec) {
                    Ok(true) => process(&rec, &mut report),
                    Ok(false) => break,
                    Err(e) => {
                        read_error = Some(e);
                        break;
                    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows read in parallel chunks give what one reader gives: the same panel, report (row
    /// numbers, kept details, counts) and stats, on files with bad cells, extra fields, blank
    /// lines, every line ending and rows out of order.
    #[test]
    fn parallel_chunks_read_as_one_reader_does() {
        use crate::data::generate::{RetailParams, retail};
        let panel = retail(&RetailParams {
            stores: 3,
            products: 4,
            days: 400,
            ..Default::default()
        });
        let clean = crate::export::panel_csv(&panel);
        let mut next = crate::stats::xorshift(11);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        for case in 0..6 {
            let mut lines: Vec<String> = clean.lines().map(str::to_string).collect();
            let header = lines.remove(0);
            if case % 2 == 0 {
                // Rows out of order: series interleave across chunks.
                for i in (1..lines.len()).rev() {
                    lines.swap(i, (next() % (i as u64 + 1)) as usize);
                }
            }
            // Cases 0-2 hold warnings only (a panel is read), 3-5 errors too.
            let with_errors = case >= 3;
            for l in lines.iter_mut() {
                let mut cells: Vec<String> = l.split(',').map(str::to_string).collect();
                match next() % 300 {
                    0 => cells[3].clear(),
                    1 => cells[3] = format!("-{}", cells[3]),
                    2 if with_errors => cells.push("x7".into()),
                    3 => cells.clear(),
                    4 if with_errors => cells[2] = "2024-13-45".into(),
                    5 if with_errors => cells[3] = "lots".into(),
                    _ => {}
                }
                *l = cells.join(",");
            }
            let end = ["\n", "\r\n", "\r"][case % 3];
            let text = format!("{header}{end}{}{end}", lines.join(end));
            let opts = IngestOptions::default();
            let one = ingest_csv_with(text.as_bytes(), "f.csv", &opts, usize::MAX);
            let many = pool.install(|| ingest_csv_with(text.as_bytes(), "f.csv", &opts, 1));
            assert!(one.report.issues.len() > 3, "case {case}: {}", one.report);
            assert_eq!(one.panel.is_some(), !with_errors, "case {case}: {}", one.report);
            assert_eq!(one.report, many.report, "case {case}");
            assert_eq!(one.panel, many.panel, "case {case}");
            assert_eq!(one.stats, many.stats, "case {case}");
            assert_eq!(one.mapping, many.mapping, "case {case}");
        }
    }

    /// Without quotes, the line-by-line shortcut finds the same overlong line as the
    /// byte-by-byte reading, whatever the line ends (`\n`, `\r\n`, lone `\r`).
    #[test]
    fn the_overlong_line_shortcut_agrees_with_the_full_reading() {
        let mut next = crate::stats::xorshift(7);
        for case in 0..200 {
            let mut text = Vec::new();
            for _ in 0..(next() % 6) {
                let fields = match next() % 4 {
                    0 => MAX_FIELDS + (next() % 3) as usize - 1,
                    _ => (next() % 20) as usize,
                };
                for f in 0..fields {
                    if f > 0 {
                        text.push(b',');
                    }
                    text.extend(std::iter::repeat_n(b'7', (next() % 3) as usize));
                }
                let end: &[u8] = match next() % 3 {
                    0 => b"\n",
                    1 => b"\r\n",
                    _ => b"\r",
                };
                text.extend_from_slice(end);
            }
            assert_eq!(overlong_line(&text, b','), overlong_record(&text, b','), "case {case}");
        }
    }

    #[test]
    fn binary_files_are_named_not_read_as_text() {
        for (bytes, says) in [
            (&b"PAR1\x15\x04\x15"[..], "this is a Parquet file, not a CSV file"),
            (&[0x1f, 0x8b, 0x08, 0x00][..], "this is a gzip-compressed file"),
            (
                &b"PK\x03\x04\x14\x00"[..],
                "this is a ZIP archive (or an Excel workbook)",
            ),
        ] {
            let ing = ingest_csv(bytes, "f", &IngestOptions::default());
            assert!(ing.panel.is_none());
            assert_eq!(ing.report.error_count(), 1, "{}", ing.report);
            assert!(ing.report.to_string().contains(says), "{}", ing.report);
        }
    }

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
mod frequency_tests {
    use super::*;
    use crate::data::Frequency;

    /// `n` dates `step` days apart from 2024-01-01, sales 10, for `id`.
    fn rows(id: &str, step: u64, n: u64) -> String {
        let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        (0..n)
            .map(|k| format!("{id},{},10\n", start + chrono::Days::new(step * k)))
            .collect()
    }

    #[test]
    fn weekly_dates_read_as_daily_say_so() {
        let csv = format!("id,date,sales\n{}", rows("A", 7, 20));
        let guessed = ingest_csv(csv.as_bytes(), "w.csv", &IngestOptions::default());
        assert_eq!(guessed.stats.dates_freq, Some(Frequency::Weekly));
        assert_eq!(guessed.panel.unwrap().freq, Frequency::Weekly);
        assert_eq!(guessed.report.count_of(IssueKind::Frequency), 0, "{}", guessed.report);
        let daily = IngestOptions {
            freq: Some(Frequency::Daily),
            ..Default::default()
        };
        let forced = ingest_csv(csv.as_bytes(), "w.csv", &daily);
        assert_eq!(forced.stats.dates_freq, Some(Frequency::Weekly));
        assert_eq!(forced.panel.as_ref().unwrap().freq, Frequency::Daily);
        assert_eq!(forced.stats.gaps_filled, 19 * 6);
        assert_eq!(forced.report.count_of(IssueKind::Frequency), 1, "{}", forced.report);
        assert!(
            forced
                .report
                .to_string()
                .contains("the dates step like weekly data but are read as daily"),
            "{}",
            forced.report
        );
    }

    #[test]
    fn a_date_column_without_dates_is_named() {
        let csv = format!("id,date,sales\n{}", rows("A", 1, 30));
        let opts = IngestOptions {
            date_column: Some("sales".into()),
            ..Default::default()
        };
        let ing = ingest_csv(csv.as_bytes(), "m.csv", &opts);
        let said = ing.report.to_string();
        assert!(
            said.contains("the date column 'sales' holds no dates (first value '10'"),
            "{said}"
        );
        assert!(!said.contains("no numeric column"), "{said}");
    }

    #[test]
    fn a_monthly_series_in_a_daily_file_is_named() {
        let csv = format!("id,date,sales\n{}{}", rows("A", 1, 400), rows("B", 30, 12));
        let ing = ingest_csv(csv.as_bytes(), "mixed.csv", &IngestOptions::default());
        assert_eq!(ing.panel.as_ref().unwrap().freq, Frequency::Daily);
        let said = ing.report.to_string();
        assert_eq!(ing.report.count_of(IssueKind::Frequency), 1, "{said}");
        assert!(said.contains("B"), "{said}");
        assert!(
            said.contains("its dates step like monthly data (11 of 11 steps) but the file is daily"),
            "{said}"
        );
        // A product sold on a few scattered days is daily data with gaps, not another frequency.
        let scattered = "id,date,sales\nC,2024-01-01,1\nC,2024-01-08,1\nC,2024-01-11,1\nC,2024-01-18,1\n\
                         C,2024-01-30,1\nC,2024-02-02,1\n";
        let csv = format!("id,date,sales\n{}{}", rows("A", 1, 60), &scattered[14..]);
        let ing = ingest_csv(csv.as_bytes(), "s.csv", &IngestOptions::default());
        assert_eq!(ing.report.count_of(IssueKind::Frequency), 0, "{}", ing.report);
    }
}

#[cfg(test)]
mod ambiguity_tests {
    use super::*;
    use crate::data::Frequency;
    use crate::data::dates::DateFormat;

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
