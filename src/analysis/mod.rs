//! Analyses: pure functions with the formula in each doc comment, and the dataset-level views built on them.

/// Status bands and per-area sufficiency arithmetic.
pub mod sufficiency;
/// LSOA → area deprivation measures (IoD 2019 area summaries).
pub mod deprivation;
/// Which schools belong to which area of a layer.
pub mod membership;
/// Rows of `placeplan summary`: sufficiency × deprivation per area, phase and year.
pub mod summary;
/// "Show the calculation": the inputs and arithmetic behind one figure.
pub mod explain;
