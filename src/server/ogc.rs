//! OGC API – Features, Part 1 Core with GeoJSON, under `/ogc`: the way QGIS ("OGC API -
//! Features"), ArcGIS Pro and GDAL (`ogrinfo OAPIF:http://…/ogc`) read live features. Every map
//! layer (each boundary layer with its figures, the LSOAs, the schools) is a collection; items are
//! in CRS84 with their attributes, paged by `limit` and `offset` with `next` links, filtered by
//! `bbox` (CRS84) and by `code`. Part 2: `crs=http://www.opengis.net/def/crs/EPSG/0/27700` gives
//! the geometry as placeplan computes it, in British National Grid (the storage CRS).

use super::error::ApiError;
use super::state::AppState;
use crate::map::layer::{MapFeature, MapLayer};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use geo::{BoundingRect, Intersects};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// Items per page when `limit` is not given (the standard's example default).
pub const DEFAULT_LIMIT: usize = 10;
/// The most items one page holds.
pub const MAX_LIMIT: usize = 10_000;
/// CRS84, the default coordinate reference system.
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
/// British National Grid, the CRS placeplan computes in (OGC API – Features Part 2).
pub const EPSG_27700: &str = "http://www.opengis.net/def/crs/EPSG/0/27700";

/// Which CRS the geometry is given in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Crs {
    Crs84,
    Bng,
}

impl Crs {
    fn parse(s: Option<&str>) -> Result<Self, ApiError> {
        match s {
            None | Some(CRS84) => Ok(Self::Crs84),
            Some(EPSG_27700) => Ok(Self::Bng),
            Some(other) => Err(ApiError::BadRequest(format!(
                "crs={other:?} is not offered; use {CRS84} (the default) or {EPSG_27700}"
            ))),
        }
    }

    fn uri(self) -> &'static str {
        match self {
            Self::Crs84 => CRS84,
            Self::Bng => EPSG_27700,
        }
    }
}

/// The conformance classes implemented.
const CONFORMS_TO: [&str; 3] = [
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
];

fn link(href: String, rel: &str, kind: &str, title: &str) -> Value {
    json!({ "href": href, "rel": rel, "type": kind, "title": title })
}

fn geojson(v: Value, crs: Crs) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/geo+json".to_owned()),
            (header::HeaderName::from_static("content-crs"), format!("<{}>", crs.uri())),
        ],
        Json(v),
    )
        .into_response()
}

/// `/ogc`: the landing page.
pub async fn landing(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Json<Value> {
    let base = state.base_url(&headers);
    Json(json!({
        "title": format!("placeplan: {}", state.ds.name),
        "description": "School places and deprivation by area: OGC API - Features (Part 1 Core, GeoJSON, CRS84)",
        "links": [
            link(format!("{base}/ogc"), "self", "application/json", "This document"),
            link(format!("{base}/ogc/conformance"), "conformance", "application/json", "Conformance classes"),
            link(format!("{base}/ogc/collections"), "data", "application/json", "Collections"),
        ]
    }))
}

/// `/ogc/conformance`.
pub async fn conformance() -> Json<Value> {
    Json(json!({ "conformsTo": CONFORMS_TO }))
}

fn collection(base: &str, l: &MapLayer) -> Value {
    let [w, s, e, n] = l.bounds;
    let items = format!("{base}/ogc/collections/{}/items", l.id);
    json!({
        "id": l.id,
        "title": l.title,
        "description": format!("{} ({} features) with every figure of the map's tiles", l.title, l.features.len()),
        "itemType": "feature",
        "crs": [CRS84, EPSG_27700],
        "storageCrs": EPSG_27700,
        "extent": { "spatial": { "bbox": [[w, s, e, n]], "crs": CRS84 } },
        "links": [
            link(format!("{base}/ogc/collections/{}", l.id), "self", "application/json", &l.title),
            link(items, "items", "application/geo+json", &format!("{} as GeoJSON", l.title)),
        ]
    })
}

/// `/ogc/collections`.
pub async fn collections(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Json<Value> {
    let base = state.base_url(&headers);
    Json(json!({
        "links": [link(format!("{base}/ogc/collections"), "self", "application/json", "Collections")],
        "collections": state.map.layers.iter().map(|l| collection(&base, l)).collect::<Vec<_>>(),
    }))
}

fn layer<'a>(state: &'a AppState, id: &str) -> Result<&'a MapLayer, ApiError> {
    super::find_layer(state, id).map(|(l, _)| l)
}

/// `/ogc/collections/{id}`.
///
/// # Errors
/// 404 for an unknown collection.
pub async fn one_collection(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let base = state.base_url(&headers);
    Ok(Json(collection(&base, layer(&state, &id)?)))
}

/// Feature `fi` of `l` in British National Grid: its area's outline, or its school's point.
fn bng(state: &AppState, l: &MapLayer, fi: usize, f: &MapFeature) -> Option<geo::Geometry<f64>> {
    match l.boundary {
        Some(b) => state
            .ds
            .layers
            .get(b)?
            .areas
            .get(usize::try_from(f.id).ok()?)
            .filter(|a| a.code.as_str() == f.code)
            .map(|a| geo::Geometry::MultiPolygon(a.geometry.clone())),
        None => state
            .ds
            .schools
            .get(*l.school_index.get(fi)?)?
            .location
            .map(|c| geo::Geometry::Point(c.into())),
    }
}

