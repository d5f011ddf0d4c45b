//! Equity priority: areas where a shortage of school places (now or in a forecast year) meets a
//! significant deprivation hot spot among the LSOAs where their residents live.

use super::equity::HotspotReport;
use super::sufficiency::Status;
use super::summary::{SummaryRow, pieces};
use crate::dataset::Dataset;
use crate::model::Phase;
use crate::text::{thousands, year_label};
use serde::Serialize;
use std::collections::HashSet;

/// The worst deficit of an area over phases and years.
#[derive(Clone, Debug, Serialize)]
pub struct Deficit {
    /// Phase.
    pub phase: Phase,
    /// Academic year (start).
    pub year: i32,
    /// Whether the year is a forecast.
    pub forecast: bool,
    /// Places `C`.
    pub capacity: f64,
    /// Pupils `P`.
    pub pupils: f64,
    /// Pupils over places, `P − C`.
    pub over: f64,
    /// Spare %, negative.
    pub spare_pct: Option<f64>,
}

/// One area's priority assessment.
#[derive(Clone, Debug, Serialize)]
pub struct PriorityRow {
    /// Area code.
    pub code: String,
    /// Area name.
    pub name: String,
    /// True when a deficit meets a hot spot.
    pub priority: bool,
    /// 1 = highest priority (priority areas only).
    pub rank: Option<usize>,
    /// `over × hot_share` of the worst deficit: places short, weighted by the share of residents in
    /// hot-spot LSOAs (priority areas are ranked by it).
    pub score: f64,
    /// Share of the area's residents living in LSOAs classed as a significant hot spot (0–1).
    pub hot_share: f64,
    /// Those LSOAs.
    pub hot_lsoas: Vec<String>,
    /// The deficit with most pupils over places, if any.
    pub worst: Option<Deficit>,
    /// Every (phase, year) in deficit.
    pub deficit_years: Vec<(Phase, i32)>,
    /// The assessment in words.
    pub reason: String,
}

/// A priority run over one layer.
#[derive(Clone, Debug, Serialize)]
pub struct PriorityReport {
    /// Layer id.
    pub layer: String,
    /// The hot-spot run it used, in words.
    pub hotspots: String,
    /// Minimum share of residents in hot-spot LSOAs for an area to count as meeting a hot spot.
    pub min_hot_share: f64,
    /// The rule in words.
    pub method: String,
    /// Rows: priority areas by rank, then the rest by hot share.
    pub rows: Vec<PriorityRow>,
}

/// A share as a whole percentage for sentences ("under 1%" rather than "0%").
fn pct(x: f64) -> String {
    if x > 0.0 && x < 0.005 {
        "under 1%".to_owned()
    } else {
        format!("{:.0}%", 100.0 * x)
    }
}

