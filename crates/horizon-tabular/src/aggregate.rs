//! Raw transaction lines to sales per period and id: the aggregation the user chose, run by
//! polars (`group_by` on the ids and the period), written as CSV for the core's ingestion.

pub use crate::period::Period;
use crate::table::text_date_formats;
use crate::{Format, Table, TableError};
use chrono::NaiveDate;
use horizon_core::data::dates::DateFormat;
use horizon_core::data::sniff::parse_number;
use horizon_core::data::{IngestOptions, MAX_MAGNITUDE};
use polars::prelude::*;

/// What the rows of one period and id make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum How {
    /// The sum of the value column (units, revenue).
    #[default]
    Sum,
    /// The number of rows (orders, trips); needs no value column.
    Count,
    /// The mean of the value column (a price, a basket size).
    Mean,
}

impl How {
    pub const ALL: [How; 3] = [How::Sum, How::Count, How::Mean];

    pub fn name(self) -> &'static str {
        match self {
            How::Sum => "sum",
            How::Count => "count of rows",
            How::Mean => "mean",
        }
    }
}

/// The user's choice: which columns, which period, which aggregate.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Aggregation {
    pub date: String,
    /// The layout of a text date column; `None` takes the first layout every cell parses in.
    pub date_format: Option<DateFormat>,
    /// The column summed or averaged; not used by [`How::Count`].
    pub value: Option<String>,
    /// One series per combination of these columns (none: the file is one series).
    pub ids: Vec<String>,
    pub period: Period,
    pub how: How,
    /// A period without rows is zero sales (sums and counts; no day without an order is a
    /// missing day). Off, it is a gap the ingestion's gap policy handles.
    pub empty_periods_are_zero: bool,
    /// Keep the first and last week or month when the data covers them only in part (sums and
    /// counts; see [`crate::PartialPeriod`]). Off, they are left out.
    pub keep_partial_ends: bool,
}

impl Aggregation {
    /// The aggregation in words, for the dialog and the log.
    pub fn describe(&self) -> String {
        let what = match (self.how, &self.value) {
            (How::Count, _) => "number of rows".to_string(),
            (how, Some(v)) => format!("{} of '{}'", how.name(), v),
            (how, None) => format!("{} of (no value column)", how.name()),
        };
        let by = if self.ids.is_empty() {
            "one series".to_string()
        } else {
            format!(
                "by {}",
                self.ids
                    .iter()
                    .map(|i| format!("'{i}'"))
                    .collect::<Vec<_>>()
                    .join(" × ")
            )
        };
        let zero = match (self.how, self.empty_periods_are_zero) {
            (How::Mean, _) => "",
            (_, true) => "; periods without rows are 0",
            (_, false) => "; periods without rows are gaps",
        };
        format!(
            "{} per {} of '{}', {}{}",
            capitalise(&what),
            self.period.noun(),
            self.date,
            by,
            zero
        )
    }

    /// The name of the value column in the output.
    pub fn value_name(&self) -> String {
        let base = match (self.how, &self.value) {
            (How::Count, _) => "rows".to_string(),
            (How::Sum, Some(v)) => v.clone(),
            (How::Mean, Some(v)) => format!("{v}_mean"),
            (_, None) => "value".to_string(),
        };
        let mut name = base.clone();
        let mut k = 2;
        while name == self.date || self.ids.contains(&name) {
            name = format!("{base}_{k}");
            k += 1;
        }
        name
    }
}

/// `s` with its first letter upper-case.
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The aggregated sales, ready for the ingestion.
#[derive(Debug, Clone)]
pub struct Aggregated {
    /// `ids…, date, value` with one row per id and period, sorted.
    pub csv: Vec<u8>,
    /// How to read [`Aggregated::csv`] (columns, date layout, frequency); the gap and
    /// duplicate policies are the defaults, to be replaced by the user's.
    pub options: IngestOptions,
    pub description: String,
    pub input_rows: usize,
    /// Rows left out because their date, value or an id is missing.
    pub skipped_rows: usize,
    /// Why the first few rows were left out (row named as in the file).
    pub skipped_examples: Vec<String>,
    pub series: usize,
    /// Rows of [`Aggregated::csv`].
    pub output_rows: usize,
    /// Output rows for periods without any input row, written as 0.
    pub zero_filled: usize,
    /// The first and last periods the data covers only in part (sums and counts) …
    pub partial_ends: Vec<crate::PartialPeriod>,
    /// … and whether they were left out (not when asked to keep them, or when nothing else
    /// would be left).
    pub partial_left_out: bool,
}

