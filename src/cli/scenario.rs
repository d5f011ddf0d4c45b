//! `placeplan scenario diff BASE SCENARIO [--json]`: what a what-if scenario changes, by area,
//! phase and year. BASE is `base` (the data as it is) or another scenario file.

use super::{CliResult, DataArgs, exit, fail};
use crate::analysis::diff::diff;
use crate::scenario::Scenario;
use std::path::PathBuf;

/// Scenario commands.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Compare two scenarios (or `base` and a scenario): every area × phase × year whose places,
    /// pupils, shortfall (with or without the operating margin) or status changes, for the
    /// authority, wards and planning areas.
    Diff(DiffArgs),
}

/// Options of `scenario diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    #[command(flatten)]
    /// The dataset.
    pub data: DataArgs,
    /// `base`, or a scenario TOML file.
    pub base: String,
    /// A scenario TOML file: [[expand]] urn/places/from, [[close]] urn/from, [[open]]
    /// name/phase/capacity/from/easting/northing, [[housing]] site/area or easting+northing/
    /// completions = [[year, dwellings], …], [yields] primary/secondary, [settings]
    /// operating_margin and [settings.bands] deficit_below/tight_below/healthy_below.
    pub scenario: PathBuf,
    /// Print JSON: {base, scenario, notes, changes: [{layer, code, phase, year, capacity:[before,
    /// after], pupils, spare, shortfall, margin_shortfall, status}]}.
    #[arg(long)]
    pub json: bool,
}

/// Options of `scenario`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// Runs `scenario`.
///
/// # Errors
/// When the manifest cannot be read or stdout fails.
pub fn run(a: &Args) -> CliResult {
    let Action::Diff(d) = &a.action;
    let ds = super::load::load(&d.data, d.json)?;
    if let Some(why) = super::load::fatal(&ds) {
        return fail(exit::DATA, why);
    }
    let load = |p: &std::path::Path| Scenario::read(p).and_then(|s| ds.with_plan(&s).map(|x| (s.name, x.clone(), x.projection.notes)));
    let (base_name, base, mut notes) = if d.base == "base" {
        ("base".to_owned(), ds.clone(), Vec::new())
    } else {
        match load(std::path::Path::new(&d.base)) {
            Ok(x) => x,
            Err(e) => {
                return fail(exit::USAGE, e.to_string());
            }
        }
    };
    let (name, scen, more) = match load(&d.scenario) {
        Ok(x) => x,
        Err(e) => {
            return fail(exit::USAGE, e.to_string());
        }
    };
    notes.extend(more);
    let changes = diff(&base, &scen);
    if d.json {
        let v = serde_json::json!({ "base": base_name, "scenario": name, "notes": notes, "changes": changes });
        super::write_stdout(&(serde_json::to_string_pretty(&v)? + "\n"))?;
        return Ok(exit::OK);
    }
    use std::fmt::Write as _;
    let mut out = String::new();
    writeln!(out, "Scenario {name:?} against {base_name}:")?;
    for n in &notes {
        writeln!(out, "  - {n}")?;
    }
    writeln!(out, "\n{} area × phase × year figures change.\n", changes.len())?;
    writeln!(
        out,
        "{:<12} {:<10} {:<26} {:<9} {:>7}  {:>15}  {:>15}  {:>13}  {:>13}  status",
        "layer", "code", "name", "phase", "year", "places", "pupils", "shortfall", "with margin"
    )?;
    for c in &changes {
        writeln!(
            out,
            "{:<12} {:<10} {:<26} {:<9} {:>7}  {:>6.0} → {:>6.0}  {:>6.0} → {:>6.0}  {:>5.0} → {:>5.0}  {:>5.0} → {:>5.0}  {} → {}",
            c.layer,
            c.code,
            c.name.chars().take(26).collect::<String>(),
            c.phase.as_str(),
            crate::text::year_label(c.year),
            c.capacity.0,
            c.capacity.1,
            c.pupils.0,
            c.pupils.1,
            c.shortfall.0,
            c.shortfall.1,
            c.margin_shortfall.0,
            c.margin_shortfall.1,
            c.status.0,
            c.status.1
        )?;
    }
    super::write_stdout(&out)?;
    Ok(exit::OK)
}
