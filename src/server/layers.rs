//! `/api/layers` (every layer with its URLs, phases, years and metric metadata) and
//! `/api/layers/{layer}/geojson` (a layer as a GeoJSON download in WGS84, every attribute).

use super::error::ApiError;
use super::state::AppState;
use crate::map::layer::{MapKind, Prop};
use crate::map::metrics::MetricSpec;
use crate::map::style::default_layer;
use crate::model::Phase;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One layer in `/api/layers`.
#[derive(Debug, Serialize)]
pub struct LayerInfo<'a> {
    /// Id.
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// What it shows.
    pub kind: MapKind,
    /// Number of features.
    pub features: usize,
    /// TileJSON URL.
    pub tilejson: String,
    /// Style URL showing this layer alone.
    pub style: String,
    /// GeoJSON download URL.
    pub geojson: String,
    /// Phases with sufficiency figures.
    pub phases: &'a [Phase],
    /// Years with figures, per phase.
    pub years: &'a BTreeMap<Phase, Vec<i32>>,
    /// Metrics, default first.
    pub metrics: &'a [MetricSpec],
    /// `[west, south, east, north]`.
    pub bounds: [f64; 4],
    /// How the layer was made, when placeplan derived it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived: Option<&'a str>,
    /// The schools layer's filter choices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filters: Option<SchoolFilters>,
}

/// What the schools can be filtered by, with how many schools have each value.
#[derive(Debug, Serialize)]
pub struct SchoolFilters {
    /// Establishment types (GIAS `TypeOfEstablishment`), most common first.
    pub types: Vec<(String, usize)>,
    /// Ofsted ratings as given, most common first (`no rating` for schools without one).
    pub ofsted: Vec<(String, usize)>,
    /// Establishments that do not count for places (independent, special, FE, universities,
    /// PRUs …): drawn only when asked.
    pub not_counted: usize,
}

/// The filter choices of the schools layer.
fn school_filters(l: &crate::map::layer::MapLayer) -> SchoolFilters {
    let mut types: BTreeMap<String, usize> = BTreeMap::new();
    let mut ofsted: BTreeMap<String, usize> = BTreeMap::new();
    let mut not_counted = 0;
    for f in &l.features {
        let get = |k: &str| f.props.iter().find(|(key, _)| key == k).map(|(_, v)| v);
        if let Some(Prop::Str(t)) = get("type") {
            *types.entry(t.clone()).or_default() += 1;
        }
        let rating = match get("ofsted") {
            Some(Prop::Str(o)) if !o.trim().is_empty() => o.clone(),
            _ => "no rating".to_owned(),
        };
        *ofsted.entry(rating).or_default() += 1;
        if matches!(get("mainstream"), Some(Prop::Bool(false))) {
            not_counted += 1;
        }
    }
    let sorted = |m: BTreeMap<String, usize>| {
        let mut v: Vec<(String, usize)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    };
    SchoolFilters {
        types: sorted(types),
        ofsted: sorted(ofsted),
        not_counted,
    }
}

