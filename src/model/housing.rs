//! Housing as data: completions per site and year, and the authority's pupil yields per dwelling.

use super::Phase;
use geo::Coord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Pupils per dwelling for one phase mix.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PhaseYield {
    /// Primary pupils per dwelling.
    pub primary: f64,
    /// Secondary pupils (Years 7–11) per dwelling.
    pub secondary: f64,
    /// Sixth-form pupils (Years 12–13) per dwelling; default 0 (none added unless set).
    #[serde(default)]
    pub post16: f64,
}

impl PhaseYield {
    /// The yield of a phase.
    #[must_use]
    pub fn of(&self, p: Phase) -> f64 {
        match p {
            Phase::Primary => self.primary,
            Phase::Secondary => self.secondary,
            Phase::Post16 => self.post16,
        }
    }
}

/// Yield factors: a default per phase and optional overrides by housing type (`flat`, `house`, …).
/// DfE publishes no national yield to hard-code: take these from the authority's pupil yield data.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Yields {
    /// Pupils per dwelling when the type has no override.
    #[serde(flatten)]
    pub default: PhaseYield,
    /// Overrides by housing type (lower case).
    #[serde(default)]
    pub by_type: BTreeMap<String, PhaseYield>,
}

impl Yields {
    /// The yield for a dwelling type.
    #[must_use]
    pub fn for_type(&self, kind: Option<&str>, p: Phase) -> f64 {
        kind.and_then(|k| self.by_type.get(&k.to_ascii_lowercase()))
            .map_or(self.default.of(p), |y| y.of(p))
    }
}

/// Dwellings completed on a site in one year.
#[derive(Clone, Debug, Serialize)]
pub struct Completion {
    /// Site name.
    pub site: String,
    /// Academic year the dwellings are occupied.
    pub year: i32,
    /// Dwellings.
    pub dwellings: f64,
    /// Planning-area code, when given.
    pub area: Option<String>,
    /// Site location (EPSG:27700), when given.
    #[serde(skip)]
    pub at: Option<Coord>,
    /// Housing type (`flat`, `house`, …) for the yield.
    pub kind: Option<String>,
}

crate::record!(Completion {
    site,
    year,
    dwellings,
    area,
    at,
    kind
});
