//! `horizon validate FILE`.

use super::CliError;
use super::args::{ColumnArgs, load};
use clap::Args;
use horizon_core::data::sniff::delimiter_name;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    pub file: PathBuf,
    #[command(flatten)]
    pub columns: ColumnArgs,
}

pub fn run(a: ValidateArgs) -> Result<(), CliError> {
    let ing = load(&a.file, &a.columns, false)?;
    let (Some(m), Some(p)) = (&ing.mapping, &ing.panel) else {
        return Err(CliError::Data("nothing could be read".into()));
    };
    println!("file:       {}", a.file.display());
    println!("delimiter:  {}", delimiter_name(m.delimiter));
    println!("date:       {} ({})", m.date_column, m.date_format);
    println!("value:      {}", m.value_column);
    println!(
        "ids:        {}",
        if m.id_columns.is_empty() {
            "(none: one series)".into()
        } else {
            m.id_columns.join(", ")
        }
    );
    println!(
        "exogenous:  {}",
        if m.exog_columns.is_empty() {
            "(none)".into()
        } else {
            m.exog_columns.join(", ")
        }
    );
    println!("frequency:  {}", p.freq);
    let lens: Vec<usize> = p.series.iter().map(|s| s.len()).collect();
    println!(
        "series:     {} ({} to {} observations), {} rows read",
        p.series.len(),
        lens.iter().min().unwrap_or(&0),
        lens.iter().max().unwrap_or(&0),
        ing.stats.rows
    );
    println!(
        "repairs:    {} duplicate row(s) merged, {} missing period(s) and {} missing value(s) filled",
        ing.stats.duplicates_merged, ing.stats.gaps_filled, ing.stats.missing_filled
    );
    // Which calendar seasons the series really have.
    let seasons: Vec<String> = horizon_core::models::season::panel_seasons(p)
        .iter()
        .map(|c| {
            if c.told == 0 {
                format!("{}: too few cycles to tell", c.period)
            } else {
                format!("{}: present in {} of {} series", c.period, c.present, c.told)
            }
        })
        .collect();
    println!("seasons:    {}", seasons.join("; "));
    println!("result:     usable, {} warning(s)", ing.report.warning_count());
    Ok(())
}
