//! The catalogue of one plan's figures: every area × phase × year row of every layer, the
//! authority's rows and the schools', each built once per plan on first use ([`crate::analysis::summary::layer_rows`])
//! and read by every view — map tiles, the API, ward pages, exports and the CLI. This module holds
//! only the types, so that a [`crate::dataset::Dataset`] can own its catalogue (with the
//! admissions check of [`crate::analysis::admissions`]).

use crate::model::Phase;
use crate::stats::deprivation::DeprivationSummary;
use crate::stats::sufficiency::Sufficiency;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// One row of the summary.
#[derive(Clone, Debug, Serialize)]
pub struct SummaryRow {
    /// Area code (`LA` for the authority).
    pub code: String,
    /// Area name.
    pub name: String,
    /// Phase.
    pub phase: Phase,
    /// Academic year (start year).
    pub year: i32,
    /// True for a forecast year, false for the census year.
    pub forecast: bool,
    /// Sufficiency figures.
    #[serde(flatten)]
    pub sufficiency: Sufficiency,
    /// Schools in the area's totals for this phase (open, counted, with places and pupils).
    pub schools: usize,
    /// Schools counted in the phase that have no places or no pupils, so are left out of the
    /// totals ("no data"; never counted as 0).
    pub schools_no_data: usize,
    /// Of `schools`, those whose count disclosure control suppresses (1 to 4 pupils, shown as `c`
    /// and counted as 5 in the totals); 0 without disclosure control.
    #[serde(skip_serializing_if = "crate::problem::is_zero")]
    pub schools_suppressed: usize,
    /// Of them, flagged by the 25% / 30-place rule (census year only).
    pub flagged_schools: usize,
    /// Schools with no forecast for this year (their current roll was carried forward).
    pub schools_without_forecast: usize,
    /// Of them, schools forecast from the resident population (no rolls, no forecasts table):
    /// "projection from population" ([`crate::forecast::population`]).
    #[serde(skip_serializing_if = "crate::problem::is_zero")]
    pub schools_from_population: usize,
    /// For the authority row: what the no-netting shortfall was summed over.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shortfall_basis: Option<String>,
    /// Deprivation measures.
    #[serde(flatten)]
    pub deprivation: DeprivationSummary,
    /// `Σ fsm% × pupils / Σ pupils` over the area's schools (current roll).
    pub fsm_pct: Option<f64>,
    /// Children of the phase's ages who live in the area: `Σ_pieces a_lw × Σ_{ages} P_l(age)` from
    /// the single-year population (its year in `population_year`) for the census year, and from
    /// the projection from population for forecast years when there is one
    /// (`resident_children_projected`); `None` otherwise.
    pub resident_children: Option<f64>,
    /// True when `resident_children` is projected ([`crate::forecast::population`]), not an
    /// estimate.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub resident_children_projected: bool,
    /// `places − resident_children`: positive when the area's schools have room for more children
    /// than live there (they draw from elsewhere), negative when its children must go elsewhere.
    pub places_minus_residents: Option<f64>,
}

/// Every row of one layer, in summary order, with the rows of each area found by code.
#[derive(Clone, Debug, Default)]
pub struct LayerRows {
    /// Rows, phase by phase, year by year, area by area.
    pub rows: Vec<SummaryRow>,
    /// `by_code[code]` = indices into `rows` of that area's rows.
    pub by_code: HashMap<String, Vec<usize>>,
}

impl LayerRows {
    /// Indexes `rows` by area code.
    #[must_use]
    pub fn new(rows: Vec<SummaryRow>) -> Self {
        let mut by_code: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            by_code.entry(r.code.clone()).or_default().push(i);
        }
        Self { rows, by_code }
    }

    /// The row of area `code` for `phase` and `year`.
    #[must_use]
    pub fn get(&self, code: &str, phase: Phase, year: i32) -> Option<&SummaryRow> {
        self.by_code
            .get(code)?
            .iter()
            .map(|&i| &self.rows[i])
            .find(|r| r.phase == phase && r.year == year)
    }

    /// Every row of area `code`.
    pub fn of(&self, code: &str) -> impl Iterator<Item = &SummaryRow> {
        self.by_code.get(code).into_iter().flatten().map(|&i| &self.rows[i])
    }
}

