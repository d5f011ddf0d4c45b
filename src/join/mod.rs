//! Spatial joins, built once at load time and run in parallel with rayon.

/// LSOA → coarser area apportionment weights (area, population, best fit).
pub mod apportion;
/// Planning-area territories derived from schools' planning-area codes.
pub mod derive;
/// Each school's scope, phases, places and pupils by phase, best source first.
pub mod figures;
/// An R-tree over the areas of one layer.
pub mod index;
pub mod membership;
/// Schools → areas by point-in-polygon, with snapping for generalised boundaries.
pub mod points;
