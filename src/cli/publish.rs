//! `placeplan publish --out DIR [--manifest FILE] [--site-url URL] [--force] [--json]`: the map
//! as a static site ([`crate::publish`]) for any web host, a CDN or a council's web site.

use super::{CliResult, DataArgs, exit, fail};
use crate::publish::{PublishOptions, publish};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::sync::Mutex;

/// Options of `publish`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "THE SITE:\n  index.html                 the map (open it from a web server, not as a file)\n  tiles/placeplan.pmtiles    every layer, one PMTiles v3 archive (pmtiles show, martin, GDAL 3.8+)\n  styles/*.json              MapLibre styles over the archive\n  ward/LAYER/CODE.html       printable ward pages; ward/LAYER/index.html ranks them\n  downloads/                 GeoJSON per layer; CSV, XLSX and GeoPackage per level\n  api/                       the figures the app shows, as JSON\n\nHOSTING:\n  Any static host. Hosts that answer HTTP range requests (nginx, Apache, S3, Azure Blob,\n  GitHub Pages, most CDNs) send only the tiles on view; one that does not (python3 -m\n  http.server) sends the archive whole, once.\n\nEXAMPLES:\n  placeplan publish --out site\n  placeplan publish --manifest tests/leeds/manifest.toml --out site --site-url https://maps.example.gov.uk/places/\n  cd site && python3 -m http.server 8000   (then open http://127.0.0.1:8000/)"
)]
pub struct Args {
    #[command(flatten)]
    /// The dataset.
    pub data: DataArgs,
    /// Output folder (created if missing; refused when it already holds files, unless --force).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Publish into a folder that already holds files (an earlier site): its pages, tiles and
    /// downloads are removed first, so nothing of an area that has since gone is left; other
    /// files (a robots.txt, the council's own pages) are kept.
    #[arg(long)]
    pub force: bool,
    /// The address the site will have, printed on the ward pages so that a paper copy says where
    /// to find it.
    #[arg(long, value_name = "URL")]
    pub site_url: Option<String>,
    /// Print what was written as JSON (files and sizes, tiles).
    #[arg(long)]
    pub json: bool,
}

/// Runs `publish`.
///
/// # Errors
/// When the manifest cannot be read or stdout fails.
pub fn run(a: &Args) -> CliResult {
    super::out_dir(&a.out, a.force)?;
    if let Some(u) = &a.site_url
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        return fail(
            exit::USAGE,
            "--site-url must be an http(s) address, e.g. https://maps.example.gov.uk/places/",
        );
    }
    let ds = super::load::load(&a.data, a.json)?;
    if let Some(why) = super::load::fatal(&ds) {
        return fail(exit::DATA, why);
    }
    if !ds.confidential_other.is_empty() {
        return fail(
            exit::USAGE,
            crate::publish::PublishError::Confidential(ds.confidential_other.join(", ")).to_string(),
        );
    }
    if !a.json && !ds.confidential.is_empty() {
        eprintln!(
            "placeplan: {} marked confidential: publishing under disclosure control (pupil counts rounded to 5, counts of 1 to 4 shown as c)",
            ds.confidential.join(", ")
        );
    }
    let bar = if a.json { ProgressBar::hidden() } else { ProgressBar::new(0) };
    bar.set_style(
        ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let stage = Mutex::new(String::new());
    let progress = |what: &str, done: u64, of: u64| {
        if let Ok(mut s) = stage.lock()
            && *s != what
        {
            *s = what.to_owned();
            bar.set_prefix(what.to_owned());
            bar.set_length(of);
        }
        bar.set_position(done);
    };
    let opts = PublishOptions {
        site_url: a.site_url.clone(),
    };
    let report = match publish(ds, &a.out, &opts, &progress) {
        Ok(r) => r,
        Err(e) => {
            bar.finish_and_clear();
            return fail(exit::IO, e.to_string());
        }
    };
    bar.finish_and_clear();
    if a.json {
        super::write_stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        let mb = |b: u64| b as f64 / 1_048_576.0;
        eprintln!(
            "placeplan: published {}{} into {}: {} files, {:.1} MB; {} tiles (zooms {}–{}) in {} ({:.1} MB)",
            report.dataset,
            if report.synthetic { " (SYNTHETIC demo data)" } else { "" },
            a.out.display(),
            report.files.len(),
            mb(report.bytes()),
            report.archive.tiles,
            report.archive.zooms.0,
            report.archive.zooms.1,
            crate::publish::ARCHIVE,
            mb(report.files.get(crate::publish::ARCHIVE).copied().unwrap_or_default()),
        );
        eprintln!(
            "placeplan: try it: cd {} && python3 -m http.server 8000, then open http://127.0.0.1:8000/",
            a.out.display()
        );
    }
    Ok(exit::OK)
}
