//! Batch exports for capital planning: sufficiency and forecasts per level (school, planning area,
//! ward, authority) × phase × year, and a SCAP-style table (planning area × NCY × year), written as
//! CSV ([`csv_out`]), XLSX ([`xlsx`]), GeoJSON ([`geojson_out`]) or GeoPackage ([`gpkg`]).

pub mod csv_out;
pub mod geojson_out;
pub mod gpkg;
pub mod xlsx;

use crate::analysis::membership::schools_by_area;
use crate::analysis::summary::{SummaryRow, school_rows, summary};
use crate::dataset::Dataset;
use crate::forecast::cohort::Variant;
use crate::forecast::ncy::Ncy;
use crate::forecast::schools::phase_total;
use crate::model::{LayerKind, Phase};
use serde::Serialize;
use std::collections::HashMap;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The level has no layer in this dataset.
    #[error("no {0} layer in the data; layers: {1}")]
    NoLayer(String, String),
    /// The format cannot hold this level.
    #[error("{0}")]
    Unsupported(String),
    /// Writing a file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The XLSX writer failed.
    #[error("cannot write the workbook {path}: {message}")]
    Xlsx {
        /// The file.
        path: String,
        /// The error.
        message: String,
    },
    /// SQLite failed.
    #[error("cannot write the GeoPackage {path}: {message}")]
    Gpkg {
        /// The file.
        path: String,
        /// The error.
        message: String,
    },
}

/// What one row describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// One row per school.
    School,
    /// Planning areas.
    #[value(name = "planning_area", alias = "planning-area")]
    PlanningArea,
    /// Wards.
    Ward,
    /// The authority.
    La,
}

impl Level {
    /// Name in file names and messages.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Level::School => "school",
            Level::PlanningArea => "planning_area",
            Level::Ward => "ward",
            Level::La => "la",
        }
    }
}

/// One exported row: an area (or school) × phase × year.
#[derive(Clone, Debug, Serialize)]
pub struct ExportRow {
    /// Level.
    pub level: Level,
    /// Layer id (empty for schools and the authority).
    pub layer: String,
    /// Code (URN for schools).
    pub code: String,
    /// Name.
    pub name: String,
    /// Phase.
    pub phase: Phase,
    /// Academic year (start).
    pub year: i32,
    /// `2027/28`.
    pub year_label: String,
    /// Forecast year.
    pub forecast: bool,
    /// Schools counted.
    pub schools: usize,
    /// Places.
    pub capacity: f64,
    /// Pupils (roll, or central forecast).
    pub pupils: f64,
    /// Low forecast (smallest historic ratios), where placeplan forecast the schools.
    pub pupils_low: Option<f64>,
    /// High forecast (largest historic ratios).
    pub pupils_high: Option<f64>,
    /// Places − pupils.
    pub spare: f64,
    /// Spare %.
    pub spare_pct: Option<f64>,
    /// Short by: `max(0, pupils − places)`.
    pub shortfall: f64,
    /// Places to add to keep the operating margin: `max(0, pupils × (1 + margin) − places)`.
    pub margin_shortfall: f64,
    /// Schools counted in the phase with no places or no pupils, left out of the figures.
    pub schools_no_data: usize,
    /// Status word.
    pub status: String,
    /// Population-weighted IMD rank.
    pub imd_rank: Option<f64>,
    /// FSM %.
    pub fsm_pct: Option<f64>,
}

/// One row of the SCAP-style table.
#[derive(Clone, Debug, Serialize)]
pub struct ScapRow {
    /// Planning-area code.
    pub planning_area: String,
    /// Planning-area name.
    pub name: String,
    /// Phase.
    pub phase: Phase,
    /// Year group.
    pub ncy: Ncy,
    /// Academic year.
    pub year: i32,
    /// `actual` (census) or `forecast`.
    pub kind: &'static str,
    /// Pupils.
    pub pupils: f64,
}

