//! `placeplan summary --layer ID|la [--phase P] [--year Y] [--json]`: sufficiency and deprivation per area.

use super::{CliResult, DataArgs, exit, fail};
use crate::analysis::summary::{SummaryRow, summary};
use crate::ids::LayerId;
use crate::model::Phase;

/// Options of `summary`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// The dataset.
    pub data: DataArgs,
    /// A boundary layer id as listed by `placeplan check` (e.g. wards_2023), `la` for the whole
    /// authority, or `schools` for one row per school.
    #[arg(long, value_name = "ID|la")]
    pub layer: String,
    /// Only this phase.
    #[arg(long, value_parser = parse_phase)]
    pub phase: Option<Phase>,
    /// Only this academic year (start year: 2025 = 2025/26). Default: every year with figures.
    #[arg(long)]
    pub year: Option<i32>,
    /// Print a JSON array of rows.
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn parse_phase(s: &str) -> Result<Phase, String> {
    Phase::parse(s).ok_or_else(|| Phase::parse_error(s))
}

/// Resolves `--layer` to a layer index (`None` = the authority), or prints the choices.
pub(crate) fn resolve_layer(ds: &crate::dataset::Dataset, layer: &str) -> Result<Option<usize>, String> {
    if layer.eq_ignore_ascii_case("la") {
        return Ok(None);
    }
    let known = || ds.layers.iter().map(|l| l.id.to_string()).collect::<Vec<_>>().join(", ");
    let id = LayerId::new(layer).map_err(|_| format!("unknown layer {layer:?}; choose la, schools or one of: {}", known()))?;
    ds.layer(&id)
        .map(|(i, _)| Some(i))
        .ok_or_else(|| format!("unknown layer {layer:?}; choose la, schools or one of: {}", known()))
}

/// Runs `summary`.
///
/// # Errors
/// When the manifest cannot be read.
pub fn run(a: &Args) -> CliResult {
    let ds = super::load::load(&a.data, a.json)?;
    if let Some(why) = super::load::fatal(&ds) {
        return fail(exit::DATA, why);
    }
    let rows = if a.layer == "schools" {
        crate::analysis::summary::school_rows(&ds, a.phase, a.year)
    } else {
        match resolve_layer(&ds, &a.layer) {
            Ok(l) => summary(&ds, l, a.phase, a.year),
            Err(msg) => {
                return fail(exit::USAGE, msg.to_string());
            }
        }
    };
    if a.json {
        super::write_stdout(&(serde_json::to_string_pretty(&rows)? + "\n"))?;
    } else {
        super::write_stdout(&table(&ds, &rows))?;
    }
    Ok(exit::OK)
}

fn opt(v: Option<f64>, dp: usize) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.dp$}"))
}

fn table(ds: &crate::dataset::Dataset, rows: &[SummaryRow]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    if ds.synthetic {
        let _ = writeln!(s, "{} — SYNTHETIC demo data\n", ds.name);
    }
    let _ = writeln!(
        s,
        "{:<11} {:<30} {:<9} {:>7} {:>8} {:>8} {:>7} {:>7}  {:<8} {:>7} {:>8} {:>7} {:>5}",
        "code", "name", "phase", "year", "places", "pupils", "spare", "spare%", "status", "short", "IMD rank", "%dec1", "FSM%"
    );
    for r in rows {
        let f = &r.sufficiency;
        let name: String = r.name.chars().take(30).collect();
        let _ = writeln!(
            s,
            "{:<11} {:<30} {:<9} {:>7} {:>8.0} {:>8.0} {:>7.0} {:>7}  {:<8} {:>7.0} {:>8} {:>7} {:>5}",
            r.code,
            name,
            r.phase.as_str(),
            format!("{}{}", r.year, if r.forecast { "f" } else { "" }),
            f.capacity,
            f.pupils,
            f.spare,
            opt(f.spare_pct, 1),
            f.status.map_or("–", |x| x.as_str()),
            f.shortfall,
            opt(r.deprivation.imd_rank_popweighted, 0),
            opt(r.deprivation.pct_pop_most_deprived_decile, 1),
            opt(r.fsm_pct, 1)
        );
    }
    let _ = writeln!(
        s,
        "\nyear: academic year by start (f = forecast). status bands: deficit < {}% ≤ tight < {}% ≤ healthy ≤ {}% < surplus. short = pupils − places when positive (the places to add to keep the {}% operating margin are margin_shortfall in --json).\nIMD rank: population-weighted mean national rank (1 = most deprived of 32,844); %dec1: % of residents in the most deprived 10% of LSOAs ({} weights).\n`placeplan explain` shows the calculation behind any figure.",
        ds.settings.bands.deficit_below * 100.0,
        ds.settings.bands.tight_below * 100.0,
        ds.settings.bands.healthy_below * 100.0,
        ds.settings.operating_margin * 100.0,
        format!("{:?}", ds.weight_method).to_lowercase()
    );
    s
}
