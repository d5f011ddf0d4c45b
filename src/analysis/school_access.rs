//! Accessibility of school places for each LSOA (methods.md §3): a two-step floating catchment
//! from where the LSOA's children live to the schools of a phase, in metres, and the nearest good
//! or outstanding school that still has spare places.

use super::access::{Decay, normalise, reach_within, two_stage_reach};
use super::summary::{school_places, school_pupils};
use crate::dataset::Dataset;
use crate::model::Phase;
use geo::Coord;
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::GeomWithData;
use serde::Serialize;

/// Statutory walking distance for a child under 8 (Education Act 1996 s.444(5)): 2 miles.
pub const TWO_MILES_M: f64 = 3_218.688;
/// Statutory walking distance from age 8: 3 miles.
pub const THREE_MILES_M: f64 = 4_828.032;

/// The floating-catchment variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessMethod {
    /// 2SFCA: every school in the catchment counts fully (Luo & Wang 2003).
    TwoStep,
    /// E2SFCA: thirds of the catchment weighted 1.00, 0.68, 0.22 (Luo & Qi 2009).
    Enhanced,
    /// Gaussian 2SFCA: `w = exp(−d²/2σ²)` with σ = catchment / 3, cut at the catchment.
    Gaussian,
}

impl AccessMethod {
    /// Parses `2sfca`, `e2sfca` or `gaussian`.
    ///
    /// # Errors
    /// A message naming the accepted values.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "2sfca" => Ok(Self::TwoStep),
            "e2sfca" => Ok(Self::Enhanced),
            "gaussian" | "g2sfca" => Ok(Self::Gaussian),
            _ => Err(format!("access method {s:?}: use 2sfca, e2sfca or gaussian")),
        }
    }

    /// Command-line name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TwoStep => "2sfca",
            Self::Enhanced => "e2sfca",
            Self::Gaussian => "gaussian",
        }
    }

    /// The decay for catchment `d0`.
    #[must_use]
    pub fn decay(self, d0: f64) -> Decay {
        match self {
            Self::TwoStep => Decay::None,
            Self::Enhanced => Decay::luo_qi(d0),
            Self::Gaussian => Decay::Gaussian { sigma: d0 / 3.0 },
        }
    }
}

/// Which schools supply places.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplyFilter {
    /// Every open mainstream school of the phase.
    All,
    /// Only schools whose latest Ofsted overall rating is Good or Outstanding.
    Good,
}

/// What counts as demand in an LSOA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandKind {
    /// Resident children of the phase's ages.
    Children,
    /// Those children × the IDACI rate (the share of children in income-deprived families): the
    /// closest LSOA-level measure of free-school-meal eligibility.
    Fsm,
}

/// Options of an accessibility run.
#[derive(Clone, Debug)]
pub struct AccessOptions {
    /// Phase whose places and children are compared.
    pub phase: Phase,
    /// Variant.
    pub method: AccessMethod,
    /// Catchment in metres (straight line).
    pub catchment_m: f64,
    /// Supply filter.
    pub supply: SupplyFilter,
    /// Demand measure.
    pub demand: DemandKind,
}

impl AccessOptions {
    /// E2SFCA over all schools with children as demand, and the statutory walking distance as
    /// catchment: 2 miles for primary, 3 miles for secondary.
    #[must_use]
    pub fn defaults(phase: Phase) -> Self {
        Self {
            phase,
            method: AccessMethod::Enhanced,
            // Post-16 has no statutory walking distance; the secondary one is used.
            catchment_m: match phase {
                Phase::Primary => TWO_MILES_M,
                Phase::Secondary | Phase::Post16 => THREE_MILES_M,
            },
            supply: SupplyFilter::All,
            demand: DemandKind::Children,
        }
    }
}

/// The nearest good or outstanding school with spare places.
#[derive(Clone, Debug, Serialize)]
pub struct NearestGood {
    /// URN.
    pub urn: String,
    /// Name.
    pub name: String,
    /// Ofsted rating.
    pub ofsted: String,
    /// Spare places in the phase (capacity − roll).
    pub spare: f64,
    /// Straight-line distance from the LSOA centroid, metres.
    pub metres: f64,
}

/// One LSOA's result.
#[derive(Clone, Debug, Serialize)]
pub struct AccessRow {
    /// LSOA code.
    pub code: String,
    /// LSOA name.
    pub name: String,
    /// Demand `P_i`.
    pub demand: f64,
    /// `A_i`: places in reach per unit of demand, after decay.
    pub access: f64,
    /// `A_i` relative to the demand-weighted mean (1 = typical for the authority).
    pub access_norm: Option<f64>,
    /// Schools within the catchment.
    pub schools_in_reach: usize,
    /// Distance to the nearest good or outstanding school with spare places, metres.
    pub nearest_good_m: Option<f64>,
    /// That school.
    pub nearest_good: Option<NearestGood>,
    /// Weighting points averaged for the centroid (0: the polygon's interior point).
    pub centroid_points: usize,
}

