//! The pipeline CLI: the same binary trains, validates, forecasts and backtests headless.

mod aggregate;
mod args;
mod backtest;
mod config;
mod forecast;
mod monitor;
mod output;
mod registry;
mod report;
mod sample;
mod serve;
mod train;
mod tuning;
mod validate;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub use args::ColumnArgs;

const EXIT_CODES: &str = "Exit codes:
  0  success (warnings may have been printed)
  1  failure: a file could not be read or written, or no series could be forecast
  2  the input data has errors (the validation report names file, row and column),
     or the command line is invalid";

#[derive(Debug, Parser)]
#[command(name = "horizon", version, about = "Horizon: sales forecasting workbench and pipeline CLI.\n\
Without a subcommand, opens the workbench.", after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate sample sales data (deterministic from the seed)
    #[command(after_help = EXIT_CODES)]
    Sample(sample::SampleArgs),
    /// Turn raw transactions (Parquet or CSV, one row per order or trip) into daily, weekly or
    /// monthly sales per id
    #[command(after_help = EXIT_CODES)]
    Aggregate(aggregate::AggregateArgs),
    /// Read a sales file and print its validation report
    #[command(after_help = EXIT_CODES)]
    Validate(validate::ValidateArgs),
    /// Forecast every series of a sales file with one model
    #[command(after_help = EXIT_CODES)]
    Forecast(forecast::ForecastArgs),
    /// The forecast as a self-contained HTML report to hand over (headline, plot, how it was
    /// made, table); the flags of `forecast`, `--out` the HTML file
    #[command(after_help = EXIT_CODES)]
    Report(forecast::ForecastArgs),
    /// Rolling-origin backtest of one or more models; prints a metrics table
    #[command(after_help = EXIT_CODES)]
    Backtest(backtest::BacktestArgs),
    /// Run a training pipeline from a config file: validate, backtest the candidate models,
    /// train the best, register it, promote it if it beats the champion
    #[command(after_help = EXIT_CODES)]
    Train(train::TrainArgs),
    /// Registered models: list, show, promote, rollback, tag, delete
    #[command(after_help = EXIT_CODES)]
    Registry(registry::RegistryCmdArgs),
    /// Serve forecasts of registered models over HTTP (JSON API, MLflow's scoring protocol,
    /// health, readiness, Prometheus metrics, OpenAPI)
    #[command(after_help = EXIT_CODES)]
    Serve(serve::ServeArgs),
    /// Check a registered model against new data: drift per series, accuracy of its logged
    /// forecasts against the actuals, a verdict (ok / watch / retrain) with its reasons
    #[command(after_help = monitor::EXIT_CODES)]
    Monitor(monitor::MonitorArgs),
}

/// Failure of a subcommand, mapped to an exit code.
#[derive(Debug)]
pub enum CliError {
    /// Bad input data or arguments (exit 2); the report was printed already.
    Data(String),
    /// Anything else (exit 1).
    Failure(anyhow::Error),
    /// Done, with an outcome the exit code tells (a monitor's verdict); nothing to print.
    Exit(u8),
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        CliError::Failure(e)
    }
}

pub fn run(cmd: Command) -> ExitCode {
    let result = match cmd {
        Command::Sample(a) => sample::run(a),
        Command::Aggregate(a) => aggregate::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Forecast(a) => forecast::run(a),
        Command::Report(a) => report::run(a),
        Command::Backtest(a) => backtest::run(a),
        Command::Train(a) => train::run(a),
        Command::Registry(a) => registry::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Monitor(a) => monitor::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Data(msg)) => {
            eprintln!("horizon: {msg}");
            ExitCode::from(2)
        }
        Err(CliError::Failure(e)) => {
            eprintln!("horizon: {e:#}");
            ExitCode::from(1)
        }
        Err(CliError::Exit(code)) => ExitCode::from(code),
    }
}
