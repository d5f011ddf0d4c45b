//! The rows of `placeplan summary`: for every area × phase × year, sufficiency from the area's
//! schools and deprivation from its apportioned LSOAs. The authority row (`la`) sums every
//! school but takes its shortfall as the sum of planning-area shortfalls (no netting).

use super::deprivation::{DeprivationSummary, Piece, aggregate};
use super::membership::{no_data_by_area, schools_by_area};
use super::sufficiency::{authority_shortfall, school_flag, sufficiency};
use crate::dataset::Dataset;
use crate::model::{LayerKind, Phase};

pub use crate::results::{LayerRows, SummaryRow};

/// Children of `phase`'s ages living in the pieces `ps` of single-year population, or `None`
/// when the population has no single years of age.
#[must_use]
pub fn resident_children(ds: &Dataset, ps: &[(usize, Piece)], phase: Phase) -> Option<f64> {
    let (a, b) = phase.ages();
    let mut any = false;
    let mut sum = 0.0;
    for (l, p) in ps {
        if let Some(ages) = ds.lsoas.get(*l).and_then(|r| r.ages.as_ref()) {
            any = true;
            sum += p.weight * ages.get(usize::from(a)..usize::from(b)).map_or(0.0, |x| x.iter().sum::<f64>());
        }
    }
    any.then_some(sum)
}

/// Children of `phase`'s ages living in the pieces `ps` in academic `year`: the population
/// estimate for the census year ([`resident_children`]), the projection from population for a
/// later year (and `true`), else `None`.
#[must_use]
pub fn resident_children_in(ds: &Dataset, ps: &[(usize, Piece)], phase: Phase, year: i32) -> (Option<f64>, bool) {
    if year <= ds.census_year {
        return (resident_children(ds, ps, phase), false);
    }
    let Some(pop) = ds.model.population.as_ref().and_then(|p| p.lsoa_years.get(&year)) else {
        return (None, false);
    };
    let (a, b) = phase.ages();
    let sum = ps
        .iter()
        .filter_map(|(l, p)| {
            let ages = pop.get(*l)?.as_ref()?;
            Some(p.weight * ages.get(usize::from(a)..usize::from(b)).map_or(0.0, |x| x.iter().sum::<f64>()))
        })
        .sum();
    (Some(sum), true)
}

/// The academic years with figures for `phase`: the census year, then every forecast year.
#[must_use]
pub fn years(ds: &Dataset, phase: Phase) -> Vec<i32> {
    ds.years(phase).to_vec()
}

/// Central pupils of school `si` in `phase` and `year` from the plan's projection
/// ([`crate::projection`]), and whether a forecast (or the census) supplied it rather than the
/// census figure being carried forward. 0 for a school outside the phase's totals (never a
/// member of a total) and for a year without figures. Under disclosure control the count is the
/// rounded one, and a suppressed count (shown as `c`) is counted as 5 ([`crate::model::disclosure`]).
#[must_use]
pub fn school_pupils(ds: &Dataset, si: usize, phase: Phase, year: i32) -> (f64, bool) {
    ds.pupils(si, phase, year).map_or((0.0, false), |v| (v.central, v.source.found()))
}

/// Places of school `si` in `phase` and academic `year` ([`crate::model::School::places_in`]),
/// 0 when it has none — such a school is never a member of a total.
#[must_use]
pub fn school_places(ds: &Dataset, si: usize, phase: Phase, year: i32) -> f64 {
    ds.schools[si].places_in(phase, year).unwrap_or(0.0)
}

/// The LSOA pieces of area `area` of layer `layer` (all LSOAs with weight 1 when `layer` is `None`).
#[must_use]
pub fn pieces(ds: &Dataset, layer: Option<usize>, area: usize) -> Vec<(usize, Piece)> {
    let make = |l: usize, w: f64| {
        let r = &ds.lsoas[l];
        (
            l,
            Piece {
                weight: w,
                population: w * r.population.unwrap_or(1.0),
                children: w * r.children_0_15.unwrap_or(0.0),
                imd_rank: r.imd_rank,
                imd_score: r.imd_score,
                idaci_rank: r.idaci_rank,
                idaci_decile: r.idaci_decile,
            },
        )
    };
    match layer {
        None => (0..ds.lsoas.len()).map(|l| make(l, 1.0)).collect(),
        Some(li) if Some(li) == ds.lsoa_layer => vec![make(area, 1.0)],
        Some(li) => ds.apportionments[li].as_ref().map_or_else(Vec::new, |ap| {
            ap.by_area[area]
                .iter()
                .map(|&p| &ap.pieces[p])
                .filter(|p| p.weight(ds.weight_method) > 0.0)
                .map(|p| make(p.lsoa, p.weight(ds.weight_method)))
                .collect()
        }),
    }
}

