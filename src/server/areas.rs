//! `/api/areas/{layer}/{code}`: the profile of one area (or school) — every figure by phase and
//! year, the schools inside, the LSOA composition with weights, and the calculation behind the
//! headline figures — and `/api/explain` for any other figure.

use super::error::ApiError;
use super::state::AppState;
use crate::analysis::deprivation::{DeprivationSummary, aggregate, decile};
use crate::analysis::equity::HotspotRow;
use crate::analysis::equity_results::EquityResults;
use crate::analysis::explain::{Explanation, Metric, explain};
use crate::analysis::priority::PriorityRow;
use crate::analysis::school_access::AccessRow;
use crate::analysis::sufficiency::{Sufficiency, school_flag, sufficiency};
use crate::analysis::summary::{SummaryRow, pieces, school_places, school_pupils, years};
use crate::dataset::Dataset;
use crate::join::points::Placement;
use crate::map::layer::{MapKind, MapLayer};
use crate::model::Phase;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A school in a profile.
#[derive(Debug, Serialize)]
pub struct SchoolLine {
    /// URN.
    pub urn: u32,
    /// Name.
    pub name: String,
    /// GIAS phase of education.
    pub phase_of_education: String,
    /// GIAS establishment type.
    pub establishment_type: String,
    /// Places in this phase, census year (`None`: no data).
    pub capacity: Option<f64>,
    /// Pupils of the phase's year groups, census year (`None`: no data, or suppressed).
    pub pupils: Option<f64>,
    /// True when disclosure control suppresses its pupils (shown as `c`; 1 to 4 pupils).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub suppressed: bool,
    /// Capacity − pupils (`None` unless both are known).
    pub spare: Option<f64>,
    /// Where the places and pupils came from, with any estimate's rule.
    pub provenance: String,
    /// False when the school is left out of the area's totals for want of figures.
    pub in_totals: bool,
    /// 100 × spare / capacity.
    pub spare_pct: Option<f64>,
    /// Ofsted rating.
    pub ofsted: Option<String>,
    /// FSM %.
    pub fsm_pct: Option<f64>,
    /// Flagged by the 25% / 30-place rule.
    pub flagged: bool,
    /// How it was placed in this layer: `inside`, `snapped N m`, or `planning area code`.
    pub placement: String,
    /// First academic year open, for a school a plan opens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opens: Option<i32>,
    /// First academic year closed, for a school a plan closes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closes: Option<i32>,
}

/// An LSOA piece in a profile.
#[derive(Debug, Serialize)]
pub struct LsoaLine {
    /// LSOA code.
    pub code: String,
    /// LSOA name.
    pub name: String,
    /// Apportionment weight.
    pub weight: f64,
    /// Residents in the piece.
    pub population: f64,
    /// Children 0–15 in the piece.
    pub children: f64,
    /// IMD rank.
    pub imd_rank: Option<u32>,
    /// IMD decile.
    pub imd_decile: Option<u8>,
    /// IDACI decile.
    pub idaci_decile: Option<u8>,
}

/// One year of a school's figures.
#[derive(Debug, Serialize)]
pub struct SchoolYear {
    /// Academic year.
    pub year: i32,
    /// Phase.
    pub phase: Phase,
    /// Whether a forecast supplied the pupils.
    pub from_forecast: bool,
    /// True when disclosure control suppresses the pupils (shown as `c`, counted as 5 in the
    /// figures beside them).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub suppressed: bool,
    /// Figures.
    #[serde(flatten)]
    pub sufficiency: Sufficiency,
}

/// The profile of an area or school.
#[derive(Debug, Serialize)]
pub struct Profile {
    /// Layer id.
    pub layer: String,
    /// Layer title.
    pub layer_title: String,
    /// What the layer shows.
    pub kind: MapKind,
    /// Area code or URN.
    pub code: String,
    /// Name.
    pub name: String,
    /// Whether the data is the synthetic demo.
    pub synthetic: bool,
    /// Census year.
    pub census_year: i32,
    /// The feature's id in the tiles (for MapLibre feature-state).
    pub feature_id: u64,
    /// `[west, south, east, north]` of the feature.
    pub bbox: Option<[f64; 4]>,
    /// A point inside the feature, `[lon, lat]`.
    pub point: Option<[f64; 2]>,
    /// Sufficiency (and deprivation) rows for every phase × year (areas).
    pub figures: Vec<SummaryRow>,
    /// A school's own figures per phase × year (schools layer).
    pub school_years: Vec<SchoolYear>,
    /// Deprivation of the area (or of the LSOA a school stands in).
    pub deprivation: DeprivationSummary,
    /// Schools serving the area, per phase (areas), or the schools standing in an LSOA.
    pub schools: Vec<(Phase, Vec<SchoolLine>)>,
    /// The LSOA pieces with their weights.
    pub lsoas: Vec<LsoaLine>,
    /// The calculation behind the headline figures (census year).
    pub calculation: Vec<Explanation>,
    /// Hot spot, access and priority results for this feature, with sentences and methods.
    pub equity: EquityProfile,
}

