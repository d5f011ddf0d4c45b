//! A second real check of the forecasts: each school's forecast Reception intake for the entry
//! year of the manifest's admissions allocations, set against the places the council allocated
//! there, for the schools the allocations list (matched by LA establishment number), summed by
//! primary planning area and over the authority. Accuracy as DfE measures forecasts:
//! `100 × (forecast − allocated) / allocated`.
//!
//! Caveats, which every report of it states: allocations are made on national offer day, before
//! some families move, decline or appeal, and the census counts in January; they include children
//! from outside the authority; and a council's file may list only the schools it admits for
//! (Leeds': community and voluntary-controlled schools, not academies).

use crate::dataset::Dataset;
use crate::forecast::cohort::accuracy_pct;
use crate::model::Phase;
use std::collections::{BTreeMap, HashMap};

pub use crate::results::{AdmissionsCheck, Intake};

fn intake(code: String, name: String, pairs: &[(f64, f64)]) -> Intake {
    let (f, a) = pairs.iter().fold((0.0, 0.0), |acc, p| (acc.0 + p.0, acc.1 + p.1));
    Intake {
        code,
        name,
        schools: pairs.len(),
        forecast: f,
        allocated: a,
        accuracy_pct: accuracy_pct(f, a),
    }
}

fn mape(rows: &[Intake]) -> Option<f64> {
    let v: Vec<f64> = rows.iter().filter_map(|r| r.accuracy_pct.map(f64::abs)).collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Checks the forecast Reception intakes of `ds` against its admissions allocations.
///
/// Made once per plan and kept in its catalogue ([`crate::results::Catalogue`]): the panel,
/// every ward page and the export notes read the same check.
///
/// # Errors
/// No allocations in the manifest, no forecast for their year, or no row matched.
pub fn check(ds: &Dataset) -> Result<&AdmissionsCheck, String> {
    ds.results.admissions(|| compute(ds)).as_ref().map_err(Clone::clone)
}

fn compute(ds: &Dataset) -> Result<AdmissionsCheck, String> {
    let Some((file, year, rows)) = &ds.admissions else {
        return Err("no [admissions] table in the manifest".into());
    };
    let year = *year;
    if !ds.years(Phase::Primary).contains(&year) {
        return Err(format!(
            "the primary figures do not reach {} (they cover {}), so the {} allocations cannot be checked",
            crate::text::year_label(year),
            ds.years(Phase::Primary)
                .iter()
                .map(|y| crate::text::year_label(*y))
                .collect::<Vec<_>>()
                .join(", "),
            crate::text::year_label(year)
        ));
    }
    // The authority's LA code: the commonest of the register's LAESTABs.
    let mut las: HashMap<u32, usize> = HashMap::new();
    for s in &ds.schools {
        if let Some(l) = s.laestab {
            *las.entry(l / 10_000).or_default() += 1;
        }
    }
    let la = las.into_iter().max_by_key(|(_, n)| *n).map(|(l, _)| l);
    let pa = ds.planning_area_layer(Phase::Primary);
    let mut matched: Vec<(usize, f64, f64)> = Vec::new();
    let mut unmatched = Vec::new();
    let mut sources: BTreeMap<String, usize> = BTreeMap::new();
    for r in rows {
        let want = la.map(|l| l * 10_000 + r.estab);
        let si = ds
            .schools
            .iter()
            .position(|s| s.open && s.laestab.is_some() && s.laestab == want && s.in_totals(Phase::Primary));
        let forecast = si.and_then(|si| Some((si, ds.pupils(si, Phase::Primary, year)?)));
        match forecast.and_then(|(si, v)| Some((si, v.ncy?[0], v.source))) {
            Some((si, reception, source)) => {
                // Under disclosure control a school's intake is a controlled count, like every
                // other (its year groups are not rounded one by one): sums are of rounded counts.
                let reception = ds.disclosure.map_or(reception, |d| d.counted(reception));
                matched.push((si, reception, r.allocated));
                let name = serde_json::to_value(source)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                *sources.entry(name).or_default() += 1;
            }
            None => unmatched.push((r.estab, r.name.clone())),
        }
    }
    if matched.is_empty() {
        return Err(format!("{file}: no row matched an open primary school with a Reception forecast"));
    }
    let schools: Vec<Intake> = matched
        .iter()
        .map(|&(si, f, a)| intake(ds.schools[si].urn.to_string(), ds.schools[si].name.clone(), &[(f, a)]))
        .collect();
    let mut by_area: BTreeMap<usize, Vec<(f64, f64)>> = BTreeMap::new();
    if let Some(li) = pa {
        for &(si, f, a) in &matched {
            if let Some(area) = ds.placements[li][si].area() {
                by_area.entry(area).or_default().push((f, a));
            }
        }
    }
    let areas: Vec<Intake> = by_area
        .iter()
        .filter_map(|(&area, pairs)| {
            let a = &ds.layers[pa?].areas[area];
            Some(intake(a.code.to_string(), a.name.clone(), pairs))
        })
        .collect();
    let all: Vec<(f64, f64)> = matched.iter().map(|&(_, f, a)| (f, a)).collect();
    let authority = intake("LA".into(), ds.name.clone(), &all);
    Ok(AdmissionsCheck {
        file: file.clone(),
        year,
        matched: matched.len(),
        unmatched,
        sources,
        mape: (mape(&schools), mape(&areas)),
        layer: pa.map(|li| ds.layers[li].id.clone()),
        schools,
        areas,
        authority,
        caveats: vec![
            "Allocations are made on national offer day; the census counts in January, after moves, refusals and appeals.".into(),
            "Allocations include children from outside the authority.".into(),
            format!(
                "Only the schools {file} lists are compared ({} matched); a council's file may cover only the schools it admits for, not academies.",
                matched.len()
            ),
        ],
    })
}