/// The layers used for a level: `layer` when given; else, for planning areas, the planning-area
/// layer of every phase (SCAP's primary and secondary planning areas are separate layers), and for
/// wards the first ward layer. Empty for schools and the authority.
///
/// # Errors
/// No such layer.
pub fn layer_for(ds: &Dataset, level: Level, layer: Option<&str>) -> Result<Vec<usize>, ExportError> {
    let kind = match level {
        Level::School | Level::La => return Ok(Vec::new()),
        Level::PlanningArea => LayerKind::PlanningArea,
        Level::Ward => LayerKind::Ward,
    };
    let found: Vec<usize> = match layer {
        Some(id) => ds
            .layers
            .iter()
            .position(|l| l.id.as_str() == id && l.kind == kind)
            .into_iter()
            .collect(),
        None if kind == LayerKind::PlanningArea => {
            let mut v: Vec<usize> = [Phase::Primary, Phase::Secondary]
                .into_iter()
                .filter_map(|p| ds.planning_area_layer(p))
                .collect();
            v.dedup();
            v
        }
        None => ds.layers.iter().position(|l| l.kind == kind).into_iter().collect(),
    };
    (!found.is_empty()).then_some(found).ok_or_else(|| {
        ExportError::NoLayer(
            level.as_str().into(),
            ds.layers
                .iter()
                .map(|l| format!("{} ({:?})", l.id, l.kind))
                .collect::<Vec<_>>()
                .join(", "),
        )
    })
}

/// placeplan's school forecasts by URN, built once per export.
type ByUrn<'a> = HashMap<u32, &'a crate::forecast::schools::SchoolForecast>;

fn by_urn(ds: &Dataset) -> ByUrn<'_> {
    ds.cohort
        .as_ref()
        .map(|cf| cf.schools.iter().map(|s| (s.urn, s)).collect())
        .unwrap_or_default()
}

fn low_high(ds: &Dataset, by_urn: &ByUrn<'_>, schools: &[usize], phase: Phase, year: i32) -> (Option<f64>, Option<f64>) {
    let Some(cf) = &ds.cohort else { return (None, None) };
    if year <= cf.base_year {
        return (None, None);
    }
    let mut lo = 0.0;
    let mut hi = 0.0;
    let mut any = false;
    for &si in schools {
        let s = &ds.schools[si];
        let central = crate::analysis::summary::school_pupils(ds, si, phase, year).0;
        match by_urn.get(&s.urn.0) {
            Some(f) => {
                lo += phase_total(f, phase, year, Variant::Low).unwrap_or(central);
                hi += phase_total(f, phase, year, Variant::High).unwrap_or(central);
                any = true;
            }
            None => {
                lo += central;
                hi += central;
            }
        }
    }
    if any { (Some(lo), Some(hi)) } else { (None, None) }
}

fn to_row(ds: &Dataset, fc: &ByUrn<'_>, level: Level, layer: &str, r: &SummaryRow, members: &[usize]) -> ExportRow {
    let (lo, hi) = low_high(ds, fc, members, r.phase, r.year);
    ExportRow {
        level,
        layer: layer.to_owned(),
        code: r.code.clone(),
        name: r.name.clone(),
        phase: r.phase,
        year: r.year,
        year_label: crate::text::year_label(r.year),
        forecast: r.forecast,
        schools: r.schools,
        capacity: r.sufficiency.capacity,
        pupils: r.sufficiency.pupils,
        pupils_low: lo,
        pupils_high: hi,
        spare: r.sufficiency.spare,
        spare_pct: r.sufficiency.spare_pct,
        shortfall: r.sufficiency.shortfall,
        margin_shortfall: r.sufficiency.margin_shortfall,
        schools_no_data: r.schools_no_data,
        status: r.sufficiency.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        imd_rank: r.deprivation.imd_rank_popweighted,
        fsm_pct: r.fsm_pct,
    }
}

/// The rows of a level: every area (or school) × phase × year of each of `layers`, in the order of
/// `placeplan summary`.
#[must_use]
pub fn rows(ds: &Dataset, level: Level, layers: &[usize]) -> Vec<ExportRow> {
    if layers.is_empty() {
        return rows_of(ds, level, None);
    }
    layers.iter().flat_map(|&li| rows_of(ds, level, Some(li))).collect()
}

fn rows_of(ds: &Dataset, level: Level, li: Option<usize>) -> Vec<ExportRow> {
    let fc = by_urn(ds);
    match (level, li) {
        (Level::School, _) => {
            let idx: HashMap<String, usize> = ds.schools.iter().enumerate().map(|(i, s)| (s.urn.to_string(), i)).collect();
            school_rows(ds, None, None)
                .iter()
                .map(|r| {
                    let m: Vec<usize> = idx.get(&r.code).copied().into_iter().collect();
                    to_row(ds, &fc, level, "", r, &m)
                })
                .collect()
        }
        (Level::La, _) | (_, None) => summary(ds, None, None, None)
            .iter()
            .map(|r| {
                let m: Vec<usize> = (0..ds.schools.len()).filter(|&i| ds.schools[i].in_totals(r.phase)).collect();
                to_row(ds, &fc, Level::La, "", r, &m)
            })
            .collect(),
        (_, Some(li)) => {
            let layer = &ds.layers[li];
            let members: HashMap<Phase, Vec<Vec<usize>>> = Phase::ALL.iter().map(|&p| (p, schools_by_area(ds, li, p))).collect();
            let index: HashMap<&str, usize> = layer.areas.iter().enumerate().map(|(i, a)| (a.code.as_str(), i)).collect();
            summary(ds, Some(li), None, None)
                .iter()
                .map(|r| {
                    let m = index
                        .get(r.code.as_str())
                        .and_then(|&a| members.get(&r.phase).and_then(|v| v.get(a)))
                        .cloned()
                        .unwrap_or_default();
                    to_row(ds, &fc, level, layer.id.as_str(), r, &m)
                })
                .collect()
        }
    }
}

