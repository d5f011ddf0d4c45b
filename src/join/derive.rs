//! Planning-area territories for councils that have planning-area codes on their schools (SCAP)
//! but no planning-area polygons.
//!
//! Method (a discrete Voronoi diagram on the LSOA geography): every LSOA goes to the planning
//! area of the nearest open school that has a code for the phase, measured from the LSOA's
//! interior point; LSOAs are then dissolved by code. The result tiles the authority exactly
//! (it is clipped to the authority by construction) and is marked as derived.

use crate::geometry::dissolve;
use crate::ids::{AreaCode, LayerId};
use crate::model::{Area, BoundaryLayer, LayerKind, Phase, School};
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::GeomWithData;
use std::collections::BTreeMap;

/// Derives the planning areas of `phase`. `None` when no open located school has a code.
///
/// Each is named by its code and, when a ward layer is given, the one or two wards where most
/// of its LSOAs lie ("Planning area 3830049 (Armley and Bramley & Stanningley)"), so that it
/// can be found by a place name.
#[must_use]
pub fn derive_planning_areas(
    lsoas: &BoundaryLayer,
    schools: &[School],
    phase: Phase,
    wards: Option<&BoundaryLayer>,
) -> Option<BoundaryLayer> {
    let code_of = |s: &School| s.planning_area(phase).cloned();
    let points: Vec<GeomWithData<[f64; 2], AreaCode>> = schools
        .iter()
        .filter(|s| s.open)
        .filter_map(|s| Some(GeomWithData::new([s.location?.x, s.location?.y], code_of(s)?)))
        .collect();
    if points.is_empty() {
        return None;
    }
    let tree = RTree::bulk_load(points);
    let assigned: Vec<Option<AreaCode>> = lsoas
        .areas
        .par_iter()
        .map(|a| {
            let p = crate::geometry::interior_point(&a.geometry)?;
            tree.nearest_neighbor(&[p.x, p.y]).map(|n| n.data.clone())
        })
        .collect();
    let mut groups: BTreeMap<AreaCode, Vec<usize>> = BTreeMap::new();
    for (i, c) in assigned.into_iter().enumerate() {
        if let Some(c) = c {
            groups.entry(c).or_default().push(i);
        }
    }
    // The ward of each LSOA, by its interior point.
    let ward_of: Vec<Option<usize>> = match wards {
        Some(w) => {
            let index = super::index::AreaIndex::new(w);
            lsoas
                .areas
                .par_iter()
                .map(|a| {
                    let p = crate::geometry::interior_point(&a.geometry)?;
                    index.locate(w, p, 0.0).map(|(k, _)| k)
                })
                .collect()
        }
        None => vec![None; lsoas.areas.len()],
    };
    let areas: Vec<Area> = groups
        .into_par_iter()
        .map(|(code, members)| {
            let mut count: BTreeMap<usize, usize> = BTreeMap::new();
            for &i in &members {
                if let Some(k) = ward_of[i] {
                    *count.entry(k).or_default() += 1;
                }
            }
            let mut top: Vec<(usize, usize)> = count.into_iter().collect();
            top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let place = match (wards, top.as_slice()) {
                (Some(w), [(a, _), (b, _), ..]) => format!(" ({} and {})", w.areas[*a].name, w.areas[*b].name),
                (Some(w), [(a, _)]) => format!(" ({})", w.areas[*a].name),
                _ => String::new(),
            };
            Area {
                name: format!("Planning area {code}{place}"),
                geometry: dissolve(members.iter().map(|&i| &lsoas.areas[i].geometry)),
                code,
            }
        })
        .collect();
    let id = LayerId::new(&format!("planning_areas_{}", phase.as_str())).ok()?;
    Some(BoundaryLayer {
        id,
        kind: LayerKind::PlanningArea,
        title: format!("{} planning areas (derived)", phase.title()),
        areas,
        derived: Some(
            "derived: each LSOA assigned to the planning area of the nearest open school with a code for this phase, then dissolved by code; named by the wards where most of its LSOAs lie".into(),
        ),
        phase: Some(phase),
        source: lsoas.source.clone(),
    })
}
