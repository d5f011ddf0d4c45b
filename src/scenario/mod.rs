//! What-if scenarios: a TOML file of changes — expand a school, open one, close one, add a
//! housing site — applied to a copy of the dataset, after which every figure is recomputed
//! ([`diff`] compares two of them by area and year; [`housing`] turns dwellings into pupils).
//!
//! ```toml
//! name = "Expand Juniper Vale, new homes at Eastfield"
//! [[expand]]
//! urn = 190012
//! places = 210          # added to the school's capacity
//! from = 2026           # academic year (2026 = 2026/27)
//! [[close]]
//! urn = 190020
//! from = 2027           # its pupils move to the other schools of its planning area
//! [[open]]
//! name = "Eastfield Primary"
//! phase = "primary"
//! capacity = 420
//! from = 2027
//! easting = 452300
//! northing = 433900
//! [[housing]]
//! site = "Eastfield"
//! area = "PA03"         # or easting/northing
//! completions = [[2026, 120], [2027, 150]]
//! [yields]              # pupils per dwelling (your authority's figures)
//! primary = 0.25
//! secondary = 0.15
//! ```

pub mod diff;
pub mod housing;

use crate::analysis::membership::schools_by_area;
use crate::analysis::summary::{school_places, school_pupils};
use crate::dataset::Dataset;
use crate::ids::{AreaCode, Urn};
use crate::join::index::AreaIndex;
use crate::join::points::place_schools;
use crate::model::{Figure, FigureSource, Phase, School};
use crate::readers::forecasts::ForecastLevel;
use housing::{Completion, Yields};
use serde::Deserialize;

/// Why a scenario cannot be applied.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read the scenario {path}: {source}")]
    Read {
        /// Path.
        path: String,
        /// Error.
        source: std::io::Error,
    },
    /// The TOML is malformed.
    #[error("scenario {path}: {message}")]
    Parse {
        /// Path.
        path: String,
        /// Message with line and column.
        message: String,
    },
    /// A change refers to something that does not exist or cannot happen.
    #[error("scenario {name}: {change}: {message}")]
    Change {
        /// Scenario name.
        name: String,
        /// Which change (`expand 1`, `close 2` …).
        change: String,
        /// What is wrong.
        message: String,
    },
}

/// Add places at a school.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expand {
    /// URN.
    pub urn: u32,
    /// Places added (negative to remove).
    pub places: f64,
    /// First academic year with the places.
    pub from: i32,
}

/// Close a school.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Close {
    /// URN.
    pub urn: u32,
    /// First academic year it is closed.
    pub from: i32,
}

/// Open a school.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Open {
    /// Name.
    pub name: String,
    /// `primary` or `secondary`.
    pub phase: String,
    /// Places.
    pub capacity: f64,
    /// First academic year open.
    pub from: i32,
    /// Easting (EPSG:27700).
    pub easting: f64,
    /// Northing.
    pub northing: f64,
    /// URN to give it (default 990001, 990002, …).
    pub urn: Option<u32>,
}

/// A housing site.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Name.
    pub site: String,
    /// Planning-area code.
    pub area: Option<String>,
    /// Easting.
    pub easting: Option<f64>,
    /// Northing.
    pub northing: Option<f64>,
    /// `[[year, dwellings], …]`.
    pub completions: Vec<(i32, f64)>,
    /// Housing type for the yield (`flat`, `house`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A scenario file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name shown in outputs.
    pub name: String,
    /// Expansions.
    #[serde(default)]
    pub expand: Vec<Expand>,
    /// Closures.
    #[serde(default)]
    pub close: Vec<Close>,
    /// New schools.
    #[serde(default)]
    pub open: Vec<Open>,
    /// Housing sites.
    #[serde(default)]
    pub housing: Vec<Site>,
    /// Yields for the housing (default: the manifest's `[settings.yields]`).
    pub yields: Option<Yields>,
}

