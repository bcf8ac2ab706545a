//! `horizon backtest FILE --models a,b --horizon H --folds K`.

use super::CliError;
use super::args::{ColumnArgs, ModelArgs, load};
use super::output::write_new;
use clap::Args;
use horizon_core::ModelSpec;
use horizon_core::eval::{BacktestConfig, backtest_panel};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct BacktestArgs {
    pub file: PathBuf,
    /// Comma-separated models (default: the baselines and ets)
    #[arg(long, value_delimiter = ',', default_value = "naive,seasonal-naive,mean,drift,ets")]
    pub models: Vec<ModelSpec>,
    #[arg(long)]
    pub horizon: usize,
    #[arg(long, default_value_t = 3)]
    pub folds: usize,
    /// Periods between origins (default: the horizon)
    #[arg(long)]
    pub step: Option<usize>,
    /// Interval level scored (coverage, MSIS)
    #[arg(long, default_value_t = 95.0)]
    pub level: f64,
    /// Write per-series, per-fold metrics to this CSV
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub columns: ColumnArgs,
    #[command(flatten)]
    pub settings: ModelArgs,
}

pub fn run(a: BacktestArgs) -> Result<(), CliError> {
    super::forecast::check(a.horizon, &[a.level])?;
    if a.step == Some(0) {
        return Err(CliError::Data(
            "--step must be at least 1 (periods between origins)".into(),
        ));
    }
    let ing = load(&a.file, &a.columns, true)?;
    let Some(panel) = ing.panel else {
        return Err(CliError::Data("nothing could be read".into()));
    };
    let cfg = BacktestConfig {
        horizon: a.horizon,
        folds: a.folds,
        step: a.step,
        season: a.columns.season,
        level: a.level,
    };
    let models: Vec<ModelSpec> = a
        .models
        .iter()
        .map(|m| a.settings.apply(m, a.columns.season, true))
        .collect::<Result<_, _>>()?;
    if let Some(trials) = a.settings.tune_trials {
        let tuned: Vec<String> = models
            .iter()
            .filter(|m| matches!(m, ModelSpec::Gbm(g) if g.tune.is_some()))
            .map(ModelSpec::name)
            .collect();
        if tuned.is_empty() {
            return Err(CliError::Data(
                "--tune-trials tunes the GBM: add gbm to --models (ensemble members are not tuned)".into(),
            ));
        }
        eprintln!(
            "{}: a search of {trials} trial(s){} inside each of the {} fold(s), on that fold's past only",
            tuned.join(", "),
            a.settings
                .tune_secs
                .map(|s| format!(" (at most {s} s)"))
                .unwrap_or_default(),
            a.folds
        );
    }
    let result = backtest_panel(&panel, &models, &cfg).map_err(|e| CliError::Data(e.to_string()))?;
    println!(
        "{} series, {} fold(s) of {} {} period(s){}",
        panel.series.len() - result.skipped.len(),
        a.folds,
        a.horizon,
        panel.freq,
        if result.skipped.is_empty() {
            String::new()
        } else {
            format!(", {} series too short and skipped", result.skipped.len())
        }
    );
    println!(
        "{:<16} {:>7} {:>8} {:>8} {:>10} {:>8} {:>8} {:>8} {:>8}",
        "model", "ok/n", "MASE", "sMAPE", "RMSE", "MAPE", "cov", "MSIS", "RMSSE"
    );
    for s in &result.summary {
        println!(
            "{:<16} {:>7} {:>8.3} {:>8.2} {:>10.3} {:>8.2} {:>8.3} {:>8.3} {:>8.3}",
            s.model,
            format!("{}/{}", s.n_ok, s.n),
            s.mase,
            s.smape,
            s.rmse,
            s.mape,
            s.coverage,
            s.msis,
            s.rmsse
        );
    }
    match result.best() {
        Some(best) if best.mase.is_finite() => println!("best by MASE: {}", best.model),
        // MASE is undefined where the seasonal naive's in-sample error is zero (constant or
        // all-zero series): the tie-break then decides, and says so.
        Some(best) => println!(
            "best by MAE (no model has a MASE: the series' naive error is zero): {}",
            best.model
        ),
        None => {}
    }
    if let Some(out) = &a.out {
        let w = horizon_core::export::backtest_csv(&result.folds);
        write_new(out, w.as_bytes(), a.force, &[&a.file])?;
        eprintln!("wrote per-fold metrics to {}", out.display());
    }
    Ok(())
}
