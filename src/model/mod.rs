//! The typed records every reader produces and every analysis consumes. Geometry is EPSG:27700.
//!
//! This is the bottom layer: nothing here reads a file or imports from a layer above.
//! * [`phase`]: the three phases and the year groups each one counts (the only place that says so).
//! * [`ncy`]: national curriculum years, Reception to Year 13.
//! * [`counting`]: which establishments count in place planning, by type and phase.
//! * [`figures`]: a school's places and pupils by phase, each with its source and whether it is an estimate.
//! * [`housing`]: housing completions and pupil yields per dwelling.
//! * [`ncy::History`]: a school's rolls by year group and year.

pub mod counting;
pub mod disclosure;
pub mod figures;
pub mod housing;
pub mod ncy;
pub mod phase;

pub use counting::{CountingRule, Scope};
pub use figures::{Figure, FigureSource, PhaseFigures};
pub use housing::{Completion, PhaseYield, Yields};
pub use phase::Phase;

use crate::ids::{AreaCode, LayerId, Urn};
use geo::{Coord, MultiPolygon};
use serde::{Deserialize, Serialize};

/// Which weight aggregates use to share an LSOA between the areas it overlaps.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WeightMethod {
    /// Population-proxy points (falls back to area for LSOAs without points).
    Population,
    /// Area of overlap.
    Area,
    /// Whole LSOA to the area holding its interior point.
    BestFit,
}

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

impl BoundaryLayer {
    /// True when the layer's figures cover `phase`: a layer without a phase serves all, a
    /// secondary planning-area layer serves secondary and post-16.
    #[must_use]
    pub fn serves(&self, phase: Phase) -> bool {
        self.phase.is_none_or(|p| p == phase.planning_phase())
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
    /// Capacity as the register gives it (GIAS `SchoolCapacity`, or the capacity table when
    /// configured to override): the whole school, every phase. Sufficiency reads [`School::figures`].
    pub capacity: Option<f64>,
    /// Number on roll as the register gives it (GIAS `NumberOfPupils`): the whole headcount,
    /// nursery included. Sufficiency reads [`School::figures`].
    pub pupils: Option<f64>,
    /// `NurseryProvision (name)`: `Some(true)` for "Has Nursery Classes".
    pub nursery_classes: Option<bool>,
    /// `OfficialSixthForm (name)`: `Some(false)` for "Does not have a sixth form".
    pub sixth_form: Option<bool>,
    /// The academic year of the register's census figures (GIAS `CensusDate` 20-01-2022 → 2021).
    pub census_year: Option<i32>,
    /// LAESTAB of the predecessor GIAS names (`PreviousLA (code)` + `PreviousEstablishmentNumber`).
    pub previous_laestab: Option<u32>,
    /// A capacity table's primary and secondary (Years 7–13) capacity of an all-through or
    /// middle school (SCAP `PrimaryCapacity`, `SecondaryCapacity`), with the table's file.
    #[serde(skip)]
    pub table_split: Option<TableSplit>,
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
    /// Capacity changes from a plan: `(from academic year, total capacity)`, in year order.
    #[serde(skip)]
    pub capacity_from: Vec<(i32, f64)>,
    /// First academic year it is open, when a plan opens it (`None`: open throughout).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opens: Option<i32>,
    /// First academic year it is closed, when a plan closes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closes: Option<i32>,
    /// Whether it counts in place planning, from its type ([`counting`]); set at load.
    pub scope: Scope,
    /// The phases it counts in: its year groups' phases, within its scope; set at load.
    pub phases: Vec<Phase>,
    /// Places and pupils by phase in the census year, with provenance; set at load.
    pub figures: PhaseFigures,
}

/// A capacity table's split of an all-through or middle school's places.
#[derive(Clone, Debug, PartialEq)]
pub struct TableSplit {
    /// Primary places.
    pub primary: Option<f64>,
    /// Secondary places, Years 7–13.
    pub secondary: Option<f64>,
    /// The table (file name), for provenance.
    pub file: String,
    /// The academic year it describes, when the manifest says.
    pub year: Option<i32>,
}

impl School {
    /// The year groups its statutory ages cover, as `(first, last)` (Reception = 0), and how many
    /// nursery years (ages 2–3) it also takes. Without ages, the published phase decides
    /// (primary R–Y6, secondary Y7–Y11, 16 plus Y12–Y13, all-through R–Y13). A school without a
    /// sixth form (GIAS `OfficialSixthForm`) stops at Year 11.
    #[must_use]
    pub fn year_groups(&self) -> Option<((ncy::Ncy, ncy::Ncy), u8)> {
        if let (Some(lo), Some(hi)) = (self.low_age, self.high_age) {
            let first = ncy::Ncy::from_age(lo.max(4))?;
            let mut last = ncy::Ncy::from_age(hi.saturating_sub(1).min(17))?;
            if self.sixth_form == Some(false) && last > ncy::Ncy::Y11 {
                last = ncy::Ncy::Y11;
            }
            let nursery = 4u8.saturating_sub(lo).min(hi.saturating_sub(lo));
            return (first <= last).then_some(((first, last), nursery));
        }
        let p = self.phase_of_education.to_ascii_lowercase();
        let span = |a: Phase, b: Phase| (a.year_groups().0, b.year_groups().1);
        if p.contains("all-through") || p.contains("all through") {
            Some((span(Phase::Primary, Phase::Post16), 0))
        } else if p.contains("16 plus") {
            Some((span(Phase::Post16, Phase::Post16), 0))
        } else if p.contains("secondary") {
            Some((span(Phase::Secondary, Phase::Secondary), 0))
        } else if p.contains("primary") {
            Some((span(Phase::Primary, Phase::Primary), 0))
        } else {
            None
        }
    }

