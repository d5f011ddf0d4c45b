//! Which schools serve which area of a layer.
//!
//! For planning-area layers the capacity table's codes decide (that is what a planning area *is*);
//! schools without a code, and every other layer, go by point-in-polygon placement.

use crate::dataset::Dataset;
use crate::model::{LayerKind, Phase};
use std::collections::HashMap;

/// `members[area]` = indices of open mainstream schools in the area, for `phase`.
#[must_use]
pub fn schools_by_area(ds: &Dataset, layer: usize, phase: Phase) -> Vec<Vec<usize>> {
    let l = &ds.layers[layer];
    let mut out = vec![Vec::new(); l.areas.len()];
    let by_code: HashMap<&str, usize> = l.areas.iter().enumerate().map(|(i, a)| (a.code.as_str(), i)).collect();
    for (si, s) in ds.schools.iter().enumerate() {
        if !s.open || !s.is_mainstream() || s.phase_share(phase) <= 0.0 {
            continue;
        }
        let code = if l.kind == LayerKind::PlanningArea {
            match phase {
                Phase::Primary => s.planning_area_primary.as_ref(),
                Phase::Secondary => s.planning_area_secondary.as_ref(),
            }
        } else {
            None
        };
        let area = code
            .and_then(|c| by_code.get(c.as_str()).copied())
            .or_else(|| ds.placements[layer][si].area());
        if let Some(a) = area {
            out[a].push(si);
        }
    }
    out
}
