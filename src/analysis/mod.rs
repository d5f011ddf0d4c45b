//! Analyses: pure functions with the formula in each doc comment, and the dataset-level views built on them.

/// LSOA → area deprivation measures (IoD 2019 area summaries).
pub mod deprivation;
/// "Show the calculation": the inputs and arithmetic behind one figure.
pub mod explain;
/// Which schools belong to which area of a layer.
pub mod membership;
/// Status bands and per-area sufficiency arithmetic.
pub mod sufficiency;
/// Rows of `placeplan summary`: sufficiency × deprivation per area, phase and year.
pub mod summary;
