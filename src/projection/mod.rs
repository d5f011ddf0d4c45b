//! The projection of one plan: **the** pupils and places of every school × phase × academic year,
//! built by [`Projection::build`] as a pure function of the frozen [`Base`], its forecast
//! [`Model`] and a [`Plan`] (the base case is the empty plan). Every view reads these figures;
//! nothing else forecasts, adds housing or moves pupils.
//!
//! Pupils of a school, phase and year, low / central / high and by year group, in this order:
//! 1. **Census year**: the school's census figure ([`School::pupils_now`]); low = central = high.
//! 2. **Forecast years**, the first that applies:
//!    1. the forecasts table's row for the school (central; low and high keep the spread of
//!       placeplan's own forecast around its central figure, else equal it);
//!    2. placeplan's own cohort-survival forecast ([`crate::forecast::schools`]): low, central,
//!       high and by year group;
//!    3. the forecasts table's row for its planning area × the school's share of that area's
//!       census pupils;
//!    4. placeplan's projection from the resident population: the school's census-year share
//!       of its planning area's resident children × their Hamilton–Perry projection
//!       ([`crate::forecast::population`]), low, central, high and by year group;
//!    5. the census figure carried forward (marked: "no forecast"). Without any forecast, a plan
//!       with changes, or housing, still gets the forecast horizon's years, carried forward.
//! 3. **Housing**: pupils from the manifest's housing trajectory, then the plan's, added to the
//!    schools of each site's planning area in proportion to their census pupils — the same number
//!    to low, central and high, spread over year groups in proportion.
//! 4. **Closures**: from its closing year a closed school has no places and no pupils; each
//!    variant's pupils (housing included) move to the other schools of its planning area that have
//!    places that year, in proportion to their central pupils.
//! 5. **Openings**: a new school has no pupils (none are moved to it) and places from its opening
//!    year; it is open, on the map and in access supply from that year only.
//!
//! Places: [`School::places_in`], from the census figures and the plan's capacity changes.

use crate::base::Base;
use crate::forecast::cohort::{Variant, total};
use crate::forecast::model::Model;
use crate::forecast::ncy::NCY_COUNT;
use crate::forecast::schools::{SchoolForecast, phase_total};
use crate::ids::{AreaCode, Urn};
use crate::join::membership::in_totals;
use crate::join::points::{Placement, place_schools};
use crate::model::disclosure::Disclosure;
use crate::model::{Completion, Figure, FigureSource, Phase, PhaseFigures, School, Scope, Yields};
use crate::problem::{Problem, Severity};
use crate::readers::forecasts::ForecastLevel;
use crate::scenario::housing::pupils as housing_pupils;
pub use crate::scenario::{Scenario as Plan, ScenarioError as PlanError};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Where a school's pupils for a year came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PupilSource {
    /// The census figure (census year).
    Census,
    /// The forecasts table's row for the school.
    Table,
    /// placeplan's own cohort-survival forecast.
    Own,
    /// The forecasts table's planning-area row × the school's census share.
    AreaShare,
    /// placeplan's projection from the resident population (market share; no rolls needed).
    Population,
    /// No forecast: the census figure carried forward.
    CarriedForward,
    /// A school the plan opens (no pupils moved to it).
    New,
}

impl PupilSource {
    /// True when a forecast (or the census) supplied the figure, false when it was carried forward.
    #[must_use]
    pub fn found(self) -> bool {
        self != PupilSource::CarriedForward
    }
}

/// One school's pupils in one phase and year.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SchoolYear {
    /// Central pupils.
    pub central: f64,
    /// Low pupils.
    pub low: f64,
    /// High pupils.
    pub high: f64,
    /// Central pupils by year group (Reception = 0), when the source has year groups; the phase's
    /// groups sum to `central`.
    #[serde(skip)]
    pub ncy: Option<[f64; NCY_COUNT]>,
    /// Where the figure came from, before housing and moves.
    pub source: PupilSource,
    /// Of `central`, pupils from housing.
    pub housing: f64,
    /// Of `central`, pupils moved in by closures (negative: moved out).
    pub moved: f64,
}

