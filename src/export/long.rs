//! The figures in long form: one row per level, layer, area (or school), phase, year and measure,
//! with its value (`None`: no figure, never 0) — the shape a database or a GIS joins on. Every
//! level is included: each ward and planning-area layer, the schools and the authority. The
//! PostGIS export's `figures` table and the OGC API `figures` collection are these rows.

use super::{ExportRow, Level, layer_for, rows};
use crate::dataset::Dataset;
use crate::model::{LayerKind, Phase};
use serde::Serialize;

/// Each measure: name, unit and definition.
pub const MEASURES: &[(&str, &str, &str)] = &[
    ("schools", "schools", "Open mainstream schools counted in the phase"),
    (
        "capacity",
        "places",
        "Places: net capacity × the share of each school's year groups in the phase",
    ),
    (
        "pupils",
        "pupils",
        "Pupils on roll in the census year; the central forecast after it",
    ),
    (
        "pupils_low",
        "pupils",
        "Low forecast (smallest historic ratios), where placeplan forecast the schools",
    ),
    ("pupils_high", "pupils", "High forecast (largest historic ratios)"),
    ("spare", "places", "Places − pupils (negative: more pupils than places)"),
    ("spare_pct", "%", "Spare places as a % of places"),
    ("shortfall", "places", "max(0, pupils − places): pupils without a place"),
    (
        "margin_shortfall",
        "places",
        "max(0, pupils × (1 + operating margin) − places): places to add to keep the margin",
    ),
    (
        "schools_no_data",
        "schools",
        "Schools counted in the phase with no places or no pupils, left out of the figures",
    ),
    (
        "schools_suppressed",
        "schools",
        "Of the schools, those with 1 to 4 pupils under disclosure control: shown as c, counted as 5",
    ),
    (
        "imd_rank",
        "rank",
        "Population-weighted IMD 2019 rank (1 = most deprived in England)",
    ),
    (
        "fsm_pct",
        "%",
        "Pupils eligible for free school meals, % (schools' own figures, pupil-weighted)",
    ),
    (
        "status",
        "word",
        "Status band: deficit, tight, healthy or surplus (in label; value empty)",
    ),
];

/// One figure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LongRow {
    /// `ward`, `planning_area`, `school` or `la`.
    pub level: &'static str,
    /// The layer (`schools` for schools, `la` for the authority).
    pub layer: String,
    /// Area code, URN, or `LA`.
    pub code: String,
    /// Area or school name.
    pub name: String,
    /// Phase.
    pub phase: Phase,
    /// Academic year by its start (2027 = 2027/28).
    pub year: i32,
    /// A forecast year.
    pub forecast: bool,
    /// One of [`MEASURES`].
    pub measure: &'static str,
    /// The number (`None`: no figure).
    pub value: Option<f64>,
    /// The word, for `status`.
    pub label: Option<String>,
}

/// The figure rows of every level.
#[must_use]
pub fn export_rows(ds: &Dataset) -> Vec<ExportRow> {
    let mut out = Vec::new();
    for (li, l) in ds.layers.iter().enumerate() {
        let level = match l.kind {
            LayerKind::Ward => Level::Ward,
            LayerKind::PlanningArea => Level::PlanningArea,
            _ => continue,
        };
        out.extend(rows(ds, level, &[li]));
    }
    for level in [Level::School, Level::La] {
        if let Ok(li) = layer_for(ds, level, None) {
            out.extend(rows(ds, level, &li));
        }
    }
    out
}

/// The long rows of one figure row, in the order of [`MEASURES`].
#[must_use]
pub fn long(r: &ExportRow) -> Vec<LongRow> {
    let layer = match r.level {
        Level::School => "schools".to_owned(),
        Level::La => "la".to_owned(),
        _ => r.layer.clone(),
    };
    let count = |n: usize| Some(n as f64);
    let values: [Option<f64>; 13] = [
        count(r.schools),
        Some(r.capacity),
        Some(r.pupils),
        r.pupils_low,
        r.pupils_high,
        Some(r.spare),
        r.spare_pct,
        Some(r.shortfall),
        Some(r.margin_shortfall),
        count(r.schools_no_data),
        count(r.schools_suppressed),
        r.imd_rank,
        r.fsm_pct,
    ];
    let row = |measure: &'static str, value: Option<f64>, label: Option<String>| LongRow {
        level: r.level.as_str(),
        layer: layer.clone(),
        code: r.code.clone(),
        name: r.name.clone(),
        phase: r.phase,
        year: r.year,
        forecast: r.forecast,
        measure,
        value: value.filter(|v| v.is_finite()),
        label,
    };
    let mut out: Vec<LongRow> = MEASURES.iter().zip(values).map(|((m, _, _), v)| row(m, v, None)).collect();
    out.push(row("status", None, (!r.status.is_empty()).then(|| r.status.clone())));
    out
}

/// Every figure of `ds` in long form.
#[must_use]
pub fn all(ds: &Dataset) -> Vec<LongRow> {
    export_rows(ds).iter().flat_map(long).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_measure() {
        assert_eq!(MEASURES.len(), 14);
        assert_eq!(MEASURES.last().map(|m| m.0), Some("status"));
    }
}
