//! `placeplan hotspots --layer L --metric M [--weights …] [--star] [--transform b|r]
//! [--permutations N] [--seed S] [--json]`: Getis-Ord hot and cold spots.

use super::{CliResult, DataArgs, exit, fail};
use crate::analysis::equity::{HotspotOptions, METRICS, WeightSpec, hotspots};
use crate::analysis::hotspots::GiZ;
use crate::analysis::weights::Transform;
use crate::model::Phase;

/// Options of `hotspots`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// The dataset.
    pub data: DataArgs,
    /// A boundary layer id (e.g. lsoa, wards_2023).
    #[arg(long)]
    pub layer: String,
    /// The metric: imd_rank, imd_reverse_rank (higher = more deprived, so deprivation shows as
    /// hot), imd_score, pct_pop_most_deprived_decile, pct_children_idaci_decile1, idaci_rank,
    /// spare_pct, fsm_pct.
    #[arg(long)]
    pub metric: String,
    /// Neighbours: queen, rook (shared vertex / edge), knn:K (K nearest centroids) or
    /// band:METRES (centroids within that distance).
    #[arg(long, default_value = "queen", value_parser = WeightSpec::parse)]
    pub weights: WeightSpec,
    /// Gi* (each area counts in its own neighbourhood), the usual choice for hot-spot maps.
    #[arg(long)]
    pub star: bool,
    /// Weights binary (b) or row-standardised (r); the Ord & Getis z-score is the same for both.
    #[arg(long, default_value = "b", value_parser = parse_transform)]
    pub transform: Transform,
    /// Reproduce PySAL esda's z-score instead (differs from Ord & Getis for --transform r).
    #[arg(long)]
    pub esda: bool,
    /// Conditional permutations for pseudo p-values (0 = normal approximation only).
    #[arg(long, default_value_t = 999)]
    pub permutations: usize,
    /// Seed of the permutations (same seed, same p-values).
    #[arg(long, default_value_t = 12345)]
    pub seed: u64,
    /// False discovery rate for the classes (Benjamini–Hochberg).
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// Phase for spare_pct and fsm_pct.
    #[arg(long, value_parser = super::summary::parse_phase, default_value = "primary")]
    pub phase: Phase,
    /// Print JSON: {layer, metric, weights, islands, missing, fdr_cutoff, rows: [{code, value, z, p_sim, p_fdr, class}]}.
    #[arg(long)]
    pub json: bool,
}

fn parse_transform(s: &str) -> Result<Transform, String> {
    match s.to_ascii_lowercase().as_str() {
        "b" | "binary" => Ok(Transform::Binary),
        "r" | "row" => Ok(Transform::Row),
        _ => Err(format!("{s:?}: use b (binary) or r (row-standardised)")),
    }
}

/// Runs `hotspots`.
///
/// # Errors
/// When the manifest cannot be read.
pub fn run(a: &Args) -> CliResult {
    // A deprivation metric needs the LSOAs and the one layer, not the schools or other layers.
    let deprivation = !matches!(a.metric.as_str(), "spare_pct" | "fsm_pct");
    let needs = deprivation.then_some(crate::manifest::Needs {
        layer: Some(a.layer.as_str()),
        schools: false,
        centroids: matches!(a.weights, WeightSpec::Knn(_) | WeightSpec::Band(_)),
    });
    let ds = super::load::load_only(&a.data, a.json, needs)?;
    if let Some(why) = super::load::fatal(&ds) {
        return fail(exit::DATA, why);
    }
    let li = match super::summary::resolve_layer(&ds, &a.layer) {
        Ok(Some(li)) => li,
        Ok(None) => {
            return fail(exit::USAGE, "hot spots need a layer of areas, not the whole authority");
        }
        Err(msg) => {
            return fail(exit::USAGE, msg.to_string());
        }
    };
    let o = HotspotOptions {
        weights: a.weights,
        star: a.star,
        transform: a.transform,
        z: if a.esda { GiZ::Esda } else { GiZ::OrdGetis },
        permutations: a.permutations,
        seed: a.seed,
        alpha: a.alpha,
    };
    let report = match hotspots(&ds, li, &a.metric, a.phase, &o) {
        Ok(r) => r,
        Err(msg) => {
            let code = if METRICS.contains(&a.metric.as_str()) {
                exit::DATA
            } else {
                exit::USAGE
            };
            return fail(code, msg);
        }
    };
    if a.json {
        super::write_stdout(&(serde_json::to_string_pretty(&report)? + "\n"))?;
        return Ok(exit::OK);
    }
    use std::fmt::Write as _;
    let mut out = String::new();
    writeln!(out, "Hot spots of {} over {} ({})", report.metric, report.layer, report.weights)?;
    writeln!(
        out,
        "FDR {}: cut-off {}; islands: {}; without a value: {}",
        a.alpha,
        report.fdr_cutoff.map_or("none pass".into(), |c| format!("{c:.4}")),
        report.islands.len(),
        report.missing.len()
    )?;
    writeln!(
        out,
        "{:<11} {:<34} {:>10} {:>8} {:>8} {:>8}  class",
        "code", "name", "value", "z", "p_sim", "p_fdr"
    )?;
    let mut rows = report.rows.clone();
    rows.sort_by(|x, y| y.z.total_cmp(&x.z));
    for r in &rows {
        writeln!(
            out,
            "{:<11} {:<34} {:>10.2} {:>8.3} {:>8} {:>8.4}  {}",
            r.code,
            r.name.chars().take(34).collect::<String>(),
            r.value,
            r.z,
            r.p_sim.map_or("-".into(), |p| format!("{p:.4}")),
            r.p_fdr,
            r.class
        )?;
    }
    super::write_stdout(&out)?;
    Ok(exit::OK)
}
