//! A file read by polars: Parquet, or CSV with a guessed delimiter.

use crate::TableError;
use horizon_core::data::dates::{DateFormat, candidate_formats};
use horizon_core::data::sniff::{parse_number, sniff_delimiter};
use polars::prelude::*;
use std::io::Cursor;

/// The four bytes that open (and close) every Parquet file.
const PARQUET_MAGIC: &[u8] = b"PAR1";

/// How the file was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Csv { delimiter: u8 },
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Parquet => "Parquet",
            Format::Csv { .. } => "CSV",
        }
    }
}

/// What a column holds, as far as an aggregation cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Typed dates or timestamps, or text in one of the date layouts Horizon reads.
    Date,
    Number,
    Text,
    /// Anything else (booleans, lists, …): usable as an id at most.
    Other,
}

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnInfo {
    pub name: String,
    /// The polars type, as polars writes it (`str`, `f64`, `date`, `datetime[μs]`, …).
    pub dtype: String,
    pub kind: ColumnKind,
    /// The layouts a text date column parses in (empty for typed dates and other columns).
    pub date_formats: Vec<DateFormat>,
    pub nulls: usize,
    /// How many different values the column holds.
    pub distinct: usize,
}

/// A whole file in memory as a polars `DataFrame`.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub format: Format,
    df: DataFrame,
    /// In a `;` file (decimal commas), per column: the first cell (0-based row, why) that reads
    /// two ways a thousand times apart (`1.250`; `1,250` unless the column shows decimal commas
    /// elsewhere), which polars would have read one way without a word.
    ambiguous: std::collections::BTreeMap<String, (usize, String)>,
}

impl Table {
    /// Read `bytes` (the content of the file `name`): Parquet when it starts with the Parquet
    /// magic, CSV otherwise (delimiter guessed, UTF-8 with a byte-order mark allowed, other
    /// encodings read lossily).
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<Table, TableError> {
        let unreadable = |format: Format, e: PolarsError| TableError::Unreadable {
            file: name.to_string(),
            format: format.name(),
            message: e.to_string(),
        };
        if bytes.starts_with(PARQUET_MAGIC) {
            let df = ParquetReader::new(Cursor::new(bytes))
                .finish()
                .map_err(|e| unreadable(Format::Parquet, e))?;
            return Ok(Table {
                name: name.to_string(),
                format: Format::Parquet,
                df,
                ambiguous: Default::default(),
            });
        }
        if bytes.starts_with(&[0x1f, 0x8b]) || bytes.starts_with(b"PK\x03\x04") {
            return Err(TableError::Unreadable {
                file: name.to_string(),
                format: "CSV",
                message: "it is compressed (gzip or ZIP): decompress it first".into(),
            });
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
        let delimiter = sniff_delimiter(&head).unwrap_or(b',');
        let format = Format::Csv { delimiter };
        let df = CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(10_000))
            .map_parse_options(|p| {
                p.with_separator(delimiter)
                    .with_encoding(CsvEncoding::LossyUtf8)
                    .with_decimal_comma(delimiter == b';')
            })
            .into_reader_with_file_handle(Cursor::new(bytes.to_vec()))
            .finish()
            .map_err(|e| match ragged_row(bytes, delimiter) {
                Some(message) => TableError::Unreadable {
                    file: name.to_string(),
                    format: format.name(),
                    message,
                },
                None => unreadable(format, e),
            })?;
        Ok(Table {
            name: name.to_string(),
            format,
            df,
            ambiguous: if delimiter == b';' {
                ambiguous_cells(bytes, delimiter)
            } else {
                Default::default()
            },
        })
    }

    /// The first cell of column `name` that reads two ways a thousand times apart (see
    /// [`Table`]), as the error that refuses it.
    pub(crate) fn ambiguity(&self, name: &str) -> Option<TableError> {
        self.ambiguous.get(name).map(|(i, why)| TableError::Cell {
            file: self.name.clone(),
            row: self.row_name(*i),
            column: name.to_string(),
            message: why.clone(),
        })
    }

    /// Write `df` as a Parquet file's bytes (for tests, samples and conversions).
    pub fn parquet_bytes(df: &mut DataFrame) -> Result<Vec<u8>, PolarsError> {
        let mut out = Vec::new();
        ParquetWriter::new(&mut out).finish(df)?;
        Ok(out)
    }

    pub fn frame(&self) -> &DataFrame {
        &self.df
    }

    pub fn rows(&self) -> usize {
        self.df.height()
    }

    pub fn column_names(&self) -> Vec<String> {
        self.df.get_column_names().iter().map(|n| n.to_string()).collect()
    }

    /// The row `i` (0-based) as the user finds it: a Parquet row number, or a CSV line (the
    /// header is line 1).
    pub fn row_name(&self, i: usize) -> String {
        match self.format {
            Format::Parquet => format!("row {}", i + 1),
            Format::Csv { .. } => format!("line {}", i + 2),
        }
    }

    /// The column `name`, or an error listing the columns there are.
    pub(crate) fn column(&self, name: &str) -> Result<&Column, TableError> {
        self.df.column(name).map_err(|_| TableError::NoColumn {
            file: self.name.clone(),
            column: name.to_string(),
            available: self.column_names().join(", "),
        })
    }