/// The equity results of one feature.
#[derive(Debug, Default, Serialize)]
pub struct EquityProfile {
    /// The findings in plain English.
    pub sentences: Vec<String>,
    /// The LSOA's Gi* result (LSOAs).
    pub hotspot: Option<HotspotRow>,
    /// Access per phase (LSOAs).
    pub access: Vec<AccessRow>,
    /// The area's priority assessment (wards, planning areas).
    pub priority: Option<PriorityRow>,
    /// How each result was computed.
    pub methods: Vec<String>,
}

fn class_words(class: &str) -> &'static str {
    match class {
        "hot_99" => "a deprivation hot spot at 99% confidence",
        "hot_95" => "a deprivation hot spot at 95% confidence",
        "hot_90" => "a deprivation hot spot at 90% confidence",
        "cold_99" => "a cold spot (a cluster of less deprived areas) at 99% confidence",
        "cold_95" => "a cold spot (a cluster of less deprived areas) at 95% confidence",
        "cold_90" => "a cold spot (a cluster of less deprived areas) at 90% confidence",
        _ => "not part of a significant hot or cold spot",
    }
}

/// The equity results of feature `code` of layer `l`.
#[must_use]
pub fn equity_profile(eq: &EquityResults, ds: &Dataset, l: &MapLayer, code: &str) -> EquityProfile {
    let mut out = EquityProfile::default();
    match l.kind {
        MapKind::Lsoa => {
            if let Some(h) = &eq.hotspots {
                if let Some(r) = h.rows.iter().find(|r| r.code == code) {
                    out.sentences.push(format!(
                        "This LSOA is {} (Gi* z = {:.2}, FDR-adjusted p = {:.3}).",
                        class_words(r.class),
                        r.z,
                        r.p_fdr
                    ));
                    out.hotspot = Some(r.clone());
                }
                out.methods.push(format!(
                    "Hot spots: Getis-Ord Gi* of the IMD 2019 rank reversed; {}; {} permutations; Benjamini–Hochberg FDR {}%.",
                    h.weights,
                    h.permutations,
                    h.alpha * 100.0
                ));
            }
            for a in &eq.access {
                let Some(r) = a.rows.iter().find(|r| r.code == code) else {
                    continue;
                };
                let ph = a.phase.as_str();
                if let Some(n) = r.access_norm {
                    out.sentences.push(format!(
                        "Access to {ph} places is {n:.2} × the authority average: {:.2} places per child aged {}–{} within {:.1} km ({} schools in reach).",
                        r.access,
                        a.phase.ages().0,
                        a.phase.ages().1 - 1,
                        a.catchment_m / 1000.0,
                        r.schools_in_reach
                    ));
                }
                match &r.nearest_good {
                    Some(g) => out.sentences.push(format!(
                        "The nearest Good or Outstanding {ph} school with spare places is {} ({}, {} spare), {:.1} km away in a straight line.",
                        g.name,
                        g.ofsted,
                        crate::text::thousands(g.spare),
                        g.metres / 1000.0
                    )),
                    None => out.sentences.push(format!("No Good or Outstanding {ph} school has spare places.")),
                }
                out.methods.push(a.description.clone());
                out.access.push(r.clone());
            }
        }
        MapKind::Area(_) => {
            if let Some(Some(pr)) = l.boundary.and_then(|li| eq.priority.get(li)) {
                if let Some(r) = pr.rows.iter().find(|r| r.code == code) {
                    let lead = match r.rank {
                        Some(k) => format!(
                            "Equity priority {k} of {} in {}: ",
                            pr.rows.iter().filter(|x| x.priority).count(),
                            ds.name
                        ),
                        None => String::new(),
                    };
                    out.sentences.push(format!("{lead}{}", r.reason));
                    out.priority = Some(r.clone());
                }
                out.methods.push(pr.method.clone());
            }
        }
        MapKind::Schools => {}
    }
    out
}

fn bbox(l: &MapLayer, fi: usize) -> Option<[f64; 4]> {
    use geo::BoundingRect;
    let r = l.features[fi].wgs84.bounding_rect()?;
    Some([r.min().x, r.min().y, r.max().x, r.max().y])
}