/// The result of an accessibility run.
#[derive(Clone, Debug, Serialize)]
pub struct AccessReport {
    /// Phase.
    pub phase: Phase,
    /// Variant.
    pub method: AccessMethod,
    /// Catchment, metres.
    pub catchment_m: f64,
    /// Supply filter.
    pub supply: SupplyFilter,
    /// Demand measure.
    pub demand: DemandKind,
    /// The method in words.
    pub description: String,
    /// Schools supplying places.
    pub schools: usize,
    /// Places supplied (Σ S_j).
    pub places: f64,
    /// Total demand (Σ P_i).
    pub total_demand: f64,
    /// Demand-weighted mean access (Σ P_i A_i / Σ P_i).
    pub mean_access: f64,
    /// LSOAs left out (no centroid) or with demand estimated or missing, with the reason.
    pub notes: Vec<String>,
    /// Rows in LSOA layer order.
    pub rows: Vec<AccessRow>,
}

/// Demand of LSOA `i` and whether it had to be estimated from the 0–15 count.
///
/// Children: `Σ_{a ∈ phase ages} pop[a]` from the single-year table; without it
/// `children_0_15 × |phase ages ∩ [0, 16)| / 16`. FSM: that × IDACI rate.
fn demand_of(ds: &Dataset, i: usize, phase: Phase, kind: DemandKind) -> Option<(f64, bool)> {
    let r = ds.lsoas.get(i)?;
    let (a, b) = phase.ages();
    let (children, estimated) = match &r.ages {
        Some(ages) => (ages.iter().skip(usize::from(a)).take(usize::from(b - a)).sum(), false),
        None => {
            let years = f64::from(b.min(16).saturating_sub(a));
            (r.children_0_15? * years / 16.0, true)
        }
    };
    match kind {
        DemandKind::Children => Some((children, estimated)),
        DemandKind::Fsm => Some((children * r.idaci_score?, estimated)),
    }
}

/// True for an Ofsted overall rating of Good or Outstanding.
#[must_use]
pub fn is_good(ofsted: Option<&str>) -> bool {
    ofsted.is_some_and(|o| o.eq_ignore_ascii_case("good") || o.eq_ignore_ascii_case("outstanding"))
}

