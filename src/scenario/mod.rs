//! What-if scenarios — plans, as data: a TOML file of changes (expand a school, open one, close
//! one, add a housing site). [`crate::projection::Projection::build`] turns a plan into figures
//! over the shared base; [`diff`] compares two of them by area and year; [`housing`] turns
//! dwellings into pupils.
//!
//! ```toml
//! name = "Expand Juniper Vale, new homes at Eastfield"
//! [[expand]]
//! urn = 190012
//! places = 210          # added to the school's capacity
//! from = 2026           # academic year (2026 = 2026/27)
//! [[close]]
//! urn = 190020
//! from = 2027           # its pupils move to the other schools of its planning area
//! [[open]]
//! name = "Eastfield Primary"
//! phase = "primary"
//! capacity = 420
//! from = 2027
//! easting = 452300
//! northing = 433900
//! [[housing]]
//! site = "Eastfield"
//! area = "PA03"         # or easting/northing
//! completions = [[2026, 120], [2027, 150]]
//! [yields]              # pupils per dwelling (your authority's figures)
//! primary = 0.25
//! secondary = 0.15
//! ```

pub mod housing;

use crate::model::Yields;
use serde::{Deserialize, Serialize};

/// Why a scenario cannot be applied.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read the scenario {path}: {source}")]
    Read {
        /// Path.
        path: String,
        /// Error.
        source: std::io::Error,
    },
    /// The TOML is malformed.
    #[error("scenario {path}: {message}")]
    Parse {
        /// Path.
        path: String,
        /// Message with line and column.
        message: String,
    },
    /// A change refers to something that does not exist or cannot happen.
    #[error("scenario {name}: {change}: {message}")]
    Change {
        /// Scenario name.
        name: String,
        /// Which change (`expand 1`, `close 2` …).
        change: String,
        /// What is wrong.
        message: String,
    },
}

/// Add places at a school.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expand {
    /// URN.
    pub urn: u32,
    /// Places added (negative to remove).
    pub places: f64,
    /// First academic year with the places.
    pub from: i32,
}

/// Close a school.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Close {
    /// URN.
    pub urn: u32,
    /// First academic year it is closed.
    pub from: i32,
}

/// Open a school.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Open {
    /// Name.
    pub name: String,
    /// `primary` or `secondary`.
    pub phase: String,
    /// Places.
    pub capacity: f64,
    /// First academic year open.
    pub from: i32,
    /// Easting (EPSG:27700).
    pub easting: f64,
    /// Northing.
    pub northing: f64,
    /// URN to give it (default 990001, 990002, …).
    pub urn: Option<u32>,
}

/// A housing site.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Name.
    pub site: String,
    /// Planning-area code.
    pub area: Option<String>,
    /// Easting.
    pub easting: Option<f64>,
    /// Northing.
    pub northing: Option<f64>,
    /// `[[year, dwellings], …]`.
    pub completions: Vec<(i32, f64)>,
    /// Housing type for the yield (`flat`, `house`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A scenario file.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name shown in outputs.
    pub name: String,
    /// Expansions.
    #[serde(default)]
    pub expand: Vec<Expand>,
    /// Closures.
    #[serde(default)]
    pub close: Vec<Close>,
    /// New schools.
    #[serde(default)]
    pub open: Vec<Open>,
    /// Housing sites.
    #[serde(default)]
    pub housing: Vec<Site>,
    /// Yields for the housing (default: the manifest's `[settings.yields]`).
    pub yields: Option<Yields>,
}

impl Scenario {
    /// Reads a scenario file.
    ///
    /// # Errors
    /// Unreadable or malformed TOML (with line and column).
    pub fn read(path: &std::path::Path) -> Result<Self, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let mut s: Scenario = toml::from_str(&text).map_err(|e| ScenarioError::Parse {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        if s.name.is_empty() {
            s.name = path
                .file_stem()
                .map_or_else(|| "scenario".into(), |n| n.to_string_lossy().into_owned());
        }
        Ok(s)
    }
}
