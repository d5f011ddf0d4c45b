//! The facts of a councillor's ward page, gathered from the frozen map data: places against
//! pupils now and in 3 and 5 years for the ward and the planning areas serving it, its schools,
//! its deprivation profile against the authority, equity notes, similar wards and sentences.
//! Served as JSON (`/api/wards/{layer}/{code}`) and rendered as HTML by [`super::html`].

use crate::analysis::deprivation::{DeprivationSummary, aggregate, decile_distribution};
use crate::analysis::priority::PriorityRow;
use crate::analysis::summary::{SummaryRow, pieces, school_places, school_pupils};
use crate::dataset::Dataset;
use crate::map::MapData;
use crate::map::layer::{MapKind, MapLayer};
use crate::model::{LayerKind, Phase};
use crate::text::thousands;
use geo::Contains;
use serde::Serialize;

/// Why a ward page cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// No ward layer has this code.
    #[error("no ward has the code {0:?}; the ward index lists every ward and its code")]
    UnknownWard(String),
    /// The named layer is not a ward layer.
    #[error("{0:?} is not a ward layer; ward layers here: {1}")]
    NotWardLayer(String, String),
    /// The dataset has no ward layer.
    #[error("the data has no ward layer (kind = \"ward\" in the manifest)")]
    NoWards,
}

/// One year's figures for an area and phase.
#[derive(Clone, Debug, Serialize)]
pub struct YearFigure {
    /// Academic year (start).
    pub year: i32,
    /// Label, e.g. `2027/28`.
    pub label: String,
    /// `now`, `in 3 years`, `in 5 years`.
    pub horizon: String,
    /// The figures, when the year has them (forecast years need a forecast).
    /// The catalogue's row ([`SummaryRow`]), when the year has figures.
    pub row: Option<SummaryRow>,
}

/// Places against pupils for one area (the ward or a planning area) and phase.
#[derive(Clone, Debug, Serialize)]
pub struct AreaFigures {
    /// Layer id.
    pub layer: String,
    /// Area code.
    pub code: String,
    /// Area name.
    pub name: String,
    /// Now, +3, +5.
    pub years: Vec<YearFigure>,
}

/// One phase of the headline.
#[derive(Clone, Debug, Serialize)]
pub struct PhaseHeadline {
    /// Phase.
    pub phase: Phase,
    /// The ward's own schools.
    pub ward: AreaFigures,
    /// The planning areas its schools belong to.
    pub planning_areas: Vec<AreaFigures>,
}

/// A school serving the ward.
#[derive(Clone, Debug, Serialize)]
pub struct SchoolFact {
    /// URN.
    pub urn: String,
    /// Name.
    pub name: String,
    /// Phase (for the places counted).
    pub phase: Phase,
    /// GIAS phase of education.
    pub phase_of_education: String,
    /// Ofsted rating.
    pub ofsted: Option<String>,
    /// Places in the phase.
    pub capacity: f64,
    /// Roll in the phase (census year); `None` when disclosure control suppresses it (`c`).
    pub roll: Option<f64>,
    /// Places − roll (`None` with the roll).
    pub spare: Option<f64>,
    /// FSM %.
    pub fsm_pct: Option<f64>,
}

/// Deprivation of the ward against the authority.
#[derive(Clone, Debug, Serialize)]
pub struct DeprivationProfile {
    /// % of residents in each national IMD decile (1 = most deprived), the ward.
    pub deciles: [f64; 10],
    /// The same for the authority.
    pub authority_deciles: [f64; 10],
    /// The ward's summary measures.
    pub ward: DeprivationSummary,
    /// The authority's.
    pub authority: DeprivationSummary,
    /// LSOAs (or parts) making up the ward.
    pub lsoas: usize,
}