/// `/api/layers`.
pub async fn layers(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Json<serde_json::Value> {
    let base = state.base_url(&headers);
    let ds = &state.ds;
    let list: Vec<LayerInfo<'_>> = state
        .map
        .layers
        .iter()
        .map(|l| LayerInfo {
            id: &l.id,
            title: &l.title,
            kind: l.kind,
            features: l.features.len(),
            tilejson: format!("{base}/tiles/{}.json", l.id),
            style: format!("{base}/styles/{}.json", l.id),
            geojson: format!("{base}/api/layers/{}/geojson", l.id),
            phases: &l.phases,
            years: &l.years,
            metrics: &l.metrics,
            bounds: l.bounds,
            derived: l.boundary.and_then(|b| ds.layers[b].derived.as_deref()),
            filters: (l.kind == MapKind::Schools).then(|| school_filters(l)),
        })
        .collect();
    Json(serde_json::json!({
        "dataset": {
            "name": ds.name,
            "synthetic": ds.synthetic,
            // The disclosure control its pupil counts are under (`null`: unrounded).
            "disclosure": ds.disclosure.map(|d| serde_json::json!({ "rule": d, "note": d.note() })),
            "census_year": ds.census_year,
            "vintages": ds.vintages,
            "attribution": state.attribution,
            "operating_margin": ds.settings.operating_margin,
            "bands": ds.settings.bands,
            // Pupils per dwelling for housing sites (`null`: the manifest has none).
            "yields": ds.settings.yields,
            "apportionment": ds.weight_method,
            // The basemap under the layers, if the server was started with one.
            "basemap": match (&state.options.basemap, &state.options.basemap_style) {
                (Some(b), _) => serde_json::json!({ "kind": "raster", "tiles": b.tiles, "attribution": b.attribution }),
                (None, Some(url)) => serde_json::json!({ "kind": "style", "url": url }),
                (None, None) => serde_json::Value::Null,
            },
            // The projection from population: its method and how it did on the data's own years.
            "population_forecast": ds.model.population.as_ref().map(|p| serde_json::json!({
                "method": p.method,
                "fitted": p.fitted,
                "accuracy": population_accuracy(ds),
                "scores": population_scores(ds),
            })),
            // The forecast Reception intakes against a year's admissions allocations.
            "admissions_check": crate::analysis::admissions::check(ds).ok().map(|a| serde_json::json!({
                "year": a.year,
                "schools": a.matched,
                "authority_pct": a.authority.accuracy_pct,
                "sentence": a.sentence(),
                "layer": a.layer,
                "areas": a.areas.iter().map(|r| (r.code.clone(), serde_json::json!({
                    "schools": r.schools, "forecast": r.forecast, "allocated": r.allocated, "accuracy_pct": r.accuracy_pct,
                }))).collect::<serde_json::Map<_, _>>(),
            })),
            "forecast_accuracy": ds.model.accuracy.as_ref().map(|b| serde_json::json!({
                "fitted_to": b.fitted_to,
                "held_out": b.held_out,
                "authority": accuracy_rows(ds, &b.authority),
            })),
        },
        "default_layer": default_layer(&state.map.layers).map(|l| l.id.as_str()),
        "style": format!("{base}/styles/default.json"),
        "layers": list,
    }))
}

/// The same back-tests as figures, for the panel: per run and age group, the authority's accuracy
/// % and the first ward layer's mean absolute error (pooled ratios).
fn population_scores(ds: &crate::dataset::Dataset) -> Vec<serde_json::Value> {
    use crate::forecast::population::Pool;
    let wards = crate::report::facts::backtest_layers(ds).into_iter().next();
    crate::forecast::population::headline(&ds.model.population_accuracy)
        .into_iter()
        .flat_map(|run| {
            run.levels
                .iter()
                .filter(|l| l.level == "la" && l.pool == Pool::Authority)
                .map(move |la| {
                    let ward = wards.and_then(|(id, title)| {
                        run.levels
                            .iter()
                            .find(|l| l.level == id && l.phase == la.phase && l.pool == Pool::Authority)
                            .map(|l| serde_json::json!({ "title": title, "areas": l.areas, "mape": l.mape }))
                    });
                    serde_json::json!({
                        "phase": la.phase,
                        "horizon": run.horizon,
                        "origin": run.origin,
                        "target": run.target,
                        "authority_pct": la.total.and_then(|t| t.2),
                        "wards": ward,
                    })
                })
        })
        .collect()
}

/// The back-tests of the projection from population that pages show, in words (`None`: none).
fn population_accuracy(ds: &crate::dataset::Dataset) -> Option<String> {
    let runs = crate::forecast::population::headline(&ds.model.population_accuracy);
    let s: Vec<String> = runs
        .iter()
        .map(|b| b.sentence(&crate::report::facts::backtest_layers(ds)))
        .collect();
    (!s.is_empty()).then(|| s.join(" "))
}

/// The authority's back-test rows; under disclosure control their forecast and actual pupils are
/// rounded like every other count, and the accuracy % (of the unrounded figures) to a tenth.
fn accuracy_rows(ds: &crate::dataset::Dataset, rows: &[crate::forecast::backtest::Score]) -> serde_json::Value {
    let Some(d) = ds.disclosure else {
        return serde_json::json!(rows);
    };
    rows.iter()
        .map(|r| {
            let mut v = serde_json::json!(r);
            v["forecast"] = serde_json::json!(d.count(r.forecast));
            v["actual"] = serde_json::json!(d.count(r.actual));
            // To a tenth of a per cent, so that it cannot narrow the rounded counts down.
            v["accuracy_pct"] = serde_json::json!(r.accuracy_pct.map(|p| (p * 10.0).round() / 10.0));
            v
        })
        .collect()
}

/// `/api/layers/{layer}/geojson`: a FeatureCollection (RFC 7946, WGS84) as an attachment.
///
/// # Errors
/// 404 for an unknown layer.
pub async fn geojson(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let (l, _) = super::find_layer(&state, &id)?;
    let features: Vec<geojson::Feature> = l
        .features
        .iter()
        .map(|f| geojson::Feature {
            bbox: None,
            geometry: Some(geojson::Geometry::from(&f.wgs84)),
            id: Some(geojson::feature::Id::String(f.code.clone())),
            properties: Some(f.props.iter().map(|(k, v)| (k.clone(), v.json())).collect()),
            foreign_members: None,
        })
        .collect();
    let fc = geojson::FeatureCollection {
        bbox: Some(l.bounds.to_vec()),
        features,
        foreign_members: state
            .ds
            .disclosure
            .map(|d| std::iter::once(("disclosure".to_owned(), serde_json::Value::String(d.note()))).collect()),
    };
    let body = serde_json::to_vec(&fc).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/geo+json".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.geojson\"", l.id)),
        ],
        body,
    )
        .into_response())
}

/// `/api/outline.geojson`: the authority outline the styles draw over every area layer.
///
/// # Errors
/// 404 when the dataset has no areas to outline.
pub async fn outline(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let text = state
        .map
        .outline
        .clone()
        .ok_or_else(|| ApiError::NotFound("this dataset has no boundary layer to outline".into()))?;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], text).into_response())
}

/// One entry of `/api/layers/{layer}/areas`.
#[derive(Debug, Serialize)]
pub struct AreaName<'a> {
    /// Area code or URN.
    pub code: &'a str,
    /// The feature's id in the tiles (for feature-state: a plan's figures drawn over them).
    pub id: u64,
    /// Name.
    pub name: &'a str,
}

/// `/api/layers/{layer}/areas`: every feature's code and name, by name, so that areas can be
/// chosen from a list (and with the keyboard) as well as on the map.
///
/// # Errors
/// 404 for an unknown layer.
pub async fn area_names(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let (l, _) = super::find_layer(&state, &id)?;
    let mut names: Vec<AreaName<'_>> = l
        .features
        .iter()
        .map(|f| AreaName {
            code: &f.code,
            id: f.id,
            name: &f.name,
        })
        .collect();
    names.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.code.cmp(b.code)));
    Ok(Json(names).into_response())
}