impl SchoolYear {
    fn flat(v: f64, source: PupilSource) -> Self {
        Self {
            central: v,
            low: v,
            high: v,
            ncy: None,
            source,
            housing: 0.0,
            moved: 0.0,
        }
    }

    /// Adds `extra` pupils to every variant, spread over the year groups of `phase` in proportion.
    fn add(&mut self, extra: f64, phase: Phase) {
        if let Some(row) = &mut self.ncy {
            spread(row, extra, phase);
        }
        self.central += extra;
        self.low += extra;
        self.high += extra;
    }
}

/// Adds `extra` to the year groups of `phase` in `row`, in proportion (evenly when they are 0).
fn spread(row: &mut [f64; NCY_COUNT], extra: f64, phase: Phase) {
    let (a, b) = phase.year_groups();
    let groups = a.index()..=b.index();
    let sum: f64 = row[groups.clone()].iter().sum();
    let n = (b.index() - a.index() + 1) as f64;
    for g in groups {
        row[g] += if sum > 0.0 { extra * row[g] / sum } else { extra / n };
    }
}

/// The projection of one plan.
#[derive(Clone, Debug)]
pub struct Projection {
    /// The plan's name (`None`: the base case).
    pub plan: Option<String>,
    /// The schools: the register, with the plan's capacity changes, closures and new schools
    /// (moved to [`crate::dataset::Dataset::schools`] once built).
    pub schools: Vec<School>,
    /// `placements[layer][school]`, the register's placements and each new school's, located with
    /// the base's indexes.
    pub placements: Vec<Vec<Placement>>,
    /// Pupils keyed by URN × phase × year, for every school in a phase's totals.
    pub pupils: HashMap<(Urn, Phase, i32), SchoolYear>,
    /// Under disclosure control ([`Projection::control`]): the school × phase × years whose count
    /// is suppressed (shown as `c`; in `pupils` as 5).
    pub suppressed: HashSet<(Urn, Phase, i32)>,
    /// The academic years with figures per phase: the census year, then every forecast year.
    pub years: BTreeMap<Phase, Vec<i32>>,
    /// What the plan changed, in words.
    pub notes: Vec<String>,
    /// The pupils the manifest's housing adds, in words.
    pub housing_notes: Vec<String>,
    /// Sites that could not be placed, and housing that could not be added.
    pub problems: Vec<Problem>,
}

impl Projection {
    /// Projects `plan` over `base` with its forecast `model`. Pure: neither input changes.
    ///
    /// # Errors
    /// A change naming an unknown school, a year not after the census, a phase that does not
    /// exist, a URN already used, or housing without yields.
    pub fn build(base: &Base, model: &Model, plan: &Plan) -> Result<Self, PlanError> {
        let named = !plan.name.is_empty() || !is_empty(plan);
        let mut p = Self {
            plan: named.then(|| plan.name.clone()),
            schools: base.register.clone(),
            placements: base.placements.clone(),
            pupils: HashMap::new(),
            suppressed: HashSet::new(),
            years: BTreeMap::new(),
            notes: Vec::new(),
            housing_notes: Vec::new(),
            problems: Vec::new(),
        };
        p.apply_places(base, plan)?;
        // A plan's changes and housing need years to show in: without forecasts, the forecast
        // horizon's years carry the census figures forward (marked "no forecast").
        let carry = !is_empty(plan) || base.housing.as_ref().is_some_and(|h| !h.completions.is_empty());
        p.forecast(base, model, carry);
        if let Some(h) = &base.housing
            && let Some(y) = &base.settings.yields
        {
            for note in p.add_housing(base, &h.completions, y) {
                match note {
                    Ok(n) => p.housing_notes.push(n),
                    Err(n) => p.problems.push(Problem::new(Severity::Warning, h.file.clone(), "", "housing", n)),
                }
            }
        }
        p.plan_housing(base, plan)?;
        p.close(base, plan);
        Ok(p)
    }

