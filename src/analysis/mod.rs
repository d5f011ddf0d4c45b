//! Analyses: pure functions with the formula in each doc comment, and the dataset-level views built on them.

/// Floating-catchment accessibility (2SFCA, E2SFCA, Gaussian).
pub mod access;

/// LSOA → area deprivation measures (IoD 2019 area summaries).
pub mod deprivation;
/// Hot spots of a metric over a layer's areas (dataset level).
pub mod equity;
/// The equity results computed once at load for the map and the API.
pub mod equity_results;
/// "Show the calculation": the inputs and arithmetic behind one figure.
pub mod explain;
/// Getis-Ord Gi/Gi*, Local Moran's I, permutation inference and FDR.
pub mod hotspots;
/// Which schools belong to which area of a layer.
pub mod membership;
/// Equity priority: a place deficit meeting a deprivation hot spot.
pub mod priority;
/// Where a school's places and pupils came from, in words.
pub mod provenance;
/// Access of each LSOA to school places (2SFCA family) and the nearest good school with room.
pub mod school_access;
/// Status bands and per-area sufficiency arithmetic.
pub mod sufficiency;
/// Rows of `placeplan summary`: sufficiency × deprivation per area, phase and year.
pub mod summary;
/// Spatial weights: contiguity, k-nearest neighbours, distance bands.
pub mod weights;
