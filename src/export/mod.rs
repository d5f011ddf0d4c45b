//! Batch exports for capital planning: sufficiency and forecasts per level (school, planning area,
//! ward, authority) × phase × year, and a SCAP-style table (planning area × NCY × year), written as
//! CSV ([`csv_out`]), XLSX ([`xlsx`]), GeoJSON ([`geojson_out`]) or GeoPackage ([`gpkg`]).

pub mod csv_out;
pub mod geojson_out;
pub mod gpkg;
pub mod long;
pub mod postgis;
pub mod xlsx;

use crate::analysis::membership::schools_by_area;
use crate::analysis::summary::{SummaryRow, school_rows, summary};
use crate::dataset::Dataset;
use crate::forecast::ncy::Ncy;
use crate::model::disclosure::Count;
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// One row per school.
    School,
    /// Planning areas.
    PlanningArea,
    /// Wards.
    Ward,
    /// The authority.
    La,
}

impl Level {
    /// The level named `s`: `school`, `planning_area` (or `planning-area`), `ward` or `la`.
    ///
    /// # Errors
    /// Any other name, with the names there are.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "school" => Ok(Level::School),
            "planning_area" => Ok(Level::PlanningArea),
            "ward" => Ok(Level::Ward),
            "la" => Ok(Level::La),
            _ => Err(format!("level {s:?} must be school, planning_area, ward or la")),
        }
    }

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
    /// Of `schools`, those whose count of 1 to 4 pupils disclosure control suppresses (shown as
    /// `c` on pages, counted as 5 here); 0 without disclosure control.
    pub schools_suppressed: usize,
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
    /// Pupils: the area's sum, controlled as a whole under disclosure control (`c` when
    /// suppressed).
    pub pupils: Count,
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

/// Low and high pupils of `schools` in `phase` and `year`, summed from the plan's projection (the
/// same figures as the central ones, housing and moves included); `None` in the census year and
/// when no school of them has a forecast.
fn low_high(ds: &Dataset, schools: &[usize], phase: Phase, year: i32) -> (Option<f64>, Option<f64>) {
    if year <= ds.census_year {
        return (None, None);
    }
    let (mut lo, mut hi, mut any) = (0.0, 0.0, false);
    for &si in schools.iter().filter(|&&si| ds.schools[si].open_in(year)) {
        if let Some(v) = ds.pupils(si, phase, year) {
            lo += v.low;
            hi += v.high;
            any |= v.source.found();
        }
    }
    if any { (Some(lo), Some(hi)) } else { (None, None) }
}

fn to_row(ds: &Dataset, level: Level, layer: &str, r: &SummaryRow, members: &[usize]) -> ExportRow {
    let (lo, hi) = low_high(ds, members, r.phase, r.year);
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
        schools_suppressed: r.schools_suppressed,
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
    match (level, li) {
        (Level::School, _) => {
            let idx: HashMap<String, usize> = ds.schools.iter().enumerate().map(|(i, s)| (s.urn.to_string(), i)).collect();
            school_rows(ds, None, None)
                .iter()
                .map(|r| {
                    let m: Vec<usize> = idx.get(&r.code).copied().into_iter().collect();
                    to_row(ds, level, "", r, &m)
                })
                .collect()
        }
        (Level::La, _) | (_, None) => summary(ds, None, None, None)
            .iter()
            .map(|r| {
                let m: Vec<usize> = (0..ds.schools.len()).filter(|&i| ds.schools[i].in_totals(r.phase)).collect();
                to_row(ds, Level::La, "", r, &m)
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
                    to_row(ds, level, layer.id.as_str(), r, &m)
                })
                .collect()
        }
    }
}

/// The SCAP-style table: for each planning area of the phase (the first planning-area layer for
/// it), pupils by year group for the census year (actual) and each forecast year, summed over the
/// area's schools from the plan's projection — the same central figures as every other view,
/// housing and moves included. Schools without year groups (no rolls) are not in it; empty when
/// no school has them. Under disclosure control each area × year group's sum is controlled (a
/// year group's count at one school is often under 5; its planning area's seldom is), and a
/// school whose phase count is suppressed is not in the sum.
#[must_use]
pub fn scap(ds: &Dataset) -> Vec<ScapRow> {
    let mut out = Vec::new();
    for phase in Phase::ALL {
        let Some(li) = ds.planning_area_layer(phase) else {
            continue;
        };
        let (a, b) = phase.year_groups();
        for (ai, list) in schools_by_area(ds, li, phase).iter().enumerate() {
            let area = &ds.layers[li].areas[ai];
            for &year in ds.years(phase) {
                let rows: Vec<&[f64; crate::forecast::ncy::NCY_COUNT]> = list
                    .iter()
                    .filter(|&&si| ds.schools[si].open_in(year))
                    .filter_map(|&si| ds.pupils(si, phase, year)?.ncy.as_ref())
                    .collect();
                if rows.is_empty() {
                    continue;
                }
                for g in a.index()..=b.index() {
                    out.push(ScapRow {
                        planning_area: area.code.to_string(),
                        name: area.name.clone(),
                        phase,
                        ncy: Ncy::from_index(g).unwrap_or(Ncy::R),
                        year,
                        kind: if year == ds.census_year { "actual" } else { "forecast" },
                        pupils: {
                            let sum = rows.iter().map(|r| r[g]).sum();
                            ds.disclosure.map_or(Count::Value(sum), |d| d.count(sum))
                        },
                    });
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
    let mut out = vec![
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
            "Census-year pupils; after it the forecasts table, else placeplan's cohort-survival forecast, else the planning area's forecast shared by census pupils, else the projection from population (the school's share of its planning area's resident children, carried onto their projection), else the census figure carried forward; then housing pupils added and closed schools' pupils moved, to low, central and high alike."
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
        ("Shortfall".into(), "max(0, pupils − places): pupils without a place".into()),
        (
            "Margin shortfall".into(),
            format!(
                "max(0, pupils × (1 + {}) − places): places to add to keep a {:.0}% operating margin",
                ds.settings.operating_margin,
                ds.settings.operating_margin * 100.0
            ),
        ),
        ("Made by".into(), format!("placeplan {}", env!("CARGO_PKG_VERSION"))),
    ];
    if let Some(d) = ds.disclosure {
        out.insert(1, ("Disclosure control".into(), d.note()));
    }
    if let Some(pf) = &ds.model.population {
        out.push(("Forecast from population".into(), pf.method.clone()));
        for bt in crate::forecast::population::headline(&ds.model.population_accuracy) {
            out.push((
                format!("Accuracy of the projection from population, {} year(s) ahead", bt.horizon),
                bt.sentence(&crate::report::facts::backtest_layers(ds)),
            ));
        }
    }
    if let Ok(a) = crate::analysis::admissions::check(ds) {
        out.push(("Reception forecasts against admissions".into(), a.sentence()));
    }
    out
}