fn fsm(ds: &Dataset, members: &[usize]) -> Option<f64> {
    let (num, den) = members
        .iter()
        .filter_map(|&i| Some((ds.schools[i].fsm_pct?, ds.schools[i].pupils?)))
        .fold((0.0, 0.0), |a, (f, p)| (a.0 + f * p, a.1 + p));
    (den > 0.0).then(|| num / den)
}

#[allow(clippy::too_many_arguments)]
fn row(
    ds: &Dataset,
    code: String,
    name: String,
    phase: Phase,
    year: i32,
    members: &[usize],
    no_data: usize,
    dep: DeprivationSummary,
    residents: (Option<f64>, bool),
) -> SummaryRow {
    let (residents, projected) = residents;
    let (mut cap, mut pup, mut missing, mut flagged, mut population) = (0.0, 0.0, 0, 0, 0);
    // A school a plan opens later, or has closed by then, is not in the year's totals.
    let members: Vec<usize> = members.iter().copied().filter(|&si| ds.schools[si].open_in(year)).collect();
    let suppressed = members.iter().filter(|&&si| ds.suppressed(si, phase, year)).count();
    for &si in &members {
        let c = school_places(ds, si, phase, year);
        let (p, found) = school_pupils(ds, si, phase, year);
        cap += c;
        pup += p;
        missing += usize::from(!found);
        population += usize::from(
            ds.pupils(si, phase, year)
                .is_some_and(|v| v.source == crate::projection::PupilSource::Population),
        );
        flagged += usize::from(year == ds.census_year && school_flag(c, p, &ds.settings.bands));
    }
    SummaryRow {
        code,
        name,
        phase,
        year,
        forecast: year > ds.census_year,
        sufficiency: sufficiency(cap, pup, ds.settings.operating_margin, &ds.settings.bands),
        schools: members.len(),
        schools_no_data: no_data,
        schools_suppressed: suppressed,
        flagged_schools: flagged,
        schools_without_forecast: missing,
        schools_from_population: population,
        shortfall_basis: None,
        deprivation: dep,
        fsm_pct: fsm(ds, &members),
        resident_children: residents,
        resident_children_projected: projected && residents.is_some(),
        places_minus_residents: residents.map(|r| cap - r),
    }
}

/// Summary rows for a boundary layer (`Some(index)`) or the authority (`None`), filtered by phase
/// and year: read from the plan's catalogue ([`layer_rows`], [`la_rows`]), never recomputed.
#[must_use]
pub fn summary(ds: &Dataset, layer: Option<usize>, phase: Option<Phase>, year: Option<i32>) -> Vec<SummaryRow> {
    let rows = match layer {
        Some(li) => layer_rows(ds, li).map_or(&[][..], |l| l.rows.as_slice()),
        None => la_rows(ds),
    };
    rows.iter()
        .filter(|r| phase.is_none_or(|p| p == r.phase) && year.is_none_or(|y| y == r.year))
        .cloned()
        .collect()
}

/// Every row of layer `li` (every area × phase × year), built once per plan on first use.
#[must_use]
pub fn layer_rows(ds: &Dataset, li: usize) -> Option<&LayerRows> {
    ds.results.layer(li, || compute(ds, Some(li), None, None))
}

/// The authority's rows (every phase × year), built once per plan on first use.
#[must_use]
pub fn la_rows(ds: &Dataset) -> &[SummaryRow] {
    ds.results.la(|| compute(ds, None, None, None))
}

