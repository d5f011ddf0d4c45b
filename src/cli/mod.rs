//! The command-line interface: argument parsing and one file per subcommand.

/// `placeplan access`.
pub mod access;
/// `placeplan backtest`.
pub mod backtest;
/// `placeplan check`.
pub mod check;
/// `placeplan explain`.
pub mod explain;
/// `placeplan export`.
pub mod export;
/// `placeplan generate-demo`.
pub mod generate_demo;
/// `placeplan hotspots`.
pub mod hotspots;
/// Loading a dataset for any subcommand.
pub mod load;
/// `placeplan priority`.
pub mod priority;
/// `placeplan publish`.
pub mod publish;
/// `placeplan report`.
pub mod report;
/// `placeplan scenario`.
pub mod scenario;
/// `placeplan serve`.
pub mod serve;
/// `placeplan summary`.
pub mod summary;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Exit codes, documented in `--help`.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// The data has a fatal problem (a missing or unreadable input).
    pub const DATA: u8 = 1;
    /// Bad command-line usage (clap also uses 2).
    pub const USAGE: u8 = 2;
    /// The manifest could not be read or parsed, or an output could not be written.
    pub const IO: u8 = 3;
}

/// School place planning and equity mapping for English local authorities.
///
/// placeplan reads a council's own files — ONS ward and LSOA boundaries, the DfE GIAS schools
/// register, the English Indices of Deprivation 2019, population by single year of age and
/// SCAP capacity tables — joins them spatially, and reports place sufficiency and
/// disadvantage by ward, planning area and LSOA.
///
/// Without --manifest every command uses the built-in SYNTHETIC demo borough.
#[derive(Debug, Parser)]
#[command(
    name = "placeplan",
    version,
    after_help = "EXIT CODES:\n  0  success\n  1  the data has a fatal problem (see `placeplan check`)\n  2  bad command-line usage\n  3  the manifest or an output file could not be read or written\n\nEXAMPLES:\n  placeplan check --manifest tests/leeds/manifest.toml\n  placeplan check --json | jq .joins\n  placeplan summary --layer wards_2023 --phase primary --manifest tests/leeds/manifest.toml\n  placeplan access --phase secondary --supply good --manifest tests/leeds/manifest.toml\n  placeplan priority --layer wards_2023 --json\n  placeplan report --wards all --out ward-pages --manifest tests/leeds/manifest.toml\n  placeplan export --level planning_area --format xlsx --out exports\n  placeplan backtest --years-held-out 3\n  placeplan scenario diff base scenarios/expand.toml\n  placeplan serve    (then open http://127.0.0.1:8080/)\n  placeplan publish --out site   (a static site for any web host)"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load every input, join, and report data quality: counts per layer, join coverage,
    /// repaired geometries and every problem (file, row or feature, field, reason).
    ///
    /// Exits 1 when a fatal problem (a missing or unusable input) would stop other commands.
    Check(check::Args),
    /// Place sufficiency and deprivation per area of a layer (or `la`), phase and year: places,
    /// pupils, spare places and %, status band, shortfall with the operating margin, population-
    /// weighted IMD rank, % of residents in the most deprived decile, IDACI and FSM %.
    Summary(summary::Args),
    /// Show the calculation behind one figure: the schools or LSOA pieces (with weights) that
    /// went into it and the arithmetic.
    Explain(explain::Args),
    /// Hot and cold spots of a metric over a layer's areas: Getis-Ord Gi or Gi* z-scores (Ord &
    /// Getis 1995), conditional-permutation p-values, Benjamini–Hochberg FDR, and a class per
    /// area (hot_99 … cold_90, not_significant). Islands are reported.
    Hotspots(hotspots::Args),
    /// Access of each LSOA to school places: two-step floating catchment (2SFCA, E2SFCA or
    /// Gaussian) from where its children live to the schools of a phase, in metres, and the
    /// nearest Good or Outstanding school that has spare places.
    Access(access::Args),
    /// Equity priorities: areas where pupils exceed places (now or in a forecast year) and a
    /// share of residents live in a significant IMD hot spot, ranked, each with its reason.
    Priority(priority::Args),
    /// Back-test placeplan's own forecasts: hide the last K census years of the rolls, forecast
    /// them from the years before, and report DfE forecast accuracy (100 × (forecast − actual) /
    /// actual) 1 and 3 years ahead for the authority, each planning area and (as a mean) schools.
    Backtest(backtest::Args),
    /// Export sufficiency and forecasts for capital planning: one row per school, planning area,
    /// ward or the authority × phase × year (places, pupils with low/high forecasts, spare,
    /// shortfall, status), plus a SCAP-style table of planning area × year group × year, as CSV,
    /// XLSX (a sheet per phase, notes on method), GeoJSON or GeoPackage.
    Export(export::Args),
    /// What-if scenarios: expand, open or close schools and add housing sites (a TOML file), then
    /// compare with the data as it is (`base`) or another scenario, by area, phase and year.
    Scenario(scenario::Args),
    /// Councillor ward pages as a static pack: one HTML file per ward (places against pupils
    /// now and in 3 and 5 years, schools, deprivation against the authority, equity notes,
    /// similar wards, plain-English sentences) and an index with a sortable ranking of all
    /// wards. Works offline; prints to A4. PDFs too when Chromium is installed.
    Report(report::Args),
    /// Publish the map as a static site: one PMTiles archive with every layer, the web app, the
    /// styles, ward pages, downloads and the figures as JSON, for any web host or CDN — no
    /// placeplan process needed to show it.
    Publish(publish::Args),
    /// Serve the map: vector tiles, TileJSON, MapLibre styles, a JSON API and the web app.
    ///
    /// Open the printed address in a browser. Layers: every boundary layer (sufficiency by
    /// ward and planning area, deprivation by LSOA) and the schools. Listens on 127.0.0.1 only
    /// unless --addr says otherwise.
    Serve(serve::Args),
    /// Write the synthetic demo borough (the embedded default) into a folder.
    #[command(name = "generate-demo")]
    GenerateDemo(generate_demo::Args),
}