impl Aggregated {
    /// What became of the periods the data covers only in part, in words (`None`: there were
    /// none).
    pub fn partial_note(&self) -> Option<String> {
        if self.partial_ends.is_empty() {
            return None;
        }
        let which: Vec<String> = self.partial_ends.iter().map(ToString::to_string).collect();
        let n = which.len();
        Some(if self.partial_left_out {
            format!(
                "left out {}: the data covers only part of {}, and {} would look like a drop in sales",
                which.join(" and "),
                if n == 1 { "it" } else { "them" },
                if n == 1 { "its total" } else { "their totals" }
            )
        } else {
            format!(
                "warning: the data covers only part of {}: {} not comparable with the other periods'",
                which.join(" and "),
                if n == 1 { "its total is" } else { "their totals are" }
            )
        })
    }
}

const PERIOD: &str = "__horizon_period";
const VALUE: &str = "__horizon_value";
const KEEP: &str = "__horizon_keep";
const SKIP_EXAMPLES: usize = 5;

/// Aggregate `table` as `agg` says.
pub fn aggregate(table: &Table, agg: &Aggregation) -> Result<Aggregated, TableError> {
    let request = |message: String| TableError::Request {
        file: table.name.clone(),
        message,
    };
    if agg.ids.contains(&agg.date) {
        return Err(request(format!("'{}' is the date; it cannot also be an id", agg.date)));
    }
    let value_col = match (agg.how, &agg.value) {
        (How::Count, _) => None,
        (_, Some(v)) if agg.ids.contains(v) || *v == agg.date => {
            return Err(request(format!("'{v}' cannot be the value and the date or an id")));
        }
        (_, Some(v)) => Some(v.as_str()),
        (how, None) => return Err(request(format!("a {} needs a value column", how.name()))),
    };
    // Every named column first, so a typo is reported before any cell is read.
    table.column(&agg.date)?;
    for name in value_col.iter().copied().chain(agg.ids.iter().map(String::as_str)) {
        table.column(name)?;
    }
    let n = table.rows();
    let mut skipped = Skipped::default();
    let days = dates(table, &agg.date, agg.date_format)?;
    let values = match value_col {
        Some(v) => Some(numbers(table, v)?),
        None => None,
    };
    let mut ids = Vec::with_capacity(agg.ids.len());
    for name in &agg.ids {
        let c = table.column(name)?;
        let text = c.cast(&DataType::String).map_err(|e| TableError::Column {
            file: table.name.clone(),
            column: name.clone(),
            message: format!("cannot be read as an id: {e}"),
        })?;
        ids.push(text.with_name(name.as_str().into()));
    }
    let id_nulls: Vec<BooleanChunked> = ids.iter().map(|c| c.is_null()).collect();
    let mut periods: Vec<Option<i64>> = Vec::with_capacity(n);
    let mut keep: Vec<bool> = Vec::with_capacity(n);
    for i in 0..n {
        let missing = if days[i].is_none() {
            Some(agg.date.as_str())
        } else if let (Some(v), Some(name)) = (&values, value_col)
            && v[i].is_none()
        {
            Some(name)
        } else {
            agg.ids
                .iter()
                .zip(&id_nulls)
                .find(|(_, nulls)| nulls.get(i).unwrap_or(false))
                .map(|(name, _)| name.as_str())
        };
        if let Some(column) = missing {
            skipped.add(format!("{}: no '{}'", table.row_name(i), column));
        }
        keep.push(missing.is_none());
        periods.push(days[i].map(|d| agg.period.index(d)));
    }
    let (partial_ends, partial_left_out) = leave_out_partial_ends(agg, &days, &periods, &mut keep);
    if skipped.count == n {
        return Err(request(format!(
            "no row has a date, a value and every id ({} rows; first: {})",
            n,
            skipped.examples.first().map_or("none", String::as_str)
        )));
    }

    let mut columns: Vec<Column> = ids.clone();
    columns.push(Column::new(PERIOD.into(), periods));
    columns.push(Column::new(VALUE.into(), values.unwrap_or_else(|| vec![Some(1.0); n])));
    columns.push(Column::new(KEEP.into(), keep));
    let polars_error = |e: PolarsError| request(format!("aggregation failed: {e}"));
    let frame = DataFrame::new_infer_height(columns).map_err(polars_error)?;
    let mut keys: Vec<Expr> = agg.ids.iter().map(|c| col(c.as_str())).collect();
    keys.push(col(PERIOD));
    let measure = match agg.how {
        How::Sum => col(VALUE).sum(),
        How::Count => len().cast(DataType::Float64),
        How::Mean => col(VALUE).mean(),
    };
    let mut sort_by: Vec<PlSmallStr> = agg.ids.iter().map(|c| c.as_str().into()).collect();
    sort_by.push(PERIOD.into());
    let grouped = frame
        .lazy()
        .filter(col(KEEP))
        .group_by(keys)
        .agg([measure.alias(VALUE)])
        .sort(sort_by, SortMultipleOptions::default())
        .collect()
        .map_err(polars_error)?;

    let out = write_csv(table, agg, &grouped)?;
    let value_name = agg.value_name();
    let options = IngestOptions {
        delimiter: Some(b','),
        date_column: Some(agg.date.clone()),
        date_format: Some(DateFormat::Iso),
        value_column: Some(value_name),
        id_columns: Some(agg.ids.clone()),
        exog_columns: Some(Vec::new()),
        freq: Some(agg.period.frequency()),
        ..IngestOptions::default()
    };
    Ok(Aggregated {
        csv: out.csv,
        options,
        description: agg.describe(),
        input_rows: n,
        skipped_rows: skipped.count,
        skipped_examples: skipped.examples,
        series: out.series,
        output_rows: out.rows,
        zero_filled: out.zero_filled,
        partial_ends,
        partial_left_out,
    })
}