impl Scenario {
    /// Reads a scenario file.
    ///
    /// # Errors
    /// Unreadable or malformed TOML (with line and column).
    pub fn read(path: &std::path::Path) -> Result<Self, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let mut s: Scenario = toml::from_str(&text).map_err(|e| ScenarioError::Parse {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        if s.name.is_empty() {
            s.name = path
                .file_stem()
                .map_or_else(|| "scenario".into(), |n| n.to_string_lossy().into_owned());
        }
        Ok(s)
    }
}

fn school_index(ds: &Dataset, urn: u32) -> Option<usize> {
    ds.schools.iter().position(|s| s.urn.0 == urn && s.open)
}

fn forecast_years(ds: &Dataset, phase: Phase) -> std::ops::RangeInclusive<i32> {
    let h = ds.settings.forecast.years(phase);
    ds.census_year + 1..=ds.census_year + i32::try_from(h).unwrap_or(0)
}

/// Applies `sc` to a copy of `base`: capacity schedules for expansions, closures and openings,
/// closed schools' pupils moved pro rata to the other schools of their planning area, housing
/// pupils added. Changes must start after the census year. Returns the new dataset and notes.
///
/// # Errors
/// A change naming an unknown school, a year not after the census, or housing without yields.
pub fn apply(base: &Dataset, sc: &Scenario) -> Result<(Dataset, Vec<String>), ScenarioError> {
    let mut ds = base.clone();
    let mut notes = Vec::new();
    let bad = |change: String, message: String| ScenarioError::Change {
        name: sc.name.clone(),
        change,
        message,
    };
    let check_year = |change: String, y: i32| {
        if y <= base.census_year {
            Err(bad(
                change,
                format!(
                    "year {y} is not after the census year {}; changes apply to forecast years",
                    base.census_year
                ),
            ))
        } else {
            Ok(())
        }
    };
    // Expansions, in year order so that each builds on the last.
    let mut expand = sc.expand.clone();
    expand.sort_by_key(|e| e.from);
    for (k, e) in expand.iter().enumerate() {
        let what = format!("expand {}", k + 1);
        check_year(what.clone(), e.from)?;
        let si = school_index(&ds, e.urn).ok_or_else(|| bad(what.clone(), format!("no open school with URN {}", e.urn)))?;
        let s = &ds.schools[si];
        let now = s.total_places_in(e.from);
        let new = (now + e.places).max(0.0);
        ds.schools[si].capacity_from.push((e.from, new));
        ds.schools[si].capacity_from.sort_by_key(|c| c.0);
        notes.push(format!(
            "{}: {} → {} places from {}",
            ds.schools[si].name,
            now,
            new,
            crate::text::year_label(e.from)
        ));
    }
    // Closures: no places, no pupils; pupils move within the planning area.
    for (k, c) in sc.close.iter().enumerate() {
        let what = format!("close {}", k + 1);
        check_year(what.clone(), c.from)?;
        let si = school_index(&ds, c.urn).ok_or_else(|| bad(what.clone(), format!("no open school with URN {}", c.urn)))?;
        ds.schools[si].capacity_from.push((c.from, 0.0));
        for phase in Phase::ALL {
            if !ds.schools[si].serves(phase) {
                continue;
            }
            let others: Vec<usize> = ds
                .planning_area_layer(phase)
                .map(|li| {
                    schools_by_area(&ds, li, phase)
                        .into_iter()
                        .find(|m| m.contains(&si))
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|&o| o != si && school_places(&ds, o, phase, c.from) > 0.0)
                        .collect()
                })
                .unwrap_or_default();
            if others.is_empty() {
                notes.push(format!(
                    "{} ({}): no other school in its planning area; its pupils are dropped from the figures",
                    ds.schools[si].name,
                    phase.as_str()
                ));
            }
            let mut sets = Vec::new();
            for y in forecast_years(&ds, phase).filter(|y| *y >= c.from) {
                let moving = school_pupils(&ds, si, phase, y).0;
                let weights: Vec<f64> = others.iter().map(|&o| school_pupils(&ds, o, phase, y).0).collect();
                let wsum: f64 = weights.iter().sum();
                if let Ok(code) = AreaCode::new(&ds.schools[si].urn.to_string()) {
                    sets.push(((ForecastLevel::School, code, phase, y), 0.0));
                }
                for (o, w) in others.iter().zip(&weights) {
                    let Ok(code) = AreaCode::new(&ds.schools[*o].urn.to_string()) else {
                        continue;
                    };
                    let share = if wsum > 0.0 { w / wsum } else { 1.0 / others.len() as f64 };
                    sets.push((
                        (ForecastLevel::School, code, phase, y),
                        school_pupils(&ds, *o, phase, y).0 + moving * share,
                    ));
                }
            }
            for (key, v) in sets {
                ds.forecasts.insert(key, v);
            }
        }
        notes.push(format!("{} closes from {}", ds.schools[si].name, crate::text::year_label(c.from)));
    }
    // Openings: a new school with places from its first year and no pupils moved to it.
    for (k, o) in sc.open.iter().enumerate() {
        let what = format!("open {}", k + 1);
        check_year(what.clone(), o.from)?;
        let phase = Phase::parse(&o.phase).ok_or_else(|| bad(what.clone(), Phase::parse_error(&o.phase)))?;
        let urn = o.urn.unwrap_or(990_001 + u32::try_from(k).unwrap_or(0));
        if ds.schools.iter().any(|s| s.urn.0 == urn) {
            return Err(bad(what, format!("URN {urn} is already used")));
        }
        let (lo, hi) = phase.ages();
        let mut figures = crate::model::PhaseFigures::default();
        figures.set_places(phase, Some(Figure::exact(o.capacity, FigureSource::Scenario)));
        figures.set_pupils(phase, Some(Figure::exact(0.0, FigureSource::Scenario)));
        let school = School {
            urn: Urn(urn),
            laestab: None,
            name: o.name.clone(),
            open: true,
            phase_of_education: phase.title().into(),
            establishment_type: "Free schools (scenario)".into(),
            low_age: Some(lo),
            high_age: Some(hi),
            capacity: Some(o.capacity),
            pupils: Some(0.0),
            nursery_classes: None,
            sixth_form: None,
            census_year: None,
            previous_laestab: None,
            table_split: None,
            fsm_pct: None,
            ofsted: None,
            location: Some(geo::Coord {
                x: o.easting,
                y: o.northing,
            }),
            lsoa_in_file: None,
            planning_area_primary: None,
            planning_area_secondary: None,
            row: 0,
            capacity_from: vec![(i32::MIN, 0.0), (o.from, o.capacity)],
            scope: crate::model::Scope::Mainstream,
            phases: vec![phase],
            figures,
        };
        for (li, layer) in ds.layers.iter().enumerate() {
            let p = place_schools(
                std::slice::from_ref(&school),
                layer,
                &AreaIndex::new(layer),
                ds.settings.snap_distance_m,
            );
            ds.placements[li].extend(p);
        }
        notes.push(format!(
            "{} opens with {} places from {}",
            o.name,
            o.capacity,
            crate::text::year_label(o.from)
        ));
        ds.schools.push(school);
    }
    // Housing.
    if !sc.housing.is_empty() {
        let yields = sc.yields.clone().or_else(|| base.settings.yields.clone()).ok_or_else(|| {
            bad(
                "housing".into(),
                "no yields: add [yields] primary = …, secondary = … (pupils per dwelling from your authority's pupil yield data)".into(),
            )
        })?;
        let mut completions = Vec::new();
        for (k, s) in sc.housing.iter().enumerate() {
            let at = match (s.easting, s.northing) {
                (Some(x), Some(y)) => Some(geo::Coord { x, y }),
                _ => None,
            };
            if at.is_none() && s.area.is_none() {
                return Err(bad(
                    format!("housing {}", k + 1),
                    format!("site {:?} needs an area code or easting and northing", s.site),
                ));
            }
            for &(year, dwellings) in &s.completions {
                completions.push(Completion {
                    site: s.site.clone(),
                    year,
                    dwellings,
                    area: s.area.clone(),
                    at,
                    kind: s.kind.clone(),
                });
            }
        }
        notes.extend(housing::apply(&mut ds, &completions, &yields));
    }
    Ok((ds, notes))
}
