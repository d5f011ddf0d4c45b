//! Loading the dataset named on the command line (or the embedded demo), with a progress spinner.

use super::DataArgs;
use crate::base::Base;
use crate::dataset::Dataset;
use crate::manifest::{Manifest, ManifestError};
use crate::problem::Severity;
use crate::snapshot::Cache;
use crate::source::FileSource;
use crate::source::Watched;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::time::Duration;

/// Reads the manifest (or the embedded demo) and loads the dataset: from its snapshot when one
/// holds it with every input unchanged ([`crate::snapshot`]), else afresh, writing a snapshot for
/// the next command. The spinner goes to stderr and only when it is a terminal and `quiet` is
/// false.
///
/// # Errors
/// [`ManifestError`] when the manifest cannot be read or parsed.
pub fn load(data: &DataArgs, quiet: bool) -> Result<Dataset, ManifestError> {
    load_only(data, quiet, None)
}

/// [`load`], reading only what `needs` names of the manifest ([`Manifest::only`]) unless a
/// snapshot of the whole manifest is there to read (the same figures: `tests/one_truth.rs`);
/// what is left out is said on stderr unless `quiet`. A partial load writes no snapshot.
///
/// # Errors
/// [`ManifestError`] when the manifest cannot be read or parsed.
pub fn load_only(data: &DataArgs, quiet: bool, needs: Option<crate::manifest::Needs<'_>>) -> Result<Dataset, ManifestError> {
    let (m, src) = match &data.manifest {
        Some(p) => {
            let m = Manifest::from_path(p)?;
            let base = p.parent().map_or_else(|| Path::new(".").to_path_buf(), Path::to_path_buf);
            (m, FileSource::Disk(base))
        }
        None => crate::demo::embedded::demo()?,
    };
    // Only files on disk are worth a snapshot: the embedded demo loads in milliseconds.
    let cache = match &src {
        FileSource::Disk(dir) if !data.no_cache => Cache::of_user().map(|c| (c, dir.clone())),
        _ => None,
    };
    let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new_spinner() };
    bar.set_style(ProgressStyle::with_template("{spinner} {elapsed} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
    bar.enable_steady_tick(Duration::from_millis(120));
    // Each step's time goes to the debug log (`PLACEPLAN_LOG=debug`): where a load spends it.
    let last = std::sync::Mutex::new((std::time::Instant::now(), String::from("start")));
    let progress = |step: &str| {
        if let Ok(mut l) = last.lock() {
            tracing::debug!(step = %l.1, ms = l.0.elapsed().as_millis(), "load step done");
            *l = (std::time::Instant::now(), step.to_owned());
        }
        bar.set_message(step.to_owned());
    };
    let mut ds = None;
    if let Some((c, dir)) = &cache {
        progress("reading the snapshot");
        match c.read(&m, dir) {
            Ok(base) => {
                if !quiet {
                    eprintln!(
                        "placeplan: read the joined data from its snapshot in {} (every input unchanged; --no-cache loads afresh)",
                        c.dir().display()
                    );
                }
                ds = Some(Dataset::from_base(std::sync::Arc::new(base), &progress));
            }
            Err(why) => tracing::debug!(%why, "no snapshot used"),
        }
    }
    let ds = if let Some(ds) = ds {
        ds
    } else if let Some(needs) = needs {
        let (m, left) = m.only(needs);
        if !quiet && !left.is_empty() {
            eprintln!("placeplan: read only what this command uses; left out: {}", left.join(", "));
        }
        Dataset::load(&m, &src, &progress)
    } else if let Some((c, dir)) = &cache {
        let watched = std::sync::Arc::new(Watched::new(dir.clone()));
        let base = std::sync::Arc::new(Base::load(&m, &FileSource::Watched(std::sync::Arc::clone(&watched)), &progress));
        if base.problems.iter().all(|p| p.severity != Severity::Fatal) {
            progress("writing the snapshot");
            match c.write(&m, &watched, &base) {
                Ok(path) => tracing::debug!(path = %path.display(), "snapshot written"),
                Err(e) => tracing::warn!("could not write a snapshot in {}: {e}", c.dir().display()),
            }
        }
        Dataset::from_base(base, &progress)
    } else {
        Dataset::load(&m, &src, &progress)
    };
    if let Ok(l) = last.lock() {
        tracing::debug!(step = %l.1, ms = l.0.elapsed().as_millis(), "load step done");
    }
    bar.finish_and_clear();
    Ok(ds)
}

/// When `ds` has fatal problems: why it cannot be used, naming the first few (file, row or
/// feature, field) and how many there are.
#[must_use]
pub fn fatal(ds: &Dataset) -> Option<String> {
    let fatal: Vec<String> = ds
        .problems
        .iter()
        .filter(|p| p.severity == crate::problem::Severity::Fatal)
        .map(ToString::to_string)
        .collect();
    if fatal.is_empty() {
        return None;
    }
    let shown: String = fatal.iter().take(5).map(|p| format!("\n  {p}")).collect();
    let more = if fatal.len() > 5 {
        format!("\n  … and {} more", fatal.len() - 5)
    } else {
        String::new()
    };
    Some(format!(
        "the data has {} fatal problem{}:{shown}{more}\n(`placeplan check` lists every problem)",
        fatal.len(),
        if fatal.len() == 1 { "" } else { "s" }
    ))
}

/// `ds` under disclosure control when `on` (`--disclosure-control`), else as it is — saying so on
/// stderr when inputs are confidential, since what `export` and `report` write leaves the
/// computer.
#[must_use]
pub fn with_disclosure(ds: Dataset, on: bool) -> Dataset {
    if on {
        return ds.controlled(crate::model::disclosure::Disclosure::default());
    }
    if !ds.confidential.is_empty() {
        eprintln!(
            "placeplan: {} marked confidential, and these files hold its pupil counts unrounded; add --disclosure-control before they leave the planning team",
            ds.confidential.join(", ")
        );
    }
    ds
}

/// `ds` with the what-if plan of `--scenario FILE` applied, when given; what its projection did
/// goes to stderr unless `quiet`.
///
/// # Errors
/// A usage failure naming the file and the change that cannot be applied.
pub fn with_scenario(ds: Dataset, path: Option<&std::path::Path>, quiet: bool) -> Result<Dataset, Box<dyn std::error::Error>> {
    let Some(path) = path else { return Ok(ds) };
    match crate::scenario::Scenario::read(path).and_then(|sc| ds.with_plan(&sc)) {
        Ok(x) => {
            if !quiet {
                for n in &x.projection.notes {
                    eprintln!("placeplan: scenario: {n}");
                }
            }
            Ok(x)
        }
        Err(e) => Err(Box::new(super::Failure {
            code: super::exit::USAGE,
            message: e.to_string(),
        })),
    }
}