/// The partial first and last periods of the rows kept (sums and counts), and whether their
/// rows were taken out of `keep` (not when asked to keep them, or when no row would be left).
fn leave_out_partial_ends(
    agg: &Aggregation,
    days: &[Option<NaiveDate>],
    periods: &[Option<i64>],
    keep: &mut [bool],
) -> (Vec<crate::PartialPeriod>, bool) {
    if agg.how == How::Mean {
        return (Vec::new(), false);
    }
    let mut kept_days: Vec<NaiveDate> = days
        .iter()
        .zip(keep.iter())
        .filter(|(_, k)| **k)
        .filter_map(|(d, _)| *d)
        .collect();
    kept_days.sort_unstable();
    kept_days.dedup();
    let (Some(&first), Some(&last)) = (kept_days.first(), kept_days.last()) else {
        return (Vec::new(), false);
    };
    // A business shut on some days has that many days without rows inside the data too.
    let closed = kept_days
        .windows(2)
        .map(|w| (w[1] - w[0]).num_days() - 1)
        .max()
        .unwrap_or(0);
    let ends = crate::partial::partial_ends(agg.period, first, last, closed);
    let partial = |p: &Option<i64>| p.is_some_and(|p| ends.iter().any(|(i, _)| *i == p));
    let whole_left = periods.iter().zip(keep.iter()).any(|(p, k)| *k && !partial(p));
    let leave_out = !ends.is_empty() && !agg.keep_partial_ends && whole_left;
    if leave_out {
        for (k, p) in keep.iter_mut().zip(periods) {
            *k = *k && !partial(p);
        }
    }
    (ends.into_iter().map(|(_, p)| p).collect(), leave_out)
}

#[derive(Default)]
struct Skipped {
    count: usize,
    examples: Vec<String>,
}

impl Skipped {
    fn add(&mut self, why: String) {
        self.count += 1;
        if self.examples.len() < SKIP_EXAMPLES {
            self.examples.push(why);
        }
    }
}

/// The date column as days; a cell that is there but is not a date is an error naming it.
fn dates(table: &Table, name: &str, layout: Option<DateFormat>) -> Result<Vec<Option<NaiveDate>>, TableError> {
    let c = table.column(name)?;
    let column_error = |message: String| TableError::Column {
        file: table.name.clone(),
        column: name.to_string(),
        message,
    };
    match c.dtype() {
        DataType::Date | DataType::Datetime(..) => {
            let days = c
                .cast(&DataType::Date)
                .and_then(|d| d.cast(&DataType::Int32))
                .map_err(|e| column_error(format!("cannot be read as dates: {e}")))?;
            let days = days.i32().map_err(|e| column_error(e.to_string()))?;
            // Day 719 163 of the common era is 1970-01-01, day 0 of polars' dates.
            Ok(days
                .iter()
                .map(|d| d.and_then(|d| NaiveDate::from_num_days_from_ce_opt(d.checked_add(719_163)?)))
                .collect())
        }
        DataType::String => {
            let text = c.str().map_err(|e| column_error(e.to_string()))?;
            let layout = match layout {
                Some(l) => l,
                None => *text_date_formats(c).first().ok_or_else(|| {
                    column_error(format!(
                        "does not hold dates in a layout Horizon reads ({}; first value '{}')",
                        DateFormat::ALL.map(|f| f.pattern()).join(", "),
                        text.iter().flatten().next().unwrap_or("")
                    ))
                })?,
            };
            text.iter()
                .enumerate()
                .map(|(i, cell)| match cell.map(str::trim).filter(|s| !s.is_empty()) {
                    None => Ok(None),
                    Some(s) => layout.parse(s).map(Some).ok_or_else(|| TableError::Cell {
                        file: table.name.clone(),
                        row: table.row_name(i),
                        column: name.to_string(),
                        message: format!("'{s}' is not a date in the layout {}", layout.pattern()),
                    }),
                })
                .collect()
        }
        other => Err(column_error(format!("holds {other}, not dates"))),
    }
}

