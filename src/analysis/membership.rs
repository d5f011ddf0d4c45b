//! Which schools serve which area of a layer, for one plan's schools ([`crate::join::membership`]).

use crate::dataset::Dataset;
use crate::join::membership::by_area;
use crate::model::Phase;

/// `members[area]` = indices of the schools in the area that enter its `phase` totals: open,
/// counted in the phase, with both places and pupils ([`crate::model::School::in_totals`]).
#[must_use]
pub fn schools_by_area(ds: &Dataset, layer: usize, phase: Phase) -> Vec<Vec<usize>> {
    crate::join::membership::in_totals(&ds.layers[layer], &ds.schools, &ds.placements[layer], phase)
}

/// `no_data[area]` = the open schools in the area counted in `phase` that have no places or no
/// pupils there, so are left out of its totals ("2 schools here have no figures").
#[must_use]
pub fn no_data_by_area(ds: &Dataset, layer: usize, phase: Phase) -> Vec<Vec<usize>> {
    by_area(&ds.layers[layer], &ds.schools, &ds.placements[layer], phase, |s| {
        s.open && s.serves(phase) && !s.figures.complete(phase)
    })
}
