//! The `placeplan` binary: parse arguments, run, exit with a meaningful code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("PLACEPLAN_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = placeplan::cli::Cli::parse();
    ExitCode::from(placeplan::cli::run(cli))
}
