//! The base: every input read, repaired and joined, built once from a manifest and never changed
//! after (shared behind `Arc` by every plan and view).
//!
//! Load steps, in order: read every input (boundaries reprojected to EPSG:27700 and repaired),
//! join capacity tables to schools, join deprivation and population to the LSOA layer, derive
//! missing planning areas, index every layer in an R-tree, place every school in every layer
//! (parallel point-in-polygon), and apportion LSOAs to every coarser layer (parallel overlay).

use crate::ids::{AreaCode, LayerId};
use crate::join::apportion::{Apportionment, apportion};
use crate::join::derive::derive_planning_areas;
use crate::join::index::AreaIndex;
use crate::join::points::{Placement, place_schools};
use crate::manifest::{CapacityKey, Manifest, Settings};
use crate::model::{BoundaryLayer, LayerKind, LsoaRecord, Phase, School, WeightMethod};
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

/// A housing trajectory from the manifest, applied to every plan's projection.
#[derive(Clone, Debug)]
pub struct HousingInput {
    /// The file it came from.
    pub file: String,
    /// Its completions.
    pub completions: Vec<crate::model::Completion>,
}

/// The base: every input, read, repaired and joined — built once by [`Base::load`] and never
/// changed after. Plans ([`crate::projection`]) and views only read it.
#[derive(Clone)]
pub struct Base {
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
    /// Every year of single-year-of-age population in the table: `population_years[year][l]` for
    /// LSOA `l` of the LSOA layer (`None`: not in that year), for projections
    /// ([`crate::forecast::population`]).
    pub population_years: std::collections::BTreeMap<i32, Vec<Option<Vec<f64>>>>,
    /// The authority's people by single year of age in every year known: the sums of
    /// `population_years` and of the manifest's earlier estimates (`[[population.history]]`).
    pub population_sums: std::collections::BTreeMap<i32, Vec<f64>>,
    /// The census-year pupils by stage (reception, key stages), by URN, when the manifest has
    /// the table: the shape of a school's year groups for the projection from population.
    pub stages: crate::readers::pupils_by_stage::StageTable,
    /// The schools register, with each school's census-year figures resolved.
    pub register: Vec<School>,
    /// `placements[layer][school]`.
    pub placements: Vec<Vec<Placement>>,
    /// The R-tree and edge index of each layer ([`Base::index`]): built by a load, which joins
    /// with them, and on first use after a snapshot, which needs them only to locate a plan's
    /// new school or housing, or a postcode.
    indexes: Vec<std::sync::OnceLock<AreaIndex>>,
    /// `apportionments[layer]`, `None` for the LSOA layer itself.
    pub apportionments: Vec<Option<Apportionment>>,
    /// Which weights aggregates use (population falls back to area without points).
    pub weight_method: WeightMethod,
    /// The forecasts table, when the manifest gives one.
    pub forecast_table: Forecasts,
    /// Historic rolls by school × NCY × year.
    pub rolls: crate::readers::rolls::Rolls,
    /// The manifest's housing trajectory.
    pub housing: Option<HousingInput>,
    /// The manifest's births series, when given ([`crate::forecast::population`] takes age 0
    /// from it after the single-year estimates end).
    pub births: Option<readers::births::Births>,
    /// The manifest's admissions allocations: file, year of entry, and the Reception rows.
    pub admissions: Option<(String, i32, Vec<readers::admissions::Allocation>)>,
    /// What the figure rules did to each school: exclusions, estimates, links, gaps (for `check`).
    pub school_notes: Vec<crate::join::figures::SchoolNote>,
    /// Which year each input describes.
    pub vintages: Vec<Vintage>,
    /// Join coverage figures.
    pub joins: Vec<JoinStat>,
    /// Postcodes of the weighting-points file (sorted by key), for search; empty without one.
    pub postcodes: Vec<readers::points::Postcode>,
    /// Everything that went wrong or was repaired.
    pub problems: Vec<Problem>,
    /// The inputs of pupil figures the manifest marks `confidential` (their file names): what is
    /// published is then under disclosure control ([`crate::dataset::Dataset::disclosed`]).
    pub confidential: Vec<String>,
    /// The other inputs it marks `confidential` (deprivation, planning-area names): disclosure
    /// control of pupil counts does not cover them, so nothing made from them is published.
    pub confidential_other: Vec<String>,
}

