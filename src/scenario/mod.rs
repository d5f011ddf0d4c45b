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
//! [settings]            # the sufficiency rule to try (default: the manifest's)
//! operating_margin = 0.05
//! [settings.bands]
//! tight_below = 0.05
//! healthy_below = 0.15
//! ```

pub mod housing;

use crate::manifest::Settings;
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
    /// The operating margin and status bands to try (default: the manifest's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<PlanSettings>,
}

/// The sufficiency rule a plan tries instead of the manifest's `[settings]`; what it leaves out
/// stays as the manifest has it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlanSettings {
    /// Operating margin (a fraction of pupils, 0 to 0.5).
    pub operating_margin: Option<f64>,
    /// Status bands (spare places as fractions of places).
    pub bands: Option<PlanBands>,
}

/// Status band thresholds a plan tries (see [`crate::manifest::Bands`]).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlanBands {
    /// Spare below this is a deficit.
    pub deficit_below: Option<f64>,
    /// Spare below this is tight.
    pub tight_below: Option<f64>,
    /// Spare up to this is healthy; above it is surplus.
    pub healthy_below: Option<f64>,
}

impl Scenario {
    /// The plan's changes in words, one line each, in the order of the file's sections
    /// (`school` names a URN).
    #[must_use]
    pub fn describe(&self, school: &dyn Fn(u32) -> String) -> Vec<String> {
        use crate::text::{thousands, year_label};
        let mut out = Vec::new();
        for e in &self.expand {
            let verb = if e.places >= 0.0 { "Add" } else { "Remove" };
            out.push(format!(
                "{verb} {} places at {} from {}",
                thousands(e.places.abs()),
                school(e.urn),
                year_label(e.from)
            ));
        }
        for c in &self.close {
            out.push(format!(
                "Close {} from {} (its pupils go to the other schools of its planning area)",
                school(c.urn),
                year_label(c.from)
            ));
        }
        for o in &self.open {
            out.push(format!(
                "Open {}, {}, {} places from {} (at easting {:.0}, northing {:.0})",
                o.name,
                o.phase,
                thousands(o.capacity),
                year_label(o.from),
                o.easting,
                o.northing
            ));
        }
        for h in &self.housing {
            let homes: f64 = h.completions.iter().map(|c| c.1).sum();
            let first = h.completions.iter().map(|c| c.0).min();
            out.push(format!(
                "{} homes at {}{}{}",
                thousands(homes),
                h.site,
                h.area.as_ref().map_or(String::new(), |a| format!(" ({a})")),
                first.map_or(String::new(), |y| format!(" from {}", year_label(y)))
            ));
        }
        if let Some(p) = &self.settings {
            let pct = |v: f64| format!("{}%", (v * 1000.0).round() / 10.0);
            let mut parts = Vec::new();
            if let Some(m) = p.operating_margin {
                parts.push(format!("operating margin {}", pct(m)));
            }
            if let Some(b) = &p.bands {
                for (name, v) in [
                    ("deficit below", b.deficit_below),
                    ("tight below", b.tight_below),
                    ("healthy up to", b.healthy_below),
                ] {
                    if let Some(v) = v {
                        parts.push(format!("{name} {} spare", pct(v)));
                    }
                }
            }
            if !parts.is_empty() {
                out.push(format!("Sufficiency rule: {}", parts.join(", ")));
            }
        }
        out
    }

    /// True when the plan changes nothing (no school, housing or rule change).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.expand.is_empty()
            && self.close.is_empty()
            && self.open.is_empty()
            && self.housing.is_empty()
            && self.settings.as_ref().is_none_or(|p| *p == PlanSettings::default())
    }

    /// `settings` with this plan's operating margin and bands in place of theirs.
    ///
    /// # Errors
    /// A margin outside 0–50%, a band outside −100% to 100%, or bands out of order.
    pub fn settings_over(&self, settings: &Settings) -> Result<Settings, ScenarioError> {
        let mut out = settings.clone();
        let Some(p) = &self.settings else { return Ok(out) };
        let bad = |message: String| ScenarioError::Change {
            name: self.name.clone(),
            change: "settings".into(),
            message,
        };
        if let Some(m) = p.operating_margin {
            if !(0.0..=0.5).contains(&m) {
                return Err(bad(format!("operating_margin {m} is not a fraction from 0 to 0.5 (0.02 is 2%)")));
            }
            out.operating_margin = m;
        }
        if let Some(b) = &p.bands {
            for (name, v, slot) in [
                ("deficit_below", b.deficit_below, &mut out.bands.deficit_below),
                ("tight_below", b.tight_below, &mut out.bands.tight_below),
                ("healthy_below", b.healthy_below, &mut out.bands.healthy_below),
            ] {
                if let Some(v) = v {
                    if !(-1.0..=1.0).contains(&v) {
                        return Err(bad(format!(
                            "bands.{name} {v} is not a fraction of places from -1 to 1 (0.05 is 5%)"
                        )));
                    }
                    *slot = v;
                }
            }
            let o = &out.bands;
            if !(o.deficit_below <= o.tight_below && o.tight_below <= o.healthy_below) {
                return Err(bad(format!(
                    "bands out of order: deficit_below {} ≤ tight_below {} ≤ healthy_below {} must hold",
                    o.deficit_below, o.tight_below, o.healthy_below
                )));
            }
        }
        Ok(out)
    }

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
