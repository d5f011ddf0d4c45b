//! Back-testing placeplan's forecasts: hide the last K census years, forecast them from the years
//! before, and score the forecasts against what happened with the DfE accuracy measure
//! `100 × (forecast − actual) / actual` (positive = over-forecast), 1 and 3 years ahead, for the
//! authority and each planning area. Phases as in the DfE scorecards: primary R–Y6, secondary Y7–Y11.

use super::cohort::{Variant, Window, accuracy_pct, total};
use super::ncy::Ncy;
use super::schools::{forecast_all, reception_pool};
use crate::base::Base;
use crate::join::membership::in_totals;
use crate::model::{LayerKind, Phase};
use serde::Serialize;
use std::collections::BTreeMap;

/// One scored forecast.
#[derive(Clone, Debug, Serialize)]
pub struct Score {
    /// `LA` or the planning-area code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Phase.
    pub phase: Phase,
    /// Years ahead of the last census used.
    pub horizon: usize,
    /// Academic year forecast.
    pub year: i32,
    /// Forecast pupils.
    pub forecast: f64,
    /// Actual pupils.
    pub actual: f64,
    /// `100 × (forecast − actual) / actual`.
    pub accuracy_pct: Option<f64>,
}

/// A back-test.
#[derive(Clone, Debug, Serialize)]
pub struct Backtest {
    /// Last census year the forecasts could see.
    pub fitted_to: i32,
    /// Years held out.
    pub held_out: usize,
    /// Ratios averaged.
    pub window: usize,
    /// The planning-area layer used, if any.
    pub planning_areas: Option<String>,
    /// Authority scores.
    pub authority: Vec<Score>,
    /// Planning-area scores.
    pub areas: Vec<Score>,
    /// Mean absolute accuracy % over schools, by phase and horizon.
    pub school_mape: Vec<(Phase, usize, f64)>,
    /// Notes (schools left out, missing years).
    pub notes: Vec<String>,
}

fn span(phase: Phase) -> (Ncy, Ncy) {
    phase.year_groups()
}

/// Back-tests the base's roll history, holding out the last `k` years.
///
/// # Errors
/// No rolls, or too short a history to fit and hold out `k` years.
pub fn backtest(ds: &Base, k: usize) -> Result<Backtest, String> {
    let last = ds
        .rolls
        .values()
        .filter_map(|h| h.keys().next_back().copied())
        .max()
        .ok_or("no roll history: add a [rolls] table (school × year group × year) to the manifest")?;
    let first = ds.rolls.values().filter_map(|h| h.keys().next().copied()).min().unwrap_or(last);
    let ki = i32::try_from(k).map_err(|_| "too many years held out".to_owned())?;
    if k == 0 || last - ki - first < 2 {
        return Err(format!(
            "the rolls run {first}–{last}; holding out {k} year(s) leaves too little history (at least 3 fitted years are needed)"
        ));
    }
    let fitted_to = last - ki;
    let f = &ds.settings.forecast;
    let w = Window {
        k: f.window.clamp(1, 10),
        weights: f.weights.clone(),
    };
    // Only data that existed at the forecast origin: a mid-year population estimate for year p is
    // published the summer after, so it can inform a forecast made after the January `fitted_to + 1`
    // census only when p ≤ fitted_to. A later estimate would let the back-test see the future.
    let pop_year = ds.population_year.unwrap_or(ds.census_year);
    let (pool, pool_note) = if pop_year <= fitted_to {
        (reception_pool(&ds.lsoas, pop_year), None)
    } else {
        (
            BTreeMap::new(),
            Some(format!(
                "the population estimate (mid-{pop_year}) postdates the forecast origin ({}), so the back-test carries Reception intakes forward instead of using it",
                crate::text::year_label(fitted_to)
            )),
        )
    };
    let mut cf = forecast_all(&ds.rolls, &pool, fitted_to, k, &w);
    cf.notes.extend(pool_note);
    let urn_index: BTreeMap<u32, usize> = ds.register.iter().enumerate().map(|(i, s)| (s.urn.0, i)).collect();
    let horizons: Vec<usize> = [1usize, 3].into_iter().filter(|h| *h <= k).collect();
    let mut authority = Vec::new();
    let mut areas = Vec::new();
    let mut school_mape = Vec::new();
    let pa_layer = ds.layers.iter().position(|l| l.kind == LayerKind::PlanningArea);
    // The DfE accuracy measure covers primary (R–Y6) and secondary (Y7–Y11) only.
    for phase in [Phase::Primary, Phase::Secondary] {
        let (a, b) = span(phase);
        let members = ds
            .planning_area_layer(phase)
            .map(|li| (li, in_totals(&ds.layers[li], &ds.register, &ds.placements[li], phase)));
        for &h in &horizons {
            let year = fitted_to + i32::try_from(h).unwrap_or(0);
            // (forecast, actual) per school that has both.
            let pairs: BTreeMap<u32, (f64, f64)> = cf
                .schools
                .iter()
                .filter_map(|s| {
                    let fc = s.central.get(&year).map(|r| total(r, a, b))?;
                    let ac = ds.rolls.get(&s.urn)?.get(&year).map(|r| total(r, a, b))?;
                    (ac > 0.0 || fc > 0.0).then_some((s.urn, (fc, ac)))
                })
                .collect();
            if pairs.is_empty() {
                continue;
            }
            let (fs, acs) = pairs.values().fold((0.0, 0.0), |acc, p| (acc.0 + p.0, acc.1 + p.1));
            authority.push(Score {
                code: "LA".into(),
                name: ds.name.clone(),
                phase,
                horizon: h,
                year,
                forecast: fs,
                actual: acs,
                accuracy_pct: accuracy_pct(fs, acs),
            });
            let errs: Vec<f64> = pairs.values().filter_map(|(f, a)| accuracy_pct(*f, *a)).map(f64::abs).collect();
            if !errs.is_empty() {
                school_mape.push((phase, h, errs.iter().sum::<f64>() / errs.len() as f64));
            }
            if let Some((li, m)) = &members {
                for (ai, list) in m.iter().enumerate() {
                    let (f, ac) = list
                        .iter()
                        .filter_map(|si| pairs.get(&ds.register[*si].urn.0))
                        .fold((0.0, 0.0), |acc, p| (acc.0 + p.0, acc.1 + p.1));
                    if ac <= 0.0 && f <= 0.0 {
                        continue;
                    }
                    let area = &ds.layers[*li].areas[ai];
                    areas.push(Score {
                        code: area.code.to_string(),
                        name: area.name.clone(),
                        phase,
                        horizon: h,
                        year,
                        forecast: f,
                        actual: ac,
                        accuracy_pct: accuracy_pct(f, ac),
                    });
                }
            }
        }
    }
    let mut notes = cf.notes.clone();
    let unregistered = cf.schools.iter().filter(|s| !urn_index.contains_key(&s.urn)).count();
    if unregistered > 0 {
        notes.push(format!(
            "{unregistered} schools with rolls are not in the register; they count in the authority totals only"
        ));
    }
    let _ = Variant::Central;
    Ok(Backtest {
        fitted_to,
        held_out: k,
        window: w.k,
        planning_areas: pa_layer.map(|li| ds.layers[li].id.to_string()),
        authority,
        areas,
        school_mape,
        notes,
    })
}