/// One line of a comparison or ranking table.
#[derive(Clone, Debug, Serialize)]
pub struct CompareRow {
    /// Code (`LA` for the authority).
    pub code: String,
    /// Name.
    pub name: String,
    /// Primary spare % now.
    pub primary_spare_pct: Option<f64>,
    /// Primary status now.
    pub primary_status: Option<String>,
    /// Secondary spare % now.
    pub secondary_spare_pct: Option<f64>,
    /// Secondary status now.
    pub secondary_status: Option<String>,
    /// Population-weighted IMD rank.
    pub imd_rank: Option<f64>,
    /// % residents in the most deprived decile.
    pub pct_pop_most_deprived_decile: Option<f64>,
    /// % children in the most deprived IDACI decile.
    pub pct_children_idaci_decile1: Option<f64>,
    /// Equity priority rank.
    pub priority_rank: Option<usize>,
}

/// Everything on a ward page.
#[derive(Clone, Debug, Serialize)]
pub struct WardFacts {
    /// Ward layer id.
    pub layer: String,
    /// Ward layer title.
    pub layer_title: String,
    /// Ward code.
    pub code: String,
    /// Ward name.
    pub name: String,
    /// Authority name.
    pub authority: String,
    /// Synthetic demo data.
    pub synthetic: bool,
    /// The disclosure-control note, when its figures are under it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<String>,
    /// Census year.
    pub census_year: i32,
    /// Headline per phase.
    pub headline: Vec<PhaseHeadline>,
    /// The findings in plain English.
    pub sentences: Vec<String>,
    /// Schools serving the ward (both phases).
    pub schools: Vec<SchoolFact>,
    /// Deprivation.
    pub deprivation: DeprivationProfile,
    /// Equity priority assessment, when hot spots could be computed.
    pub priority: Option<PriorityRow>,
    /// Priority areas in the layer.
    pub priorities_in_layer: usize,
    /// The ward, the authority and the five wards closest in IMD rank.
    pub comparison: Vec<CompareRow>,
    /// How the figures were made.
    pub methods: Vec<String>,
    /// The what-if plan the figures are of; absent for the data as it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanFacts>,
}

/// The plan behind a page's figures.
#[derive(Clone, Debug, Serialize)]
pub struct PlanFacts {
    /// Its name.
    pub name: String,
    /// Its changes in words.
    pub changes: Vec<String>,
    /// What its projection did (pupils moved, housing added, sites left out).
    pub notes: Vec<String>,
}

/// The plan of `ds`, in words, when it has one.
#[must_use]
pub fn plan_facts(ds: &Dataset) -> Option<PlanFacts> {
    let plan = ds.plan.as_ref()?;
    let school = |urn: u32| {
        ds.schools
            .iter()
            .find(|s| s.urn.0 == urn)
            .map_or_else(|| format!("URN {urn}"), |s| format!("{} (URN {urn})", s.name))
    };
    Some(PlanFacts {
        name: plan.name.clone(),
        changes: plan.describe(&school),
        notes: ds.projection.notes.clone(),
    })
}

/// The ward layers of a dataset, in manifest order: `(map layer index, boundary index)`.
#[must_use]
pub fn ward_layers(ds: &Dataset, map: &MapData) -> Vec<usize> {
    map.layers
        .iter()
        .enumerate()
        .filter(|(_, l)| l.kind == MapKind::Area(LayerKind::Ward) && l.boundary.is_some_and(|b| ds.layers[b].kind == LayerKind::Ward))
        .map(|(i, _)| i)
        .collect()
}

/// Finds the ward `code` in `layer` (or the first ward layer that has it).
///
/// # Errors
/// No ward layer, a layer that is not a ward layer, or an unknown code.
pub fn find_ward<'m>(ds: &Dataset, map: &'m MapData, layer: Option<&str>, code: &str) -> Result<(&'m MapLayer, usize), ReportError> {
    let wl = ward_layers(ds, map);
    if wl.is_empty() {
        return Err(ReportError::NoWards);
    }
    let candidates: Vec<usize> = match layer {
        Some(id) => {
            let i = wl.iter().copied().find(|&i| map.layers[i].id == id).ok_or_else(|| {
                ReportError::NotWardLayer(
                    id.to_owned(),
                    wl.iter().map(|&i| map.layers[i].id.clone()).collect::<Vec<_>>().join(", "),
                )
            })?;
            vec![i]
        }
        None => wl,
    };
    candidates
        .into_iter()
        .find_map(|i| map.layers[i].feature(code).map(|(fi, _)| (&map.layers[i], fi)))
        .ok_or_else(|| ReportError::UnknownWard(code.to_owned()))
}

