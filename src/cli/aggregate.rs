//! `horizon aggregate FILE --out sales.csv`: raw transactions (Parquet or CSV, one row per
//! order or trip) to daily, weekly or monthly sales per id, as a CSV every other command reads.

use super::CliError;
use super::output::write_new;
use anyhow::Context;
use clap::{Args, ValueEnum};
use horizon_core::data::ingest_csv;
use horizon_tabular::{How, Period, Table, aggregate, guess};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PeriodArg {
    Day,
    /// Monday to Sunday, dated by the Monday
    Week,
    Month,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum HowArg {
    /// Sum of the value column
    Sum,
    /// Number of rows (orders, trips)
    Count,
    /// Mean of the value column
    Mean,
}

#[derive(Debug, Args)]
pub struct AggregateArgs {
    /// Transactions: a Parquet file, or a CSV file
    pub file: PathBuf,
    #[command(flatten)]
    pub roles: super::args::RoleArgs,
    #[arg(long, value_enum, default_value = "day")]
    pub period: PeriodArg,
    /// sum, count or mean (sum when a sales-like column is found, count otherwise)
    #[arg(long, value_enum)]
    pub how: Option<HowArg>,
    /// Periods without rows are missing (left to the gap policy) instead of 0
    #[arg(long)]
    pub empty_as_missing: bool,
    /// Keep the first and last week or month when the data covers them only in part (left out
    /// by default: their sums look like a drop in sales)
    #[arg(long)]
    pub keep_partial: bool,
    /// Output CSV file
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the output file if it exists
    #[arg(long)]
    pub force: bool,
}

pub fn run(a: AggregateArgs) -> Result<(), CliError> {
    let bytes = std::fs::read(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
    let name = a.file.display().to_string();
    let table = Table::from_bytes(&name, &bytes).map_err(|e| CliError::Data(e.to_string()))?;
    let mut agg = guess(&table);
    if let Some(d) = &a.roles.date_col {
        agg.date = d.clone();
    }
    if agg.date.is_empty() {
        return Err(CliError::Data(format!(
            "{name}: no column holds dates; name one with --date-col (columns: {})",
            table.column_names().join(", ")
        )));
    }
    agg.date_format = a.roles.date_format;
    if let Some(ids) = super::args::list(&a.roles.id_cols) {
        agg.ids = ids;
    }
    if let Some(v) = &a.roles.value_col {
        agg.value = Some(v.clone());
        agg.how = How::Sum;
    }
    if let Some(how) = a.how {
        agg.how = match how {
            HowArg::Sum => How::Sum,
            HowArg::Count => How::Count,
            HowArg::Mean => How::Mean,
        };
    }
    agg.period = match a.period {
        PeriodArg::Day => Period::Day,
        PeriodArg::Week => Period::Week,
        PeriodArg::Month => Period::Month,
    };
    agg.empty_periods_are_zero = !a.empty_as_missing;
    agg.keep_partial_ends = a.keep_partial;
    let out = aggregate(&table, &agg).map_err(|e| CliError::Data(e.to_string()))?;
    eprintln!("{name}: {}", out.description);
    if out.skipped_rows > 0 {
        eprintln!(
            "warning: {} of {} rows left out (missing date, value or id), e.g. {}",
            out.skipped_rows,
            out.input_rows,
            out.skipped_examples.join("; ")
        );
    }
    if let Some(note) = out.partial_note() {
        let hint = match (out.partial_left_out, out.partial_ends.len()) {
            (false, _) => "",
            (true, 1) => " (--keep-partial keeps it)",
            (true, _) => " (--keep-partial keeps them)",
        };
        eprintln!("{note}{hint}");
    }
    // The result goes through the same ingestion as any CSV: what it reports is printed, its
    // rows named as the result's (they are sums of input rows).
    let ingested = ingest_csv(&out.csv, &format!("{} (the result)", a.out.display()), &out.options);
    for line in ingested.report.lines() {
        eprintln!("{line}");
    }
    if ingested.report.has_errors() {
        return Err(CliError::Data(format!(
            "{name}: the aggregated sales have {} error(s); nothing was written to {}",
            ingested.report.error_count(),
            a.out.display()
        )));
    }
    write_new(&a.out, &out.csv, a.force, &[&a.file])?;
    eprintln!(
        "wrote {} series, {} rows ({} empty periods as 0) from {} rows to {}",
        out.series,
        out.output_rows,
        out.zero_filled,
        out.input_rows,
        a.out.display()
    );
    Ok(())
}
