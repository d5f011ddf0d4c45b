//! `placeplan export --level school|planning_area|ward|la --format csv|xlsx|geojson|gpkg --out DIR
//! [--layer L] [--json]`: sufficiency and forecasts per phase × year for capital planning, and a
//! SCAP-style table (planning area × NCY × year). `--format postgis --db URL [--schema S]` writes
//! every layer and level into a PostGIS schema instead.

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
    /// PostGIS: every boundary layer, the schools and every level's figures (long, with a wide
    /// view) into one schema of the database --db names, replaced in one transaction.
    Postgis,
}

/// Options of `export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// The dataset.
    pub data: DataArgs,
    /// One row per school, planning area, ward or the authority, × phase × year.
    /// `school`, `planning_area`, `ward` or `la` (not with postgis, which writes every level).
    #[arg(long, value_parser = Level::parse, required_unless_present = "db")]
    pub level: Option<Level>,
    /// File format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Output folder (created if missing; refused when it already holds files, unless --force).
    #[arg(long, value_name = "DIR", required_unless_present = "db")]
    pub out: Option<PathBuf>,
    /// With --format postgis: the database, as a URL (postgresql://user@host:5432/gis) or
    /// key=value string (host=/var/run/postgresql dbname=gis). A password is better in
    /// PGPASSWORD than on the command line. No TLS: use a local or tunnelled connection.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// With --format postgis: the schema to write (default placeplan_ and the dataset's name).
    /// It is dropped and written again each run, in one transaction; a schema placeplan did not
    /// make is refused.
    #[arg(long, value_name = "NAME")]
    pub schema: Option<String>,
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
    /// A what-if plan (the TOML `placeplan scenario diff` reads): the figures are the plan's, and
    /// say so.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Round every pupil count as a published page would: to the nearest 5, with counts of 1 to
    /// 4 shown as "c" (as DfE statistics do) — for figures that leave the planning team.
    #[arg(long)]
    pub disclosure_control: bool,
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
    match (a.format, &a.db) {
        (Format::Postgis, Some(db)) => return postgis(a, db),
        (Format::Postgis, None) => {
            return fail(
                exit::USAGE,
                "--format postgis needs --db (e.g. --db postgresql://user@localhost/gis)",
            );
        }
        (_, Some(_)) => return fail(exit::USAGE, "--db is for --format postgis"),
        _ => {}
    }
    let (Some(level), Some(out)) = (a.level, a.out.as_ref()) else {
        return fail(exit::USAGE, "export needs --level and --out (or --format postgis --db URL)");
    };
    // Before loading: a folder that would be overwritten is known at once.
    super::out_dir(out, a.force)?;
    let ds = super::load::load(&a.data, a.json)?;
    if let Some(why) = super::load::fatal(&ds) {
        return fail(exit::DATA, why);
    }
    let ds = super::load::with_disclosure(ds, a.disclosure_control);
    let ds = super::load::with_scenario(ds, a.scenario.as_deref(), a.json)?;
    let li = match export::layer_for(&ds, level, a.layer.as_deref()) {
        Ok(li) => li,
        Err(e) => {
            return fail(exit::USAGE, e.to_string());
        }
    };
    if level == Level::La && matches!(a.format, Format::Geojson | Format::Gpkg) {
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
    let rows = export::rows(&ds, level, &li);
    bar.inc(1);
    bar.set_message("SCAP table");
    let scap = export::scap(&ds);
    bar.inc(1);
    bar.set_message("writing");
    let stem = level.as_str();
    let mut files = Vec::new();
    let result: Result<(), ExportError> = (|| {
        match a.format {
            Format::Csv => {
                let p = out.join(format!("{stem}.csv"));
                csv_out::write_rows(&p, &rows, a.csv)?;
                files.push(p);
                if !scap.is_empty() {
                    let p = out.join("scap_ncy.csv");
                    csv_out::write_scap(&p, &scap, a.csv)?;
                    files.push(p);
                }
            }
            Format::Xlsx => {
                let p = out.join(format!("{stem}.xlsx"));
                xlsx::write(&p, &rows, &scap, &export::notes(&ds))?;
                files.push(p);
            }
            Format::Geojson => {
                let p = out.join(format!("{stem}.geojson"));
                geojson_out::write(&p, &ds, &li, &rows)?;
                files.push(p);
            }
            Format::Postgis => unreachable_postgis()?,
            Format::Gpkg => {
                let p = out.join(format!("{stem}.gpkg"));
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

fn unreachable_postgis() -> Result<(), ExportError> {
    Err(ExportError::Unsupported("postgis is written by export --db".into()))
}

#[derive(Serialize)]
struct WrittenDb {
    schema: String,
    tables: Vec<(String, Option<u64>)>,
    figure_rows: u64,
}

/// `--format postgis`: every layer and level into one schema.
fn postgis(a: &Args, db: &str) -> CliResult {
    use crate::export::postgis;
    if a.level.is_some() || a.out.is_some() {
        return fail(
            exit::USAGE,
            "--format postgis writes every level into the database: leave out --level and --out",
        );
    }
    if let Some(s) = &a.schema
        && let Err(e) = postgis::check_schema(s)
    {
        return fail(exit::USAGE, e);
    }
    let ds = super::load::load(&a.data, a.json)?;
    if let Some(why) = super::load::fatal(&ds) {
        return fail(exit::DATA, why);
    }
    let ds = super::load::with_disclosure(ds, a.disclosure_control);
    let ds = super::load::with_scenario(ds, a.scenario.as_deref(), a.json)?;
    let schema = a.schema.clone().unwrap_or_else(|| postgis::default_schema(&ds));
    let bar = if a.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    bar.set_message(format!("writing schema {schema}"));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let result = postgis::connect(db).and_then(|mut c| postgis::write(&mut c, &ds, &schema));
    bar.finish_and_clear();
    let r = match result {
        Ok(r) => r,
        Err(e) => return fail(exit::IO, e.to_string()),
    };
    if a.json {
        let w = WrittenDb {
            schema: r.schema,
            tables: r.tables,
            figure_rows: r.figure_rows,
        };
        super::write_stdout(&(serde_json::to_string_pretty(&w)? + "\n"))?;
    } else {
        let tables = r
            .tables
            .iter()
            .map(|(t, n)| n.map_or_else(|| format!("{t} (view)"), |n| format!("{t} ({n})")))
            .collect::<Vec<_>>()
            .join(", ");
        super::write_stdout(&format!("Wrote schema {} (EPSG:27700): {tables}\n", r.schema))?;
    }
    Ok(exit::OK)
}
