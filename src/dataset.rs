//! The loaded, joined dataset: built once from a manifest, then frozen and shared behind `Arc`.
//!
//! Load steps, in order: read every input (boundaries reprojected to EPSG:27700 and repaired),
//! join capacity tables to schools, join deprivation and population to the LSOA layer, derive
//! missing planning areas, index every layer in an R-tree, place every school in every layer
//! (parallel point-in-polygon), and apportion LSOAs to every coarser layer (parallel overlay).

use crate::ids::{AreaCode, LayerId};
use crate::join::apportion::{Apportionment, WeightMethod, apportion};
use crate::join::derive::derive_planning_areas;
use crate::join::index::AreaIndex;
use crate::join::points::{Placement, place_schools};
use crate::manifest::{CapacityKey, Manifest, Settings};
use crate::model::{BoundaryLayer, LayerKind, LsoaRecord, Phase, School};
use crate::problem::{Problem, Severity};
use crate::readers;
use crate::readers::forecasts::Forecasts;
use crate::source::FileSource;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

/// A join's coverage: how many of `total` items of `from` matched something in `to`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct JoinStat {
    /// What was joined.
    pub from: String,
    /// What it was joined to.
    pub to: String,
    /// How many matched.
    pub matched: usize,
    /// Out of how many.
    pub total: usize,
    /// Of the matched, how many only by snapping to the nearest area (schools near generalised edges).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapped: Option<usize>,
}

/// The frozen dataset (cloned only to apply a scenario).
#[derive(Clone)]
pub struct Dataset {
    /// Dataset name from the manifest.
    pub name: String,
    /// True for generated demo data.
    pub synthetic: bool,
    /// Academic year of the rolls (start year).
    pub census_year: i32,
    /// Settings from the manifest.
    pub settings: Settings,
    /// Every boundary layer, read and derived.
    pub layers: Vec<BoundaryLayer>,
    /// Index of the LSOA layer in `layers`.
    pub lsoa_layer: Option<usize>,
    /// Deprivation and population per LSOA, aligned with the LSOA layer's areas.
    pub lsoas: Vec<LsoaRecord>,
    /// Year of the population table used, if it had one.
    pub population_year: Option<i32>,
    /// The schools register.
    pub schools: Vec<School>,
    /// `placements[layer][school]`.
    pub placements: Vec<Vec<Placement>>,
    /// `apportionments[layer]`, `None` for the LSOA layer itself.
    pub apportionments: Vec<Option<Apportionment>>,
    /// Which weights aggregates use (population falls back to area without points).
    pub weight_method: WeightMethod,
    /// Pupil forecasts: the forecasts table, then placeplan's own cohort-survival forecasts for
    /// school × phase × year the table does not cover.
    pub forecasts: Forecasts,
    /// Historic rolls by school × NCY × year.
    pub rolls: crate::readers::rolls::Rolls,
    /// placeplan's cohort-survival forecasts, when rolls were given.
    pub cohort: Option<crate::forecast::schools::CohortForecasts>,
    /// Pupils added from the housing trajectory, in words.
    pub housing_notes: Vec<String>,
    /// Back-test of placeplan's own forecasts (the last 3 census years held out, or fewer when
    /// the history is short), when there are rolls.
    pub accuracy: Option<crate::forecast::backtest::Backtest>,
    /// Join coverage figures.
    pub joins: Vec<JoinStat>,
    /// Everything that went wrong or was repaired.
    pub problems: Vec<Problem>,
}

