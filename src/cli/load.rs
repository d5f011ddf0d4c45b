//! Loading the dataset named on the command line (or the embedded demo), with a progress spinner.

use crate::dataset::Dataset;
use crate::manifest::{Manifest, ManifestError};
use crate::source::FileSource;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::time::Duration;

/// Reads the manifest (or the embedded demo) and loads the dataset.
/// The spinner goes to stderr and only when it is a terminal and `quiet` is false.
///
/// # Errors
/// [`ManifestError`] when the manifest cannot be read or parsed.
pub fn load(manifest: Option<&Path>, quiet: bool) -> Result<Dataset, ManifestError> {
    let (m, src) = match manifest {
        Some(p) => {
            let m = Manifest::from_path(p)?;
            let base = p.parent().map_or_else(|| Path::new(".").to_path_buf(), Path::to_path_buf);
            (m, FileSource::Disk(base))
        }
        None => crate::demo::embedded::demo()?,
    };
    let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new_spinner() };
    bar.set_style(ProgressStyle::with_template("{spinner} {elapsed} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
    bar.enable_steady_tick(Duration::from_millis(120));
    let ds = Dataset::load(&m, &src, &|step| bar.set_message(step.to_owned()));
    bar.finish_and_clear();
    Ok(ds)
}