fn school_line(ds: &Dataset, si: usize, phase: Phase, placement: String) -> SchoolLine {
    let s = &ds.schools[si];
    let c = s.places_in(phase, ds.census_year);
    let p = s.pupils_now(phase);
    let both = c.zip(p);
    let suff = both.map(|(c, p)| sufficiency(c, p, ds.settings.operating_margin, &ds.settings.bands));
    SchoolLine {
        urn: s.urn.0,
        name: s.name.clone(),
        phase_of_education: s.phase_of_education.clone(),
        establishment_type: s.establishment_type.clone(),
        capacity: c,
        pupils: p,
        suppressed: s.figures.pupils(phase).is_some_and(|f| f.suppressed),
        spare: suff.as_ref().map(|x| x.spare),
        spare_pct: suff.as_ref().and_then(|x| x.spare_pct),
        provenance: crate::analysis::provenance::school_provenance(s, phase),
        in_totals: s.in_totals(phase),
        ofsted: s.ofsted.clone(),
        fsm_pct: s.fsm_pct,
        flagged: both.is_some_and(|(c, p)| school_flag(c, p, &ds.settings.bands)),
        placement,
        opens: s.opens,
        closes: s.closes,
    }
}

fn placement_text(ds: &Dataset, li: usize, si: usize, phase: Phase) -> String {
    let s = &ds.schools[si];
    let pa = s.planning_area(phase);
    if ds.layers[li].kind == crate::model::LayerKind::PlanningArea
        && let Some(code) = pa
    {
        return format!("planning area code {code} in the capacity table");
    }
    match ds.placements[li][si] {
        Placement::Inside(_) => "inside".into(),
        Placement::Snapped(_, m) => format!("snapped {m:.0} m from outside the boundary"),
        Placement::NotLocated | Placement::Outside => "not located".into(),
    }
}

fn lsoa_lines(ds: &Dataset, li: usize, area: usize) -> Vec<LsoaLine> {
    let Some(lsoa_layer) = ds.lsoa_layer else {
        return Vec::new();
    };
    pieces(ds, Some(li), area)
        .into_iter()
        .map(|(l, p)| {
            let a = &ds.layers[lsoa_layer].areas[l];
            let r = &ds.lsoas[l];
            LsoaLine {
                code: a.code.to_string(),
                name: a.name.clone(),
                weight: p.weight,
                population: p.population,
                children: p.children,
                imd_rank: r.imd_rank,
                imd_decile: r.imd_decile.or_else(|| r.imd_rank.map(decile)),
                idaci_decile: r.idaci_decile.or_else(|| r.idaci_rank.map(decile)),
            }
        })
        .collect()
}

fn area_profile(ds: &Dataset, eq: &EquityResults, l: &MapLayer, fi: usize) -> Profile {
    let f = &l.features[fi];
    let li = l.boundary.unwrap_or_default();
    let area = usize::try_from(f.id).unwrap_or_default();
    let schools = if l.kind == MapKind::Lsoa {
        // The schools standing in the LSOA.
        let here: Vec<usize> = (0..ds.schools.len())
            .filter(|&si| ds.schools[si].open && ds.placements[li][si].area() == Some(area))
            .collect();
        Phase::ALL
            .into_iter()
            .map(|ph| {
                let lines = here
                    .iter()
                    .filter(|&&si| ds.schools[si].serves(ph))
                    .map(|&si| school_line(ds, si, ph, placement_text(ds, li, si, ph)))
                    .collect();
                (ph, lines)
            })
            .collect()
    } else {
        // The schools in the totals, then those counted here that have no figures ("no data"),
        // both found at load.
        l.members
            .iter()
            .map(|(&ph, m)| {
                let gaps = l.no_data.get(&ph).and_then(|g| g.get(fi));
                let lines = m[fi]
                    .iter()
                    .chain(gaps.into_iter().flatten())
                    .map(|&si| school_line(ds, si, ph, placement_text(ds, li, si, ph)))
                    .collect();
                (ph, lines)
            })
            .collect()
    };
    let mut calculation = Vec::new();
    if l.kind != MapKind::Lsoa {
        for &ph in &l.phases {
            calculation.extend(explain(ds, Some(li), &f.code, Metric::SparePct, ph, None).ok());
        }
    }
    calculation.extend(explain(ds, Some(li), &f.code, Metric::ImdRank, Phase::Primary, None).ok());
    Profile {
        layer: l.id.clone(),
        layer_title: l.title.clone(),
        kind: l.kind,
        code: f.code.clone(),
        name: f.name.clone(),
        synthetic: ds.synthetic,
        census_year: ds.census_year,
        feature_id: f.id,
        bbox: bbox(l, fi),
        point: f.point,
        figures: l.rows(ds, fi).into_iter().cloned().collect(),
        school_years: Vec::new(),
        deprivation: l.deprivation[fi].clone(),
        schools,
        lsoas: lsoa_lines(ds, li, area),
        calculation,
        equity: equity_profile(eq, ds, l, &f.code),
    }
}

