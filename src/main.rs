//! Native entry point: no subcommand opens the workbench; subcommands run the pipeline.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = horizon::cli::Cli::parse();
    match cli.command {
        None => match horizon::app::run_native() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("horizon: cannot open the workbench: {e:#}");
                ExitCode::from(1)
            }
        },
        Some(cmd) => horizon::cli::run(cmd),
    }
}