    /// Every column with its type, kind, missing values and number of distinct values.
    pub fn columns(&self) -> Vec<ColumnInfo> {
        self.df
            .columns()
            .iter()
            .map(|c| {
                let dtype = c.dtype();
                let mut date_formats = Vec::new();
                let kind = match dtype {
                    DataType::Date | DataType::Datetime(..) => ColumnKind::Date,
                    d if d.is_primitive_numeric() => ColumnKind::Number,
                    DataType::String => {
                        date_formats = text_date_formats(c);
                        if date_formats.is_empty() {
                            ColumnKind::Text
                        } else {
                            ColumnKind::Date
                        }
                    }
                    _ => ColumnKind::Other,
                };
                ColumnInfo {
                    name: c.name().to_string(),
                    dtype: dtype.to_string(),
                    kind,
                    date_formats,
                    nulls: c.null_count(),
                    distinct: c.n_unique().unwrap_or(0),
                }
            })
            .collect()
    }

    /// The first `n` rows as text, one `Vec` per row in column order (missing cells empty).
    pub fn head(&self, n: usize) -> Vec<Vec<String>> {
        let n = n.min(self.df.height());
        (0..n)
            .map(|i| {
                self.df
                    .columns()
                    .iter()
                    .map(|c| match c.get(i) {
                        Ok(AnyValue::Null) | Err(_) => String::new(),
                        Ok(AnyValue::String(s)) => s.to_string(),
                        Ok(v) => v.to_string(),
                    })
                    .collect()
            })
            .collect()
    }
}

/// The first 1 000 non-empty cells of a text column (none for other columns).
fn text_sample(c: &Column) -> Vec<&str> {
    let Ok(s) = c.str() else { return Vec::new() };
    s.iter().flatten().filter(|v| !v.trim().is_empty()).take(1000).collect()
}

/// Whether `ok` holds for nearly every cell of `sample`: all of a small one (under 20 cells),
/// at least 95 % of a larger one (a column of dates or numbers with a few mistyped cells, which
/// the aggregation then names by line rather than not recognising the column at all).
fn nearly_all(sample: &[&str], ok: impl Fn(&str) -> bool) -> bool {
    let bad = sample.iter().filter(|s| !ok(s)).count();
    !sample.is_empty()
        && if sample.len() < 20 {
            bad == 0
        } else {
            bad * 20 <= sample.len()
        }
}

/// The date layouts the first 1 000 non-empty cells of a text column parse in: every cell, or
/// else nearly every one (see [`nearly_all`]).
pub(crate) fn text_date_formats(c: &Column) -> Vec<DateFormat> {
    let sample = text_sample(c);
    let every = candidate_formats(sample.iter().copied());
    if !every.is_empty() {
        return every;
    }
    DateFormat::ALL
        .into_iter()
        .filter(|f| nearly_all(&sample, |s| f.parse(s).is_some()))
        .collect()
}

/// Whether a text column mostly holds numbers (at least half of its first 1 000 non-empty
/// cells), as a CSV column of numbers with mistyped cells does.
pub(crate) fn text_numbers(c: &Column, decimal_comma: bool) -> bool {
    let sample = text_sample(c);
    let numbers = sample
        .iter()
        .filter(|s| matches!(parse_number(s, decimal_comma), Ok(Some(_))))
        .count();
    numbers > 0 && numbers * 2 >= sample.len()
}

/// Per column of a `;` file, its first cell (0-based row, why) with two readings a thousand
/// times apart, as [`horizon_core::data::sniff::ambiguous_number`] judges it: `1,250` only when
/// no cell of the column shows decimal commas (`12,5`).
fn ambiguous_cells(bytes: &[u8], delimiter: u8) -> std::collections::BTreeMap<String, (usize, String)> {
    use horizon_core::data::sniff::{ambiguous_number, settles_decimal_comma, thousands_grouped};
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(bytes);
    // Bytes, decoded lossily as polars reads them: a Latin-1 "Köln" stops no check.
    let Ok(header) = reader.byte_headers().cloned() else {
        return Default::default();
    };
    // Per column: the first thousands point, the first thousands comma, any settling cell.
    let mut point: Vec<Option<(usize, String)>> = vec![None; header.len()];
    let mut comma: Vec<Option<(usize, String)>> = vec![None; header.len()];
    let mut settled = vec![false; header.len()];
    for (i, record) in reader.byte_records().enumerate() {
        let Ok(record) = record else { continue };
        for (j, cell) in record.iter().enumerate().take(header.len()) {
            let cell = String::from_utf8_lossy(cell);
            let cell = cell.as_ref();
            if settles_decimal_comma(cell) {
                settled[j] = true;
            } else if let Some(why) = ambiguous_number(cell, true, false) {
                let first = if thousands_grouped(cell) {
                    &mut point[j]
                } else {
                    &mut comma[j]
                };
                first.get_or_insert((i, why));
            }
        }
    }
    header
        .iter()
        .enumerate()
        .filter_map(|(j, name)| {
            let first = match (point[j].take(), comma[j].take().filter(|_| !settled[j])) {
                (Some(p), Some(c)) => Some(if p.0 <= c.0 { p } else { c }),
                (p, c) => p.or(c),
            };
            first.map(|f| (String::from_utf8_lossy(name).into_owned(), f))
        })
        .collect()
}

/// The first row whose number of fields differs from the header's, in words, with its row
/// as a spreadsheet shows it (the header is row 1): what polars reports of it names neither.
fn ragged_row(bytes: &[u8], delimiter: u8) -> Option<String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(bytes);
    let width = reader.byte_headers().ok()?.len();
    for record in reader.byte_records() {
        if let Err(e) = record
            && let csv::ErrorKind::UnequalLengths { pos, len, .. } = e.kind()
        {
            let row = pos.as_ref().map_or(0, |p| p.line());
            return Some(format!(
                "line {row} has {len} field(s), the header has {width} (a value with an unquoted \
                 '{}' in it, or a field too many?)",
                char::from(delimiter)
            ));
        }
    }
    None
}
