//! `horizon forecast FILE --model NAME --horizon H --out FILE`.

use super::CliError;
use super::args::{ColumnArgs, OrderArgs, load};
use super::output::write_new;
use clap::Args;
use horizon_core::ModelSpec;
use horizon_core::export::forecast_csv;
use horizon_core::forecast::forecast_panel;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ForecastArgs {
    pub file: PathBuf,
    /// naive, seasonal-naive, mean, drift, ets, arima or mstl; add :M for season M
    /// (seasonal-naive:12, ets:52, arima:52, mstl:7/365) and +conformal for calibrated intervals
    /// (ets+conformal)
    #[arg(long, default_value = "seasonal-naive")]
    pub model: ModelSpec,
    /// Number of periods to forecast
    #[arg(long)]
    pub horizon: usize,
    /// Interval level in percent; repeat for several (default 95)
    #[arg(long = "level", default_values_t = vec![95.0])]
    pub levels: Vec<f64>,
    /// Output CSV: <ids>,date,model,forecast,lo_<L>,hi_<L>
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the output file if it exists
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub orders: OrderArgs,
    #[command(flatten)]
    pub columns: ColumnArgs,
}

pub fn run(a: ForecastArgs) -> Result<(), CliError> {
    if let Err(e) = horizon_core::forecast::check_horizon(a.horizon) {
        return Err(CliError::Data(format!("--horizon: {e}")));
    }
    if let Err(e) = horizon_core::models::check_levels(&a.levels) {
        return Err(CliError::Data(e.to_string()));
    }
    let ing = load(&a.file, &a.columns, true)?;
    let Some(panel) = ing.panel else {
        return Err(CliError::Data("nothing could be read".into()));
    };
    if ing.report.warning_count() > 0 {
        eprintln!(
            "{}: {} warning(s) (run `horizon validate` to list them)",
            a.file.display(),
            ing.report.warning_count()
        );
    }
    let model = a.orders.apply(&a.model, a.columns.season, false)?;
    let (ok, failed) = forecast_panel(&panel, &model, a.horizon, &a.levels);
    for f in &failed {
        eprintln!("{}: series '{}': not forecast: {}", a.file.display(), f.series, f.error);
    }
    if ok.is_empty() {
        return Err(CliError::Failure(anyhow::anyhow!(
            "no series could be forecast with {}",
            a.model
        )));
    }
    let csv = forecast_csv(&panel.id_columns, &ok);
    write_new(&a.out, csv.as_bytes(), a.force, &[&a.file])?;
    eprintln!(
        "wrote {} forecast(s) of {} step(s) with {} to {} ({} series failed)",
        ok.len(),
        a.horizon,
        a.model,
        a.out.display(),
        failed.len()
    );
    Ok(())
}
