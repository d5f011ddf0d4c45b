//! Analyses of one plan's [`crate::dataset::Dataset`]: summary rows, equity results, explain and
//! access. The pure arithmetic they use is in [`crate::stats`] (re-exported here by its old paths).

pub use crate::stats::{access, deprivation, hotspots, sufficiency, weights};

/// The forecast Reception intakes checked against the council's admissions allocations.
pub mod admissions;
/// What a plan changes: two datasets' figures compared by area, phase and year.
pub mod diff;
/// Hot spots of a metric over a layer's areas (dataset level).
pub mod equity;
/// The equity results computed once at load for the map and the API.
pub mod equity_results;
/// "Show the calculation": the inputs and arithmetic behind one figure.
pub mod explain;
/// Which schools belong to which area of a layer.
pub mod membership;
/// Equity priority: a place deficit meeting a deprivation hot spot.
pub mod priority;
/// Where a school's places and pupils came from, in words.
pub mod provenance;
/// Access of each LSOA to school places (2SFCA family) and the nearest good school with room.
pub mod school_access;
/// Rows of `placeplan summary`: sufficiency × deprivation per area, phase and year.
pub mod summary;