/// Equity priority of every area of layer `li`.
///
/// For area `a` with LSOA pieces `l` of population `p_l`: `hot_share = Σ_{l hot} p_l / Σ_l p_l`,
/// where an LSOA is hot when its Gi* z is positive and its FDR-adjusted p is below `hot.alpha`. The area is a
/// priority when some phase and year has status deficit (`P > C`) **and** `hot_share ≥ min_share`.
/// Priority areas are ranked by `score = max_deficit(P − C) × hot_share`.
#[must_use]
pub fn priority(ds: &Dataset, li: usize, rows: &[SummaryRow], hot: &HotspotReport, min_share: f64) -> PriorityReport {
    let hot_codes: HashSet<&str> = hot
        .rows
        .iter()
        // Significant: a positive z with an FDR-adjusted p below alpha (not the 90% class).
        .filter(|r| r.z > 0.0 && r.p_fdr < hot.alpha)
        .map(|r| r.code.as_str())
        .collect();
    let layer = &ds.layers[li];
    let lsoa_layer = ds.lsoa_layer.map(|l| &ds.layers[l]);
    // What the rows cover, in words: "in any phase or year", "in primary in 2027/28".
    let mut phases: Vec<Phase> = rows.iter().map(|r| r.phase).collect();
    phases.sort_unstable();
    phases.dedup();
    let mut years: Vec<i32> = rows.iter().map(|r| r.year).collect();
    years.sort_unstable();
    years.dedup();
    let scope = format!(
        "in {} in {}",
        match phases.as_slice() {
            [p] => p.as_str(),
            _ => "any phase",
        },
        match years.as_slice() {
            [y] => year_label(*y),
            _ => "any year".to_owned(),
        }
    );
    // Each area's rows, found by code once (not a scan of every row per area).
    let mut by_code: std::collections::HashMap<&str, Vec<&SummaryRow>> = std::collections::HashMap::new();
    for r in rows {
        by_code.entry(r.code.as_str()).or_default().push(r);
    }
    let mut out: Vec<PriorityRow> = layer
        .areas
        .iter()
        .enumerate()
        .map(|(a, area)| {
            let mut total = 0.0;
            let mut hot_pop = 0.0;
            let mut hot_lsoas = Vec::new();
            for (l, piece) in pieces(ds, Some(li), a) {
                total += piece.population;
                let code = lsoa_layer
                    .and_then(|ll| ll.areas.get(l))
                    .map(|x| x.code.as_str())
                    .unwrap_or_default();
                if hot_codes.contains(code) {
                    hot_pop += piece.population;
                    hot_lsoas.push(code.to_owned());
                }
            }
            let hot_share = if total > 0.0 { hot_pop / total } else { 0.0 };
            let deficits: Vec<&SummaryRow> = by_code
                .get(area.code.as_str())
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .copied()
                .filter(|r| r.sufficiency.status == Some(Status::Deficit))
                .collect();
            let worst = deficits
                .iter()
                .max_by(|x, y| (-x.sufficiency.spare).total_cmp(&-y.sufficiency.spare).then(y.year.cmp(&x.year)))
                .map(|r| Deficit {
                    phase: r.phase,
                    year: r.year,
                    forecast: r.forecast,
                    capacity: r.sufficiency.capacity,
                    pupils: r.sufficiency.pupils,
                    over: -r.sufficiency.spare,
                    spare_pct: r.sufficiency.spare_pct,
                });
            let is_priority = worst.is_some() && hot_share >= min_share && hot_share > 0.0;
            let score = worst.as_ref().map_or(0.0, |w| w.over * hot_share);
            let reason = reason(worst.as_ref(), deficits.len(), hot_share, min_share, hot_lsoas.len(), &scope);
            PriorityRow {
                code: area.code.to_string(),
                name: area.name.clone(),
                priority: is_priority,
                rank: None,
                score,
                hot_share,
                hot_lsoas,
                worst,
                deficit_years: deficits.iter().map(|r| (r.phase, r.year)).collect(),
                reason,
            }
        })
        .collect();
    out.sort_by(|x, y| {
        y.priority
            .cmp(&x.priority)
            .then(y.score.total_cmp(&x.score))
            .then(y.hot_share.total_cmp(&x.hot_share))
            .then(x.code.cmp(&y.code))
    });
    for (k, r) in out.iter_mut().filter(|r| r.priority).enumerate() {
        r.rank = Some(k + 1);
    }
    PriorityReport {
        layer: layer.id.to_string(),
        hotspots: format!("{} of {} on {} ({})", "Gi* hot spots", hot.metric, hot.layer, hot.weights),
        min_hot_share: min_share,
        method: format!(
            "An area is a priority when, in some phase and year, it has more pupils than places (deficit) and at least {} of its residents live in LSOAs that form a significant deprivation hot spot (Getis-Ord Gi*, Benjamini–Hochberg FDR {}%). Priorities are ranked by pupils over places in the worst year × that share.",
            pct(min_share),
            (hot.alpha * 100.0).round()
        ),
        rows: out,
    }
}

fn reason(worst: Option<&Deficit>, years: usize, hot_share: f64, min_share: f64, hot_n: usize, scope: &str) -> String {
    let hot = if hot_n == 0 {
        "none of its residents live in a significant deprivation hot spot".to_owned()
    } else {
        format!(
            "{} of its residents live in {hot_n} LSOA{} of a significant deprivation hot spot",
            pct(hot_share),
            if hot_n == 1 { "" } else { "s" }
        )
    };
    match worst {
        Some(w) => {
            let deficit = format!(
                "{} pupils exceed places by {} in {} ({}{} places, {} pupils{}){}",
                w.phase.title(),
                thousands(w.over),
                year_label(w.year),
                if w.forecast { "forecast: " } else { "" },
                thousands(w.capacity),
                thousands(w.pupils),
                w.spare_pct
                    .map(|s| format!(", {}% spare", format!("{s:.1}").replace('-', "−")))
                    .unwrap_or_default(),
                if years > 1 {
                    format!("; {years} phase-years in deficit in all")
                } else {
                    String::new()
                }
            );
            if hot_share >= min_share && hot_share > 0.0 {
                format!("{deficit}, and {hot}.")
            } else {
                format!("{deficit}, but {hot} (below the {} threshold).", pct(min_share))
            }
        }
        None => format!("No deficit of places {scope}; {hot}."),
    }
}