/// The value column as numbers; text cells are read as the CSV ingestion reads them.
fn numbers(table: &Table, name: &str) -> Result<Vec<Option<f64>>, TableError> {
    let c = table.column(name)?;
    if let Some(e) = table.ambiguity(name) {
        return Err(e);
    }
    let column_error = |message: String| TableError::Column {
        file: table.name.clone(),
        column: name.to_string(),
        message,
    };
    let dtype = c.dtype();
    if dtype.is_primitive_numeric() {
        let f = c
            .cast(&DataType::Float64)
            .map_err(|e| column_error(format!("cannot be read as numbers: {e}")))?;
        let f = f.f64().map_err(|e| column_error(e.to_string()))?;
        if let Some(i) = f.iter().position(|v| v.is_some_and(|x| x.abs() > MAX_MAGNITUDE)) {
            return Err(TableError::Cell {
                file: table.name.clone(),
                row: table.row_name(i),
                column: name.to_string(),
                message: format!(
                    "{:e} is too large for a sales figure (beyond 1e100)",
                    f.get(i).unwrap_or(f64::INFINITY)
                ),
            });
        }
        return Ok(f.iter().map(|v| v.filter(|x| x.is_finite())).collect());
    }
    if *dtype != DataType::String {
        return Err(column_error(format!("holds {dtype}, not numbers")));
    }
    let decimal_comma = table.format == (Format::Csv { delimiter: b';' });
    let text = c.str().map_err(|e| column_error(e.to_string()))?;
    let cell_error = |i: usize, message: String| TableError::Cell {
        file: table.name.clone(),
        row: table.row_name(i),
        column: name.to_string(),
        message,
    };
    text.iter()
        .enumerate()
        .map(|(i, cell)| match cell {
            None => Ok(None),
            Some(s) => match parse_number(s, decimal_comma) {
                Ok(v) if v.is_none_or(|x| x.abs() <= MAX_MAGNITUDE) => Ok(v),
                Ok(Some(x)) if x.is_nan() => Err(cell_error(i, format!("'{s}' is not a number"))),
                Ok(_) => Err(cell_error(
                    i,
                    format!("'{s}' is too large for a sales figure (beyond 1e100)"),
                )),
                Err(_) => Err(cell_error(i, format!("'{s}' is not a number"))),
            },
        })
        .collect()
}

struct Written {
    csv: Vec<u8>,
    rows: usize,
    series: usize,
    zero_filled: usize,
}

/// `ids…, date, value` rows from the grouped frame (sorted by ids and period), with the empty
/// periods inside each series written as 0 when the aggregation says so.
fn write_csv(table: &Table, agg: &Aggregation, grouped: &DataFrame) -> Result<Written, TableError> {
    let fail = |message: String| TableError::Request {
        file: table.name.clone(),
        message,
    };
    let get = |name: &str| grouped.column(name).map_err(|e| fail(e.to_string()));
    let id_text: Vec<&StringChunked> = agg
        .ids
        .iter()
        .map(|c| get(c)?.str().map_err(|e| fail(e.to_string())))
        .collect::<Result<_, _>>()?;
    let periods = get(PERIOD)?.i64().map_err(|e| fail(e.to_string()))?;
    let values = get(VALUE)?.f64().map_err(|e| fail(e.to_string()))?;
    let fill = agg.empty_periods_are_zero && agg.how != How::Mean;

    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = agg.ids.clone();
    header.push(agg.date.clone());
    header.push(agg.value_name());
    let io = |e: csv::Error| fail(format!("cannot write the aggregated rows: {e}"));
    w.write_record(&header).map_err(io)?;
    let (mut rows, mut series, mut zero_filled) = (0, 0, 0);
    let mut last: Option<(Vec<String>, i64)> = None;
    for i in 0..grouped.height() {
        let key: Vec<String> = id_text.iter().map(|c| c.get(i).unwrap_or("").to_string()).collect();
        let (Some(period), Some(value)) = (periods.get(i), values.get(i)) else {
            continue;
        };
        let from = match &last {
            Some((k, p)) if *k == key => p + 1,
            _ => {
                series += 1;
                period
            }
        };
        let mut write = |p: i64, v: f64| -> Result<(), TableError> {
            let date = agg
                .period
                .start(p)
                .ok_or_else(|| fail(format!("period {p} is out of range")))?;
            let mut record = key.clone();
            record.push(date.to_string());
            record.push(v.to_string());
            w.write_record(&record).map_err(io)?;
            rows += 1;
            Ok(())
        };
        if fill {
            for p in from..period {
                write(p, 0.0)?;
                zero_filled += 1;
            }
        }
        write(period, value)?;
        last = Some((key, period));
    }
    let csv = w
        .into_inner()
        .map_err(|e| fail(format!("cannot write the aggregated rows: {e}")))?;
    Ok(Written {
        csv,
        rows,
        series,
        zero_filled,
    })
}
