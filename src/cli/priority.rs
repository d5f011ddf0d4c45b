//! `placeplan priority --layer L [--phase P] [--year Y] [--min-hot-share F] [--json]`: areas where a
//! deficit of places meets a significant deprivation hot spot, ranked, with the reason in words.

use super::{CliResult, DataArgs, exit, fail};
use crate::analysis::equity::{HotspotOptions, hotspots};
use crate::analysis::equity_results::{HOTSPOT_METRIC, MIN_HOT_SHARE};
use crate::analysis::priority::priority;
use crate::analysis::summary::summary;
use crate::model::Phase;

/// Options of `priority`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// The dataset.
    pub data: DataArgs,
    /// A layer of areas with schools (e.g. wards_2023, or a planning-area layer).
    #[arg(long)]
    pub layer: String,
    /// Share of an area's residents (0–1) who must live in hot-spot LSOAs for the area to meet
    /// a hot spot. The hot spots are Gi* of the IMD over the LSOAs (queen, 999 permutations,
    /// FDR 5%).
    #[arg(long, default_value_t = MIN_HOT_SHARE)]
    pub min_hot_share: f64,
    /// Only this phase's deficits (primary, secondary, post16); default: any phase.
    #[arg(long, value_parser = super::summary::parse_phase)]
    pub phase: Option<Phase>,
    /// Only this academic year's deficits (start year, e.g. 2027 for 2027/28); default: the census
    /// year and every forecast year.
    #[arg(long)]
    pub year: Option<i32>,
    /// Print JSON: {layer, method, rows: [{code, name, priority, rank, score, hot_share,
    /// hot_lsoas, worst: {phase, year, capacity, pupils, over}, reason}]}.
    #[arg(long)]
    pub json: bool,
}

/// Runs `priority`.
///
/// # Errors
/// When the manifest cannot be read or stdout fails.
pub fn run(a: &Args) -> CliResult {
    if !(0.0..=1.0).contains(&a.min_hot_share) {
        return fail(
            exit::USAGE,
            format!("--min-hot-share {}: give a share between 0 and 1 (0.25 = 25%)", a.min_hot_share),
        );
    }
    let ds = super::load::load(&a.data, a.json)?;
    if let Some(why) = super::load::fatal(&ds) {
        return fail(exit::DATA, why);
    }
    let li = match super::summary::resolve_layer(&ds, &a.layer) {
        Ok(Some(li)) if Some(li) != ds.lsoa_layer => li,
        Ok(_) => {
            return fail(
                exit::USAGE,
                "priority needs a layer of areas with schools (a ward or planning-area layer)",
            );
        }
        Err(msg) => {
            return fail(exit::USAGE, msg.to_string());
        }
    };
    let Some(lsoa) = ds.lsoa_layer else {
        return fail(exit::DATA, "priority needs an LSOA layer with IMD ranks for the hot spots");
    };
    let hot = match hotspots(&ds, lsoa, HOTSPOT_METRIC, Phase::Primary, &HotspotOptions::map_default()) {
        Ok(h) => h,
        Err(msg) => {
            return fail(exit::DATA, msg.to_string());
        }
    };
    let rows = summary(&ds, Some(li), a.phase, a.year);
    if rows.is_empty() {
        return fail(
            exit::USAGE,
            format!(
                "no figures for {}{} in layer {}",
                a.phase.map_or_else(String::new, |p| format!("{} ", p.as_str())),
                a.year.map_or_else(|| "any year".into(), crate::text::year_label),
                a.layer
            ),
        );
    }
    let report = priority(&ds, li, &rows, &hot, a.min_hot_share);
    if a.json {
        super::write_stdout(&(serde_json::to_string_pretty(&report)? + "\n"))?;
        return Ok(exit::OK);
    }
    use std::fmt::Write as _;
    let mut out = String::new();
    writeln!(out, "{}", report.method)?;
    writeln!(
        out,
        "Deficits counted: {} in {}.",
        a.phase.map_or("every phase", Phase::as_str),
        a.year.map_or_else(|| "every year".into(), crate::text::year_label)
    )?;
    let n = report.rows.iter().filter(|r| r.priority).count();
    writeln!(out, "{n} of {} areas of {} are priorities.", report.rows.len(), report.layer)?;
    for r in &report.rows {
        let tag = r.rank.map_or("  -".to_owned(), |k| format!("{k:>3}"));
        writeln!(out, "{tag}  {} {}: {}", r.code, r.name, r.reason)?;
    }
    super::write_stdout(&out)?;
    Ok(exit::OK)
}
