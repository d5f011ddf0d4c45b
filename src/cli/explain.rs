//! `placeplan explain --layer ID --code CODE --metric M [--phase P] [--year Y] [--json]`: show the calculation.

use super::{CliResult, DataArgs, exit, fail};
use crate::analysis::explain::{Input, Metric, explain};
use crate::model::Phase;

/// Options of `explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// The dataset.
    pub data: DataArgs,
    /// Boundary layer id (as listed by `placeplan check`) or `la`.
    #[arg(long, value_name = "ID|la")]
    pub layer: String,
    /// Area code (as listed by `placeplan summary`); ignored for `la`.
    #[arg(long, default_value = "LA")]
    pub code: String,
    /// The figure to explain: capacity, pupils, spare, spare_pct, shortfall, margin_shortfall,
    /// imd_rank, imd_score, pct_pop_most_deprived_decile, extent, local_concentration, children,
    /// fsm_pct.
    #[arg(long, value_parser = Metric::parse)]
    pub metric: Metric,
    /// Phase for sufficiency metrics.
    #[arg(long, value_parser = super::summary::parse_phase, default_value = "primary")]
    pub phase: Phase,
    /// Academic year (start year). Default: the census year.
    #[arg(long)]
    pub year: Option<i32>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `explain`.
///
/// # Errors
/// When the manifest cannot be read.
pub fn run(a: &Args) -> CliResult {
    let ds = super::load::load(&a.data, a.json)?;
    let layer = match super::summary::resolve_layer(&ds, &a.layer) {
        Ok(l) => l,
        Err(msg) => {
            return fail(exit::USAGE, msg.to_string());
        }
    };
    let e = match explain(&ds, layer, &a.code, a.metric, a.phase, a.year) {
        Ok(e) => e,
        Err(err) => {
            return fail(exit::USAGE, err.to_string());
        }
    };
    if a.json {
        super::write_stdout(&(serde_json::to_string_pretty(&e)? + "\n"))?;
        return Ok(exit::OK);
    }
    use std::fmt::Write as _;
    let mut out = String::new();
    writeln!(
        out,
        "{} — {} ({}), {} {}{}",
        e.name,
        e.code,
        e.layer,
        e.phase.as_str(),
        e.year,
        if ds.synthetic { "  [SYNTHETIC demo data]" } else { "" }
    )?;
    writeln!(
        out,
        "metric:  {:?} = {}",
        e.metric,
        e.value.map_or_else(|| "n/a".into(), |v| format!("{v:.4}"))
    )?;
    writeln!(out, "formula: {}", e.formula)?;
    writeln!(out, "weights: {}\n\ninputs:", e.weights)?;
    for i in &e.inputs {
        match i {
            Input::School {
                urn,
                name,
                source,
                capacity,
                pupils,
                suppressed,
                from_forecast,
                fsm_pct,
            } => writeln!(
                out,
                "  school {urn:<7} {name:<44} places {capacity:>7.1}  pupils {}{}  FSM {}\n         {source}",
                if *suppressed {
                    format!("{:>7}", "c (5)")
                } else {
                    format!("{pupils:>7.1}")
                },
                if *from_forecast {
                    ""
                } else {
                    " (no forecast: roll carried forward)"
                },
                fsm_pct.map_or("–".into(), |f| format!("{f:.1}%"))
            ),
            Input::Lsoa {
                code,
                name,
                weight,
                population,
                children,
                imd_rank,
                imd_decile,
                imd_score,
            } => writeln!(
                out,
                "  LSOA {code} {name:<16} weight {weight:.4}  pop {population:>8.1}  children {children:>7.1}  IMD rank {}  decile {}  score {}",
                imd_rank.map_or("–".into(), |r| r.to_string()),
                imd_decile.map_or("–".into(), |r| r.to_string()),
                imd_score.map_or("–".into(), |r| format!("{r:.3}"))
            ),
        }?;
    }
    writeln!(out, "\narithmetic:")?;
    for s in &e.steps {
        writeln!(out, "  {s}")?;
    }
    super::write_stdout(&out)?;
    Ok(exit::OK)
}
