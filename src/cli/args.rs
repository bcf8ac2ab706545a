//! Column-mapping overrides shared by every subcommand that reads a sales file.

use super::CliError;
use anyhow::Context;
use clap::Args;
use horizon_core::data::dates::DateFormat;
use horizon_core::data::{DuplicatePolicy, Frequency, GapPolicy, IngestOptions, Ingested, ingest_csv};
use std::path::Path;

/// Model settings on the command line: pinned ARIMA orders, the GBM's parameter search.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// Tune the GBM first: a TPE search (median pruning) of this many trials, the defaults first
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub tune_trials: Option<u64>,
    /// Stop the GBM's search after this many seconds (with --tune-trials)
    #[arg(long, requires = "tune_trials", value_parser = clap::value_parser!(u64).range(1..=604_800))]
    pub tune_secs: Option<u64>,
    /// Pin the ARIMA order p,d,q (e.g. 1,1,1); automatic when omitted
    #[arg(long, value_parser = parse_order)]
    pub order: Option<[usize; 3]>,
    /// Pin the seasonal ARIMA order P,D,Q (e.g. 0,1,1), with --order; the season is --season
    #[arg(long, value_parser = parse_order)]
    pub seasonal_order: Option<[usize; 3]>,
}

fn parse_order(s: &str) -> Result<[usize; 3], String> {
    let parts: Vec<usize> = s
        .split(',')
        .map(|p| p.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("order '{s}' must be three whole numbers like 1,1,1"))?;
    match *parts.as_slice() {
        [a, b, c] if a <= 5 && b <= 2 && c <= 5 => Ok([a, b, c]),
        [_, _, _] => Err(format!("order '{s}': at most 5 AR or MA terms and 2 differences")),
        _ => Err(format!("order '{s}' must be three whole numbers like 1,1,1")),
    }
}

impl ModelArgs {
    /// `spec` with the season, the pinned orders and the GBM's search applied; with `lenient`,
    /// models they do not concern ignore them (a backtest of several models) instead of
    /// refusing them.
    pub fn apply(
        &self,
        spec: &horizon_core::ModelSpec,
        season: Option<usize>,
        lenient: bool,
    ) -> Result<horizon_core::ModelSpec, CliError> {
        use horizon_core::ModelSpec;
        let mut spec = spec.clone().with_default_season(season);
        let invalid = |e: horizon_core::ModelError| CliError::Data(e.to_string());
        if !lenient || matches!(spec.uncalibrated(), ModelSpec::Arima(_)) {
            spec = spec.with_orders(self.order, self.seasonal_order).map_err(invalid)?;
        }
        if let Some(trials) = self.tune_trials
            && (!lenient || matches!(spec.uncalibrated(), ModelSpec::Gbm(_)))
        {
            let tuning = horizon_core::models::gbm::Tuning {
                trials: trials as usize,
                seconds: self.tune_secs,
            };
            spec = spec.with_tuning(tuning).map_err(invalid)?;
        }
        Ok(spec)
    }
}

/// The date, value and id columns of a file (sales, or transactions to aggregate).
#[derive(Debug, Clone, Args)]
pub struct RoleArgs {
    /// Name of the date column (a date or timestamp; guessed when omitted)
    #[arg(long)]
    pub date_col: Option<String>,
    /// Layout of a text date column: YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY (guessed when omitted)
    #[arg(long)]
    pub date_format: Option<DateFormat>,
    /// Name of the value column: the sales to forecast, or the quantity to sum or average
    /// (guessed when omitted; none with `aggregate --how count`)
    #[arg(long)]
    pub value_col: Option<String>,
    /// Comma-separated id columns, e.g. store_id,product_id; "" for a single series (guessed
    /// when omitted)
    #[arg(long)]
    pub id_cols: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ColumnArgs {
    /// Field delimiter: ',', ';', 'tab' (guessed when omitted)
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    #[command(flatten)]
    pub roles: RoleArgs,
    /// Comma-separated exogenous columns (price, promotion, ...); "" for none
    #[arg(long)]
    pub exog_cols: Option<String>,
    /// daily, weekly, monthly or quarterly (inferred when omitted)
    #[arg(long)]
    pub freq: Option<Frequency>,
    /// How rows with the same id and date are combined: sum or mean
    #[arg(long, default_value = "sum")]
    pub duplicates: DuplicatePolicy,
    /// How missing dates are filled: zero or linear
    #[arg(long, default_value = "zero")]
    pub gaps: GapPolicy,
    /// Season length in periods, for seasonal models not given one (seasonal-naive:M) and for
    /// the series-length check; default from the frequency (7 daily, 52 weekly, 12 monthly, 4 quarterly)
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10_000))]
    pub season: Option<usize>,
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "comma" => Ok(b','),
        "semicolon" => Ok(b';'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!("delimiter '{s}' must be one ASCII character or 'tab'")),
    }
}

/// A comma-separated list of names (blanks dropped).
pub(super) fn list(s: &Option<String>) -> Option<Vec<String>> {
    s.as_ref().map(|v| {
        v.split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect()
    })
}

