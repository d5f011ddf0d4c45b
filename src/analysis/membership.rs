//! Which schools serve which area of a layer.
//!
//! For planning-area layers the capacity table's codes decide (that is what a planning area *is*);
//! schools without a code, and every other layer, go by point-in-polygon placement.

use crate::dataset::Dataset;
use crate::model::{LayerKind, Phase};
use std::collections::HashMap;

/// `members[area]` = indices of the schools in the area that enter its `phase` totals: open,
/// counted in the phase, with both places and pupils ([`crate::model::School::in_totals`]).
#[must_use]
pub fn schools_by_area(ds: &Dataset, layer: usize, phase: Phase) -> Vec<Vec<usize>> {
    by_area(ds, layer, phase, |s| s.in_totals(phase))
}

/// `no_data[area]` = the open schools in the area counted in `phase` that have no places or no
/// pupils there, so are left out of its totals ("2 schools here have no figures").
#[must_use]
pub fn no_data_by_area(ds: &Dataset, layer: usize, phase: Phase) -> Vec<Vec<usize>> {
    by_area(ds, layer, phase, |s| s.open && s.serves(phase) && !s.figures.complete(phase))
}

fn by_area(ds: &Dataset, layer: usize, phase: Phase, keep: impl Fn(&crate::model::School) -> bool) -> Vec<Vec<usize>> {
    let l = &ds.layers[layer];
    let mut out = vec![Vec::new(); l.areas.len()];
    let by_code: HashMap<&str, usize> = l.areas.iter().enumerate().map(|(i, a)| (a.code.as_str(), i)).collect();
    for (si, s) in ds.schools.iter().enumerate() {
        if !keep(s) {
            continue;
        }
        let code = if l.kind == LayerKind::PlanningArea {
            s.planning_area(phase)
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
