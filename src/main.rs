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
        Some(cmd) => {
            quiet_on_closed_pipe();
            horizon::cli::run(cmd)
        }
    }
}

/// Output piped into a reader that stops early (`horizon registry list | head -1`) ends the
/// command quietly, as with any Unix tool, instead of a panic on the failed write: Rust starts
/// programs with SIGPIPE ignored; the CLI restores the default. (Sockets are unaffected: the
/// standard library sends with MSG_NOSIGNAL.)
#[cfg(unix)]
fn quiet_on_closed_pipe() {
    // SAFETY: sets a signal disposition at start-up, before any other thread exists; no handler
    // code of ours runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn quiet_on_closed_pipe() {}