    /// How many of its year groups fall in `phase` (0 when none, or when its ages are unknown).
    #[must_use]
    pub fn year_groups_in(&self, phase: Phase) -> usize {
        let Some(((a, b), _)) = self.year_groups() else { return 0 };
        let (pa, pb) = phase.year_groups();
        let (lo, hi) = (a.max(pa), b.min(pb));
        if lo <= hi { hi.index() - lo.index() + 1 } else { 0 }
    }

    /// True when it counts in `phase` (its scope allows it and its year groups reach it).
    #[must_use]
    pub fn serves(&self, phase: Phase) -> bool {
        self.phases.contains(&phase)
    }

    /// The planning area it belongs to for `phase`, from a capacity table (sixth forms use the
    /// secondary planning areas).
    #[must_use]
    pub fn planning_area(&self, phase: Phase) -> Option<&AreaCode> {
        match phase.planning_phase() {
            Phase::Primary => self.planning_area_primary.as_ref(),
            _ => self.planning_area_secondary.as_ref(),
        }
    }

    /// True when it counts in `phase` and has both places and pupils there, so it enters the
    /// phase's totals (a school without figures is "no data", never 0).
    #[must_use]
    pub fn in_totals(&self, phase: Phase) -> bool {
        self.open && self.serves(phase) && self.figures.complete(phase)
    }

    /// Census-year pupils of `phase` ([`PhaseFigures::pupils`]); `None`: no data, or suppressed
    /// by disclosure control ([`Figure::suppressed`], never read as 0).
    #[must_use]
    pub fn pupils_now(&self, phase: Phase) -> Option<f64> {
        self.figures.pupils(phase).filter(|f| !f.suppressed).map(|f| f.value)
    }

    /// True when it is open in academic `year`: open in the register, and within any opening or
    /// closing year a plan gives it.
    #[must_use]
    pub fn open_in(&self, year: i32) -> bool {
        self.open && self.opens.is_none_or(|y| year >= y) && self.closes.is_none_or(|y| year < y)
    }

    /// True when it counts in any phase of place planning ([`counting`]).
    #[must_use]
    pub fn counts(&self) -> bool {
        self.scope.counts()
    }

    /// Total places over its phases in academic `year`: the latest scenario change made by then,
    /// else its census-year figures.
    #[must_use]
    pub fn total_places_in(&self, year: i32) -> f64 {
        self.capacity_from
            .iter()
            .rev()
            .find(|(from, _)| *from <= year)
            .map_or_else(|| self.figures.total_places(), |c| c.1)
    }

    /// **The** places of this school in `phase` and academic `year` — every view reads this.
    ///
    /// The census year's figure ([`PhaseFigures::places`]); from a scenario's change
    /// (`capacity_from`) on, the new total spread over the phases in the census-year proportions
    /// (by year groups when the school had no places). `None`: no data.
    #[must_use]
    pub fn places_in(&self, phase: Phase, year: i32) -> Option<f64> {
        if !self.open_in(year) {
            return self.figures.places(phase).map(|_| 0.0);
        }
        let base = self.figures.places(phase).map(|f| f.value);
        let Some(&(_, total)) = self.capacity_from.iter().rev().find(|(from, _)| *from <= year) else {
            return base;
        };
        let now = self.figures.total_places();
        if now > 0.0 {
            return Some(total * base.unwrap_or(0.0) / now);
        }
        let ygs: usize = self.phases.iter().map(|&p| self.year_groups_in(p)).sum();
        (ygs > 0 && self.serves(phase)).then(|| total * self.year_groups_in(phase) as f64 / ygs as f64)
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
    /// The local authority district (IoD 2019's district code), when the file has one.
    #[serde(skip)]
    pub lad: Option<String>,
}

/// Number of LSOAs in England in IoD 2019 (the rank denominator).
pub const IOD2019_LSOAS: u32 = 32_844;

crate::unit_enum!(WeightMethod { Population, Area, BestFit });
crate::unit_enum!(LayerKind {
    Ward,
    PlanningArea,
    Lsoa,
    Other
});
crate::record!(Area { code, name, geometry });
crate::record!(BoundaryLayer {
    id,
    kind,
    title,
    areas,
    derived,
    phase,
    source
});
crate::record!(TableSplit {
    primary,
    secondary,
    file,
    year
});
crate::record!(School {
    urn,
    laestab,
    name,
    open,
    phase_of_education,
    establishment_type,
    low_age,
    high_age,
    capacity,
    pupils,
    nursery_classes,
    sixth_form,
    census_year,
    previous_laestab,
    table_split,
    fsm_pct,
    ofsted,
    location,
    lsoa_in_file,
    planning_area_primary,
    planning_area_secondary,
    row,
    capacity_from,
    opens,
    closes,
    scope,
    phases,
    figures,
});
crate::record!(LsoaRecord {
    imd_rank,
    imd_decile,
    imd_score,
    idaci_rank,
    idaci_decile,
    idaci_score,
    population,
    children_0_15,
    ages,
    centroid,
    centroid_points,
    lad,
});