/// The SCAP-style table: for each planning area of the phase (the first planning-area layer for
/// it), pupils by year group for the census year (actual) and each forecast year (placeplan's
/// central forecast, summed over the area's schools). Empty without rolls.
#[must_use]
pub fn scap(ds: &Dataset) -> Vec<ScapRow> {
    let Some(cf) = &ds.cohort else { return Vec::new() };
    let by_urn = by_urn(ds);
    let mut out = Vec::new();
    for phase in Phase::ALL {
        let Some(li) = ds.planning_area_layer(phase) else {
            continue;
        };
        let (a, b) = phase.year_groups();
        let (a, b) = (a.index(), b.index());
        let years = match phase {
            Phase::Primary => ds.settings.forecast.primary_years,
            Phase::Secondary | Phase::Post16 => ds.settings.forecast.secondary_years,
        };
        for (ai, list) in schools_by_area(ds, li, phase).iter().enumerate() {
            let area = &ds.layers[li].areas[ai];
            for h in 0..=years {
                let year = cf.base_year + i32::try_from(h).unwrap_or(0);
                for g in a..=b {
                    let mut sum = 0.0;
                    let mut any = false;
                    for si in list {
                        let urn = ds.schools[*si].urn.0;
                        let v = if h == 0 {
                            ds.rolls.get(&urn).and_then(|hist| hist.get(&year)).and_then(|r| r[g])
                        } else {
                            by_urn.get(&urn).and_then(|f| f.central.get(&year)).and_then(|r| r[g])
                        };
                        if let Some(v) = v {
                            sum += v;
                            any = true;
                        }
                    }
                    if any {
                        out.push(ScapRow {
                            planning_area: area.code.to_string(),
                            name: area.name.clone(),
                            phase,
                            ncy: Ncy::from_index(g).unwrap_or(Ncy::R),
                            year,
                            kind: if h == 0 { "actual" } else { "forecast" },
                            pupils: sum,
                        });
                    }
                }
            }
        }
    }
    out
}

/// The method and parameters, for the notes sheet and the README of an export.
#[must_use]
pub fn notes(ds: &Dataset) -> Vec<(String, String)> {
    let f = &ds.settings.forecast;
    let b = &ds.settings.bands;
    vec![
        (
            "Dataset".into(),
            format!("{}{}", ds.name, if ds.synthetic { " (SYNTHETIC demo data)" } else { "" }),
        ),
        ("Census year".into(), crate::text::year_label(ds.census_year)),
        (
            "Places".into(),
            "Open mainstream schools; capacity × the share of each school's year groups in the phase.".into(),
        ),
        (
            "Pupils".into(),
            "Census-year roll; after it the forecasts table, else placeplan's cohort-survival forecast, else the roll carried forward."
                .into(),
        ),
        (
            "Forecast method".into(),
            format!(
                "Cohort survival: intake ratios against the Reception pool (resident children of the cohort) or the authority's year group below a year earlier (Y7 from Y6), and grade progression ratios averaged over the last {} years{}; {} years primary, {} secondary. Low and high use the smallest and largest ratio of the window.",
                f.window,
                f.weights
                    .as_ref()
                    .map_or(String::new(), |w| format!(" with weights {w:?} (latest first)")),
                f.primary_years,
                f.secondary_years
            ),
        ),
        (
            "Status bands".into(),
            format!(
                "deficit below {:.0}% spare, tight below {:.0}%, healthy to {:.0}%, surplus above",
                b.deficit_below * 100.0,
                b.tight_below * 100.0,
                b.healthy_below * 100.0
            ),
        ),
        (
            "Shortfall".into(),
            format!(
                "max(0, pupils × (1 + {}) − places): places needed to keep a {:.0}% operating margin",
                ds.settings.operating_margin,
                ds.settings.operating_margin * 100.0
            ),
        ),
        ("Made by".into(), format!("placeplan {}", env!("CARGO_PKG_VERSION"))),
    ]
}