fn school_profile(ds: &Dataset, l: &MapLayer, fi: usize) -> Profile {
    let si = l.school_index[fi];
    let s = &ds.schools[si];
    let mut school_years = Vec::new();
    let mut schools = Vec::new();
    for ph in Phase::ALL.into_iter().filter(|&p| s.serves(p)) {
        schools.push((ph, vec![school_line(ds, si, ph, "school".into())]));
        if !s.in_totals(ph) {
            continue;
        }
        for y in years(ds, ph).into_iter().filter(|&y| s.open_in(y)) {
            let (p, from_forecast) = school_pupils(ds, si, ph, y);
            school_years.push(SchoolYear {
                year: y,
                phase: ph,
                from_forecast,
                suppressed: ds.suppressed(si, ph, y),
                sufficiency: sufficiency(school_places(ds, si, ph, y), p, ds.settings.operating_margin, &ds.settings.bands),
            });
        }
    }
    let lsoa = ds.lsoa_layer.and_then(|li| Some((li, ds.placements[li][si].area()?)));
    let deprivation = lsoa
        .map(|(li, a)| aggregate(&pieces(ds, Some(li), a).into_iter().map(|x| x.1).collect::<Vec<_>>()))
        .unwrap_or_default();
    Profile {
        layer: l.id.clone(),
        layer_title: l.title.clone(),
        kind: l.kind,
        code: l.features[fi].code.clone(),
        name: s.name.clone(),
        synthetic: ds.synthetic,
        census_year: ds.census_year,
        feature_id: l.features[fi].id,
        bbox: bbox(l, fi),
        point: l.features[fi].point,
        figures: Vec::new(),
        school_years,
        deprivation,
        schools,
        lsoas: lsoa.map(|(li, a)| lsoa_lines(ds, li, a)).unwrap_or_default(),
        calculation: Vec::new(),
        equity: EquityProfile::default(),
    }
}

/// `?plan=` of `/api/areas/{layer}/{code}`.
#[derive(Debug, Deserialize)]
pub struct PlanQuery {
    /// A plan's id (from `POST /api/plans`): the profile of the plan's figures.
    pub plan: Option<String>,
}

/// `/api/areas/{layer}/{code}[?plan=ID]`.
///
/// # Errors
/// 404 for an unknown layer, code or plan.
pub async fn area(
    State(state): State<Arc<AppState>>,
    Path((layer, code)): Path<(String, String)>,
    q: Result<Query<PlanQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Profile>, ApiError> {
    let Query(q) = q?;
    let (l, _) = super::find_layer(&state, &layer)?;
    let (fi, _) = l.feature(&code).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no feature with code {code:?} in layer {layer}; /api/search?q=NAME finds codes, /api/layers/{layer}/geojson lists them"
        ))
    })?;
    let plan = match q.plan.as_deref() {
        Some(id) => Some(super::plans::find(&state, id).await?),
        None => None,
    };
    let ds = plan.as_ref().map_or(&state.ds, |p| &p.ds);
    Ok(Json(match l.kind {
        MapKind::Schools => school_profile(ds, l, fi),
        _ => area_profile(ds, &state.map.equity, l, fi),
    }))
}

/// Query of `/api/explain`.
#[derive(Debug, Deserialize)]
pub struct ExplainQuery {
    /// Layer id, or `la`.
    pub layer: String,
    /// Area code (ignored for `la`).
    #[serde(default)]
    pub code: String,
    /// Metric name as in `placeplan summary`.
    pub metric: String,
    /// `primary` or `secondary` (default primary).
    pub phase: Option<String>,
    /// Academic year (default: the census year).
    pub year: Option<i32>,
}

/// `/api/explain?layer=&code=&metric=&phase=&year=`: the calculation behind one figure.
///
/// # Errors
/// 400 for an unknown metric, phase or year; 404 for an unknown layer or code.
pub async fn explain_figure(
    State(state): State<Arc<AppState>>,
    q: Result<Query<ExplainQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Explanation>, ApiError> {
    let Query(q) = q?;
    let metric = Metric::parse(&q.metric).map_err(ApiError::BadRequest)?;
    let phase = match q.phase.as_deref() {
        None => Phase::Primary,
        Some(p) => Phase::parse(p).ok_or_else(|| ApiError::BadRequest(Phase::parse_error(p)))?,
    };
    let ds = &state.ds;
    let li = if q.layer == "la" {
        None
    } else {
        let (l, _) = super::find_layer(&state, &q.layer)?;
        Some(
            l.boundary
                .ok_or_else(|| ApiError::BadRequest(format!("layer {} has no areas to explain", q.layer)))?,
        )
    };
    explain(ds, li, &q.code, metric, phase, q.year).map(Json).map_err(|e| match e {
        crate::analysis::explain::ExplainError::UnknownArea { .. } => ApiError::NotFound(e.to_string()),
        crate::analysis::explain::ExplainError::NoYear { .. } => ApiError::BadRequest(e.to_string()),
    })
}