/// Options shared by commands that read a dataset.
#[derive(Clone, Debug, clap::Args)]
pub struct DataArgs {
    /// The dataset manifest (TOML). Paths inside it are relative to it. Default: the built-in
    /// synthetic demo borough.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Load every input afresh, and write no snapshot. Without it, a manifest's joined data is
    /// kept as a snapshot in the cache folder (PLACEPLAN_CACHE_DIR, else ~/.cache/placeplan) and
    /// the next command on it reads that instead, while every input file is unchanged.
    #[arg(long)]
    pub no_cache: bool,
}

/// Runs the CLI and returns the process exit code.
#[must_use]
pub fn run(cli: Cli) -> u8 {
    let json = cli.command.json();
    let result = match cli.command {
        Command::Check(a) => check::run(&a),
        Command::GenerateDemo(a) => generate_demo::run(&a),
        Command::Summary(a) => summary::run(&a),
        Command::Explain(a) => explain::run(&a),
        Command::Serve(a) => serve::run(&a),
        Command::Publish(a) => publish::run(&a),
        Command::Hotspots(a) => hotspots::run(&a),
        Command::Access(a) => access::run(&a),
        Command::Priority(a) => priority::run(&a),
        Command::Report(a) => report::run(&a),
        Command::Backtest(a) => backtest::run(&a),
        Command::Export(a) => export::run(&a),
        Command::Scenario(a) => scenario::run(&a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let (code, message) = match e.downcast_ref::<Failure>() {
                Some(f) => (f.code, f.message.clone()),
                None => {
                    let mut words = e.to_string();
                    let mut src = std::error::Error::source(&*e);
                    while let Some(s) = src {
                        words.push_str(&format!("\n  caused by: {s}"));
                        src = s.source();
                    }
                    (exit::IO, words)
                }
            };
            eprintln!("placeplan: {message}");
            if json {
                // Scripts reading stdout get the failure too, in the shape the server uses.
                let kind = match code {
                    exit::DATA => "bad_data",
                    exit::USAGE => "usage",
                    _ => "io",
                };
                let doc = serde_json::json!({ "error": kind, "message": message, "exit_code": code });
                let _ = write_stdout(&format!("{doc}\n"));
            }
            code
        }
    }
}

/// A command that failed: its exit code and, in plain English, why. [`run`] prints it to
/// stderr, and to stdout as JSON under `--json`.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// The exit code ([`exit`]).
    pub code: u8,
    /// What went wrong and what to do.
    pub message: String,
}

/// Ends a command with exit `code` and `message` (see [`Failure`]).
///
/// # Errors
/// Always: that is its purpose.
pub fn fail(code: u8, message: impl Into<String>) -> CliResult {
    Err(Box::new(Failure {
        code,
        message: message.into(),
    }))
}

/// Makes `dir` ready to be written into: created when missing. A folder that already holds
/// files is refused unless `force`, so that nothing is overwritten by surprise.
///
/// # Errors
/// A [`Failure`]: the folder holds files (exit 2), or cannot be created or read (exit 3).
pub fn out_dir(dir: &std::path::Path, force: bool) -> Result<(), Box<dyn std::error::Error>> {
    let failure = |code, message: String| -> Box<dyn std::error::Error> { Box::new(Failure { code, message }) };
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect();
            if names.is_empty() || force {
                return Ok(());
            }
            names.sort();
            let n = names.len();
            let shown = names.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
            Err(failure(
                exit::USAGE,
                format!(
                    "{} already holds {n} file{} ({shown}{}); give a new or empty folder, or --force to write over what is there",
                    dir.display(),
                    if n == 1 { "" } else { "s" },
                    if n > 3 { ", …" } else { "" }
                ),
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| failure(exit::IO, format!("cannot create {}: {e}", dir.display())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            Err(failure(exit::USAGE, format!("{} is a file, not a folder", dir.display())))
        }
        Err(e) => Err(failure(exit::IO, format!("cannot read {}: {e}", dir.display()))),
    }
}

impl Command {
    /// Whether the command was asked for JSON on stdout (`--json`).
    #[must_use]
    pub fn json(&self) -> bool {
        match self {
            Command::Check(a) => a.json,
            Command::Summary(a) => a.json,
            Command::Explain(a) => a.json,
            Command::Hotspots(a) => a.json,
            Command::Access(a) => a.json,
            Command::Priority(a) => a.json,
            Command::Backtest(a) => a.json,
            Command::Export(a) => a.json,
            Command::Scenario(a) => match &a.action {
                scenario::Action::Diff(d) => d.json,
            },
            Command::Report(a) => a.json,
            Command::Publish(a) => a.json,
            Command::Serve(_) | Command::GenerateDemo(_) => false,
        }
    }
}

/// A boxed error for subcommand plumbing; subcommands map their own errors to plain English.
pub type CliResult = Result<u8, Box<dyn std::error::Error>>;

/// Writes `text` to stdout; a closed pipe (`placeplan … | head`) is not an error.
///
/// # Errors
/// Any other write error.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
