//! `placeplan export --level school|planning_area|ward|la --format csv|xlsx|geojson|gpkg --out DIR
//! [--layer L] [--json]`: sufficiency and forecasts per phase × year for capital planning, and a
//! SCAP-style table (planning area × NCY × year).

use super::{CliResult, DataArgs, exit, fail};
use crate::export::csv_out::CsvStyle;
use crate::export::{self, ExportError, Level, csv_out, geojson_out, gpkg, xlsx};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::path::PathBuf;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// CSV: `{level}.csv` and `scap_ncy.csv`.
    Csv,
    /// Excel workbook: a sheet per phase, the SCAP table, notes.
    Xlsx,
    /// GeoJSON (WGS84), areas or school points with wide attributes.
    Geojson,
    /// GeoPackage (EPSG:27700): a feature table and a figures table.
    Gpkg,
}

/// Options of `export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// The dataset.
    pub data: DataArgs,
    /// One row per school, planning area, ward or the authority, × phase × year.
    /// `school`, `planning_area`, `ward` or `la`.
    #[arg(long, value_parser = Level::parse)]
    pub level: Level,
    /// File format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Output folder (created if missing; refused when it already holds files, unless --force).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a folder that already holds files, replacing any of the same name.
    #[arg(long)]
    pub force: bool,
    /// The layer for planning_area or ward (default: the first of that kind).
    #[arg(long)]
    pub layer: Option<String>,
    /// CSV files for `excel` (a UTF-8 byte-order mark and CRLF, so that Excel shows é and £) or
    /// `plain` UTF-8 with LF for scripts.
    #[arg(long, value_name = "STYLE", default_value = "excel", value_parser = parse_csv_style)]
    pub csv: CsvStyle,
    /// Print a JSON list of the files written.
    #[arg(long)]
    pub json: bool,
}

fn parse_csv_style(s: &str) -> Result<CsvStyle, String> {
    CsvStyle::parse(s).ok_or_else(|| format!("{s:?}: use excel (byte-order mark, CRLF) or plain (UTF-8, LF)"))
}

#[derive(Serialize)]
struct Written {
    files: Vec<String>,
    rows: usize,
    scap_rows: usize,
}

/// Runs `export`.
///
/// # Errors
/// When the manifest cannot be read or stdout fails.
pub fn run(a: &Args) -> CliResult {
    // Before loading: a folder that would be overwritten is known at once.
    super::out_dir(&a.out, a.force)?;
    let ds = super::load::load(a.data.manifest.as_deref(), a.json)?;
    if let Some(why) = super::load::fatal(&ds) {
        return fail(exit::DATA, why);
    }
    let li = match export::layer_for(&ds, a.level, a.layer.as_deref()) {
        Ok(li) => li,
        Err(e) => {
            return fail(exit::USAGE, e.to_string());
        }
    };
    if a.level == Level::La && matches!(a.format, Format::Geojson | Format::Gpkg) {
        return fail(
            exit::USAGE,
            "the authority has no single polygon here; export --level la as csv or xlsx, or use --level ward/planning_area for maps",
        );
    }
    let bar = if a.json { ProgressBar::hidden() } else { ProgressBar::new(3) };
    bar.set_style(
        ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix("export");
    bar.set_message("figures");
    let rows = export::rows(&ds, a.level, &li);
    bar.inc(1);
    bar.set_message("SCAP table");
    let scap = export::scap(&ds);
    bar.inc(1);
    bar.set_message("writing");
    let stem = a.level.as_str();
    let mut files = Vec::new();
    let result: Result<(), ExportError> = (|| {
        match a.format {
            Format::Csv => {
                let p = a.out.join(format!("{stem}.csv"));
                csv_out::write_rows(&p, &rows, a.csv)?;
                files.push(p);
                if !scap.is_empty() {
                    let p = a.out.join("scap_ncy.csv");
                    csv_out::write_scap(&p, &scap, a.csv)?;
                    files.push(p);
                }
            }
            Format::Xlsx => {
                let p = a.out.join(format!("{stem}.xlsx"));
                xlsx::write(&p, &rows, &scap, &export::notes(&ds))?;
                files.push(p);
            }
            Format::Geojson => {
                let p = a.out.join(format!("{stem}.geojson"));
                geojson_out::write(&p, &ds, &li, &rows)?;
                files.push(p);
            }
            Format::Gpkg => {
                let p = a.out.join(format!("{stem}.gpkg"));
                gpkg::write(&p, &ds, &li, &rows, stem)?;
                files.push(p);
            }
        }
        Ok(())
    })();
    bar.inc(1);
    bar.finish_and_clear();
    if let Err(e) = result {
        return fail(exit::IO, e.to_string());
    }
    let w = Written {
        files: files.iter().map(|p| p.display().to_string()).collect(),
        rows: rows.len(),
        scap_rows: scap.len(),
    };
    if a.json {
        super::write_stdout(&(serde_json::to_string_pretty(&w)? + "\n"))?;
    } else {
        super::write_stdout(&format!("Wrote {} rows ({} level) to {}\n", w.rows, stem, w.files.join(", ")))?;
    }
    Ok(exit::OK)
}
