//! Pure statistics and arithmetic: functions of numbers and geometry only, each with its formula
//! in the doc comment. Nothing here knows a dataset, a plan or a view.

/// Floating-catchment accessibility (2SFCA, E2SFCA, Gaussian).
pub mod access;
/// LSOA → area deprivation measures (IoD 2019 area summaries).
pub mod deprivation;
/// Getis-Ord Gi/Gi*, Local Moran's I, permutation inference and FDR.
pub mod hotspots;
/// The seeded random number generator behind permutation tests and the demo.
pub mod rng;
/// Status bands and per-area sufficiency arithmetic.
pub mod sufficiency;
/// Spatial weights: contiguity, k-nearest neighbours, distance bands.
pub mod weights;