pub use crate::text::year_label;

fn horizons(census: i32) -> [(i32, &'static str); 3] {
    [(census, "now"), (census + 3, "in 3 years"), (census + 5, "in 5 years")]
}

fn area_figures(ds: &Dataset, l: &MapLayer, fi: usize, phase: Phase, census: i32) -> AreaFigures {
    let f = &l.features[fi];
    AreaFigures {
        layer: l.id.clone(),
        code: f.code.clone(),
        name: f.name.clone(),
        years: horizons(census)
            .into_iter()
            .map(|(y, h)| YearFigure {
                year: y,
                label: year_label(y),
                horizon: h.to_owned(),
                row: l.rows(ds, fi).into_iter().find(|r| r.phase == phase && r.year == y).cloned(),
            })
            .collect(),
    }
}

fn now_row<'a>(ds: &'a Dataset, l: &MapLayer, fi: usize, phase: Phase, census: i32) -> Option<&'a SummaryRow> {
    l.rows(ds, fi).into_iter().find(|r| r.phase == phase && r.year == census)
}

fn compare_row(ds: &Dataset, l: &MapLayer, fi: usize, census: i32, priority: Option<usize>) -> CompareRow {
    let p = now_row(ds, l, fi, Phase::Primary, census);
    let s = now_row(ds, l, fi, Phase::Secondary, census);
    let d = &l.deprivation[fi];
    CompareRow {
        code: l.features[fi].code.clone(),
        name: l.features[fi].name.clone(),
        primary_spare_pct: p.and_then(|r| r.sufficiency.spare_pct),
        primary_status: p.and_then(|r| r.sufficiency.status).map(|s| s.as_str().to_owned()),
        secondary_spare_pct: s.and_then(|r| r.sufficiency.spare_pct),
        secondary_status: s.and_then(|r| r.sufficiency.status).map(|s| s.as_str().to_owned()),
        imd_rank: d.imd_rank_popweighted,
        pct_pop_most_deprived_decile: d.pct_pop_most_deprived_decile,
        pct_children_idaci_decile1: d.pct_children_idaci_decile1,
        priority_rank: priority,
    }
}

/// The ranking rows of every ward of map layer `l` (layer order).
#[must_use]
pub fn ranking(ds: &Dataset, map: &MapData, l: &MapLayer) -> Vec<CompareRow> {
    let pr = l.boundary.and_then(|b| map.equity.priority.get(b)).and_then(Option::as_ref);
    (0..l.features.len())
        .map(|fi| {
            let rank = pr
                .and_then(|p| p.rows.iter().find(|r| r.code == l.features[fi].code))
                .and_then(|r| r.rank);
            compare_row(ds, l, fi, ds.census_year, rank)
        })
        .collect()
}

