//! Forecasts for every school with a roll history, by the cohort-survival method of [`super::cohort`].
//!
//! Pools: a school whose entry year group is Reception takes its intake from the authority's
//! resident children of that cohort (`B[t]`, from the single-year-of-age population: the cohort
//! starting Reception in September `t` is aged `4 + P − t` in the population year `P`; cohorts
//! not yet born are held at the age-0 count). Any other entry year group `e` (Y7 for a secondary,
//! Y3 for a junior school) takes its intake from the authority's year group `e − 1` one year
//! earlier (`B[t] = Σ_schools N[e−1][t−1]`), observed or forecast — the Y6 → Y7 transfer ratio.
//! So intake ratios are each school's share of its cohort, and schools are projected in order of
//! entry year group so that every pool is known before it is used.

use super::cohort::{CohortModel, History, Variant, Window, fit, project, total};
use super::ncy::{NCY_COUNT, Ncy};
use crate::model::{LsoaRecord, Phase};
use crate::readers::rolls::Rolls;
use serde::Serialize;
use std::collections::BTreeMap;

/// One school's forecast.
#[derive(Clone, Debug, Serialize)]
pub struct SchoolForecast {
    /// URN.
    pub urn: u32,
    /// The fitted ratios.
    pub model: CohortModel,
    /// Central forecast by NCY and year.
    #[serde(skip)]
    pub central: History,
    /// Low forecast (smallest ratios of the window).
    #[serde(skip)]
    pub low: History,
    /// High forecast (largest ratios of the window).
    #[serde(skip)]
    pub high: History,
}

impl SchoolForecast {
    /// The forecast of a variant.
    #[must_use]
    pub fn variant(&self, v: Variant) -> &History {
        match v {
            Variant::Low => &self.low,
            Variant::Central => &self.central,
            Variant::High => &self.high,
        }
    }
}

/// Forecasts of every school with a history.
#[derive(Clone, Debug, Serialize)]
pub struct CohortForecasts {
    /// The last census year used.
    pub base_year: i32,
    /// Years forecast.
    pub horizon: usize,
    /// Ratios averaged.
    pub window: usize,
    /// Per school, in URN order.
    pub schools: Vec<SchoolForecast>,
    /// Reception pool by academic year of entry.
    pub reception_pool: BTreeMap<i32, f64>,
    /// Schools left out, and why.
    pub notes: Vec<String>,
}

/// Resident children entering Reception in each academic year, from the single-year-of-age
/// population of year `p`: `B[t] = Σ_LSOA pop[4 + p − t]`, held at the age-0 count for cohorts
/// not yet born. Years `p − 10 … p + 12`.
#[must_use]
pub fn reception_pool(lsoas: &[LsoaRecord], p: i32) -> BTreeMap<i32, f64> {
    let by_age = |a: usize| -> f64 { lsoas.iter().filter_map(|r| r.ages.as_ref().and_then(|v| v.get(a))).sum() };
    if lsoas.iter().all(|r| r.ages.is_none()) {
        return BTreeMap::new();
    }
    (p - 10..=p + 12)
        .map(|t| {
            let age = 4 + p - t;
            (t, by_age(usize::try_from(age.max(0)).unwrap_or(0)))
        })
        .collect()
}

fn add(into: &mut BTreeMap<i32, [f64; NCY_COUNT]>, h: &History) {
    for (t, row) in h {
        let e = into.entry(*t).or_insert([0.0; NCY_COUNT]);
        for (g, v) in row.iter().enumerate() {
            e[g] += v.unwrap_or(0.0);
        }
    }
}

/// Forecasts every school of `rolls` from its history up to `upto`, `horizon` years ahead.
#[must_use]
pub fn forecast_all(rolls: &Rolls, reception: &BTreeMap<i32, f64>, upto: i32, horizon: usize, w: &Window) -> CohortForecasts {
    let mut notes = Vec::new();
    // Observed authority totals by NCY (all schools, up to the cut-off).
    let mut observed: BTreeMap<i32, [f64; NCY_COUNT]> = BTreeMap::new();
    for h in rolls.values() {
        let cut: History = h.range(..=upto).map(|(k, v)| (*k, *v)).collect();
        add(&mut observed, &cut);
    }
    let mut projected: BTreeMap<i32, [f64; NCY_COUNT]> = BTreeMap::new();
    let mut fitted: Vec<(u32, CohortModel)> = Vec::new();
    for (&urn, h) in rolls {
        match fit(h, reception, upto, w) {
            Some(m) if m.base_year == upto => fitted.push((urn, m)),
            Some(m) => notes.push(format!(
                "URN {urn}: its latest roll is {} but the forecast starts from {upto}; left out",
                m.base_year
            )),
            None => notes.push(format!("URN {urn}: no roll up to {upto}; left out")),
        }
    }
    // Entry year group order, so every pool is complete before it is used.
    fitted.sort_by_key(|(urn, m)| (m.entry, *urn));
    let mut schools = Vec::new();
    let mut i = 0;
    while i < fitted.len() {
        let entry = fitted[i].1.entry;
        let group_end = fitted[i..]
            .iter()
            .position(|(_, m)| m.entry != entry)
            .map_or(fitted.len(), |k| i + k);
        let pool: BTreeMap<i32, f64> = if entry == Ncy::R {
            reception.clone()
        } else {
            // B[t] = authority N[e−1][t−1], observed then forecast.
            let below = entry.index() - 1;
            observed
                .iter()
                .chain(projected.iter())
                .map(|(t, row)| (t + 1, row[below]))
                .collect()
        };
        // Re-fit intake ratios against this pool (the first fit used the Reception pool).
        let group: Vec<SchoolForecast> = fitted[i..group_end]
            .iter()
            .filter_map(|(urn, _)| {
                let h = rolls.get(urn)?;
                let m = fit(h, &pool, upto, w)?;
                Some(SchoolForecast {
                    urn: *urn,
                    central: project(h, &m, &pool, horizon, Variant::Central),
                    low: project(h, &m, &pool, horizon, Variant::Low),
                    high: project(h, &m, &pool, horizon, Variant::High),
                    model: m,
                })
            })
            .collect();
        for s in &group {
            add(&mut projected, &s.central);
        }
        schools.extend(group);
        i = group_end;
    }
    schools.sort_by_key(|s| s.urn);
    CohortForecasts {
        base_year: upto,
        horizon,
        window: w.k,
        schools,
        reception_pool: reception.clone(),
        notes,
    }
}

/// The year groups of a phase.
#[must_use]
pub fn phase_span(phase: Phase) -> (Ncy, Ncy) {
    phase.year_groups()
}

/// A school's forecast pupils in `phase` and `year`, for a variant (`None` outside the horizon).
#[must_use]
pub fn phase_total(s: &SchoolForecast, phase: Phase, year: i32, v: Variant) -> Option<f64> {
    let (a, b) = phase_span(phase);
    s.variant(v).get(&year).map(|row| total(row, a, b))
}

/// A school's observed roll in `phase` and `year`.
#[must_use]
pub fn observed_total(h: &History, phase: Phase, year: i32) -> Option<f64> {
    let (a, b) = phase_span(phase);
    h.get(&year).map(|row| total(row, a, b))
}