impl ColumnArgs {
    /// `base` (how a trained model read its data) with the columns given on the command line
    /// put over it; the duplicate and gap policies stay the model's.
    pub fn over(&self, base: &IngestOptions) -> IngestOptions {
        let mine = self.options();
        IngestOptions {
            delimiter: mine.delimiter.or(base.delimiter),
            date_column: mine.date_column.or(base.date_column.clone()),
            date_format: mine.date_format.or(base.date_format),
            value_column: mine.value_column.or(base.value_column.clone()),
            id_columns: mine.id_columns.or(base.id_columns.clone()),
            exog_columns: mine.exog_columns.or(base.exog_columns.clone()),
            freq: mine.freq.or(base.freq),
            season: mine.season.or(base.season),
            ..base.clone()
        }
    }

    pub fn options(&self) -> IngestOptions {
        IngestOptions {
            delimiter: self.delimiter,
            date_column: self.roles.date_col.clone(),
            date_format: self.roles.date_format,
            value_column: self.roles.value_col.clone(),
            id_columns: list(&self.roles.id_cols),
            exog_columns: list(&self.exog_cols),
            freq: self.freq,
            duplicates: self.duplicates,
            gaps: self.gaps,
            season: self.season,
        }
    }
}

/// Read and ingest a file; the report goes to stderr. Errors in the data end the command
/// with exit code 2.
pub fn load(path: &Path, cols: &ColumnArgs, quiet_warnings: bool) -> Result<Ingested, CliError> {
    load_with(path, &cols.options(), quiet_warnings)
}

/// [`load`] with the options given directly (e.g. those a trained model stored).
pub fn load_with(path: &Path, options: &IngestOptions, quiet_warnings: bool) -> Result<Ingested, CliError> {
    load_checked(path, options, quiet_warnings, |_| Ok(()))
}

/// As [`load_with`], with `check` asked first about what the reading found (a model's
/// calendar, say: monthly dates read on a weekly grid are off it, and the calendar is why).
pub fn load_checked(
    path: &Path,
    options: &IngestOptions,
    quiet_warnings: bool,
    check: impl FnOnce(&horizon_core::data::IngestStats) -> Result<(), CliError>,
) -> Result<Ingested, CliError> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    let ingested = ingest_csv(&bytes, &name, options);
    check(&ingested.stats)?;
    if ingested.report.has_errors() || !quiet_warnings {
        for line in ingested.report.lines() {
            eprintln!("{line}");
        }
    }
    if ingested.report.has_errors() || ingested.panel.is_none() {
        return Err(CliError::Data(format!(
            "{name}: {} error(s), {} warning(s); nothing was forecast",
            ingested.report.error_count(),
            ingested.report.warning_count()
        )));
    }
    Ok(ingested)
}

/// The warnings of `report` that change what is forecast or checked, the first of each kind
/// with how many are of its kind: a day/month order settled by a tie, a series of another
/// frequency, rows merged, periods left out at an end, series that end early, gaps and blank
/// cells filled, driver cells treated as missing, columns left out, the encoding.
pub fn changes(report: &horizon_core::data::Report) -> Vec<(horizon_core::data::Issue, usize)> {
    use horizon_core::data::{IssueKind, Severity};
    let issues = report.sorted_issues();
    [
        IssueKind::AmbiguousDate,
        IssueKind::Frequency,
        IssueKind::Duplicate,
        IssueKind::PartialEnd,
        IssueKind::EarlyEnd,
        IssueKind::Gap,
        IssueKind::MissingValue,
        IssueKind::BadNumber,
        IssueKind::IgnoredColumn,
        IssueKind::Encoding,
    ]
    .into_iter()
    .filter_map(|kind| {
        let n = report.counts.get(&(Severity::Warning, kind)).copied().unwrap_or(0);
        issues
            .iter()
            .find(|i| i.kind == kind && i.severity == Severity::Warning)
            .map(|first| ((*first).clone(), n))
    })
    .collect()
}

/// [`changes`] of `report` in words, each with how many more are like it.
pub fn change_lines(report: &horizon_core::data::Report) -> (Vec<String>, usize) {
    let mut said = 0;
    let lines = changes(report)
        .into_iter()
        .map(|(first, n)| {
            said += n;
            let more = if n > 1 {
                format!(" (and {} more like it)", n - 1)
            } else {
                String::new()
            };
            format!("{}{more}", report.format_issue(&first))
        })
        .collect();
    (lines, said)
}

/// [`change_lines`] of `report` (of `file`) on stderr; the other warnings counted.
pub fn say_changes(file: &str, report: &horizon_core::data::Report) {
    let (lines, said) = change_lines(report);
    for line in &lines {
        eprintln!("{line}");
    }
    let rest = report.warning_count().saturating_sub(said);
    if rest > 0 {
        eprintln!("{file}: {rest} more warning(s) (run `horizon validate` to list them)");
    }
}
