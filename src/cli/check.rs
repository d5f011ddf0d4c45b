//! `placeplan check [--manifest FILE] [--json]`: the data-quality report.

use super::{CliResult, DataArgs, exit};
use crate::check::CheckReport;

/// Options of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// The dataset.
    pub data: DataArgs,
    /// Print one JSON object: {layers, schools, joins, problems, …}.
    #[arg(long)]
    pub json: bool,
    /// How many problems to list in the text report.
    #[arg(long, default_value_t = 40)]
    pub max_problems: usize,
}

/// Runs `check`.
///
/// # Errors
/// When the manifest cannot be read.
pub fn run(a: &Args) -> CliResult {
    let ds = super::load::load(&a.data, a.json)?;
    let report = CheckReport::new(&ds);
    if a.json {
        super::write_stdout(&(serde_json::to_string_pretty(&report)? + "\n"))?;
    } else {
        super::write_stdout(&report.to_text(a.max_problems))?;
    }
    Ok(if report.fatal { exit::DATA } else { exit::OK })
}
