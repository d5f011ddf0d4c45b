//! `placeplan access --method 2sfca|e2sfca|gaussian [--catchment METRES] [--supply all|good]
//! [--demand children|fsm] [--phase P] [--json]`: access of each LSOA to school places.

use super::{CliResult, DataArgs, exit, fail};
use crate::analysis::school_access::{AccessMethod, AccessOptions, DemandKind, SupplyFilter, access};
use crate::model::Phase;

/// Options of `access`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// The dataset.
    pub data: DataArgs,
    /// 2sfca (every school in the catchment counts fully), e2sfca (thirds of the catchment
    /// weighted 1.00 / 0.68 / 0.22, Luo & Qi 2009) or gaussian (exp(−d²/2σ²), σ = catchment/3).
    #[arg(long, default_value = "e2sfca", value_parser = AccessMethod::parse)]
    pub method: AccessMethod,
    /// Catchment in metres, straight line. Default: the statutory walking distance, 3,219 m
    /// (2 miles) for primary and 4,828 m (3 miles) for secondary.
    #[arg(long, value_name = "METRES")]
    pub catchment: Option<f64>,
    /// Which schools supply places: all open mainstream schools, or only those rated Good or
    /// Outstanding by Ofsted.
    #[arg(long, default_value = "all", value_parser = parse_supply)]
    pub supply: SupplyFilter,
    /// Demand: resident children of the phase's ages (single year of age), or those children ×
    /// the IDACI rate, an FSM-weighted demand.
    #[arg(long, default_value = "children", value_parser = parse_demand)]
    pub demand: DemandKind,
    /// Phase.
    #[arg(long, value_parser = super::summary::parse_phase, default_value = "primary")]
    pub phase: Phase,
    /// Print JSON: {phase, method, catchment_m, description, places, total_demand, mean_access,
    /// notes, rows: [{code, name, demand, access, access_norm, schools_in_reach, nearest_good_m,
    /// nearest_good: {urn, name, ofsted, spare, metres}}]}.
    #[arg(long)]
    pub json: bool,
}

fn parse_supply(s: &str) -> Result<SupplyFilter, String> {
    match s.to_ascii_lowercase().as_str() {
        "all" => Ok(SupplyFilter::All),
        "good" => Ok(SupplyFilter::Good),
        _ => Err(format!("{s:?}: use all or good")),
    }
}

fn parse_demand(s: &str) -> Result<DemandKind, String> {
    match s.to_ascii_lowercase().as_str() {
        "children" => Ok(DemandKind::Children),
        "fsm" => Ok(DemandKind::Fsm),
        _ => Err(format!("{s:?}: use children or fsm")),
    }
}

/// Runs `access`.
///
/// # Errors
/// When the manifest cannot be read or stdout fails.
pub fn run(a: &Args) -> CliResult {
    // Access needs the LSOAs (demand, centroids) and the schools (supply), not the other layers.
    let needs = crate::manifest::Needs {
        layer: None,
        schools: true,
        centroids: true,
    };
    let ds = super::load::load_only(&a.data, a.json, Some(needs))?;
    if let Some(why) = super::load::fatal(&ds) {
        return fail(exit::DATA, why);
    }
    let mut o = AccessOptions::defaults(a.phase);
    o.method = a.method;
    o.supply = a.supply;
    o.demand = a.demand;
    if let Some(c) = a.catchment {
        if !(c.is_finite() && c > 0.0) {
            return fail(exit::USAGE, format!("--catchment {c}: give a distance in metres above 0"));
        }
        o.catchment_m = c;
    }
    let t = std::time::Instant::now();
    let report = match access(&ds, &o) {
        Ok(r) => r,
        Err(msg) => {
            return fail(exit::DATA, msg.to_string());
        }
    };
    tracing::debug!(ms = t.elapsed().as_millis(), "access computed");
    if a.json {
        super::write_stdout(&(serde_json::to_string_pretty(&report)? + "\n"))?;
        return Ok(exit::OK);
    }
    use std::fmt::Write as _;
    let mut out = String::new();
    writeln!(out, "{}", report.description)?;
    writeln!(
        out,
        "{} schools, {:.0} places; demand {:.0}; mean access {:.3} places per child",
        report.schools, report.places, report.total_demand, report.mean_access
    )?;
    for n in &report.notes {
        writeln!(out, "note: {n}")?;
    }
    writeln!(
        out,
        "{:<10} {:<22} {:>8} {:>8} {:>6} {:>6} {:>9}  nearest good school with room",
        "code", "name", "demand", "access", "norm", "reach", "metres"
    )?;
    let mut rows = report.rows.clone();
    rows.sort_by(|x, y| x.access.total_cmp(&y.access));
    for r in &rows {
        writeln!(
            out,
            "{:<10} {:<22} {:>8.1} {:>8.3} {:>6} {:>6} {:>9}  {}",
            r.code,
            r.name.chars().take(22).collect::<String>(),
            r.demand,
            r.access,
            r.access_norm.map_or("-".into(), |n| format!("{n:.2}")),
            r.schools_in_reach,
            r.nearest_good_m.map_or("-".into(), |m| format!("{m:.0}")),
            r.nearest_good
                .as_ref()
                .map_or(String::new(), |n| format!("{} ({})", n.name, n.ofsted))
        )?;
    }
    super::write_stdout(&out)?;
    tracing::debug!(ms = t.elapsed().as_millis(), "access written out");
    Ok(exit::OK)
}