impl Dataset {
    /// Loads and joins everything the manifest names. Problems are collected, not returned as
    /// errors: a missing or unreadable input is a fatal problem and the rest still loads.
    /// `progress` is told each step's name.
    #[must_use]
    pub fn load(manifest: &Manifest, src: &FileSource, progress: &(dyn Fn(&str) + Sync)) -> Self {
        let mut problems = Vec::new();
        let settings = manifest.settings.clone();

        progress("reading boundaries");
        let mut layers: Vec<BoundaryLayer> = manifest
            .boundaries
            .iter()
            .filter_map(|b| readers::boundaries::read(b, src, &mut problems))
            .collect();
        let lsoa_layer = layers.iter().position(|l| l.kind == LayerKind::Lsoa);

        progress("reading schools");
        let mut schools = manifest
            .schools
            .as_ref()
            .map(|s| readers::schools::read(s, src, &mut problems))
            .unwrap_or_default();
        let mut joins = Vec::new();
        for cap in &manifest.capacity {
            let rows = readers::capacity::read(cap, src, &mut problems);
            let mut by_key: HashMap<u32, usize> = HashMap::new();
            for (i, s) in schools.iter().enumerate() {
                let key = match cap.key {
                    CapacityKey::Urn => Some(s.urn.0),
                    CapacityKey::Laestab => s.laestab,
                };
                if let Some(k) = key {
                    // Prefer the open establishment when a LAESTAB was reused after academy conversion.
                    match by_key.get(&k) {
                        Some(&j) if schools[j].open => {}
                        _ => {
                            by_key.insert(k, i);
                        }
                    }
                }
            }
            let mut matched = 0;
            for r in &rows {
                let Some(&i) = by_key.get(&r.key) else {
                    problems.push(Problem::new(
                        Severity::Warning,
                        src.display(&cap.path),
                        format!("row {}", r.line),
                        "key",
                        format!("{} matches no school in the register", r.key),
                    ));
                    continue;
                };
                matched += 1;
                let s = &mut schools[i];
                if r.pa_primary.is_some() {
                    s.planning_area_primary.clone_from(&r.pa_primary);
                }
                if r.pa_secondary.is_some() {
                    s.planning_area_secondary.clone_from(&r.pa_secondary);
                }
                if cap.use_for_capacity {
                    s.capacity = r.capacity.or(s.capacity);
                    s.pupils = r.pupils.or(s.pupils);
                }
            }
            joins.push(JoinStat {
                from: src.display(&cap.path),
                to: "schools".into(),
                matched,
                total: rows.len(),
                snapped: None,
            });
        }

        progress("reading deprivation and population");
        let mut dep: HashMap<AreaCode, LsoaRecord> = HashMap::new();
        for d in &manifest.deprivation {
            readers::deprivation::read_into(d, src, &mut dep, &mut problems);
        }
        let (population_year, pop) = manifest
            .population
            .as_ref()
            .map(|p| readers::population::read(p, src, &mut problems))
            .unwrap_or_default();
        let mut lsoas = Vec::new();
        if let Some(li) = lsoa_layer {
            let layer = &layers[li];
            let (mut dep_hit, mut pop_hit) = (0, 0);
            for a in &layer.areas {
                let mut rec = dep.get(&a.code).cloned().unwrap_or_default();
                if dep.contains_key(&a.code) {
                    dep_hit += 1;
                } else if !manifest.deprivation.is_empty() {
                    problems.push(Problem::new(
                        Severity::Warning,
                        layer.source.clone(),
                        format!("area {}", a.code),
                        "code",
                        "LSOA not found in the deprivation files",
                    ));
                }
                if let Some(p) = pop.get(&a.code) {
                    pop_hit += 1;
                    rec.population = Some(p.total);
                    rec.children_0_15 = Some(p.children_0_15);
                    rec.ages.clone_from(&p.ages);
                } else if manifest.population.is_some() {
                    problems.push(Problem::new(
                        Severity::Warning,
                        layer.source.clone(),
                        format!("area {}", a.code),
                        "code",
                        "LSOA not found in the population table",
                    ));
                }
                lsoas.push(rec);
            }
            if !manifest.deprivation.is_empty() {
                joins.push(JoinStat {
                    from: layer.id.to_string(),
                    to: "deprivation".into(),
                    matched: dep_hit,
                    total: layer.areas.len(),
                    snapped: None,
                });
            }
            if manifest.population.is_some() {
                joins.push(JoinStat {
                    from: layer.id.to_string(),
                    to: "population".into(),
                    matched: pop_hit,
                    total: layer.areas.len(),
                    snapped: None,
                });
            }
        } else if !manifest.deprivation.is_empty() {
            problems.push(Problem::new(
                Severity::Error,
                "manifest",
                "boundaries",
                "kind",
                "deprivation is loaded but no boundary layer has kind = \"lsoa\", so it cannot be mapped",
            ));
        }

        progress("deriving planning areas");
        if let Some(li) = lsoa_layer {
            for phase in Phase::ALL {
                let has = layers
                    .iter()
                    .any(|l| l.kind == LayerKind::PlanningArea && l.phase.is_none_or(|p| p == phase));
                if !has && let Some(d) = derive_planning_areas(&layers[li], &schools, phase) {
                    layers.push(d);
                }
            }
        }

        progress("indexing and joining schools");
        let indexes: Vec<AreaIndex> = layers.par_iter().map(AreaIndex::new).collect();
        let placements: Vec<Vec<Placement>> = layers
            .iter()
            .zip(&indexes)
            .map(|(l, ix)| place_schools(&schools, l, ix, settings.snap_distance_m))
            .collect();
        let schools_file = manifest.schools.as_ref().map_or_else(String::new, |s| src.display(&s.path));
        let open_located = schools.iter().filter(|s| s.open && s.location.is_some()).count();
        for (layer, pl) in layers.iter().zip(&placements) {
            let (mut matched, mut snapped) = (0, 0);
            for (s, p) in schools.iter().zip(pl) {
                if !s.open {
                    continue;
                }
                match p {
                    Placement::Inside(_) => matched += 1,
                    Placement::Snapped(i, d) => {
                        matched += 1;
                        snapped += 1;
                        problems.push(Problem::new(
                            Severity::Warning,
                            schools_file.clone(),
                            format!("school URN {} (row {})", s.urn, s.row),
                            "location",
                            format!(
                                "{} lies {d:.0} m outside every area of {}; assigned to the nearest, {}",
                                s.name, layer.id, layer.areas[*i].name
                            ),
                        ));
                    }
                    Placement::Outside => problems.push(Problem::new(
                        Severity::Warning,
                        schools_file.clone(),
                        format!("school URN {} (row {})", s.urn, s.row),
                        "location",
                        format!(
                            "{} lies outside every area of {} (more than {} m away)",
                            s.name, layer.id, settings.snap_distance_m
                        ),
                    )),
                    Placement::NotLocated => {}
                }
            }
            joins.push(JoinStat {
                from: "open schools".into(),
                to: layer.id.to_string(),
                matched,
                total: open_located,
                snapped: Some(snapped),
            });
        }

        progress("apportioning LSOAs");
        let points = manifest
            .weighting_points
            .as_ref()
            .map(|p| readers::points::read(p, src, &mut problems))
            .unwrap_or_default();
        let lsoa_points: Vec<Vec<geo::Coord>> = match lsoa_layer {
            Some(li) if !points.is_empty() => {
                let located: Vec<Option<usize>> = points
                    .par_iter()
                    .map(|p| indexes[li].locate(&layers[li], *p, 0.0).map(|(i, _)| i))
                    .collect();
                let mut per = vec![Vec::new(); layers[li].areas.len()];
                for (p, l) in points.iter().zip(located) {
                    if let Some(l) = l {
                        per[l].push(*p);
                    }
                }
                per
            }
            _ => Vec::new(),
        };
        let apportionments: Vec<Option<Apportionment>> = match lsoa_layer {
            Some(li) => layers
                .par_iter()
                .enumerate()
                .map(|(i, l)| {
                    if i == li {
                        None
                    } else {
                        Some(apportion(&layers[li], l, &indexes[i], &lsoa_points))
                    }
                })
                .collect(),
            None => vec![None; layers.len()],
        };
        if let Some(li) = lsoa_layer {
            for (layer, ap) in layers.iter().zip(&apportionments) {
                let Some(ap) = ap else { continue };
                let matched = ap.by_lsoa.iter().filter(|v| !v.is_empty()).count();
                joins.push(JoinStat {
                    from: layers[li].id.to_string(),
                    to: layer.id.to_string(),
                    matched,
                    total: layers[li].areas.len(),
                    snapped: None,
                });
                for (l, pieces) in ap.by_lsoa.iter().enumerate() {
                    if pieces.is_empty() && layer.kind != LayerKind::Other {
                        problems.push(Problem::new(
                            Severity::Warning,
                            layer.source.clone(),
                            format!("LSOA {}", layers[li].areas[l].code),
                            "geometry",
                            format!("this LSOA does not overlap any area of {}", layer.id),
                        ));
                    }
                }
            }
        }
        if let Some(li) = lsoa_layer {
            lsoas.par_iter_mut().enumerate().for_each(|(i, rec)| {
                let pts = lsoa_points.get(i).map_or(&[][..], Vec::as_slice);
                rec.centroid_points = pts.len();
                rec.centroid = if pts.is_empty() {
                    layers[li]
                        .areas
                        .get(i)
                        .and_then(|a| geo::InteriorPoint::interior_point(&a.geometry))
                        .map(|p| p.0)
                } else {
                    let n = pts.len() as f64;
                    Some(geo::Coord {
                        x: pts.iter().map(|p| p.x).sum::<f64>() / n,
                        y: pts.iter().map(|p| p.y).sum::<f64>() / n,
                    })
                };
            });
        }
        let weight_method = if settings.apportionment == WeightMethod::Population && lsoa_points.is_empty() {
            WeightMethod::Area
        } else {
            settings.apportionment
        };

        progress("reading forecasts");
        let forecasts = manifest
            .forecasts
            .as_ref()
            .map(|f| readers::forecasts::read(f, src, &mut problems))
            .unwrap_or_default();
        let census_year = manifest.census_year.unwrap_or(2022);
        let mut forecasts = forecasts;
        progress("forecasting from rolls");
        let rolls = manifest
            .rolls
            .as_ref()
            .map(|r| readers::rolls::read(r, src, &mut problems))
            .unwrap_or_default();
        let cohort = own_forecasts(
            &rolls,
            &lsoas,
            population_year.unwrap_or(census_year),
            census_year,
            &settings,
            &mut forecasts,
            &mut problems,
        );
        let housing = manifest
            .housing
            .as_ref()
            .map(|h| (h.path.clone(), readers::housing::read(h, src, &mut problems)));
        progress("done");
        let mut ds = Self {
            name: manifest.name.clone(),
            synthetic: manifest.synthetic,
            census_year,
            settings,
            layers,
            lsoa_layer,
            lsoas,
            population_year,
            schools,
            placements,
            apportionments,
            weight_method,
            forecasts,
            rolls,
            cohort,
            housing_notes: Vec::new(),
            accuracy: None,
            joins,
            problems,
        };
        if let Some((file, completions)) = housing {
            match ds.settings.yields.clone() {
                Some(y) if ds.cohort.is_some() => {
                    // Sites that could not be placed are problems; the pupils added are reported by `check`.
                    for note in crate::scenario::housing::apply(&mut ds, &completions, &y) {
                        if note.contains("left out") || note.starts_with("no ") || note.contains(": no ") {
                            ds.problems.push(Problem::new(Severity::Warning, file.clone(), "", "housing", note));
                        } else {
                            ds.housing_notes.push(note);
                        }
                    }
                }
                Some(_) => ds.problems.push(Problem::new(
                    Severity::Warning,
                    file,
                    "",
                    "housing",
                    "housing pupils are added to placeplan's own forecasts, which need a [rolls] table; left out",
                )),
                None => ds.problems.push(Problem::new(
                    Severity::Error,
                    file,
                    "",
                    "yields",
                    "housing given without [settings.yields] (pupils per dwelling by phase); DfE publishes no national figure, so set your authority's; left out",
                )),
            }
        }
        if ds.cohort.is_some() {
            ds.accuracy = (1..=3).rev().find_map(|k| crate::forecast::backtest::backtest(&ds, k).ok());
        }
        ds
    }