/// The `k` wards most like ward `me`: the smallest Euclidean distance over the standardised
/// population-weighted IMD rank, % of children in the most deprived IDACI decile and primary
/// spare % (each divided by its standard deviation across the wards; a measure missing for either
/// ward is left out of that pair's distance).
#[must_use]
pub fn similar_wards(rows: &[CompareRow], me: usize, k: usize) -> Vec<usize> {
    let vars: [fn(&CompareRow) -> Option<f64>; 3] = [|r| r.imd_rank, |r| r.pct_children_idaci_decile1, |r| r.primary_spare_pct];
    let sd: Vec<f64> = vars
        .iter()
        .map(|f| {
            let v: Vec<f64> = rows.iter().filter_map(f).collect();
            let n = v.len() as f64;
            if n < 2.0 {
                return 1.0;
            }
            let mean = v.iter().sum::<f64>() / n;
            let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
            if var > 0.0 { var.sqrt() } else { 1.0 }
        })
        .collect();
    let dist = |i: usize| -> f64 {
        let (a, b) = (&rows[me], &rows[i]);
        let (mut d, mut used) = (0.0, 0);
        for (f, s) in vars.iter().zip(&sd) {
            if let (Some(x), Some(y)) = (f(a), f(b)) {
                d += ((x - y) / s).powi(2);
                used += 1;
            }
        }
        if used == 0 { f64::INFINITY } else { (d / f64::from(used)).sqrt() }
    };
    let mut others: Vec<(usize, f64)> = (0..rows.len()).filter(|&i| i != me).map(|i| (i, dist(i))).collect();
    others.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    others.into_iter().take(k).map(|x| x.0).collect()
}

/// The authority's comparison row.
#[must_use]
pub fn authority_row(ds: &Dataset, la_rows: &[SummaryRow]) -> CompareRow {
    let now = |ph: Phase| la_rows.iter().find(|r| r.phase == ph && r.year == ds.census_year);
    let dep = aggregate(&pieces(ds, None, 0).into_iter().map(|x| x.1).collect::<Vec<_>>());
    CompareRow {
        code: "LA".into(),
        name: format!("{} (authority)", ds.name),
        primary_spare_pct: now(Phase::Primary).and_then(|r| r.sufficiency.spare_pct),
        primary_status: now(Phase::Primary)
            .and_then(|r| r.sufficiency.status)
            .map(|s| s.as_str().to_owned()),
        secondary_spare_pct: now(Phase::Secondary).and_then(|r| r.sufficiency.spare_pct),
        secondary_status: now(Phase::Secondary)
            .and_then(|r| r.sufficiency.status)
            .map(|s| s.as_str().to_owned()),
        imd_rank: dep.imd_rank_popweighted,
        pct_pop_most_deprived_decile: dep.pct_pop_most_deprived_decile,
        pct_children_idaci_decile1: dep.pct_children_idaci_decile1,
        priority_rank: None,
    }
}

fn phase_word(p: Phase) -> &'static str {
    p.title()
}

