//! Apportionment of LSOAs to coarser areas (wards, planning areas) that they need not nest in.
//!
//! For LSOA `l` and area `w` three weights are kept side by side, so any aggregate can say
//! where its numbers came from (methods.md §4):
//!
//! * **area**: `a_lw = area(l ∩ w) / Σ_w' area(l ∩ w')` — areal weighting, normalised over the
//!   parts of `l` that fall in the layer (generalised boundaries leave thin gaps).
//! * **population**: `a_lw = n(l ∩ w) / n(l)` where `n` counts population-proxy points
//!   (postcode or address points) — dasymetric weighting. LSOAs with no points fall back to area.
//! * **best fit**: `a_lw = 1` for the area containing the LSOA's interior point, 0 elsewhere
//!   (the ONS best-fit rule).
//!
//! Pieces smaller than [`SLIVER`] of the LSOA's area are generalisation slivers and are dropped
//! before normalising. For every LSOA each kind of weight sums to 1.

use super::index::AreaIndex;
use crate::model::BoundaryLayer;
use geo::Coord;
use rayon::prelude::*;
use serde::Serialize;

/// Pieces below this share of an LSOA's area are treated as slivers of boundary generalisation.
pub const SLIVER: f64 = 0.001;

pub use crate::model::WeightMethod;

/// One LSOA ∩ area piece.
#[derive(Clone, Debug, Serialize)]
pub struct Piece {
    /// LSOA index in the LSOA layer.
    pub lsoa: usize,
    /// Area index in the target layer.
    pub area: usize,
    /// Area weight.
    pub area_weight: f64,
    /// Population weight (equals the area weight when the LSOA has no points).
    pub population_weight: f64,
    /// Best-fit weight (0 or 1).
    pub best_fit_weight: f64,
}

impl Piece {
    /// The weight for `method`.
    #[must_use]
    pub fn weight(&self, method: WeightMethod) -> f64 {
        match method {
            WeightMethod::Population => self.population_weight,
            WeightMethod::Area => self.area_weight,
            WeightMethod::BestFit => self.best_fit_weight,
        }
    }
}

/// All pieces of one LSOA layer → target layer apportionment.
#[derive(Clone, Debug)]
pub struct Apportionment {
    /// The pieces.
    pub pieces: Vec<Piece>,
    /// Piece indices per target area.
    pub by_area: Vec<Vec<usize>>,
    /// Piece indices per LSOA.
    pub by_lsoa: Vec<Vec<usize>>,
    /// Share of each LSOA's area inside the target layer (before normalising).
    pub coverage: Vec<f64>,
    /// LSOAs whose population weights came from points (the rest fell back to area).
    pub population_weighted_lsoas: usize,
}

/// Computes the apportionment of `lsoas` onto `target` in parallel.
/// `lsoa_points[l]` are the population-proxy points inside LSOA `l` (empty when none loaded).
#[must_use]
pub fn apportion(lsoas: &BoundaryLayer, target: &BoundaryLayer, index: &AreaIndex, lsoa_points: &[Vec<Coord>]) -> Apportionment {
    // Small batches: an LSOA's cost varies a hundredfold with its size and its wards, and rayon's
    // default splits can leave a quarter of the list to one thread.
    let outlines: Vec<crate::geometry::Outline<'_>> = target
        .areas
        .par_iter()
        .with_max_len(64)
        .map(|a| crate::geometry::Outline::new(&a.geometry))
        .collect();
    let per_lsoa: Vec<(Vec<Piece>, f64, bool)> = lsoas
        .areas
        .par_iter()
        .with_max_len(32)
        .enumerate()
        .map(|(l, lsoa)| {
            let overlaps = crate::geometry::Overlaps::new(&lsoa.geometry);
            let Some(bb) = overlaps.bbox() else {
                return (Vec::new(), 0.0, false);
            };
            let total = overlaps.area();
            // The LSOA lies inside its box, so only the part of each area inside the box can meet it.
            let mut raw: Vec<(usize, f64)> = index
                .candidates(bb.min(), bb.max())
                .map(|a| (a, overlaps.with(&outlines[a], |c| index.contains(a, c))))
                .filter(|(_, x)| total > 0.0 && *x / total >= SLIVER)
                .collect();
            raw.sort_by_key(|(a, _)| *a);
            let covered: f64 = raw.iter().map(|(_, x)| x).sum();
            if raw.is_empty() || covered <= 0.0 {
                return (Vec::new(), 0.0, false);
            }
            let best = crate::geometry::interior_point(&lsoa.geometry)
                .and_then(|p| raw.iter().find(|(a, _)| index.contains(*a, p)).map(|(a, _)| *a))
                .or_else(|| raw.iter().max_by(|x, y| x.1.total_cmp(&y.1)).map(|(a, _)| *a));
            let pts = lsoa_points.get(l).map_or(&[][..], Vec::as_slice);
            let mut counts = vec![0usize; raw.len()];
            if let [(a, _)] = raw[..] {
                // One piece takes every point: whether any is inside decides only if the weight
                // came from points.
                counts[0] = usize::from(pts.iter().any(|p| index.contains(a, *p)));
            } else {
                for p in pts {
                    if let Some(k) = raw.iter().position(|(a, _)| index.contains(*a, *p)) {
                        counts[k] += 1;
                    }
                }
            }
            let n: usize = counts.iter().sum();
            let pieces = raw
                .iter()
                .zip(&counts)
                .map(|((a, x), c)| {
                    let area_weight = x / covered;
                    Piece {
                        lsoa: l,
                        area: *a,
                        area_weight,
                        population_weight: if n > 0 { *c as f64 / n as f64 } else { area_weight },
                        best_fit_weight: if Some(*a) == best { 1.0 } else { 0.0 },
                    }
                })
                .collect();
            (pieces, covered / total, n > 0)
        })
        .collect();
    let mut out = Apportionment {
        pieces: Vec::new(),
        by_area: vec![Vec::new(); target.areas.len()],
        by_lsoa: vec![Vec::new(); lsoas.areas.len()],
        coverage: Vec::with_capacity(lsoas.areas.len()),
        population_weighted_lsoas: 0,
    };
    for (pieces, cov, weighted) in per_lsoa {
        out.coverage.push(cov);
        out.population_weighted_lsoas += usize::from(weighted);
        for p in pieces {
            let i = out.pieces.len();
            out.by_area[p.area].push(i);
            out.by_lsoa[p.lsoa].push(i);
            out.pieces.push(p);
        }
    }
    out
}

crate::record!(Piece {
    lsoa,
    area,
    area_weight,
    population_weight,
    best_fit_weight
});
crate::record!(Apportionment {
    pieces,
    by_area,
    by_lsoa,
    coverage,
    population_weighted_lsoas
});