    /// The first planning-area layer that serves `phase` (a layer without a phase serves both).
    #[must_use]
    pub fn planning_area_layer(&self, phase: Phase) -> Option<usize> {
        self.layers
            .iter()
            .position(|l| l.kind == LayerKind::PlanningArea && l.phase.is_none_or(|p| p == phase))
    }

    /// The layer with id `id`.
    #[must_use]
    pub fn layer(&self, id: &LayerId) -> Option<(usize, &BoundaryLayer)> {
        self.layers.iter().enumerate().find(|(_, l)| &l.id == id)
    }

    /// True when any problem is fatal.
    #[must_use]
    pub fn has_fatal(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Fatal)
    }
}

/// Cohort-survival forecasts from the roll history (see [`crate::forecast::schools`]), added to
/// `forecasts` for every school × phase × year the forecasts table does not already give.
fn own_forecasts(
    rolls: &crate::readers::rolls::Rolls,
    lsoas: &[LsoaRecord],
    population_year: i32,
    census_year: i32,
    settings: &Settings,
    forecasts: &mut Forecasts,
    problems: &mut Vec<Problem>,
) -> Option<crate::forecast::schools::CohortForecasts> {
    use crate::forecast::cohort::{Variant, Window};
    use crate::forecast::schools::{forecast_all, phase_total, reception_pool};
    use crate::readers::forecasts::ForecastLevel;
    let upto = rolls.values().filter_map(|h| h.keys().next_back().copied()).max()?;
    if upto != census_year {
        problems.push(Problem::new(
            Severity::Warning,
            "rolls",
            format!("latest year {upto}"),
            "year",
            format!("the latest roll year is {upto} but census_year is {census_year}; forecasts start after {upto}"),
        ));
    }
    let pool = reception_pool(lsoas, population_year);
    if pool.is_empty() {
        problems.push(Problem::new(
            Severity::Warning,
            "rolls",
            "Reception",
            "population",
            "no single-year-of-age population, so Reception intakes are carried forward unchanged",
        ));
    }
    let f = &settings.forecast;
    let w = Window {
        k: f.window.clamp(1, 10),
        weights: f.weights.clone(),
    };
    let cf = forecast_all(rolls, &pool, upto, f.primary_years.max(f.secondary_years), &w);
    for n in &cf.notes {
        problems.push(Problem::new(Severity::Warning, "rolls", "", "urn", n.clone()));
    }
    for s in &cf.schools {
        let Ok(code) = crate::ids::AreaCode::new(&s.urn.to_string()) else {
            continue;
        };
        for (phase, years) in [(Phase::Primary, f.primary_years), (Phase::Secondary, f.secondary_years)] {
            let (a, b) = crate::forecast::schools::phase_span(phase);
            if s.model.last < a || s.model.entry > b {
                continue;
            }
            for h in 1..=years {
                let y = upto + i32::try_from(h).unwrap_or(0);
                if let Some(v) = phase_total(s, phase, y, Variant::Central) {
                    forecasts.entry((ForecastLevel::School, code.clone(), phase, y)).or_insert(v);
                }
            }
        }
    }
    Some(cf)
}