/// Sentences about one phase of the ward's own schools.
fn phase_sentences(name: &str, f: &AreaFigures, phase: Phase, margin: f64) -> Vec<String> {
    let ph = phase_word(phase);
    let mut out = Vec::new();
    let Some(now) = f.years.first().and_then(|y| y.row.as_ref().map(|r| (y, r))) else {
        return out;
    };
    let (ny, nr) = now;
    let gaps = match nr.schools_no_data {
        0 => String::new(),
        1 => format!(" One {} here has no figures and is left out.", phase.school_noun()),
        n => format!(" {n} {}s here have no figures and are left out.", phase.school_noun()),
    };
    if nr.schools == 0 {
        out.push(match nr.resident_children {
            Some(c) => format!(
                "{} {} live in {name}; no {} stands here, so they go to schools in neighbouring wards.{gaps}",
                thousands(c),
                phase.children_label(),
                phase.school_noun()
            ),
            None => format!(
                "No {} stands in {name}; its children go to schools in neighbouring wards.{gaps}",
                phase.school_noun()
            ),
        });
        return out;
    }
    let margin_pct = format!("{:.0}%", margin * 100.0);
    if nr.sufficiency.spare < 0.0 {
        out.push(format!(
            "{ph} schools in {name} have {} places for {} pupils in {}: {} more pupils than places.",
            thousands(nr.sufficiency.capacity),
            thousands(nr.sufficiency.pupils),
            ny.label,
            thousands(-nr.sufficiency.spare)
        ));
    } else {
        out.push(format!(
            "{ph} schools in {name} have {} places for {} pupils in {}: {} spare ({:.1}%).",
            thousands(nr.sufficiency.capacity),
            thousands(nr.sufficiency.pupils),
            ny.label,
            thousands(nr.sufficiency.spare),
            nr.sufficiency.spare_pct.unwrap_or(0.0)
        ));
    }
    if let Some(c) = nr.resident_children {
        let d = nr.sufficiency.capacity - c;
        out.push(format!(
            "{} {} live in {name}, {} {} than the places here{}.{gaps}",
            thousands(c),
            phase.children_label(),
            thousands(d.abs()),
            if d >= 0.0 { "fewer" } else { "more" },
            if d >= 0.0 {
                "; its schools also take children from elsewhere"
            } else {
                "; some go to schools in other wards"
            }
        ));
    } else if !gaps.is_empty() {
        out.push(gaps.trim().to_owned());
    }
    let future: Vec<(&YearFigure, &SummaryRow)> = f.years.iter().skip(1).filter_map(|y| y.row.as_ref().map(|r| (y, r))).collect();
    if future.is_empty() {
        out.push(format!(
            "No {} pupil forecast reaches {} or {}, so only the census year is shown.",
            phase.as_str(),
            f.years.get(1).map_or(String::new(), |y| y.label.clone()),
            f.years.get(2).map_or(String::new(), |y| y.label.clone())
        ));
    }
    for (y, r) in future {
        if r.sufficiency.spare < 0.0 {
            out.push(format!(
                "{ph} places in {name} are forecast to fall short by {} in {}: {} pupils for {} places ({} places needed to keep a {margin_pct} operating margin).",
                thousands(-r.sufficiency.spare),
                y.label,
                thousands(r.sufficiency.pupils),
                thousands(r.sufficiency.capacity),
                thousands(r.sufficiency.margin_shortfall)
            ));
        } else if r.sufficiency.margin_shortfall > 0.5 {
            out.push(format!(
                "{ph} places in {name} are forecast to be tight in {}: {} places for {} pupils, {} below the {margin_pct} operating margin.",
                y.label,
                thousands(r.sufficiency.capacity),
                thousands(r.sufficiency.pupils),
                thousands(r.sufficiency.margin_shortfall)
            ));
        } else {
            out.push(format!(
                "{ph} places in {name} are forecast to be sufficient in {}: {} spare ({:.1}%).",
                y.label,
                thousands(r.sufficiency.spare),
                r.sufficiency.spare_pct.unwrap_or(0.0)
            ));
        }
    }
    out
}

/// The first ward layer and the planning-area layers, as the population back-test names them.
#[must_use]
pub fn backtest_layers(ds: &Dataset) -> Vec<(&str, &str)> {
    let wards = ds.layers.iter().find(|l| l.kind == crate::model::LayerKind::Ward);
    let pas = ds.layers.iter().filter(|l| l.kind == crate::model::LayerKind::PlanningArea);
    wards.into_iter().chain(pas).map(|l| (l.id.as_str(), l.title.as_str())).collect()
}

