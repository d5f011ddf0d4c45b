//! Map layers: every boundary layer and the schools, reprojected once (EPSG:27700 → WGS84 →
//! Web Mercator) with the attributes the styles need, and the per-area figures the API serves.
//! Built at load, in parallel, then frozen.

use super::metrics::{self, MetricSpec};
use crate::analysis::deprivation::{DeprivationSummary, aggregate, decile};
use crate::analysis::equity_results::EquityResults;
use crate::analysis::membership::schools_by_area;
use crate::analysis::sufficiency::{school_flag, status, sufficiency};
use crate::analysis::summary::{SummaryRow, layer_rows, pieces, school_places, school_pupils, years};
use crate::crs::{CrsError, bng_to_wgs84, wgs84_to_web_mercator};
use crate::dataset::Dataset;
use crate::model::{LayerKind, Phase};
use geo::{BoundingRect, Geometry, InteriorPoint, MapCoords, Point};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The id of the schools layer (boundary layers keep their manifest ids).
pub const SCHOOLS: &str = "schools";

/// A feature attribute value.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Prop {
    /// Text.
    Str(String),
    /// A number.
    Num(f64),
    /// A whole number.
    Int(i64),
    /// A flag.
    Bool(bool),
}

impl Prop {
    /// The value as JSON (GeoJSON properties, OGC API features).
    #[must_use]
    pub fn json(&self) -> serde_json::Value {
        match self {
            Self::Str(s) => serde_json::Value::from(s.as_str()),
            Self::Num(v) => serde_json::Value::from(*v),
            Self::Int(v) => serde_json::Value::from(*v),
            Self::Bool(b) => serde_json::Value::from(*b),
        }
    }
}

/// One map feature.
#[derive(Clone, Debug)]
pub struct MapFeature {
    /// Stable numeric id (the feature's index), used by MapLibre feature-state.
    pub id: u64,
    /// Area code or school URN.
    pub code: String,
    /// Name.
    pub name: String,
    /// Geometry in WGS84 lon/lat (for GeoJSON).
    pub wgs84: Geometry<f64>,
    /// Geometry in Web Mercator metres (for tiles).
    pub mercator: Geometry<f64>,
    /// A point inside the feature, WGS84 `[lon, lat]` (for labels, zooming and tests).
    pub point: Option<[f64; 2]>,
    /// Attributes in tile order (code and name first).
    pub props: Vec<(String, Prop)>,
}

/// What a map layer shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MapKind {
    /// Wards, planning areas and other areas with schools: sufficiency and deprivation.
    Area(LayerKind),
    /// LSOAs: deprivation.
    Lsoa,
    /// School points.
    Schools,
}