    /// A projection with no schools and no years (what a failed load shows).
    #[must_use]
    pub fn none() -> Self {
        Self {
            plan: None,
            schools: Vec::new(),
            placements: Vec::new(),
            pupils: HashMap::new(),
            suppressed: HashSet::new(),
            years: BTreeMap::new(),
            notes: Vec::new(),
            housing_notes: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Applies disclosure control ([`Disclosure`]) to every school × phase × year: its central,
    /// low and high pupils and their housing and moved parts are rounded, a suppressed one
    /// counted as 5 ([`Disclosure::counted`]); an entry whose central count is suppressed is
    /// listed in [`Projection::suppressed`], for the views that show it as `c`. The year groups
    /// are left as they are: the one view of them (the SCAP table) sums them over a planning area
    /// and controls the sum.
    pub fn control(&mut self, d: &Disclosure) {
        for (k, v) in &mut self.pupils {
            if d.count(v.central).value().is_none() {
                self.suppressed.insert(*k);
            }
            for x in [&mut v.central, &mut v.low, &mut v.high, &mut v.housing, &mut v.moved] {
                *x = d.counted(*x);
            }
        }
    }

    /// True when the count of the school with URN `urn` in `phase` and `year` is suppressed.
    #[must_use]
    pub fn is_suppressed(&self, urn: Urn, phase: Phase, year: i32) -> bool {
        self.suppressed.contains(&(urn, phase, year))
    }

    /// The academic years with figures for `phase`.
    #[must_use]
    pub fn years(&self, phase: Phase) -> &[i32] {
        self.years.get(&phase).map_or(&[], Vec::as_slice)
    }

    /// The pupils of the school with URN `urn` in `phase` and `year`, when it is in the phase's
    /// totals and the year has figures.
    #[must_use]
    pub fn get(&self, urn: Urn, phase: Phase, year: i32) -> Option<&SchoolYear> {
        self.pupils.get(&(urn, phase, year))
    }

    /// While building: school `si`'s pupils.
    fn of(&self, si: usize, phase: Phase, year: i32) -> Option<&SchoolYear> {
        self.get(self.schools.get(si)?.urn, phase, year)
    }

    fn open_index(&self, urn: u32) -> Option<usize> {
        self.schools.iter().position(|s| s.urn.0 == urn && s.open)
    }

    /// Expansions, closures' places and openings.
    fn apply_places(&mut self, base: &Base, plan: &Plan) -> Result<(), PlanError> {
        let bad = |change: String, message: String| PlanError::Change {
            name: plan.name.clone(),
            change,
            message,
        };
        // The last year any phase is forecast to.
        let last = base.census_year
            + Phase::ALL
                .iter()
                .map(|&p| i32::try_from(base.settings.forecast.years(p)).unwrap_or(0))
                .max()
                .unwrap_or(0);
        let check_year = |change: String, y: i32| {
            if y <= base.census_year {
                Err(bad(
                    change,
                    format!(
                        "year {y} is not after the census year {}; changes apply to forecast years",
                        base.census_year
                    ),
                ))
            } else if y > last {
                Err(bad(
                    change,
                    format!(
                        "year {y} ({}) is after the last forecast year, {}",
                        crate::text::year_label(y),
                        crate::text::year_label(last)
                    ),
                ))
            } else {
                Ok(())
            }
        };
        // Openings first, so that a plan can expand a school it opens.
        for (k, o) in plan.open.iter().enumerate() {
            let what = format!("open {}", k + 1);
            check_year(what.clone(), o.from)?;
            let phase = Phase::parse(&o.phase).ok_or_else(|| bad(what.clone(), Phase::parse_error(&o.phase)))?;
            let urn = o.urn.unwrap_or(990_001 + u32::try_from(k).unwrap_or(0));
            if self.schools.iter().any(|s| s.urn.0 == urn) {
                return Err(bad(what, format!("URN {urn} is already used")));
            }
            if !(o.capacity.is_finite() && o.capacity >= 0.0) {
                return Err(bad(what, format!("capacity {} is not a number of places", o.capacity)));
            }
            let school = new_school(urn, o, phase);
            for (li, layer) in base.layers.iter().enumerate() {
                let placed = place_schools(std::slice::from_ref(&school), layer, base.index(li), base.settings.snap_distance_m);
                self.placements[li].extend(placed);
            }
            // Where its pupils would come from: a school placed in no area of the authority's
            // LSOAs (or, without them, of its first layer) is outside the authority.
            let home = base.lsoa_layer.or_else(|| (!base.layers.is_empty()).then_some(0));
            if let Some(li) = home
                && matches!(self.placements[li].last(), Some(Placement::Outside))
            {
                return Err(bad(
                    what,
                    format!(
                        "{} at easting {:.0}, northing {:.0} lies outside the authority (more than {} m from every area of {})",
                        o.name, o.easting, o.northing, base.settings.snap_distance_m, base.layers[li].id
                    ),
                ));
            }
            let pa = base.planning_area_layer(phase);
            if let Some(li) = pa
                && self.placements[li].last().and_then(|p| p.area()).is_none()
            {
                self.notes.push(format!(
                    "{}: not inside any planning area of {}; it counts in the authority's totals but in no planning area's",
                    o.name, base.layers[li].id
                ));
            }
            self.notes.push(format!(
                "{} opens with {} places from {}",
                o.name,
                o.capacity,
                crate::text::year_label(o.from)
            ));
            self.schools.push(school);
        }
        // Expansions, in year order so that each builds on the last.
        let mut expand = plan.expand.clone();
        expand.sort_by_key(|e| e.from);
        for (k, e) in expand.iter().enumerate() {
            let what = format!("expand {}", k + 1);
            check_year(what.clone(), e.from)?;
            let si = self
                .open_index(e.urn)
                .ok_or_else(|| bad(what.clone(), format!("no open school with URN {}", e.urn)))?;
            let s = &mut self.schools[si];
            let now = s.total_places_in(e.from);
            let new = (now + e.places).max(0.0);
            s.capacity_from.push((e.from, new));
            s.capacity_from.sort_by_key(|c| c.0);
            self.notes.push(format!(
                "{}: {} → {} places from {}",
                s.name,
                now,
                new,
                crate::text::year_label(e.from)
            ));
        }
        for (k, c) in plan.close.iter().enumerate() {
            let what = format!("close {}", k + 1);
            check_year(what.clone(), c.from)?;
            let si = self
                .open_index(c.urn)
                .ok_or_else(|| bad(what.clone(), format!("no open school with URN {}", c.urn)))?;
            let s = &mut self.schools[si];
            s.closes = Some(s.closes.map_or(c.from, |y| y.min(c.from)));
        }
        Ok(())
    }

    /// Census figures and forecasts, before housing and moves.
    fn forecast(&mut self, base: &Base, model: &Model, carry: bool) {
        let own: HashMap<u32, &SchoolForecast> = model
            .cohort
            .as_ref()
            .map(|cf| cf.schools.iter().map(|s| (s.urn, s)).collect())
            .unwrap_or_default();
        let census = base.census_year;
        for phase in Phase::ALL {
            let mut years: BTreeSet<i32> = base
                .forecast_table
                .keys()
                .filter(|k| k.2 == phase && k.3 > census)
                .map(|k| k.3)
                .collect();
            if let Some(cf) = &model.cohort {
                let horizon = i32::try_from(base.settings.forecast.years(phase)).unwrap_or(0);
                for y in cf.base_year + 1..=cf.base_year + horizon {
                    if y > census && cf.schools.iter().any(|s| phase_total(s, phase, y, Variant::Central).is_some()) {
                        years.insert(y);
                    }
                }
            }
            if let Some(pf) = &model.population
                && pf.schools.keys().any(|k| k.1 == phase)
            {
                let horizon = i32::try_from(base.settings.forecast.years(phase)).unwrap_or(0);
                years.extend(census + 1..=census + horizon);
            }
            if carry {
                let horizon = i32::try_from(base.settings.forecast.years(phase)).unwrap_or(0);
                years.extend(census + 1..=census + horizon);
            }
            // Census pupils per planning area, for the planning-area rows of the forecasts table.
            let mut pa_now: HashMap<&AreaCode, f64> = HashMap::new();
            for s in self.schools.iter().filter(|s| s.in_totals(phase) && s.opens.is_none()) {
                if let (Some(pa), Some(v)) = (s.planning_area(phase), s.pupils_now(phase)) {
                    *pa_now.entry(pa).or_default() += v;
                }
            }
            let mut entries = Vec::new();
            for s in self.schools.iter().filter(|s| s.in_totals(phase)) {
                let now = s.pupils_now(phase).unwrap_or(0.0);
                if s.opens.is_some() {
                    entries.push(((s.urn, phase, census), SchoolYear::flat(0.0, PupilSource::New)));
                    for &y in &years {
                        entries.push(((s.urn, phase, y), SchoolYear::flat(0.0, PupilSource::New)));
                    }
                    continue;
                }
                let mut c = SchoolYear::flat(now, PupilSource::Census);
                c.ncy = census_ncy(base, s.urn.0, phase, census, now);
                entries.push(((s.urn, phase, census), c));
                let code = AreaCode::new(&s.urn.to_string()).ok();
                let f = own.get(&s.urn.0);
                for &y in &years {
                    let table = code
                        .as_ref()
                        .and_then(|c| base.forecast_table.get(&(ForecastLevel::School, c.clone(), phase, y)));
                    let own_y = f.and_then(|f| own_year(f, phase, y));
                    let v = match (table, own_y) {
                        (Some(&t), o) => {
                            let mut v = SchoolYear::flat(t, PupilSource::Table);
                            if let Some(o) = o.filter(|o| o.central > 0.0) {
                                v.low = t * o.low / o.central;
                                v.high = t * o.high / o.central;
                                v.ncy = o.ncy.map(|row| row.map(|g| g * t / o.central));
                            }
                            v
                        }
                        (None, Some(o)) => o,
                        (None, None) => {
                            let share = s.planning_area(phase).and_then(|pa| {
                                let total = base.forecast_table.get(&(ForecastLevel::PlanningArea, pa.clone(), phase, y))?;
                                let den = *pa_now.get(pa)?;
                                (den > 0.0).then(|| total * now / den)
                            });
                            let population = || {
                                let p = model.population.as_ref()?.schools.get(&(s.urn.0, phase))?.get(&y)?;
                                Some(SchoolYear {
                                    central: p.central,
                                    low: p.low,
                                    high: p.high,
                                    ncy: Some(p.ncy),
                                    source: PupilSource::Population,
                                    housing: 0.0,
                                    moved: 0.0,
                                })
                            };
                            match share {
                                Some(v) => SchoolYear::flat(v, PupilSource::AreaShare),
                                None => population().unwrap_or_else(|| SchoolYear::flat(now, PupilSource::CarriedForward)),
                            }
                        }
                    };
                    entries.push(((s.urn, phase, y), v));
                }
            }
            self.pupils.extend(entries);
            years.insert(census);
            self.years.insert(phase, years.into_iter().collect());
        }
    }

    /// The schools of each area of the phase's planning-area layer, in its totals.
    fn planning_members(&self, base: &Base, phase: Phase) -> Option<(usize, Vec<Vec<usize>>)> {
        let li = base.planning_area_layer(phase)?;
        Some((li, in_totals(&base.layers[li], &self.schools, &self.placements[li], phase)))
    }

    /// Adds the pupils of `completions` to the forecast years; returns notes (`Ok`) and sites or
    /// areas that could not take them (`Err`).
    fn add_housing(&mut self, base: &Base, completions: &[Completion], yields: &Yields) -> Vec<Result<String, String>> {
        let mut notes = Vec::new();
        for phase in Phase::ALL {
            // A phase with no yield (post-16 unless set) gains no pupils: nothing to say.
            if completions.iter().all(|c| yields.for_type(c.kind.as_deref(), phase) == 0.0) {
                continue;
            }
            let Some((li, members)) = self.planning_members(base, phase) else {
                notes.push(Err(format!(
                    "no planning-area layer for {}: housing pupils not added",
                    phase.as_str()
                )));
                continue;
            };
            let layer = &base.layers[li];
            let mut by_area: BTreeMap<usize, Vec<&Completion>> = BTreeMap::new();
            let locate = |p: geo::Coord| base.index(li).locate(layer, p, base.settings.snap_distance_m).map(|x| x.0);
            let mut placed_by_point = std::collections::BTreeSet::new();
            for c in completions {
                let area = c
                    .area
                    .as_deref()
                    .and_then(|code| layer.areas.iter().position(|a| a.code.as_str() == code))
                    .or_else(|| c.at.and_then(locate))
                    .or_else(|| {
                        // The code of another layer's area (a primary planning area, for the
                        // secondary phase): the area of this layer holding a point inside it.
                        let code = c.area.as_deref()?;
                        let other = base.layers.iter().find_map(|l| l.areas.iter().find(|a| a.code.as_str() == code))?;
                        let a = locate(crate::geometry::interior_point(&other.geometry)?)?;
                        placed_by_point.insert(format!(
                            "site {:?}: {code} is not a {} planning area; its pupils go to {} ({}), the one holding a point inside {}",
                            c.site,
                            phase.as_str(),
                            layer.areas[a].name,
                            layer.areas[a].code,
                            other.name
                        ));
                        Some(a)
                    });
                match area {
                    Some(a) => by_area.entry(a).or_default().push(c),
                    None => notes.push(Err(format!(
                        "site {:?}: not in any {} planning area of {}; left out",
                        c.site,
                        phase.as_str(),
                        layer.id
                    ))),
                }
            }
            notes.extend(placed_by_point.into_iter().map(Ok));
            let forecast_years: Vec<i32> = self.years(phase).iter().copied().filter(|&y| y > base.census_year).collect();
            for (a, sites) in &by_area {
                let schools = &members[*a];
                let now: Vec<f64> = schools
                    .iter()
                    .map(|&si| self.of(si, phase, base.census_year).map_or(0.0, |v| v.central))
                    .collect();
                let total_now: f64 = now.iter().sum();
                if schools.is_empty() || total_now <= 0.0 {
                    notes.push(Err(format!(
                        "planning area {}: no {} school to take the housing pupils",
                        layer.areas[*a].code,
                        phase.as_str()
                    )));
                    continue;
                }
                let mut last = 0.0;
                for &y in &forecast_years {
                    let extra = housing_pupils(sites, yields, phase, y);
                    last = extra;
                    for (k, &si) in schools.iter().enumerate() {
                        let key = (self.schools[si].urn, phase, y);
                        if let Some(v) = self.pupils.get_mut(&key) {
                            let add = extra * now[k] / total_now;
                            v.add(add, phase);
                            v.housing += add;
                        }
                    }
                }
                let mut names: Vec<&str> = sites.iter().map(|c| c.site.as_str()).collect();
                names.sort_unstable();
                names.dedup();
                notes.push(Ok(format!(
                    "{} housing: {} pupils by the last forecast year in {} (site{} {})",
                    phase.as_str(),
                    crate::text::thousands(last),
                    layer.areas[*a].name,
                    if names.len() == 1 { "" } else { "s" },
                    names.join(", ")
                )));
            }
        }
        notes
    }

    /// The plan's housing sites.
    fn plan_housing(&mut self, base: &Base, plan: &Plan) -> Result<(), PlanError> {
        if plan.housing.is_empty() {
            return Ok(());
        }
        let bad = |change: String, message: String| PlanError::Change {
            name: plan.name.clone(),
            change,
            message,
        };
        let yields = plan.yields.clone().or_else(|| base.settings.yields.clone()).ok_or_else(|| {
            bad(
                "housing".into(),
                "no yields: add [yields] primary = …, secondary = … (pupils per dwelling from your authority's pupil yield data)".into(),
            )
        })?;
        let mut completions = Vec::new();
        for (k, s) in plan.housing.iter().enumerate() {
            let at = match (s.easting, s.northing) {
                (Some(x), Some(y)) => Some(geo::Coord { x, y }),
                _ => None,
            };
            if at.is_none() && s.area.is_none() {
                return Err(bad(
                    format!("housing {}", k + 1),
                    format!("site {:?} needs an area code or easting and northing", s.site),
                ));
            }
            for &(year, dwellings) in &s.completions {
                completions.push(Completion {
                    site: s.site.clone(),
                    year,
                    dwellings,
                    area: s.area.clone(),
                    at,
                    kind: s.kind.clone(),
                });
            }
        }
        let notes = self.add_housing(base, &completions, &yields);
        self.notes.extend(notes.into_iter().map(|n| n.unwrap_or_else(|e| e)));
        Ok(())
    }

    /// Closed schools' pupils move to the other schools of their planning area.
    fn close(&mut self, base: &Base, plan: &Plan) {
        let mut closes = plan.close.clone();
        closes.sort_by_key(|c| c.from);
        for c in &closes {
            let Some(si) = self.schools.iter().position(|s| s.urn.0 == c.urn && s.closes.is_some()) else {
                continue;
            };
            for phase in Phase::ALL {
                if !self.schools[si].in_totals(phase) {
                    continue;
                }
                let area: Vec<usize> = self
                    .planning_members(base, phase)
                    .and_then(|(_, m)| m.into_iter().find(|m| m.contains(&si)))
                    .unwrap_or_default();
                let mut dropped = false;
                let years: Vec<i32> = self.years(phase).iter().copied().filter(|&y| y >= c.from).collect();
                for y in years {
                    let urn = self.schools[si].urn;
                    let Some(moving) = self.pupils.get(&(urn, phase, y)).cloned() else {
                        continue;
                    };
                    // Year by year: the schools of the area that have places that year (one the
                    // plan closes later takes pupils until it closes, then passes them on).
                    let others: Vec<usize> = area
                        .iter()
                        .copied()
                        .filter(|&o| o != si && self.schools[o].places_in(phase, y).is_some_and(|p| p > 0.0))
                        .collect();
                    dropped |= others.is_empty() && moving.central > 0.0;
                    let weights: Vec<f64> = others.iter().map(|&o| self.of(o, phase, y).map_or(0.0, |v| v.central)).collect();
                    let wsum: f64 = weights.iter().sum();
                    for (&o, w) in others.iter().zip(&weights) {
                        let share = if wsum > 0.0 { w / wsum } else { 1.0 / others.len() as f64 };
                        let key = (self.schools[o].urn, phase, y);
                        if let Some(v) = self.pupils.get_mut(&key) {
                            v.central += moving.central * share;
                            v.low += moving.low * share;
                            v.high += moving.high * share;
                            v.moved += moving.central * share;
                            v.housing += moving.housing * share;
                            match (&mut v.ncy, &moving.ncy) {
                                (Some(row), Some(m)) => {
                                    for (g, x) in row.iter_mut().zip(m) {
                                        *g += x * share;
                                    }
                                }
                                // The closing school has no year groups: spread its pupils over the
                                // receiver's, so that they still sum to its total.
                                (Some(row), None) => spread(row, moving.central * share, phase),
                                _ => {}
                            }
                        }
                    }
                    if let Some(v) = self.pupils.get_mut(&(urn, phase, y)) {
                        v.moved -= v.central;
                        v.central = 0.0;
                        v.low = 0.0;
                        v.high = 0.0;
                        v.housing = 0.0;
                        v.ncy = v.ncy.map(|_| [0.0; NCY_COUNT]);
                    }
                }
                if dropped {
                    self.notes.push(format!(
                        "{} ({}): no other school of its planning area has places in some year after it closes; its pupils are dropped from those years' figures",
                        self.schools[si].name,
                        phase.as_str()
                    ));
                }
            }
            self.notes
                .push(format!("{} closes from {}", self.schools[si].name, crate::text::year_label(c.from)));
        }
    }
}

fn is_empty(plan: &Plan) -> bool {
    plan.expand.is_empty() && plan.close.is_empty() && plan.open.is_empty() && plan.housing.is_empty()
}

/// The census-year year groups of a school from its rolls, when they add up to its census figure.
fn census_ncy(base: &Base, urn: u32, phase: Phase, year: i32, now: f64) -> Option<[f64; NCY_COUNT]> {
    let row = base.rolls.get(&urn)?.get(&year)?;
    let (a, b) = phase.year_groups();
    if (total(row, a, b) - now).abs() > 1e-6 {
        return None;
    }
    let mut out = [0.0; NCY_COUNT];
    for g in a.index()..=b.index() {
        out[g] = row[g].unwrap_or(0.0);
    }
    Some(out)
}

/// placeplan's own forecast of a school for a phase and year.
fn own_year(f: &SchoolForecast, phase: Phase, y: i32) -> Option<SchoolYear> {
    let central = phase_total(f, phase, y, Variant::Central)?;
    let (a, b) = phase.year_groups();
    let ncy = f.central.get(&y).map(|row| {
        let mut out = [0.0; NCY_COUNT];
        for g in a.index()..=b.index() {
            out[g] = row[g].unwrap_or(0.0);
        }
        out
    });
    Some(SchoolYear {
        central,
        low: phase_total(f, phase, y, Variant::Low).unwrap_or(central),
        high: phase_total(f, phase, y, Variant::High).unwrap_or(central),
        ncy,
        source: PupilSource::Own,
        housing: 0.0,
        moved: 0.0,
    })
}

fn new_school(urn: u32, o: &crate::scenario::Open, phase: Phase) -> School {
    let (lo, hi) = phase.ages();
    let mut figures = PhaseFigures::default();
    figures.set_places(phase, Some(Figure::exact(o.capacity, FigureSource::Scenario)));
    figures.set_pupils(phase, Some(Figure::exact(0.0, FigureSource::Scenario)));
    School {
        urn: Urn(urn),
        laestab: None,
        name: o.name.clone(),
        open: true,
        phase_of_education: phase.title().into(),
        establishment_type: "Free schools (scenario)".into(),
        low_age: Some(lo),
        high_age: Some(hi),
        capacity: Some(o.capacity),
        pupils: Some(0.0),
        nursery_classes: None,
        sixth_form: None,
        census_year: None,
        previous_laestab: None,
        table_split: None,
        fsm_pct: None,
        ofsted: None,
        location: Some(geo::Coord {
            x: o.easting,
            y: o.northing,
        }),
        lsoa_in_file: None,
        planning_area_primary: None,
        planning_area_secondary: None,
        row: 0,
        capacity_from: Vec::new(),
        opens: Some(o.from),
        closes: None,
        scope: Scope::Mainstream,
        phases: vec![phase],
        figures,
    }
}
