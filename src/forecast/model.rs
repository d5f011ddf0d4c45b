//! placeplan's own forecasts of the base, built once and shared by every plan: cohort-survival
//! forecasts from the roll history ([`super::schools`]) and their back-test ([`super::backtest`]).
//! A plan never changes them; [`crate::projection`] adds its housing and moves to a copy of the
//! figures, never to these.

use super::backtest::{Backtest, backtest};
use super::cohort::Window;
use super::population::{PopulationBacktest, PopulationForecast};
use super::schools::{CohortForecasts, forecast_all, reception_pool};
use crate::base::Base;
use crate::problem::{Problem, Severity};

/// The base's own forecasts and their measured accuracy.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Cohort-survival forecasts, when the base has rolls.
    pub cohort: Option<CohortForecasts>,
    /// Back-test of those forecasts (the last 3 census years held out, or fewer when the history
    /// is short).
    pub accuracy: Option<Backtest>,
    /// Forecasts from the resident population alone (market share of a Hamilton–Perry
    /// projection), when the population table has two or more years of single ages; used for a
    /// school only when neither the forecasts table nor the rolls forecast it.
    pub population: Option<PopulationForecast>,
    /// Back-tests of the population projection on the data's own years, one per origin and
    /// target ([`super::population::backtest`]); empty without enough years.
    pub population_accuracy: Vec<PopulationBacktest>,
    /// What went wrong (schools left out, a roll year that disagrees with the census year).
    pub problems: Vec<Problem>,
}

impl Model {
    /// Forecasts every school with a roll history and back-tests the method.
    #[must_use]
    pub fn build(base: &Base) -> Self {
        let mut problems = Vec::new();
        let cohort = own_forecasts(base, &mut problems);
        let accuracy = cohort.as_ref().and_then(|_| (1..=3).rev().find_map(|k| backtest(base, k).ok()));
        let population = PopulationForecast::build(base);
        let population_accuracy = population
            .as_ref()
            .and_then(|_| super::population::backtest(base).ok())
            .unwrap_or_default();
        Self {
            cohort,
            accuracy,
            population,
            population_accuracy,
            problems,
        }
    }
}

fn own_forecasts(base: &Base, problems: &mut Vec<Problem>) -> Option<CohortForecasts> {
    let upto = base.rolls.values().filter_map(|h| h.keys().next_back().copied()).max()?;
    if upto != base.census_year {
        problems.push(Problem::new(
            Severity::Warning,
            "rolls",
            format!("latest year {upto}"),
            "year",
            format!(
                "the latest roll year is {upto} but census_year is {}; forecasts start after {upto}",
                base.census_year
            ),
        ));
    }
    let pool = reception_pool(&base.lsoas, base.population_year.unwrap_or(base.census_year));
    if pool.is_empty() {
        problems.push(Problem::new(
            Severity::Warning,
            "rolls",
            "Reception",
            "population",
            "no single-year-of-age population, so Reception intakes are carried forward unchanged",
        ));
    }
    let f = &base.settings.forecast;
    let w = Window {
        k: f.window.clamp(1, 10),
        weights: f.weights.clone(),
    };
    let horizon = f.years(crate::model::Phase::Primary).max(f.years(crate::model::Phase::Secondary));
    let cf = forecast_all(&base.rolls, &pool, upto, horizon, &w);
    for n in &cf.notes {
        problems.push(Problem::new(Severity::Warning, "rolls", "", "urn", n.clone()));
    }
    Some(cf)
}