fn compute(ds: &Dataset, layer: Option<usize>, phase: Option<Phase>, year: Option<i32>) -> Vec<SummaryRow> {
    let phases: Vec<Phase> = Phase::ALL
        .into_iter()
        .filter(|p| phase.is_none_or(|q| q == *p))
        .filter(|p| layer.is_none_or(|l| ds.layers[l].serves(*p)))
        .collect();
    let mut out = Vec::new();
    match layer {
        Some(li) => {
            let l = &ds.layers[li];
            let area_pieces: Vec<Vec<(usize, Piece)>> = (0..l.areas.len()).map(|a| pieces(ds, Some(li), a)).collect();
            let deps: Vec<DeprivationSummary> = area_pieces
                .iter()
                .map(|ps| aggregate(&ps.iter().map(|x| x.1).collect::<Vec<_>>()))
                .collect();
            for ph in phases {
                let members = schools_by_area(ds, li, ph);
                let gaps = no_data_by_area(ds, li, ph);
                for y in years(ds, ph).into_iter().filter(|y| year.is_none_or(|q| q == *y)) {
                    for (a, area) in l.areas.iter().enumerate() {
                        out.push(row(
                            ds,
                            area.code.to_string(),
                            area.name.clone(),
                            ph,
                            y,
                            &members[a],
                            gaps[a].len(),
                            deps[a].clone(),
                            resident_children_in(ds, &area_pieces[a], ph, y),
                        ));
                    }
                }
            }
        }
        None => {
            let all_pieces = pieces(ds, None, 0);
            let dep = aggregate(&all_pieces.iter().map(|x| x.1).collect::<Vec<_>>());
            for ph in phases {
                let all: Vec<usize> = (0..ds.schools.len()).filter(|&i| ds.schools[i].in_totals(ph)).collect();
                let gaps = ds
                    .schools
                    .iter()
                    .filter(|s| s.open && s.serves(ph) && !s.figures.complete(ph))
                    .count();
                // No-netting shortfall over the phase's planning areas (wards when there are none).
                let basis = ds
                    .planning_area_layer(ph)
                    .or_else(|| ds.layers.iter().position(|l| l.kind == LayerKind::Ward));
                for y in years(ds, ph).into_iter().filter(|y| year.is_none_or(|q| q == *y)) {
                    let mut r = row(
                        ds,
                        "LA".into(),
                        ds.name.clone(),
                        ph,
                        y,
                        &all,
                        gaps,
                        dep.clone(),
                        resident_children_in(ds, &all_pieces, ph, y),
                    );
                    if let Some(bi) = basis {
                        let areas: Vec<(f64, f64)> = schools_by_area(ds, bi, ph)
                            .iter()
                            .map(|m| {
                                m.iter().fold((0.0, 0.0), |acc, &si| {
                                    (acc.0 + school_places(ds, si, ph, y), acc.1 + school_pupils(ds, si, ph, y).0)
                                })
                            })
                            .collect();
                        r.sufficiency.shortfall = authority_shortfall(&areas, 0.0);
                        r.sufficiency.margin_shortfall = authority_shortfall(&areas, ds.settings.operating_margin);
                        r.shortfall_basis = Some(ds.layers[bi].id.to_string());
                    }
                    out.push(r);
                }
            }
        }
    }
    out
}

/// One row per open mainstream school × phase × year (`placeplan summary --layer schools`); its
/// deprivation is that of the LSOA the school stands in, and `flagged_schools` is 1 when the
/// 25% / 30-place rule applies.
#[must_use]
pub fn school_rows(ds: &Dataset, phase: Option<Phase>, year: Option<i32>) -> Vec<SummaryRow> {
    ds.results
        .schools(|| compute_school_rows(ds, None, None))
        .iter()
        .filter(|r| phase.is_none_or(|p| p == r.phase) && year.is_none_or(|y| y == r.year))
        .cloned()
        .collect()
}

fn compute_school_rows(ds: &Dataset, phase: Option<Phase>, year: Option<i32>) -> Vec<SummaryRow> {
    let mut out = Vec::new();
    for ph in Phase::ALL.into_iter().filter(|p| phase.is_none_or(|q| q == *p)) {
        for y in years(ds, ph).into_iter().filter(|y| year.is_none_or(|q| q == *y)) {
            for (si, s) in ds.schools.iter().enumerate() {
                if !s.in_totals(ph) {
                    continue;
                }
                let lsoa = ds.lsoa_layer.and_then(|li| ds.placements[li][si].area());
                let dep = lsoa
                    .map(|l| aggregate(&pieces(ds, ds.lsoa_layer, l).into_iter().map(|x| x.1).collect::<Vec<_>>()))
                    .unwrap_or_default();
                out.push(row(ds, s.urn.to_string(), s.name.clone(), ph, y, &[si], 0, dep, (None, false)));
            }
        }
    }
    out
}
