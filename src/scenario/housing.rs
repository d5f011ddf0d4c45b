//! Pupils from new housing (methods.md §1.3): completions per site and year turned into pupils by
//! phase with the authority's own yield factors, added to the schools of the site's planning area
//! in proportion to their current roll.

use crate::analysis::membership::schools_by_area;
use crate::analysis::summary::school_pupils;
use crate::dataset::Dataset;
use crate::ids::AreaCode;
use crate::join::index::AreaIndex;
use crate::model::Phase;
use crate::readers::forecasts::ForecastLevel;
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

/// Adds the housing pupils to the school forecasts of forecast years (after the census year),
/// spread over the schools of each site's planning area by their census roll. Returns what was
/// done, in words, and the sites that could not be placed.
pub fn apply(ds: &mut Dataset, completions: &[Completion], yields: &Yields) -> Vec<String> {
    let mut notes = Vec::new();
    for phase in Phase::ALL {
        let Some(li) = ds.planning_area_layer(phase) else {
            notes.push(format!("no planning-area layer for {}: housing pupils not added", phase.as_str()));
            continue;
        };
        let layer = &ds.layers[li];
        let index = AreaIndex::new(layer);
        let mut by_area: BTreeMap<usize, Vec<&Completion>> = BTreeMap::new();
        for c in completions {
            let area = c
                .area
                .as_deref()
                .and_then(|code| layer.areas.iter().position(|a| a.code.as_str() == code))
                .or_else(|| c.at.and_then(|p| index.locate(layer, p, ds.settings.snap_distance_m).map(|x| x.0)));
            match area {
                Some(a) => by_area.entry(a).or_default().push(c),
                None => notes.push(format!(
                    "site {:?}: not in any {} planning area of {}; left out",
                    c.site,
                    phase.as_str(),
                    layer.id
                )),
            }
        }
        let members = schools_by_area(ds, li, phase);
        let years = ds.settings.forecast.years(phase);
        let mut adds: Vec<((ForecastLevel, AreaCode, Phase, i32), f64)> = Vec::new();
        for (a, sites) in &by_area {
            let schools = &members[*a];
            let now: Vec<f64> = schools.iter().map(|&si| school_pupils(ds, si, phase, ds.census_year).0).collect();
            let total_now: f64 = now.iter().sum();
            if schools.is_empty() || total_now <= 0.0 {
                notes.push(format!(
                    "planning area {}: no {} school to take the housing pupils",
                    layer.areas[*a].code,
                    phase.as_str()
                ));
                continue;
            }
            let mut last = 0.0;
            for h in 1..=years {
                let y = ds.census_year + i32::try_from(h).unwrap_or(0);
                let extra = pupils(sites, yields, phase, y);
                last = extra;
                for (k, &si) in schools.iter().enumerate() {
                    let Ok(code) = AreaCode::new(&ds.schools[si].urn.to_string()) else {
                        continue;
                    };
                    let base = school_pupils(ds, si, phase, y).0;
                    adds.push(((ForecastLevel::School, code, phase, y), base + extra * now[k] / total_now));
                }
            }
            let mut names: Vec<&str> = sites.iter().map(|c| c.site.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            notes.push(format!(
                "{} housing: {} pupils by the last forecast year in {} (site{} {})",
                phase.as_str(),
                crate::text::thousands(last),
                layer.areas[*a].name,
                if names.len() == 1 { "" } else { "s" },
                names.join(", ")
            ));
        }
        for (k, v) in adds {
            ds.forecasts.insert(k, v);
        }
    }
    notes
}