/// The authority's single ages by year: every LSOA year summed, and each earlier estimate of the
/// manifest (a year the LSOA table has wins).
fn population_sums(
    m: &Manifest,
    src: &FileSource,
    years: &std::collections::BTreeMap<i32, Vec<Option<Vec<f64>>>>,
    problems: &mut Vec<Problem>,
) -> std::collections::BTreeMap<i32, Vec<f64>> {
    let mut out: std::collections::BTreeMap<i32, Vec<f64>> = years
        .iter()
        .map(|(&y, lsoas)| {
            let mut s = vec![0.0; 91];
            for p in lsoas.iter().flatten() {
                s.iter_mut().zip(p).for_each(|(o, v)| *o += v);
            }
            (y, s)
        })
        .collect();
    for h in m.population.iter().flat_map(|p| &p.history) {
        if let Some(s) = readers::population::read_sums(h, src, problems) {
            out.entry(h.year).or_insert(s);
        }
    }
    out
}

/// The file names of the inputs the manifest marks `confidential`: those of pupil figures (rolls,
/// pupils by stage, forecasts, housing), then the others.
fn confidential_inputs(m: &Manifest, src: &FileSource) -> (Vec<String>, Vec<String>) {
    let pupils = m.forecasts.iter().chain(m.rolls.iter()).chain(m.housing.iter());
    let mut counts: Vec<String> = pupils.filter(|t| t.confidential).map(|t| src.display(&t.path)).collect();
    counts.extend(m.pupils_by_stage.iter().filter(|t| t.confidential).map(|t| src.display(&t.path)));
    let other = m.deprivation.iter().chain(m.planning_area_names.iter());
    (counts, other.filter(|t| t.confidential).map(|t| src.display(&t.path)).collect())
}

/// The LSOA tables, read beside the boundaries, with their problems: the deprivation and
/// population files' and the weighting points'.
struct LsoaTables {
    dep: HashMap<AreaCode, LsoaRecord>,
    population: readers::population::Population,
    points: Vec<geo::Coord>,
    postcodes: Vec<readers::points::Postcode>,
    table_problems: Vec<Problem>,
    points_problems: Vec<Problem>,
}

fn read_lsoa_tables(manifest: &Manifest, src: &FileSource) -> LsoaTables {
    let (mut table_problems, mut points_problems) = (Vec::new(), Vec::new());
    let mut dep: HashMap<AreaCode, LsoaRecord> = HashMap::new();
    for d in &manifest.deprivation {
        readers::deprivation::read_into(d, src, &mut dep, &mut table_problems);
    }
    let population = manifest
        .population
        .as_ref()
        .map(|p| readers::population::read(p, src, &mut table_problems))
        .unwrap_or_default();
    let (points, postcodes) = manifest
        .weighting_points
        .as_ref()
        .map(|p| readers::points::read(p, src, &mut points_problems))
        .unwrap_or_default();
    LsoaTables {
        dep,
        population,
        points,
        postcodes,
        table_problems,
        points_problems,
    }
}

impl Base {
    /// The index of layer `li`'s areas, built on first use.
    ///
    /// # Panics
    /// When `li` is not a layer of the base.
    #[must_use]
    pub fn index(&self, li: usize) -> &AreaIndex {
        self.indexes[li].get_or_init(|| AreaIndex::new(&self.layers[li]))
    }