/// Gathers the facts of ward feature `fi` of map layer `l`.
#[must_use]
pub fn ward_facts(ds: &Dataset, map: &MapData, la_rows: &[SummaryRow], l: &MapLayer, fi: usize) -> WardFacts {
    let census = ds.census_year;
    let f = &l.features[fi];
    let li = l.boundary.unwrap_or_default();
    let area = usize::try_from(f.id).unwrap_or_default();
    let inner = ds.layers[li]
        .areas
        .get(area)
        .and_then(|a| geo::InteriorPoint::interior_point(&a.geometry));
    let mut headline = Vec::new();
    let mut sentences = Vec::new();
    let mut schools = Vec::new();
    for &phase in &l.phases {
        let ward = area_figures(ds, l, fi, phase, census);
        sentences.extend(phase_sentences(&f.name, &ward, phase, ds.settings.operating_margin));
        let members = l.members.get(&phase).and_then(|m| m.get(fi)).cloned().unwrap_or_default();
        // Planning areas: the per-phase planning-area layers that hold this ward's schools.
        let mut pas = Vec::new();
        for pl in map.layers.iter().filter(|pl| {
            pl.kind == MapKind::Area(LayerKind::PlanningArea)
                && pl.phases.contains(&phase)
                && pl.boundary.is_some_and(|b| ds.layers[b].phase.is_none_or(|p| p == phase))
        }) {
            let Some(m) = pl.members.get(&phase) else { continue };
            let Some(pb) = pl.boundary else { continue };
            for (pfi, list) in m.iter().enumerate() {
                // It holds one of the ward's schools, or the ward's inner point lies in it.
                let pa_area = usize::try_from(pl.features[pfi].id).unwrap_or_default();
                let covers = inner.is_some_and(|p| ds.layers[pb].areas.get(pa_area).is_some_and(|a| a.geometry.contains(&p)));
                if covers || list.iter().any(|si| members.contains(si)) {
                    pas.push(area_figures(ds, pl, pfi, phase, census));
                }
            }
        }
        for &si in &members {
            let s = &ds.schools[si];
            let cap = school_places(ds, si, phase, ds.census_year);
            let roll = (!ds.suppressed(si, phase, census)).then(|| school_pupils(ds, si, phase, census).0);
            schools.push(SchoolFact {
                urn: s.urn.to_string(),
                name: s.name.clone(),
                phase,
                phase_of_education: s.phase_of_education.clone(),
                ofsted: s.ofsted.clone(),
                capacity: cap,
                roll,
                spare: roll.map(|r| cap - r),
                fsm_pct: s.fsm_pct,
            });
        }
        headline.push(PhaseHeadline {
            phase,
            ward,
            planning_areas: pas,
        });
    }
    let ward_pieces: Vec<_> = pieces(ds, Some(li), area).into_iter().map(|x| x.1).collect();
    let all_pieces: Vec<_> = pieces(ds, None, 0).into_iter().map(|x| x.1).collect();
    let deprivation = DeprivationProfile {
        deciles: decile_distribution(&ward_pieces),
        authority_deciles: decile_distribution(&all_pieces),
        ward: l.deprivation[fi].clone(),
        authority: aggregate(&all_pieces),
        lsoas: ward_pieces.len(),
    };
    let d = &deprivation;
    if let (Some(w), Some(a)) = (d.ward.pct_pop_most_deprived_decile, d.authority.pct_pop_most_deprived_decile) {
        let (w, a) = (w.max(0.0) + 0.0, a.max(0.0) + 0.0);
        sentences.push(format!(
            "{:.0}% of residents of {} live in neighbourhoods among the most deprived 10% in England, against {a:.0}% across the authority.",
            w, f.name
        ));
    }
    if let (Some(w), Some(a)) = (d.ward.pct_children_idaci_decile1, d.authority.pct_children_idaci_decile1) {
        // Shares are sums of weights that can land a hair below zero: never print "-0%".
        let (w, a) = (w.max(0.0) + 0.0, a.max(0.0) + 0.0);
        sentences.push(format!(
            "{w:.0}% of its children live in the 10% of neighbourhoods in England where most children are in income-deprived families, against {a:.0}% across the authority."
        ));
    }
    let pr = map.equity.priority.get(li).and_then(Option::as_ref);
    let priority = pr.and_then(|p| p.rows.iter().find(|r| r.code == f.code)).cloned();
    let priorities_in_layer = pr.map_or(0, |p| p.rows.iter().filter(|r| r.priority).count());
    if let Some(p) = &priority {
        sentences.push(match p.rank {
            Some(k) => format!("Equity priority {k} of {priorities_in_layer}: {}", p.reason),
            None => format!("Not an equity priority: {}", p.reason),
        });
    }
    // Comparison: the ward, the authority, and the five most similar wards.
    let ranks = ranking(ds, map, l);
    let me = ranks[fi].clone();
    let similar = similar_wards(&ranks, fi, 5);
    let others: Vec<&CompareRow> = similar.iter().map(|&i| &ranks[i]).collect();
    let mut comparison = vec![me, authority_row(ds, la_rows)];
    comparison.extend(others.into_iter().take(5).cloned());
    let mut methods = vec![
        format!(
            "Places and pupils: the open state-funded mainstream schools standing in the ward (or, for planning areas, listed in the capacity table); independent, special and alternative-provision schools, FE colleges and universities are left out. Pupils are those of the phase's year groups only (primary Reception–Year 6, secondary Years 7–11, post-16 Years 12–13; nursery never counts) in the {} census, then forecasts. Places are each school's capacity for the phase; where a school spans phases and no split was published, the split is an estimate (see placeplan check). A school without both figures is left out, never counted as 0. Short by = pupils − places; the places to keep a {:.0}% operating margin are shown apart. Status: deficit below {:.0}% spare, tight below {:.0}%, healthy to {:.0}%, surplus above.",
            year_label(census),
            ds.settings.operating_margin * 100.0,
            ds.settings.bands.deficit_below * 100.0,
            ds.settings.bands.tight_below * 100.0,
            ds.settings.bands.healthy_below * 100.0
        ),
        format!(
            "Which year each input describes: {}.",
            ds.vintages
                .iter()
                .map(|v| format!("{} — {}", v.input, v.describes))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        "Similar wards: the five with the nearest population-weighted IMD rank, share of children in the most deprived IDACI decile and primary spare %, each measured in standard deviations across the wards.".to_owned(),
        format!(
            "Deprivation: English Indices of Deprivation 2019 by LSOA, apportioned to the ward by {} weights; deciles are national (1 = most deprived 10% of 32,844 LSOAs).",
            match ds.weight_method {
                crate::model::WeightMethod::Population => "population (postcode-point)",
                _ => "area",
            }
        ),
    ];
    if let Some(p) = pr {
        methods.push(p.method.clone());
    }
    if let Some(bt) = &ds.model.accuracy {
        let parts: Vec<String> = bt
            .authority
            .iter()
            .filter_map(|s| {
                s.accuracy_pct.map(|a| {
                    // Under disclosure control to a tenth, as everywhere it is published.
                    let a = if ds.disclosure.is_some() {
                        format!("{a:+.1}")
                    } else {
                        format!("{a:+.2}")
                    };
                    format!(
                        "{} {} year{} ahead {a}%",
                        s.phase.as_str(),
                        s.horizon,
                        if s.horizon == 1 { "" } else { "s" }
                    )
                })
            })
            .collect();
        methods.push(format!(
            "Forecast accuracy: forecasting the {} census year{} after {} from the years before, the authority's forecasts were {} (DfE measure: 100 × (forecast − actual) / actual).",
            bt.held_out,
            if bt.held_out == 1 { "" } else { "s" },
            year_label(bt.fitted_to),
            parts.join(", ")
        ));
    }
    if let Some(pf) = &ds.model.population
        && pf.schools.keys().any(|k| ds.years(k.1).len() > 1)
    {
        methods.push(pf.method.clone());
        for bt in crate::forecast::population::headline(&ds.model.population_accuracy) {
            methods.push(bt.sentence(&backtest_layers(ds)));
        }
    }
    if let Ok(a) = crate::analysis::admissions::check(ds) {
        methods.push(a.sentence());
    }
    WardFacts {
        layer: l.id.clone(),
        layer_title: l.title.clone(),
        code: f.code.clone(),
        name: f.name.clone(),
        authority: ds.base.name.clone(),
        synthetic: ds.synthetic,
        disclosure: ds.disclosure_note(),
        census_year: census,
        headline,
        sentences,
        schools,
        deprivation,
        priority,
        priorities_in_layer,
        comparison,
        methods,
        plan: plan_facts(ds),
    }
}