/// A map layer with its features and the figures behind them.
#[derive(Debug)]
pub struct MapLayer {
    /// Layer id (URL-safe).
    pub id: String,
    /// Title.
    pub title: String,
    /// What it shows.
    pub kind: MapKind,
    /// Index in `Dataset::layers` (boundary layers).
    pub boundary: Option<usize>,
    /// Phases this layer has sufficiency figures for.
    pub phases: Vec<Phase>,
    /// Academic years with figures, per phase.
    pub years: BTreeMap<Phase, Vec<i32>>,
    /// Metrics it can be coloured by, default first.
    pub metrics: Vec<MetricSpec>,
    /// The features.
    pub features: Vec<MapFeature>,
    /// `deprivation[feature]` (areas).
    pub deprivation: Vec<DeprivationSummary>,
    /// `members[phase][feature]`: indices of the schools serving that area.
    pub members: BTreeMap<Phase, Vec<Vec<usize>>>,
    /// `no_data[phase][feature]`: the schools counted in the phase that stand there but have no
    /// places or no pupils, so are left out of its totals (listed as "no data").
    pub no_data: BTreeMap<Phase, Vec<Vec<usize>>>,
    /// `school[feature]`: index into `Dataset::schools` (schools layer).
    pub school_index: Vec<usize>,
    /// Bounds in WGS84 `[west, south, east, north]`.
    pub bounds: [f64; 4],
    /// Feature coordinates that could not be reprojected (features dropped).
    pub dropped: Vec<String>,
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn num(props: &mut Vec<(String, Prop)>, key: String, v: Option<f64>) {
    if let Some(v) = v.filter(|v| v.is_finite()) {
        props.push((key, Prop::Num(round2(v))));
    }
}

fn to_wgs84_mercator(g: &Geometry<f64>) -> Result<(Geometry<f64>, Geometry<f64>), CrsError> {
    let w = g.try_map_coords(|c| bng_to_wgs84(c.x, c.y))?;
    let m = w.map_coords(|c| wgs84_to_web_mercator(c.x, c.y));
    Ok((w, m))
}

fn interior(g: &Geometry<f64>) -> Option<[f64; 2]> {
    g.interior_point().map(|p| [p.x(), p.y()])
}

fn bounds_of(features: &[MapFeature]) -> [f64; 4] {
    let rect = features
        .iter()
        .filter_map(|f| f.wgs84.bounding_rect())
        .reduce(crate::geometry::rect_union);
    rect.map_or([-180.0, -85.0, 180.0, 85.0], |r| [r.min().x, r.min().y, r.max().x, r.max().y])
}

fn deprivation_props(props: &mut Vec<(String, Prop)>, d: &DeprivationSummary) {
    num(props, "population".into(), Some(d.population));
    num(props, "children".into(), Some(d.children_0_15));
    num(props, "imd_rank".into(), d.imd_rank_popweighted);
    num(props, "imd_score".into(), d.imd_score_popweighted);
    num(props, "pct_pop_most_deprived_decile".into(), d.pct_pop_most_deprived_decile);
    num(props, "pct_pop_most_deprived_quintile".into(), d.pct_pop_most_deprived_quintile);
    num(props, "pct_children_idaci_decile1".into(), d.pct_children_idaci_decile1);
    num(props, "extent_pct".into(), d.extent_pct);
}

fn sufficiency_props(props: &mut Vec<(String, Prop)>, r: &SummaryRow) {
    let sfx = format!("{}_{}", r.phase.as_str(), r.year);
    let s = &r.sufficiency;
    num(props, format!("capacity_{sfx}"), Some(s.capacity));
    num(props, format!("pupils_{sfx}"), Some(s.pupils));
    num(props, format!("spare_{sfx}"), Some(s.spare));
    num(props, format!("spare_pct_{sfx}"), s.spare_pct);
    num(props, format!("shortfall_{sfx}"), Some(s.shortfall));
    num(props, format!("margin_shortfall_{sfx}"), Some(s.margin_shortfall));
    if let Some(st) = s.status {
        props.push((format!("status_{sfx}"), Prop::Str(st.as_str().into())));
    }
    props.push((format!("schools_{sfx}"), Prop::Int(i64::try_from(r.schools).unwrap_or(i64::MAX))));
}

/// The equity attributes of the features of layer `li`, by area code.
fn equity_props(ds: &Dataset, li: usize, eq: &EquityResults) -> HashMap<String, Vec<(String, Prop)>> {
    let mut out: HashMap<String, Vec<(String, Prop)>> = HashMap::new();
    if Some(li) == ds.lsoa_layer {
        if let Some(h) = &eq.hotspots {
            for r in &h.rows {
                let p = out.entry(r.code.clone()).or_default();
                p.push(("hot_class".into(), Prop::Str(r.class.into())));
                num(p, "hot_z".into(), Some(r.z));
            }
        }
        for a in &eq.access {
            let ph = a.phase.as_str();
            for r in &a.rows {
                let p = out.entry(r.code.clone()).or_default();
                p.push((format!("access_{ph}"), Prop::Num((r.access * 1000.0).round() / 1000.0)));
                num(p, format!("access_norm_{ph}"), r.access_norm);
                num(p, format!("good_m_{ph}"), r.nearest_good_m.map(f64::round));
            }
        }
    } else if let Some(Some(pr)) = eq.priority.get(li) {
        let class =
            |r: &crate::analysis::priority::PriorityRow, min: f64| match (r.worst.is_some(), r.hot_share >= min && r.hot_share > 0.0) {
                (true, true) => "priority",
                (true, false) => "deficit",
                (false, true) => "hotspot",
                (false, false) => "neither",
            };
        for r in &pr.rows {
            let p = out.entry(r.code.clone()).or_default();
            p.push(("priority_class".into(), Prop::Str(class(r, pr.min_hot_share).into())));
            if let Some(k) = r.rank {
                p.push(("priority_rank".into(), Prop::Int(i64::try_from(k).unwrap_or(i64::MAX))));
            }
            num(p, "hot_share".into(), Some(100.0 * r.hot_share));
        }
        for (ph, y, by) in eq.priority_by.get(li).into_iter().flatten() {
            let sfx = format!("{}_{y}", ph.as_str());
            for r in &by.rows {
                let p = out.entry(r.code.clone()).or_default();
                p.push((format!("priority_class_{sfx}"), Prop::Str(class(r, by.min_hot_share).into())));
                if let Some(k) = r.rank {
                    p.push((format!("priority_rank_{sfx}"), Prop::Int(i64::try_from(k).unwrap_or(i64::MAX))));
                }
            }
        }
    }
    out
}

fn area_layer(ds: &Dataset, li: usize, eq: &EquityResults) -> MapLayer {
    let l = &ds.layers[li];
    // Only the LSOA layer the deprivation records are aligned with is shown as LSOAs.
    let is_lsoa = Some(li) == ds.lsoa_layer;
    let phases: Vec<Phase> = if is_lsoa {
        Vec::new()
    } else {
        Phase::ALL.into_iter().filter(|p| l.phase.is_none_or(|q| q == *p)).collect()
    };
    let catalogue = if is_lsoa { None } else { layer_rows(ds, li) };
    let members: BTreeMap<Phase, Vec<Vec<usize>>> = phases.iter().map(|&p| (p, schools_by_area(ds, li, p))).collect();
    let no_data: BTreeMap<Phase, Vec<Vec<usize>>> = phases
        .iter()
        .map(|&p| (p, crate::analysis::membership::no_data_by_area(ds, li, p)))
        .collect();
    let extra = equity_props(ds, li, eq);
    let results: Vec<(Option<MapFeature>, DeprivationSummary, Option<String>)> = l
        .areas
        .par_iter()
        .enumerate()
        .map(|(i, a)| {
            let dep = aggregate(&pieces(ds, Some(li), i).into_iter().map(|x| x.1).collect::<Vec<_>>());
            let mut props = vec![
                ("code".to_owned(), Prop::Str(a.code.to_string())),
                ("name".to_owned(), Prop::Str(a.name.clone())),
            ];
            if is_lsoa {
                let r = &ds.lsoas[i];
                num(&mut props, "population".into(), r.population);
                num(&mut props, "children".into(), r.children_0_15);
                if let Some(rank) = r.imd_rank {
                    props.push(("imd_rank".into(), Prop::Int(i64::from(rank))));
                }
                if let Some(d) = r.imd_decile.or_else(|| r.imd_rank.map(decile)) {
                    props.push(("imd_decile".into(), Prop::Int(i64::from(d))));
                }
                num(&mut props, "imd_score".into(), r.imd_score);
                if let Some(rank) = r.idaci_rank {
                    props.push(("idaci_rank".into(), Prop::Int(i64::from(rank))));
                }
                if let Some(d) = r.idaci_decile.or_else(|| r.idaci_rank.map(decile)) {
                    props.push(("idaci_decile".into(), Prop::Int(i64::from(d))));
                }
            } else {
                deprivation_props(&mut props, &dep);
                for r in catalogue.into_iter().flat_map(|c| c.of(a.code.as_str())) {
                    sufficiency_props(&mut props, r);
                    if let Some(c) = metrics::need_class(r.sufficiency.status, dep.pct_pop_most_deprived_quintile) {
                        props.push((format!("need_{}_{}", r.phase.as_str(), r.year), Prop::Str(c.into())));
                    }
                }
            }
            if let Some(e) = extra.get(a.code.as_str()) {
                props.extend(e.iter().cloned());
            }
            let geom = Geometry::MultiPolygon(a.geometry.clone());
            match to_wgs84_mercator(&geom) {
                Ok((wgs84, mercator)) => (
                    Some(MapFeature {
                        id: i as u64,
                        code: a.code.to_string(),
                        name: a.name.clone(),
                        point: interior(&wgs84),
                        wgs84,
                        mercator,
                        props,
                    }),
                    dep,
                    None,
                ),
                Err(e) => (None, dep, Some(format!("{} {}: {e}", l.id, a.code))),
            }
        })
        .collect();
    let mut features = Vec::with_capacity(results.len());
    let mut deprivation = Vec::with_capacity(results.len());
    let mut dropped = Vec::new();
    let mut keep = Vec::with_capacity(results.len());
    for (i, (f, d, e)) in results.into_iter().enumerate() {
        deprivation.push(d);
        match f {
            Some(f) => {
                features.push(f);
                keep.push(i);
            }
            None => dropped.extend(e),
        }
    }
    // Features are indexed by area index; a dropped feature would shift them, so keep the
    // per-area vectors aligned with `features` through `keep`.
    let deprivation = keep.iter().map(|&i| deprivation[i].clone()).collect();
    let members = members
        .into_iter()
        .map(|(p, m)| (p, keep.iter().map(|&i| m[i].clone()).collect()))
        .collect();
    let no_data = no_data
        .into_iter()
        .map(|(p, m)| (p, keep.iter().map(|&i| m[i].clone()).collect()))
        .collect();
    let year_map = phases.iter().map(|&p| (p, years(ds, p))).collect();
    let metrics = if is_lsoa {
        let mut m = metrics::lsoa_metrics();
        if let Some(h) = &eq.hotspots {
            m.push(metrics::hot_class(&format!(
                "Neighbours: {}; {} permutations; FDR {}%",
                h.weights,
                h.permutations,
                h.alpha * 100.0
            )));
        }
        for a in &eq.access {
            m.push(metrics::access_norm(a.phase.as_str(), &a.description));
        }
        for a in &eq.access {
            m.push(metrics::good_distance(a.phase.as_str(), a.catchment_m));
        }
        m
    } else {
        let mut m = metrics::area_metrics(&ds.settings.bands, ds.settings.operating_margin);
        if let Some(Some(pr)) = eq.priority.get(li) {
            m.push(metrics::priority_class(&pr.method));
            m.push(metrics::share(
                "hot_share",
                "Residents in deprivation hot spots",
                "100 × Σ p (LSOA pieces classed as a Gi* IMD hot spot at FDR 5%) / Σ p over the area's LSOA pieces.",
            ));
        }
        m
    };
    MapLayer {
        id: l.id.to_string(),
        title: l.title.clone(),
        kind: if is_lsoa { MapKind::Lsoa } else { MapKind::Area(l.kind) },
        boundary: Some(li),
        phases,
        years: year_map,
        metrics,
        bounds: bounds_of(&features),
        features,
        deprivation,
        members,
        no_data,
        school_index: Vec::new(),
        dropped,
    }
}

/// The years shown for a school: the union of both phases' years.
fn school_years(ds: &Dataset) -> Vec<i32> {
    let mut ys: Vec<i32> = Phase::ALL.iter().flat_map(|&p| years(ds, p)).collect();
    ys.sort_unstable();
    ys.dedup();
    ys
}

fn schools_layer(ds: &Dataset) -> MapLayer {
    let ys = school_years(ds);
    let bands = &ds.settings.bands;
    let results: Vec<Result<(usize, MapFeature), String>> = ds
        .schools
        .par_iter()
        .enumerate()
        .filter(|(_, s)| s.open && s.location.is_some())
        .map(|(si, s)| {
            let Some(loc) = s.location else {
                return Err(format!("school {}: no location", s.urn));
            };
            let mut props = vec![
                ("code".to_owned(), Prop::Str(s.urn.to_string())),
                ("name".to_owned(), Prop::Str(s.name.clone())),
                ("phase".to_owned(), Prop::Str(s.phase_of_education.clone())),
                ("type".to_owned(), Prop::Str(s.establishment_type.clone())),
                ("mainstream".to_owned(), Prop::Bool(s.counts())),
                // The phases it counts in (`primary,secondary` for an all-through school; empty
                // for an establishment outside the counting rule), so the map shows the schools
                // of the phase on view.
                (
                    "phases".to_owned(),
                    Prop::Str(s.phases.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(",")),
                ),
            ];
            // Places and pupils of the phases it counts in (census year), from the one set of
            // figures; a school without both is "no data" (`has_figures` false), never 0.
            let complete: Vec<Phase> = s.phases.iter().copied().filter(|&p| s.figures.complete(p)).collect();
            props.push(("has_figures".into(), Prop::Bool(!complete.is_empty())));
            // A plan's new or closed school is on the map only in its open years (the web app
            // hides it in the others): `opens` and `closes` are academic years.
            if let Some(y) = s.opens {
                props.push(("opens".into(), Prop::Int(i64::from(y))));
            }
            if let Some(y) = s.closes {
                props.push(("closes".into(), Prop::Int(i64::from(y))));
            }
            // A count disclosure control suppresses is marked (`suppressed`, `suppressed_{year}`:
            // shown as c); the figures count it as 5, as every total does.
            let hidden = |y: i32| complete.iter().any(|&ph| ds.suppressed(si, ph, y));
            if hidden(ds.census_year) {
                props.push(("suppressed".into(), Prop::Bool(true)));
            }
            if !complete.is_empty() && s.open_in(ds.census_year) {
                let c: f64 = complete.iter().filter_map(|&p| s.places_in(p, ds.census_year)).sum();
                let p: f64 = complete.iter().map(|&p| school_pupils(ds, si, p, ds.census_year).0).sum();
                num(&mut props, "capacity".into(), Some(c));
                num(&mut props, "pupils".into(), Some(p));
                num(&mut props, "spare".into(), Some(c - p));
                props.push(("flagged".into(), Prop::Bool(school_flag(c, p, bands))));
            }
            num(&mut props, "fsm_pct".into(), s.fsm_pct);
            if let Some(o) = &s.ofsted {
                props.push(("ofsted".into(), Prop::Str(o.clone())));
            }
            if !complete.is_empty() {
                for &y in ys.iter().filter(|&&y| s.open_in(y)) {
                    if hidden(y) {
                        props.push((format!("suppressed_{y}"), Prop::Bool(true)));
                    }
                    // Only the phases with figures that year (a primary phase's forecasts end
                    // before a secondary's): a year beyond a phase's forecasts is no data for
                    // it, never 0 pupils; the school's totals need every phase.
                    let with: Vec<Phase> = complete.iter().copied().filter(|&ph| ds.pupils(si, ph, y).is_some()).collect();
                    if with.len() == complete.len() {
                        let (mut c, mut p) = (0.0, 0.0);
                        for &ph in &with {
                            c += school_places(ds, si, ph, y);
                            p += school_pupils(ds, si, ph, y).0;
                        }
                        let suff = sufficiency(c, p, ds.settings.operating_margin, bands);
                        num(&mut props, format!("pupils_{y}"), Some(p));
                        num(&mut props, format!("spare_pct_{y}"), suff.spare_pct);
                        if let Some(st) = suff.spare_pct.map(|v| status(v / 100.0, bands)) {
                            props.push((format!("status_{y}"), Prop::Str(st.as_str().into())));
                        }
                    }
                    // The phase on view alone (what the dots show): an all-through school's
                    // primary places against its primary pupils, as in its panel.
                    for &ph in &with {
                        let (c, p) = (school_places(ds, si, ph, y), school_pupils(ds, si, ph, y).0);
                        let suff = sufficiency(c, p, ds.settings.operating_margin, bands);
                        let sfx = format!("{}_{y}", ph.as_str());
                        num(&mut props, format!("spare_pct_{sfx}"), suff.spare_pct);
                        if let Some(st) = suff.spare_pct.map(|v| status(v / 100.0, bands)) {
                            props.push((format!("status_{sfx}"), Prop::Str(st.as_str().into())));
                        }
                    }
                }
            }
            let (wgs84, mercator) = to_wgs84_mercator(&Geometry::Point(Point::from(loc))).map_err(|e| format!("school {}: {e}", s.urn))?;
            Ok((
                si,
                MapFeature {
                    id: 0,
                    code: s.urn.to_string(),
                    name: s.name.clone(),
                    point: interior(&wgs84),
                    wgs84,
                    mercator,
                    props,
                },
            ))
        })
        .collect();
    let mut features = Vec::new();
    let mut school_index = Vec::new();
    let mut dropped = Vec::new();
    for r in results {
        match r {
            Ok((si, mut f)) => {
                f.id = features.len() as u64;
                features.push(f);
                school_index.push(si);
            }
            Err(e) => dropped.push(e),
        }
    }
    MapLayer {
        id: SCHOOLS.into(),
        title: "Schools".into(),
        kind: MapKind::Schools,
        boundary: None,
        phases: Phase::ALL.to_vec(),
        years: Phase::ALL.iter().map(|&p| (p, ys.clone())).collect(),
        metrics: metrics::school_metrics(bands),
        bounds: bounds_of(&features),
        deprivation: Vec::new(),
        members: BTreeMap::new(),
        no_data: BTreeMap::new(),
        school_index,
        features,
        dropped,
    }
}

/// Builds every map layer: boundary layers in manifest order (a boundary layer called `schools`
/// is renamed `schools-areas`), then the schools.
#[must_use]
pub fn build(ds: &Dataset, eq: &EquityResults) -> Vec<MapLayer> {
    let mut layers: Vec<MapLayer> = (0..ds.layers.len()).into_par_iter().map(|li| area_layer(ds, li, eq)).collect();
    for l in &mut layers {
        if l.id == SCHOOLS {
            l.id = format!("{SCHOOLS}-areas");
        }
    }
    layers.push(schools_layer(ds));
    layers
}

impl MapLayer {
    /// The feature with this code.
    #[must_use]
    pub fn feature(&self, code: &str) -> Option<(usize, &MapFeature)> {
        self.features.iter().enumerate().find(|(_, f)| f.code == code)
    }

    /// Every row of feature `fi` (phase × year) from the plan's catalogue — the one copy; empty
    /// for schools and LSOAs.
    #[must_use]
    pub fn rows<'a>(&self, ds: &'a Dataset, fi: usize) -> Vec<&'a SummaryRow> {
        let (Some(li), Some(f), false) = (self.boundary, self.features.get(fi), self.phases.is_empty()) else {
            return Vec::new();
        };
        layer_rows(ds, li).map(|l| l.of(&f.code).collect()).unwrap_or_default()
    }

    /// The default metric (the first).
    #[must_use]
    pub fn default_metric(&self) -> Option<&MetricSpec> {
        self.metrics.first()
    }

    /// The census year and the latest year with figures for the layer's first phase.
    #[must_use]
    pub fn year_range(&self) -> Option<(i32, i32)> {
        let ys = self.years.values().flatten();
        Some((*ys.clone().min()?, *ys.max()?))
    }
}