    /// Loads and joins everything the manifest names. Problems are collected, not returned as
    /// errors: a missing or unreadable input is a fatal problem and the rest still loads.
    /// `progress` is told each step's name.
    #[must_use]
    pub fn load(manifest: &Manifest, src: &FileSource, progress: &(dyn Fn(&str) + Sync)) -> Self {
        let mut problems = listed_twice(manifest, src);
        let settings = manifest.settings.clone();

        // The tables read one by one on one core, beside the boundary layers (read beside each
        // other, each in parallel): every problem joins the list where a reading one after
        // another would have found it.
        progress("reading boundaries, deprivation, population and weighting points");
        let ((mut layers, layer_problems), tables) = rayon::join(
            || {
                let read: Vec<(Option<BoundaryLayer>, Vec<Problem>)> = manifest
                    .boundaries
                    .par_iter()
                    .map(|b| {
                        let mut found = Vec::new();
                        (readers::boundaries::read(b, src, &mut found), found)
                    })
                    .collect();
                let mut found = Vec::new();
                let mut layers = Vec::with_capacity(read.len());
                for (layer, mut p) in read {
                    found.append(&mut p);
                    layers.extend(layer);
                }
                (layers, found)
            },
            || read_lsoa_tables(manifest, src),
        );
        problems.extend(layer_problems);
        let LsoaTables {
            dep,
            population,
            points,
            postcodes,
            table_problems,
            points_problems,
        } = tables;
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
                if r.primary_capacity.is_some() || r.secondary_capacity.is_some() {
                    s.table_split = Some(crate::model::TableSplit {
                        primary: r.primary_capacity,
                        secondary: r.secondary_capacity,
                        file: src.display(&cap.path),
                        year: cap.year,
                    });
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

        progress("reading rolls and pupils by stage");
        let rolls = manifest
            .rolls
            .as_ref()
            .map(|r| readers::rolls::read(r, src, &mut problems))
            .unwrap_or_default();
        let stages = manifest
            .pupils_by_stage
            .as_ref()
            .map(|t| (readers::pupils_by_stage::read(t, src, &mut problems), src.display(&t.path)));
        let census_year = census_year(manifest, &schools, &rolls, &mut problems);
        let school_notes = crate::join::figures::resolve(
            &mut schools,
            &crate::join::figures::FigureInputs {
                rule: &manifest.counting,
                rolls: &rolls,
                stages: stages.as_ref().map(|(t, f)| (t, f.clone())),
                census_year,
                register: manifest.schools.as_ref().map_or_else(String::new, |s| src.display(&s.path)),
                sixth_form_split: settings.sixth_form_split,
            },
            &mut problems,
        );
        if manifest.schools.is_some() && schools.iter().any(|s| s.establishment_type.is_empty()) {
            problems.push(Problem::new(
                Severity::Warning,
                manifest.schools.as_ref().map_or_else(String::new, |s| src.display(&s.path)),
                "TypeOfEstablishment (name)",
                "type",
                "some schools have no establishment type; they are counted as state-funded mainstream",
            ));
        }

        progress("joining deprivation and population");
        problems.extend(table_problems);
        let (population_year, pop) = (population.year, &population.areas);
        let mut lsoas = Vec::new();
        let population_years = lsoa_layer
            .map(|li| {
                population
                    .years
                    .iter()
                    .map(|(&y, by)| (y, layers[li].areas.iter().map(|a| by.get(&a.code).cloned()).collect()))
                    .collect()
            })
            .unwrap_or_default();
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
            if let Some(p) = mixed_authorities(&layer.source, &lsoas) {
                problems.push(p);
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
            for phase in [Phase::Primary, Phase::Secondary] {
                let has = layers.iter().any(|l| l.kind == LayerKind::PlanningArea && l.serves(phase));
                let wards = layers.iter().find(|l| l.kind == LayerKind::Ward);
                if !has && let Some(d) = derive_planning_areas(&layers[li], &schools, phase, wards) {
                    layers.push(d);
                }
            }
        }
        if let Some(input) = &manifest.planning_area_names {
            let names = crate::readers::names::read(input, src, &mut problems);
            let file = src.display(&input.path);
            for l in layers.iter_mut().filter(|l| l.kind == LayerKind::PlanningArea) {
                let mut named = 0;
                for a in &mut l.areas {
                    let blank = a.name.trim().is_empty() || a.name.trim() == a.code.as_str();
                    if let Some(n) = names.get(a.code.as_str())
                        && (l.derived.is_some() || blank)
                    {
                        a.name.clone_from(n);
                        named += 1;
                    }
                }
                let unnamed = l.areas.len() - named;
                if !names.is_empty() && unnamed > 0 && l.derived.is_some() {
                    problems.push(Problem::new(
                        Severity::Warning,
                        file.clone(),
                        l.id.as_str(),
                        "code",
                        format!(
                            "{unnamed} of {} {} have no name in this file; they keep the names of their wards",
                            l.areas.len(),
                            l.title
                        ),
                    ));
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

        problems.extend(points_problems);
        progress("locating weighting points");
        let lsoa_points: Vec<Vec<geo::Coord>> = match lsoa_layer {
            Some(li) if !points.is_empty() => {
                let located = indexes[li].within_all(&points);
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
        progress("apportioning LSOAs");
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
        if let Some(li) = lsoa_layer
            && !manifest.without_centroids
        {
            lsoas.par_iter_mut().enumerate().for_each(|(i, rec)| {
                let pts = lsoa_points.get(i).map_or(&[][..], Vec::as_slice);
                rec.centroid_points = pts.len();
                rec.centroid = if pts.is_empty() {
                    layers[li].areas.get(i).and_then(|a| crate::geometry::interior_point(&a.geometry))
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

        progress("reading forecasts and housing");
        let forecast_table = manifest
            .forecasts
            .as_ref()
            .map(|f| readers::forecasts::read(f, src, &mut problems))
            .unwrap_or_default();
        let admissions = manifest
            .admissions
            .as_ref()
            .map(|a| (src.display(&a.path), a.year, readers::admissions::read(a, src, &mut problems)));
        let births = manifest.births.as_ref().and_then(|b| readers::births::read(b, src, &mut problems));
        let housing = manifest.housing.as_ref().map(|h| HousingInput {
            file: src.display(&h.path),
            completions: readers::housing::read(h, src, &mut problems),
        });
        if let Some(h) = &housing
            && settings.yields.is_none()
        {
            problems.push(Problem::new(
                Severity::Error,
                h.file.clone(),
                "",
                "yields",
                "housing given without [settings.yields] (pupils per dwelling by phase); DfE publishes no national figure, so set your authority's; left out",
            ));
        }
        progress("done");
        let mut base = Self {
            name: manifest.name.clone(),
            synthetic: manifest.synthetic,
            census_year,
            settings,
            layers,
            lsoa_layer,
            lsoas,
            population_year,
            population_sums: population_sums(manifest, src, &population_years, &mut problems),
            population_years,
            register: schools,
            stages: stages.map(|(t, _)| t).unwrap_or_default(),
            placements,
            indexes: indexes.into_iter().map(std::sync::OnceLock::from).collect(),
            apportionments,
            weight_method,
            forecast_table,
            rolls,
            housing,
            admissions,
            births,
            school_notes,
            vintages: Vec::new(),
            joins,
            postcodes,
            problems,
            confidential: Vec::new(),
            confidential_other: Vec::new(),
        };
        (base.confidential, base.confidential_other) = confidential_inputs(manifest, src);
        if let Some(b) = &base.births
            && !base.population_sums.keys().any(|y| b.mid_year.contains_key(y))
        {
            let years = base
                .population_sums
                .keys()
                .map(|y| format!("mid-{y}"))
                .collect::<Vec<_>>()
                .join(", ");
            base.problems.push(Problem::new(
                Severity::Warning,
                b.file.clone(),
                "file",
                "year",
                format!(
                    "no year of births matches a population estimate ({}); age 0 is scaled to births only where both are known, so births are not used",
                    if years.is_empty() { "none".to_owned() } else { years }
                ),
            ));
        }
        if let (Some(b), Some(&last)) = (&base.births, base.population_sums.keys().next_back())
            && base.population_sums.keys().any(|y| b.mid_year.contains_key(y))
            && b.mid_year.range(last + 1..).next().is_none()
        {
            base.problems.push(Problem::new(
                Severity::Warning,
                b.file.clone(),
                "file",
                "year",
                format!("no births after mid-{last}, the last population estimate: births are not used (age 0 follows its trend)"),
            ));
        }
        base.vintages = vintages(&base, manifest, src);
        // A synthetic dataset has no real vintages to compare.
        let mut late = Vec::new();
        for v in base.vintages.iter().filter(|_| !base.synthetic) {
            if let Some(y) = v.year
                && (y - base.census_year).abs() > 2
            {
                late.push(Problem::new(
                    Severity::Warning,
                    v.file.clone(),
                    "",
                    "vintage",
                    format!(
                        "{} describes {}, more than two years from the census year {}",
                        v.input,
                        v.describes,
                        crate::text::year_label(base.census_year)
                    ),
                ));
            }
        }
        base.problems.extend(late);
        base.problems = crate::problem::cap(std::mem::take(&mut base.problems));
        base
    }

    /// The first planning-area layer that serves `phase` (a layer without a phase serves both).
    #[must_use]
    pub fn planning_area_layer(&self, phase: Phase) -> Option<usize> {
        self.layers
            .iter()
            .position(|l| l.kind == LayerKind::PlanningArea && l.serves(phase))
    }

    /// The layer with id `id`.
    #[must_use]
    pub fn layer(&self, id: &LayerId) -> Option<(usize, &BoundaryLayer)> {
        self.layers.iter().enumerate().find(|(_, l)| &l.id == id)
    }
}

crate::record!(JoinStat {
    from,
    to,
    matched,
    total,
    snapped
});
crate::record!(HousingInput { file, completions });
crate::record!(Vintage {
    input,
    file,
    year,
    describes,
    schools
});

impl Base {
    /// Writes the base for the snapshot cache (`crate::snapshot`): every field but the
    /// settings, which come from the manifest the snapshot is keyed on, and the R-trees, which
    /// are rebuilt on reading. Every field is named, so one added to `Base` must be added here.
    pub fn encode(&self, out: &mut Vec<u8>) {
        use crate::codec::Codec as _;
        let Self {
            name,
            synthetic,
            census_year,
            settings: _,
            layers,
            lsoa_layer,
            lsoas,
            population_year,
            population_years,
            population_sums,
            stages,
            register,
            placements,
            indexes: _,
            apportionments,
            weight_method,
            forecast_table,
            rolls,
            housing,
            births,
            admissions,
            school_notes,
            vintages,
            joins,
            postcodes,
            problems,
            confidential,
            confidential_other,
        } = self;
        name.encode(out);
        synthetic.encode(out);
        census_year.encode(out);
        // The layers (most of the bytes: every boundary) as one block of known length, so a read
        // decodes them beside the rest: the length (8 bytes) is filled in once they are written.
        let at = out.len();
        0u64.encode(out);
        layers.encode(out);
        let len = (out.len() - at - 8) as u64;
        out[at..at + 8].copy_from_slice(&len.to_le_bytes());
        lsoa_layer.encode(out);
        lsoas.encode(out);
        population_year.encode(out);
        population_years.encode(out);
        population_sums.encode(out);
        stages.encode(out);
        register.encode(out);
        placements.encode(out);
        apportionments.encode(out);
        weight_method.encode(out);
        forecast_table.encode(out);
        rolls.encode(out);
        housing.encode(out);
        births.encode(out);
        admissions.encode(out);
        school_notes.encode(out);
        vintages.encode(out);
        joins.encode(out);
        postcodes.encode(out);
        problems.encode(out);
        confidential.encode(out);
        confidential_other.encode(out);
    }

    /// Reads a base that [`Base::encode`] wrote, with the manifest's `settings`, and rebuilds
    /// each layer's R-tree.
    ///
    /// # Errors
    /// [`crate::codec::DecodeError`] when the bytes are not such a base.
    pub fn decode(r: &mut crate::codec::Reader<'_>, settings: Settings) -> Result<Self, crate::codec::DecodeError> {
        use crate::codec::Codec;
        let name = Codec::decode(r)?;
        let synthetic = Codec::decode(r)?;
        let census_year = Codec::decode(r)?;
        let len = r.len(1)?;
        let block = r.take(len)?;
        // The layers' block and the rest side by side; the rest builds the base without its layers.
        let (layers, rest) = rayon::join(
            || -> Result<Vec<BoundaryLayer>, crate::codec::DecodeError> {
                let mut b = crate::codec::Reader::new(block);
                let layers = Codec::decode(&mut b)?;
                if b.remaining() != 0 {
                    return Err(crate::codec::DecodeError::Invalid("layers block"));
                }
                Ok(layers)
            },
            || Self::decode_rest(r, name, synthetic, census_year, settings),
        );
        let (layers, mut base) = (layers?, rest?);
        if base.placements.len() != layers.len() || base.apportionments.len() != layers.len() {
            return Err(crate::codec::DecodeError::Invalid("layer count"));
        }
        base.indexes = layers.iter().map(|_| std::sync::OnceLock::new()).collect();
        base.layers = layers;
        Ok(base)
    }

    /// What follows the layers in [`Base::encode`]'s bytes: a base with no layers yet.
    fn decode_rest(
        r: &mut crate::codec::Reader<'_>,
        name: String,
        synthetic: bool,
        census_year: i32,
        settings: Settings,
    ) -> Result<Self, crate::codec::DecodeError> {
        use crate::codec::Codec;
        let lsoa_layer = Codec::decode(r)?;
        let lsoas = Codec::decode(r)?;
        let population_year = Codec::decode(r)?;
        let population_years = Codec::decode(r)?;
        let population_sums = Codec::decode(r)?;
        let stages = Codec::decode(r)?;
        let register = Codec::decode(r)?;
        let placements: Vec<Vec<Placement>> = Codec::decode(r)?;
        let apportionments: Vec<Option<Apportionment>> = Codec::decode(r)?;
        let weight_method = Codec::decode(r)?;
        let forecast_table = Codec::decode(r)?;
        let rolls = Codec::decode(r)?;
        let housing = Codec::decode(r)?;
        let births = Codec::decode(r)?;
        let admissions = Codec::decode(r)?;
        let school_notes = Codec::decode(r)?;
        let vintages = Codec::decode(r)?;
        let joins = Codec::decode(r)?;
        let postcodes = Codec::decode(r)?;
        let problems = Codec::decode(r)?;
        let confidential = Codec::decode(r)?;
        let confidential_other = Codec::decode(r)?;
        let layers = Vec::new();
        let indexes = Vec::new();
        Ok(Self {
            name,
            synthetic,
            census_year,
            settings,
            layers,
            lsoa_layer,
            lsoas,
            population_year,
            population_years,
            population_sums,
            stages,
            register,
            placements,
            indexes,
            apportionments,
            weight_method,
            forecast_table,
            rolls,
            housing,
            births,
            admissions,
            school_notes,
            vintages,
            joins,
            postcodes,
            problems,
            confidential,
            confidential_other,
        })
    }
}

/// Which year one input describes.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Vintage {
    /// What the input is ("school census pupils", "capacity", "deprivation", "population").
    pub input: String,
    /// The file it came from.
    pub file: String,
    /// The academic or calendar year it describes, as a start year.
    pub year: Option<i32>,
    /// That year in words: "2022/23 (January 2023 census)", "mid-2020".
    pub describes: String,
    /// How many schools' figures it supplies, for school inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schools: Option<usize>,
}

/// The most common census year of the open schools in the register.
fn register_census_year(schools: &[School]) -> Option<(i32, usize, usize)> {
    let mut counts: std::collections::BTreeMap<i32, usize> = std::collections::BTreeMap::new();
    let open = schools.iter().filter(|s| s.open).count();
    for y in schools.iter().filter(|s| s.open).filter_map(|s| s.census_year) {
        *counts.entry(y).or_default() += 1;
    }
    counts.into_iter().max_by_key(|&(y, n)| (n, y)).map(|(y, n)| (y, n, open))
}

/// The census year: the manifest's, else the pupils-by-stage table's, else the rolls' latest,
/// else the register's `CensusDate`. A manifest year that disagrees with the input that supplies
/// the census pupils is a warning.
/// A warning for each file the manifest names more than once (its rows would count twice, or
/// one layer would shadow another).
fn listed_twice(manifest: &Manifest, src: &FileSource) -> Vec<Problem> {
    let mut paths: Vec<(&str, &str)> = Vec::new();
    paths.extend(manifest.boundaries.iter().map(|b| ("boundaries", b.path.as_str())));
    paths.extend(manifest.deprivation.iter().map(|d| ("deprivation", d.path.as_str())));
    paths.extend(manifest.capacity.iter().map(|c| ("capacity", c.path.as_str())));
    paths.extend(manifest.schools.iter().map(|s| ("schools", s.path.as_str())));
    paths.extend(manifest.population.iter().map(|p| ("population", p.path.as_str())));
    paths.extend(manifest.weighting_points.iter().map(|p| ("weighting_points", p.path.as_str())));
    paths.extend(manifest.forecasts.iter().map(|p| ("forecasts", p.path.as_str())));
    paths.extend(manifest.rolls.iter().map(|p| ("rolls", p.path.as_str())));
    paths.extend(manifest.pupils_by_stage.iter().map(|p| ("pupils_by_stage", p.path.as_str())));
    paths.extend(manifest.housing.iter().map(|p| ("housing", p.path.as_str())));
    paths.extend(manifest.admissions.iter().map(|p| ("admissions", p.path.as_str())));
    paths.extend(manifest.births.iter().map(|p| ("births", p.path.as_str())));
    let norm = |p: &str| p.trim().trim_start_matches("./").replace('\\', "/");
    let mut out = Vec::new();
    for (i, (what, path)) in paths.iter().enumerate() {
        if let Some((first, _)) = paths[..i].iter().find(|(_, p)| norm(p) == norm(path)) {
            out.push(Problem::new(
                Severity::Warning,
                src.display(path),
                "file",
                "path",
                format!("listed twice in the manifest ([{first}] and [{what}]); it is read each time, so check this is meant"),
            ));
        }
    }
    out
}

/// A warning when the LSOA layer's areas belong to more than one local authority district
/// (by the IoD 2019 district codes): placeplan's totals are for one authority.
fn mixed_authorities(file: &str, lsoas: &[LsoaRecord]) -> Option<Problem> {
    let mut by_lad: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for r in lsoas {
        if let Some(l) = r.lad.as_deref() {
            *by_lad.entry(l).or_default() += 1;
        }
    }
    if by_lad.len() < 2 {
        return None;
    }
    let mut counts: Vec<(&str, usize)> = by_lad.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let listed: Vec<String> = counts.iter().take(5).map(|(l, n)| format!("{l}: {n}")).collect();
    Some(Problem::new(
        Severity::Warning,
        file,
        "file",
        "LAD code",
        format!(
            "the LSOAs belong to {} local authorities by IoD 2019's district codes ({}{}); the authority totals add them together — is this layer cut to one authority?",
            counts.len(),
            listed.join(", "),
            if counts.len() > 5 { ", …" } else { "" }
        ),
    ))
}

fn census_year(manifest: &Manifest, schools: &[School], rolls: &crate::readers::rolls::Rolls, problems: &mut Vec<Problem>) -> i32 {
    let register = register_census_year(schools);
    let stage = manifest.pupils_by_stage.as_ref().and_then(|t| t.year);
    let roll = rolls.values().filter_map(|h| h.keys().next_back().copied()).max();
    // The input that supplies most census pupils: rolls, then the stage table, then the register.
    let (evidence, what) = if let Some(y) = roll {
        (Some(y), "the latest roll year".to_owned())
    } else if manifest.pupils_by_stage.is_some() {
        (stage, "the pupils-by-stage table's year".to_owned())
    } else if let Some((y, n, open)) = register {
        (Some(y), format!("GIAS CensusDate ({n} of {open} open schools)"))
    } else {
        (None, String::new())
    };
    let file = manifest.schools.as_ref().map_or_else(|| "manifest".to_owned(), |s| s.path.clone());
    match (manifest.census_year, evidence) {
        (Some(m), Some(e)) if m != e => {
            problems.push(Problem::new(
                Severity::Warning,
                "manifest",
                "census_year",
                "census_year",
                format!(
                    "census_year is {} but {what} says {}; figures are labelled {}",
                    crate::text::year_label(m),
                    crate::text::year_label(e),
                    crate::text::year_label(m)
                ),
            ));
            m
        }
        (Some(m), _) => m,
        (None, Some(e)) => e,
        (None, None) if schools.is_empty() && manifest.forecasts.is_none() => 2022,
        (None, None) => {
            let y = 2022;
            problems.push(Problem::new(
                Severity::Warning,
                file,
                "CensusDate",
                "census_year",
                format!(
                    "no census year in the manifest or the inputs; assumed {}",
                    crate::text::year_label(y)
                ),
            ));
            y
        }
    }
}

fn census_words(y: i32) -> String {
    format!("{} (January {} census)", crate::text::year_label(y), y + 1)
}

/// Which year each input describes: school census pupils (by source), capacity, deprivation, population.
fn vintages(ds: &Base, manifest: &Manifest, src: &FileSource) -> Vec<Vintage> {
    use crate::model::FigureSource;
    let mut out = Vec::new();
    let count = |pupils: bool, source: FigureSource| {
        ds.register
            .iter()
            .filter(|s| s.open)
            .filter(|s| {
                Phase::ALL.iter().any(|&p| {
                    let f = if pupils { s.figures.pupils(p) } else { s.figures.places(p) };
                    f.is_some_and(|f| f.source == source)
                })
            })
            .count()
    };
    let register = manifest.schools.as_ref().map_or_else(String::new, |s| src.display(&s.path));
    let reg_year = register_census_year(&ds.register).map(|x| x.0);
    if let Some(r) = &manifest.rolls {
        let y = ds.rolls.values().filter_map(|h| h.keys().next_back().copied()).max();
        out.push(Vintage {
            input: "school census pupils (rolls by year group)".into(),
            file: src.display(&r.path),
            year: y,
            describes: y.map_or_else(|| "no year".into(), census_words),
            schools: Some(count(true, FigureSource::Rolls)),
        });
    }
    if let Some(t) = &manifest.pupils_by_stage {
        let y = t.year.unwrap_or(ds.census_year);
        out.push(Vintage {
            input: "school census pupils by stage".into(),
            file: src.display(&t.path),
            year: Some(y),
            describes: census_words(y),
            schools: Some(count(true, FigureSource::PupilsByStage)),
        });
    }
    let n = count(true, FigureSource::Register);
    if n > 0 {
        out.push(Vintage {
            input: "register headcount (NumberOfPupils)".into(),
            file: register.clone(),
            year: reg_year,
            describes: reg_year.map_or_else(|| "no CensusDate".into(), census_words),
            schools: Some(n),
        });
    }
    let n = count(false, FigureSource::Register);
    if n > 0 {
        out.push(Vintage {
            input: "capacity (SchoolCapacity)".into(),
            file: register,
            year: reg_year,
            describes: reg_year.map_or_else(
                || "as the register was downloaded".into(),
                |y| format!("as at the {} census", crate::text::year_label(y)),
            ),
            schools: Some(n),
        });
    }
    for c in &manifest.capacity {
        let file = src.display(&c.path);
        let n = ds
            .register
            .iter()
            .filter(|s| s.open && s.table_split.as_ref().is_some_and(|t| t.file == file))
            .count();
        if n > 0 || c.use_for_capacity {
            out.push(Vintage {
                input: "capacity table (primary / secondary split)".into(),
                file,
                year: c.year,
                describes: c
                    .year
                    .map_or_else(|| "year not given (set year = in the manifest)".into(), crate::text::year_label),
                schools: Some(n),
            });
        }
    }
    if let Some(d) = manifest.deprivation.first() {
        let iod2019 = d.path.contains("2019");
        out.push(Vintage {
            input: if iod2019 {
                "deprivation (English Indices of Deprivation 2019)".into()
            } else {
                "deprivation".into()
            },
            file: src.display(&d.path),
            year: iod2019.then_some(2015),
            describes: if iod2019 {
                "2015/16 for most indicators (IoD 2019)".into()
            } else {
                "not stated".into()
            },
            schools: None,
        });
    }
    if let Some(b) = &ds.births {
        let (first, last) = (b.mid_year.keys().next().copied(), b.mid_year.keys().next_back().copied());
        out.push(Vintage {
            input: "live births".into(),
            file: b.file.clone(),
            year: last,
            describes: match (first, last) {
                (Some(f), Some(l)) => format!("the twelve months to mid-{f} … mid-{l}"),
                _ => "no year".into(),
            },
            schools: None,
        });
    }
    if let Some(p) = &manifest.population {
        out.push(Vintage {
            input: "population by single year of age".into(),
            file: src.display(&p.path),
            year: ds.population_year,
            describes: ds
                .population_year
                .map_or_else(|| "mid-2015 (IoD 2019 File 6 denominators)".into(), |y| format!("mid-{y}")),
            schools: None,
        });
    }
    out
}
