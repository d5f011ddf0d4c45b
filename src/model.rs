//! The typed records every reader produces and every analysis consumes. Geometry is EPSG:27700.

use crate::ids::{AreaCode, LayerId, Urn};
use geo::{Coord, MultiPolygon};
use serde::{Deserialize, Serialize};

/// What a boundary layer represents; decides how it is used and shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerKind {
    /// Electoral wards.
    Ward,
    /// School planning areas or localities.
    #[serde(alias = "locality")]
    PlanningArea,
    /// Lower-layer super output areas (the IoD geography).
    Lsoa,
    /// Any other areas (e.g. parishes, MSOAs).
    Other,
}

/// A school phase for sufficiency: places are planned separately for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Reception to Year 6 (ages 4–10 at the start of the year).
    Primary,
    /// Year 7 to Year 13 (ages 11–17 at the start of the year).
    Secondary,
}

impl Phase {
    /// Both phases, primary first.
    pub const ALL: [Phase; 2] = [Phase::Primary, Phase::Secondary];
    /// The ages (at 31 August) whose year groups belong to this phase: `[start, end)`.
    #[must_use]
    pub fn ages(self) -> (u8, u8) {
        match self {
            Phase::Primary => (4, 11),
            Phase::Secondary => (11, 18),
        }
    }
    /// Lower-case name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Primary => "primary",
            Phase::Secondary => "secondary",
        }
    }
    /// Parses `primary`/`secondary` (and the SCAP codes `PS`/`SS`, `PRI`/`SEC`).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "primary" | "ps" | "pri" | "p" => Some(Phase::Primary),
            "secondary" | "ss" | "sec" | "s" => Some(Phase::Secondary),
            _ => None,
        }
    }
}

/// One area of a boundary layer.
#[derive(Clone, Debug)]
pub struct Area {
    /// Its code (GSS code, or the code in the file).
    pub code: AreaCode,
    /// Its name.
    pub name: String,
    /// Its outline in EPSG:27700.
    pub geometry: MultiPolygon<f64>,
}

/// A boundary layer as loaded (or derived).
#[derive(Clone, Debug)]
pub struct BoundaryLayer {
    /// Id from the manifest.
    pub id: LayerId,
    /// What it represents.
    pub kind: LayerKind,
    /// Display title.
    pub title: String,
    /// Areas, in file order.
    pub areas: Vec<Area>,
    /// `Some(method)` when placeplan derived the layer rather than reading it.
    pub derived: Option<String>,
    /// For planning areas that exist per phase (SCAP primary / secondary planning areas).
    pub phase: Option<Phase>,
    /// The file it came from.
    pub source: String,
}

/// A school from the register (GIAS or an equivalent table), with anything joined to it.
#[derive(Clone, Debug, Serialize)]
pub struct School {
    /// DfE URN.
    pub urn: Urn,
    /// LA code × 10000 + establishment number (the DfE "LAESTAB"), stable across academy conversion.
    pub laestab: Option<u32>,
    /// Establishment name.
    pub name: String,
    /// Open (status "Open" or "Open, but proposed to close").
    pub open: bool,
    /// `PhaseOfEducation (name)` as published.
    pub phase_of_education: String,
    /// `TypeOfEstablishment (name)` as published.
    pub establishment_type: String,
    /// Statutory low age.
    pub low_age: Option<u8>,
    /// Statutory high age.
    pub high_age: Option<u8>,
    /// Capacity (GIAS `SchoolCapacity`, or the capacity table when configured to override).
    pub capacity: Option<f64>,
    /// Number on roll.
    pub pupils: Option<f64>,
    /// Percentage of pupils eligible for free school meals.
    pub fsm_pct: Option<f64>,
    /// Ofsted overall rating as published.
    pub ofsted: Option<String>,
    /// Location in EPSG:27700.
    #[serde(skip)]
    pub location: Option<Coord>,
    /// LSOA code as given in the file (postcode-based; not used for joins).
    pub lsoa_in_file: Option<AreaCode>,
    /// Primary planning area code from the capacity table.
    pub planning_area_primary: Option<AreaCode>,
    /// Secondary planning area code from the capacity table.
    pub planning_area_secondary: Option<AreaCode>,
    /// Line of the file the school came from.
    pub row: usize,
    /// Capacity changes from a scenario: `(from academic year, total capacity)`, in year order.
    #[serde(skip)]
    pub capacity_from: Vec<(i32, f64)>,
}

impl School {
    /// The share of this school's places that belong to `phase`, from its statutory ages:
    /// `|[low, high) ∩ phase ages| / |[low, high) ∩ [4, 18)|`. A primary 4–11 school is 1.0 primary;
    /// an all-through 4–18 school is 7/14 primary; a 9–13 middle school is 2/4 primary, 2/4 secondary.
    /// When the ages are missing the published phase name decides (1.0 or 0.0).
    #[must_use]
    pub fn phase_share(&self, phase: Phase) -> f64 {
        if let (Some(lo), Some(hi)) = (self.low_age, self.high_age) {
            let overlap = |a: u8, b: u8| f64::from(hi.min(b).saturating_sub(lo.max(a)));
            let total = overlap(4, 18);
            if total > 0.0 {
                let (a, b) = phase.ages();
                return overlap(a, b) / total;
            }
            return 0.0;
        }
        let p = self.phase_of_education.to_ascii_lowercase();
        let is = match phase {
            Phase::Primary => p.contains("primary") || p.contains("middle deemed primary"),
            Phase::Secondary => p.contains("secondary") || p.contains("16 plus"),
        };
        if is { 1.0 } else { 0.0 }
    }

    /// True when the school is mainstream (not special, PRU or nursery), so its places count.
    #[must_use]
    pub fn is_mainstream(&self) -> bool {
        let t = self.establishment_type.to_ascii_lowercase();
        let p = self.phase_of_education.to_ascii_lowercase();
        !(t.contains("special")
            || t.contains("pupil referral")
            || t.contains("alternative provision")
            || t.contains("nursery")
            || p.contains("nursery")
            || p == "not applicable")
    }
}

/// Deprivation and population joined onto one LSOA of the LSOA layer.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LsoaRecord {
    /// IMD 2019 rank (1 = most deprived of 32,844).
    pub imd_rank: Option<u32>,
    /// IMD decile (1 = most deprived 10%).
    pub imd_decile: Option<u8>,
    /// IMD score when the file has one.
    pub imd_score: Option<f64>,
    /// IDACI rank.
    pub idaci_rank: Option<u32>,
    /// IDACI decile.
    pub idaci_decile: Option<u8>,
    /// IDACI score (rate) when the file has one.
    pub idaci_score: Option<f64>,
    /// Total population (single-year table when loaded, else IoD File 6).
    pub population: Option<f64>,
    /// Children aged 0–15.
    pub children_0_15: Option<f64>,
    /// Population by single year of age 0..=90 (90 = 90+), when loaded.
    #[serde(skip)]
    pub ages: Option<Vec<f64>>,
    /// Where the LSOA's people live, EPSG:27700: the mean of the weighting points (postcodes or
    /// addresses) inside it, else a point inside its polygon. Used for distances to schools.
    #[serde(skip)]
    pub centroid: Option<Coord>,
    /// How many weighting points the centroid averages (0: the polygon's interior point).
    pub centroid_points: usize,
}

/// Number of LSOAs in England in IoD 2019 (the rank denominator).
pub const IOD2019_LSOAS: u32 = 32_844;