fn feature(state: &AppState, l: &MapLayer, fi: usize, f: &MapFeature, crs: Crs) -> Value {
    let geometry = match crs {
        Crs::Crs84 => Some(geojson::Geometry::from(&f.wgs84)),
        Crs::Bng => bng(state, l, fi, f).map(|g| geojson::Geometry::from(&g)),
    };
    json!({
        "type": "Feature",
        "id": f.code,
        "geometry": geometry,
        "properties": f.props.iter().map(|(k, v)| (k.clone(), v.json())).collect::<serde_json::Map<_, _>>(),
    })
}

/// Query of an items request.
#[derive(Debug, Deserialize)]
pub struct ItemsQuery {
    /// Items per page (1 to 10,000; default 10).
    pub limit: Option<String>,
    /// Items to skip.
    pub offset: Option<String>,
    /// `west,south,east,north` in CRS84.
    pub bbox: Option<String>,
    /// Only the feature with this area code or URN.
    pub code: Option<String>,
    /// The CRS of the geometry: CRS84 (default) or EPSG:27700.
    pub crs: Option<String>,
}

/// Query of a single item.
#[derive(Debug, Deserialize)]
pub struct ItemQuery {
    /// The CRS of the geometry: CRS84 (default) or EPSG:27700.
    pub crs: Option<String>,
}

fn whole(name: &str, v: Option<&str>, default: usize, max: usize) -> Result<usize, ApiError> {
    match v {
        None => Ok(default),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= max && (name != "limit" || *n >= 1))
            .ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "{name}={s:?} must be a whole number{}",
                    if name == "limit" { " from 1 to 10000" } else { "" }
                ))
            }),
    }
}

fn parse_bbox(s: &str) -> Result<geo::Rect<f64>, ApiError> {
    let v: Vec<f64> = s
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad_bbox(s))?;
    match v[..] {
        [w, so, e, n] if w.is_finite() && so.is_finite() && e.is_finite() && n.is_finite() && w <= e && so <= n => {
            Ok(geo::Rect::new(geo::coord! { x: w, y: so }, geo::coord! { x: e, y: n }))
        }
        _ => Err(bad_bbox(s)),
    }
}

fn bad_bbox(s: &str) -> ApiError {
    ApiError::BadRequest(format!(
        "bbox={s:?} must be west,south,east,north in degrees (CRS84), west ≤ east and south ≤ north"
    ))
}

/// `/ogc/collections/{id}/items`.
///
/// # Errors
/// 404 for an unknown collection, 400 for a bad `limit`, `offset` or `bbox`.
pub async fn items(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<ItemsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q?;
    let l = layer(&state, &id)?;
    let limit = whole("limit", q.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?;
    let offset = whole("offset", q.offset.as_deref(), 0, usize::MAX)?;
    let bbox = q.bbox.as_deref().map(parse_bbox).transpose()?;
    let crs = Crs::parse(q.crs.as_deref())?;
    let matched: Vec<(usize, &MapFeature)> = l
        .features
        .iter()
        .enumerate()
        .filter(|(_, f)| q.code.as_deref().is_none_or(|c| f.code == c))
        .filter(|(_, f)| bbox.is_none_or(|b| f.wgs84.bounding_rect().is_some_and(|r| r.intersects(&b)) && f.wgs84.intersects(&b)))
        .collect();
    let page: Vec<Value> = matched
        .iter()
        .skip(offset)
        .take(limit)
        .map(|&(fi, f)| feature(&state, l, fi, f, crs))
        .collect();
    let base = state.base_url(&headers);
    let here = |offset: usize| {
        let mut s = format!("{base}/ogc/collections/{id}/items?limit={limit}&offset={offset}");
        if let Some(b) = &q.bbox {
            s.push_str(&format!("&bbox={}", urlencode(b)));
        }
        if let Some(c) = &q.code {
            s.push_str(&format!("&code={}", urlencode(c)));
        }
        if crs == Crs::Bng {
            s.push_str(&format!("&crs={}", urlencode(EPSG_27700)));
        }
        s
    };
    let mut links = vec![
        link(here(offset), "self", "application/geo+json", "This page"),
        link(format!("{base}/ogc/collections/{id}"), "collection", "application/json", &l.title),
    ];
    if offset + page.len() < matched.len() {
        links.push(link(here(offset + limit), "next", "application/geo+json", "Next page"));
    }
    if offset > 0 {
        links.push(link(
            here(offset.saturating_sub(limit)),
            "prev",
            "application/geo+json",
            "Previous page",
        ));
    }
    Ok(geojson(
        json!({
            "type": "FeatureCollection",
            "numberMatched": matched.len(),
            "numberReturned": page.len(),
            "features": page,
            "links": links,
        }),
        crs,
    ))
}

/// `/ogc/collections/{id}/items/{featureId}`.
///
/// # Errors
/// 404 for an unknown collection or feature.
pub async fn item(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path((id, fid)): Path<(String, String)>,
    q: Result<Query<ItemQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q?;
    let crs = Crs::parse(q.crs.as_deref())?;
    let l = layer(&state, &id)?;
    let (fi, f) = l.feature(&fid).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no feature {fid:?} in collection {id}; /ogc/collections/{id}/items lists them"
        ))
    })?;
    let base = state.base_url(&headers);
    let mut v = feature(&state, l, fi, f, crs);
    v["links"] = json!([
        link(
            format!("{base}/ogc/collections/{id}/items/{}", urlencode(&fid)),
            "self",
            "application/geo+json",
            &f.name
        ),
        link(format!("{base}/ogc/collections/{id}"), "collection", "application/json", &l.title),
    ]);
    Ok(geojson(v, crs))
}

/// Percent-encodes a query or path value (everything but letters, digits and `-_.~`).
fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