/// The rows of one plan, each part built the first time a view asks for it and then kept (so a
/// layer nobody looks at costs nothing).
#[derive(Debug, Default)]
pub struct Catalogue {
    /// `layers[layer]`, aligned with the base's layers.
    layers: Vec<OnceLock<LayerRows>>,
    /// The authority's rows (every phase × year).
    la: OnceLock<Vec<SummaryRow>>,
    /// One row per school in a phase's totals × phase × year.
    schools: OnceLock<Vec<SummaryRow>>,
    /// The forecast Reception intakes against the admissions allocations.
    admissions: OnceLock<Result<AdmissionsCheck, String>>,
}

impl Catalogue {
    /// An empty catalogue for `layers` boundary layers.
    #[must_use]
    pub fn new(layers: usize) -> Self {
        Self {
            layers: (0..layers).map(|_| OnceLock::new()).collect(),
            la: OnceLock::new(),
            schools: OnceLock::new(),
            admissions: OnceLock::new(),
        }
    }

    /// The rows of layer `li`, made by `build` the first time.
    pub fn layer(&self, li: usize, build: impl FnOnce() -> Vec<SummaryRow>) -> Option<&LayerRows> {
        Some(self.layers.get(li)?.get_or_init(|| LayerRows::new(build())))
    }

    /// The authority's rows, made by `build` the first time.
    pub fn la(&self, build: impl FnOnce() -> Vec<SummaryRow>) -> &[SummaryRow] {
        self.la.get_or_init(build)
    }

    /// The schools' rows, made by `build` the first time.
    pub fn schools(&self, build: impl FnOnce() -> Vec<SummaryRow>) -> &[SummaryRow] {
        self.schools.get_or_init(build)
    }

    /// The admissions check, made by `build` the first time.
    pub fn admissions(&self, build: impl FnOnce() -> Result<AdmissionsCheck, String>) -> &Result<AdmissionsCheck, String> {
        self.admissions.get_or_init(build)
    }
}

/// One school's, area's or the authority's forecast and allocation.
#[derive(Clone, Debug, Serialize)]
pub struct Intake {
    /// URN, planning-area code or `LA`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Schools summed.
    pub schools: usize,
    /// Forecast Reception pupils.
    pub forecast: f64,
    /// Places allocated.
    pub allocated: f64,
    /// `100 × (forecast − allocated) / allocated`.
    pub accuracy_pct: Option<f64>,
}

/// The check.
#[derive(Clone, Debug, Serialize)]
pub struct AdmissionsCheck {
    /// The allocations file.
    pub file: String,
    /// The academic year of the entry.
    pub year: i32,
    /// Rows of the file matched to a school with a forecast Reception intake.
    pub matched: usize,
    /// Rows not matched (no open primary school with that establishment number, or none with a
    /// Reception forecast), by row: code and name.
    pub unmatched: Vec<(u32, String)>,
    /// How the matched schools' forecasts were made (`own`, `population`, …) and how many.
    pub sources: BTreeMap<String, usize>,
    /// Each matched school.
    pub schools: Vec<Intake>,
    /// Each primary planning area, over its matched schools.
    pub areas: Vec<Intake>,
    /// The primary planning-area layer the areas are of.
    pub layer: Option<crate::ids::LayerId>,
    /// The authority, over every matched school.
    pub authority: Intake,
    /// Mean absolute accuracy % over schools and over planning areas (`None`: none to average).
    pub mape: (Option<f64>, Option<f64>),
    /// What to bear in mind.
    pub caveats: Vec<String>,
}

impl AdmissionsCheck {
    /// The check in one sentence, for the panel, ward pages and export notes.
    #[must_use]
    pub fn sentence(&self) -> String {
        use crate::text::thousands;
        let pct = self.authority.accuracy_pct.map_or_else(
            || "no accuracy".to_owned(),
            |p| format!("{}{:.1}%", if p < 0.0 { "−" } else { "+" }, p.abs()),
        );
        let mut spread = Vec::new();
        if let Some(m) = self.mape.1 {
            let n = self.areas.iter().filter(|r| r.accuracy_pct.is_some()).count();
            spread.push(format!("{m:.1}% on average over {n} planning areas"));
        }
        if let Some(m) = self.mape.0 {
            spread.push(format!("{m:.1}% over schools"));
        }
        format!(
            "Checked against the Reception places allocated for {} at {} schools ({}): forecast {} against {} allocated ({pct}){}. Allocations are made on offer day and include children from outside the authority.",
            crate::text::year_label(self.year),
            self.matched,
            std::path::Path::new(&self.file)
                .file_name()
                .map_or(self.file.as_str(), |n| n.to_str().unwrap_or_default()),
            thousands(self.authority.forecast),
            thousands(self.authority.allocated),
            if spread.is_empty() {
                String::new()
            } else {
                format!(", off by {}", spread.join(" and "))
            }
        )
    }
}
