//! Pupils from new housing (methods.md §1.3): completions per site and year turned into pupils by
//! phase with the authority's own yield factors, added to the schools of the site's planning area
//! in proportion to their current roll.

use crate::model::Phase;

pub use crate::model::housing::{Completion, PhaseYield, Yields};
/// Pupils of `phase` in `year` from completions: `Σ_{k: year_k ≤ year} C_k × y(type_k)` — every
/// dwelling completed by then, with a flat yield (no yield curve by years since completion).
#[must_use]
pub fn pupils(completions: &[&Completion], yields: &Yields, phase: Phase, year: i32) -> f64 {
    completions
        .iter()
        .filter(|c| c.year <= year)
        .map(|c| c.dwellings * yields.for_type(c.kind.as_deref(), phase))
        .sum()
}
