//! `placeplan generate-demo --out DIR`: writes the synthetic demo borough.

use super::{CliResult, exit};
use std::path::PathBuf;

/// Options of `generate-demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to write into (created if needed). The committed copy is boundaries/demo.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a folder that already holds files, replacing any of the same name.
    #[arg(long)]
    pub force: bool,
    /// Random seed; the committed demo uses the default.
    #[arg(long, default_value_t = crate::demo::generate::SEED)]
    pub seed: u64,
}

/// Runs `generate-demo`.
///
/// # Errors
/// When a file cannot be written.
pub fn run(a: &Args) -> CliResult {
    super::out_dir(&a.out, a.force)?;
    let files = crate::demo::generate::generate(&a.out, a.seed)?;
    eprintln!("wrote {} files of the SYNTHETIC demo borough to {}", files.len(), a.out.display());
    Ok(exit::OK)
}