/// Accessibility of `o.phase` places for every LSOA of the dataset.
///
/// Demand points are the LSOA centroids of [`crate::model::LsoaRecord::centroid`]; supply is
/// `capacity × phase share` of each open mainstream school with a location (Good/Outstanding
/// only with [`SupplyFilter::Good`]); cost is the straight-line distance in metres. Then
/// `R_j = S_j / Σ_{i: d_ij ≤ d0} w(d_ij) P_i` and `A_i = Σ_{j: d_ij ≤ d0} w(d_ij) R_j`.
///
/// # Errors
/// No LSOA layer, or no school of the phase with capacity and location.
pub fn access(ds: &Dataset, o: &AccessOptions) -> Result<AccessReport, String> {
    let li = ds
        .lsoa_layer
        .ok_or("the manifest has no LSOA layer, so there is no demand to measure access for")?;
    if !(o.catchment_m.is_finite() && o.catchment_m > 0.0) {
        return Err(format!("catchment {} m: give a distance in metres above 0", o.catchment_m));
    }
    let phase = o.phase;
    let supply_idx: Vec<usize> = (0..ds.schools.len())
        .filter(|&si| {
            let s = &ds.schools[si];
            s.in_totals(phase)
                && s.location.is_some()
                && school_places(ds, si, phase, ds.census_year) > 0.0
                && (o.supply == SupplyFilter::All || is_good(s.ofsted.as_deref()))
        })
        .collect();
    if supply_idx.is_empty() {
        return Err(format!("no open {} school has a location and a capacity", phase.as_str()));
    }
    let supply_pts: Vec<Coord> = supply_idx.iter().filter_map(|&si| ds.schools[si].location).collect();
    let supply: Vec<f64> = supply_idx.iter().map(|&si| school_places(ds, si, phase, ds.census_year)).collect();

    let layer = &ds.layers[li];
    let mut notes = Vec::new();
    let mut estimated = 0usize;
    let mut no_demand: Vec<String> = Vec::new();
    let mut keep = Vec::new();
    let mut demand = Vec::new();
    let mut points = Vec::new();
    for (i, area) in layer.areas.iter().enumerate() {
        let Some(c) = ds.lsoas.get(i).and_then(|r| r.centroid) else {
            notes.push(format!("{}: no centroid, left out", area.code));
            continue;
        };
        let d = match demand_of(ds, i, phase, o.demand) {
            Some((d, est)) => {
                estimated += usize::from(est);
                d
            }
            None => {
                no_demand.push(area.code.to_string());
                0.0
            }
        };
        keep.push(i);
        demand.push(d);
        points.push(c);
    }
    if !no_demand.is_empty() {
        let shown: Vec<&str> = no_demand.iter().take(5).map(String::as_str).collect();
        notes.push(format!(
            "{} LSOA{} no {} (suppressed or missing in the source), so {} demand is taken as 0: {}{}",
            no_demand.len(),
            if no_demand.len() == 1 { " has" } else { "s have" },
            if o.demand == DemandKind::Fsm {
                "IDACI rate or child population"
            } else {
                "child population"
            },
            if no_demand.len() == 1 { "its" } else { "their" },
            shown.join(", "),
            if no_demand.len() > shown.len() { ", …" } else { "" }
        ));
    }
    if estimated > 0 {
        notes.push(format!(
            "{estimated} LSOAs have no single-year-of-age population; their demand is the 0–15 count × the phase's share of those ages"
        ));
    }
    let reach = reach_within(&points, &supply_pts, o.catchment_m);
    let decay = o.method.decay(o.catchment_m);
    let fca = two_stage_reach(&demand, &supply, &reach, &decay);
    let total_demand: f64 = demand.iter().sum();
    let mean_access = if total_demand > 0.0 {
        fca.access.iter().zip(&demand).map(|(a, p)| a * p).sum::<f64>() / total_demand
    } else {
        0.0
    };
    let norm = (mean_access > 0.0).then(|| normalise(&fca.access, &demand));

    // Nearest good or outstanding school of the phase with spare places now.
    let good: Vec<(usize, f64)> = (0..ds.schools.len())
        .filter(|&si| {
            let s = &ds.schools[si];
            s.in_totals(phase) && s.location.is_some() && is_good(s.ofsted.as_deref())
        })
        .map(|si| {
            (
                si,
                school_places(ds, si, phase, ds.census_year) - school_pupils(ds, si, phase, ds.census_year).0,
            )
        })
        .filter(|(_, spare)| *spare >= 1.0)
        .collect();
    let good_tree = RTree::bulk_load(
        good.iter()
            .filter_map(|&(si, spare)| ds.schools[si].location.map(|c| GeomWithData::new([c.x, c.y], (si, spare))))
            .collect(),
    );
    let rows = keep
        .par_iter()
        .enumerate()
        .map(|(k, &i)| {
            let p = points[k];
            let nearest = good_tree.nearest_neighbor(&[p.x, p.y]).map(|n| {
                let (si, spare) = n.data;
                let s = &ds.schools[si];
                NearestGood {
                    urn: s.urn.to_string(),
                    name: s.name.clone(),
                    ofsted: s.ofsted.clone().unwrap_or_default(),
                    spare,
                    metres: (n.geom()[0] - p.x).hypot(n.geom()[1] - p.y),
                }
            });
            AccessRow {
                code: layer.areas[i].code.to_string(),
                name: layer.areas[i].name.clone(),
                demand: demand[k],
                access: fca.access[k],
                access_norm: norm.as_ref().map(|n| n[k]),
                schools_in_reach: reach[k].len(),
                nearest_good_m: nearest.as_ref().map(|n| n.metres),
                nearest_good: nearest,
                centroid_points: ds.lsoas.get(i).map_or(0, |r| r.centroid_points),
            }
        })
        .collect();
    Ok(AccessReport {
        phase,
        method: o.method,
        catchment_m: o.catchment_m,
        supply: o.supply,
        demand: o.demand,
        description: describe(o),
        schools: supply_idx.len(),
        places: supply.iter().sum(),
        total_demand,
        mean_access,
        notes,
        rows,
    })
}

/// The method of a run in words, for the panel, the legend and `--help`.
#[must_use]
pub fn describe(o: &AccessOptions) -> String {
    let km = o.catchment_m / 1000.0;
    let decay = match o.method {
        AccessMethod::TwoStep => "every school inside it counts fully (2SFCA)".to_owned(),
        AccessMethod::Enhanced => format!(
            "schools within {:.1} km count fully, to {:.1} km at 0.68 and to {km:.1} km at 0.22 (E2SFCA, Luo & Qi 2009)",
            km / 3.0,
            2.0 * km / 3.0
        ),
        AccessMethod::Gaussian => format!("weights fall as exp(−d²/2σ²) with σ = {:.1} km (Gaussian 2SFCA)", km / 3.0),
    };
    let supply = match o.supply {
        SupplyFilter::All => "places at every open mainstream school",
        SupplyFilter::Good => "places at schools rated Good or Outstanding by Ofsted",
    };
    let demand = match o.demand {
        DemandKind::Children => format!("resident children aged {}–{}", o.phase.ages().0, o.phase.ages().1 - 1),
        DemandKind::Fsm => format!(
            "resident children aged {}–{} × the IDACI rate (children in income-deprived families)",
            o.phase.ages().0,
            o.phase.ages().1 - 1
        ),
    };
    format!(
        "{} {supply} shared among {demand} within {km:.1} km in a straight line of where they live (postcode-weighted LSOA centre); {decay}. Each school's places are first divided by the children who can reach it, then each LSOA adds up the shares of the schools it can reach: 1.0 means one place per child.",
        o.phase.title()
    )
}
