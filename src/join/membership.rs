//! Which schools serve which area of a layer — computed from the schools and their placements,
//! so that the base and every plan's projection (which may open a school) use the same rule.
//!
//! For planning-area layers the capacity table's codes decide (that is what a planning area *is*);
//! schools without a code, and every other layer, go by point-in-polygon placement.

use super::points::Placement;
use crate::model::{BoundaryLayer, LayerKind, Phase, School};
use std::collections::HashMap;

/// `out[area]` = indices of the schools `keep` accepts that serve each area of `layer` in `phase`.
/// `placements[school]` places each school in `layer`.
#[must_use]
pub fn by_area(
    layer: &BoundaryLayer,
    schools: &[School],
    placements: &[Placement],
    phase: Phase,
    keep: impl Fn(&School) -> bool,
) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); layer.areas.len()];
    let by_code: HashMap<&str, usize> = layer.areas.iter().enumerate().map(|(i, a)| (a.code.as_str(), i)).collect();
    for (si, s) in schools.iter().enumerate() {
        if !keep(s) {
            continue;
        }
        let code = if layer.kind == LayerKind::PlanningArea {
            s.planning_area(phase)
        } else {
            None
        };
        let area = code
            .and_then(|c| by_code.get(c.as_str()).copied())
            .or_else(|| placements.get(si).and_then(|p| p.area()));
        if let Some(a) = area {
            out[a].push(si);
        }
    }
    out
}

/// The schools that enter `phase` totals in each area: open, counted in the phase, with both
/// places and pupils ([`School::in_totals`]).
#[must_use]
pub fn in_totals(layer: &BoundaryLayer, schools: &[School], placements: &[Placement], phase: Phase) -> Vec<Vec<usize>> {
    by_area(layer, schools, placements, phase, |s| s.in_totals(phase))
}
