//! OGC API – Features, Part 1 Core with GeoJSON, under `/ogc`: the way QGIS ("OGC API -
//! Features"), ArcGIS Pro and GDAL (`ogrinfo OAPIF:http://…/ogc`) read live features. Every map
//! layer (each boundary layer with its figures, the LSOAs, the schools) is a collection; items are
//! in CRS84 with their attributes, paged by `limit` and `offset` with `next` links, filtered by
//! `bbox` (CRS84) and by `code`. Part 2: `crs=http://www.opengis.net/def/crs/EPSG/0/27700` gives
//! the geometry as placeplan computes it, in British National Grid (the storage CRS).
//!
//! The `figures` collection is every figure in long form (level, layer, code, phase, year,
//! measure, value; [`crate::export::long`]) without geometry, filtered by `layer`, `code`,
//! `phase`, `year` and `measure`: join it to a layer on `code` in a GIS.

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
            // The API definition: the standard asks for it, and QGIS will not open the service without it.
            link(format!("{base}/ogc/api"), "service-desc", OPENAPI_TYPE, "The API definition (OpenAPI 3.0)"),
            link(format!("{base}/ogc/conformance"), "conformance", "application/json", "Conformance classes"),
            link(format!("{base}/ogc/collections"), "data", "application/json", "Collections"),
        ]
    }))
}

/// The media type of an OpenAPI 3.0 document.
pub const OPENAPI_TYPE: &str = "application/vnd.oai.openapi+json;version=3.0";

fn param(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

/// `/ogc/api`: the API definition (OpenAPI 3.0): every path, its parameters and what it answers.
pub async fn openapi(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let base = state.base_url(&headers);
    let mut ids: Vec<&str> = state.map.layers.iter().map(|l| l.id.as_str()).collect();
    if has_figures(&state) {
        ids.push(FIGURES);
    }
    let json_ok = |what: &str| json!({ "200": { "description": what, "content": { "application/json": {} } } });
    let geo_ok = |what: &str| {
        json!({
            "200": { "description": what, "content": { "application/geo+json": {} } },
            "400": { "description": "A bad parameter, said in words" },
            "404": { "description": "No such collection or feature" }
        })
    };
    let collection_id = json!({ "name": "collectionId", "in": "path", "required": true, "schema": { "type": "string", "enum": ids } });
    let doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": format!("placeplan: {}", state.ds.name),
            "version": env!("CARGO_PKG_VERSION"),
            "description": "OGC API - Features (Part 1 Core, GeoJSON; Part 2 CRS: CRS84 and EPSG:27700) over placeplan's map layers and its figures in long form.",
        },
        "servers": [{ "url": format!("{base}/ogc") }],
        "paths": {
            "/": { "get": { "summary": "Landing page", "operationId": "getLandingPage", "responses": json_ok("The landing page") } },
            "/conformance": { "get": { "summary": "Conformance classes", "operationId": "getConformance", "responses": json_ok("The conformance classes") } },
            "/api": { "get": { "summary": "This document", "operationId": "getApi", "responses": { "200": { "description": "OpenAPI 3.0", "content": { OPENAPI_TYPE: {} } } } } },
            "/collections": { "get": { "summary": "The collections", "operationId": "getCollections", "responses": json_ok("Every collection") } },
            "/collections/{collectionId}": { "get": {
                "summary": "One collection", "operationId": "describeCollection",
                "parameters": [collection_id.clone()], "responses": json_ok("The collection")
            } },
            "/collections/{collectionId}/items": { "get": {
                "summary": "Features of a collection, page by page", "operationId": "getFeatures",
                "parameters": [
                    collection_id.clone(),
                    param("limit", "Items per page", json!({ "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT })),
                    param("offset", "Items to skip", json!({ "type": "integer", "minimum": 0, "default": 0 })),
                    { "name": "bbox", "in": "query", "required": false, "description": "west,south,east,north in CRS84", "style": "form", "explode": false,
                      "schema": { "type": "array", "minItems": 4, "maxItems": 4, "items": { "type": "number" } } },
                    param("code", "Only the area code or URN (figures: that code)", json!({ "type": "string" })),
                    param("crs", "The CRS of the geometry", json!({ "type": "string", "enum": [CRS84, EPSG_27700], "default": CRS84 })),
                    param("bbox-crs", "The CRS of bbox", json!({ "type": "string", "enum": [CRS84, EPSG_27700], "default": CRS84 })),
                    param("layer", "figures only: the layer", json!({ "type": "string" })),
                    param("phase", "figures only: primary, secondary or post16", json!({ "type": "string", "enum": ["primary", "secondary", "post16"] })),
                    param("year", "figures only: the academic year by its start", json!({ "type": "integer" })),
                    param("measure", "figures only: one measure", json!({ "type": "string", "enum": crate::export::long::MEASURES.iter().map(|m| m.0).collect::<Vec<_>>() })),
                ],
                "responses": geo_ok("A FeatureCollection with numberMatched, numberReturned and next/prev links")
            } },
            "/collections/{collectionId}/items/{featureId}": { "get": {
                "summary": "One feature", "operationId": "getFeature",
                "parameters": [
                    collection_id,
                    { "name": "featureId", "in": "path", "required": true, "schema": { "type": "string" } },
                    param("crs", "The CRS of the geometry", json!({ "type": "string", "enum": [CRS84, EPSG_27700], "default": CRS84 })),
                ],
                "responses": geo_ok("A Feature")
            } }
        }
    });
    ([(header::CONTENT_TYPE, OPENAPI_TYPE)], Json(doc)).into_response()
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

/// The id of the long-form figures collection.
pub const FIGURES: &str = "figures";

/// Whether the `figures` collection is offered: always, unless a map layer has that id.
fn has_figures(state: &AppState) -> bool {
    state.map.get(FIGURES).is_none()
}

fn figures_collection(base: &str) -> Value {
    json!({
        "id": FIGURES,
        "title": "Figures (long form)",
        "description": "Every figure: one item per level, layer, area or school (code), phase, year and measure, with its value (null: no figure) and, for status, its word. No geometry: join to a layer on code. Filters: layer, code, phase, year, measure.",
        "itemType": "feature",
        "links": [
            link(format!("{base}/ogc/collections/{FIGURES}"), "self", "application/json", "Figures"),
            link(format!("{base}/ogc/collections/{FIGURES}/items"), "items", "application/geo+json", "Figures as GeoJSON features without geometry"),
        ]
    })
}

/// `/ogc/collections`.
pub async fn collections(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Json<Value> {
    let base = state.base_url(&headers);
    let mut list: Vec<Value> = state.map.layers.iter().map(|l| collection(&base, l)).collect();
    if has_figures(&state) {
        list.push(figures_collection(&base));
    }
    Json(json!({
        "links": [link(format!("{base}/ogc/collections"), "self", "application/json", "Collections")],
        "collections": list,
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
    if id == FIGURES && has_figures(&state) {
        return Ok(Json(figures_collection(&base)));
    }
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
    /// The CRS of `bbox`: CRS84 (default, degrees) or EPSG:27700 (metres).
    #[serde(rename = "bbox-crs")]
    pub bbox_crs: Option<String>,
    /// `figures` only: the layer (`schools`, `la` or a ward or planning-area layer).
    pub layer: Option<String>,
    /// `figures` only: `primary`, `secondary` or `post16`.
    pub phase: Option<String>,
    /// `figures` only: the academic year by its start.
    pub year: Option<String>,
    /// `figures` only: one measure (`pupils`, `spare_pct`, …).
    pub measure: Option<String>,
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

fn parse_bbox(s: &str, crs: Crs) -> Result<geo::Rect<f64>, ApiError> {
    let v: Vec<f64> = s
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad_bbox(s, crs))?;
    match v[..] {
        [w, so, e, n] if w.is_finite() && so.is_finite() && e.is_finite() && n.is_finite() && w <= e && so <= n => {
            Ok(geo::Rect::new(geo::coord! { x: w, y: so }, geo::coord! { x: e, y: n }))
        }
        _ => Err(bad_bbox(s, crs)),
    }
}

fn bad_bbox(s: &str, crs: Crs) -> ApiError {
    ApiError::BadRequest(match crs {
        Crs::Crs84 => format!("bbox={s:?} must be west,south,east,north in degrees (CRS84), west ≤ east and south ≤ north"),
        Crs::Bng => format!("bbox={s:?} must be min easting,min northing,max easting,max northing in metres (EPSG:27700)"),
    })
}

/// One page of items: the features, the counts, and `self`, `collection`, `next` and `prev`
/// links (`here(offset)` is the page's address at another offset).
fn feature_page(
    page: Vec<Value>,
    matched: usize,
    offset: usize,
    limit: usize,
    here: &dyn Fn(usize) -> String,
    collection: Value,
    crs: Crs,
) -> Response {
    let mut links = vec![link(here(offset), "self", "application/geo+json", "This page"), collection];
    if offset + page.len() < matched {
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
    geojson(
        json!({
            "type": "FeatureCollection",
            "numberMatched": matched,
            "numberReturned": page.len(),
            "features": page,
            "links": links,
        }),
        crs,
    )
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
    let limit = whole("limit", q.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?;
    let offset = whole("offset", q.offset.as_deref(), 0, usize::MAX)?;
    if id == FIGURES && has_figures(&state) {
        return figure_items(&state, &headers, &q, limit, offset);
    }
    let l = layer(&state, &id)?;
    let bbox_crs = Crs::parse(q.bbox_crs.as_deref())?;
    let bbox = q.bbox.as_deref().map(|b| parse_bbox(b, bbox_crs)).transpose()?;
    let crs = Crs::parse(q.crs.as_deref())?;
    // A bbox in CRS84 meets the features' WGS84 outlines; one in EPSG:27700 their outlines as
    // computed, in metres (Part 2, bbox-crs).
    let meets = |fi: usize, f: &MapFeature, b: &geo::Rect<f64>| match bbox_crs {
        Crs::Crs84 => f.wgs84.bounding_rect().is_some_and(|r| r.intersects(b)) && f.wgs84.intersects(b),
        Crs::Bng => bng(&state, l, fi, f).is_some_and(|g| g.intersects(b)),
    };
    let matched: Vec<(usize, &MapFeature)> = l
        .features
        .iter()
        .enumerate()
        .filter(|(_, f)| q.code.as_deref().is_none_or(|c| f.code == c))
        .filter(|&(fi, f)| bbox.as_ref().is_none_or(|b| meets(fi, f, b)))
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
            if bbox_crs == Crs::Bng {
                s.push_str(&format!("&bbox-crs={}", urlencode(EPSG_27700)));
            }
        }
        if let Some(c) = &q.code {
            s.push_str(&format!("&code={}", urlencode(c)));
        }
        if crs == Crs::Bng {
            s.push_str(&format!("&crs={}", urlencode(EPSG_27700)));
        }
        s
    };
    let collection = link(format!("{base}/ogc/collections/{id}"), "collection", "application/json", &l.title);
    Ok(feature_page(page, matched.len(), offset, limit, &here, collection, crs))
}

/// The id of a figure item: `layer:code:phase:year:measure` (`:` is in no layer id, phase or
/// measure, and a path segment may hold it unescaped).
fn figure_id(r: &crate::export::long::LongRow) -> String {
    format!("{}:{}:{}:{}:{}", r.layer, r.code, r.phase.as_str(), r.year, r.measure)
}

fn figure_feature(r: &crate::export::long::LongRow) -> Value {
    json!({ "type": "Feature", "id": figure_id(r), "geometry": null, "properties": r })
}

/// `/ogc/collections/figures/items`: the long-form figures, filtered and paged.
fn figure_items(state: &AppState, headers: &HeaderMap, q: &ItemsQuery, limit: usize, offset: usize) -> Result<Response, ApiError> {
    if q.bbox.is_some() || q.crs.is_some() || q.bbox_crs.is_some() {
        return Err(ApiError::BadRequest(
            "the figures collection has no geometry: filter it by layer, code, phase, year and measure".into(),
        ));
    }
    // A filter naming nothing there is says so, rather than answering an empty page.
    let known = |what: &str, v: &Option<String>, ok: &dyn Fn(&str) -> bool, choices: String| match v {
        Some(v) if !ok(v) => Err(ApiError::BadRequest(format!("{what}={v:?} is not one of {choices}"))),
        _ => Ok(()),
    };
    let layers: Vec<&str> = {
        let mut v: Vec<&str> = state.figures().iter().map(|r| r.layer.as_str()).collect();
        v.dedup();
        v
    };
    known("layer", &q.layer, &|v| layers.contains(&v), layers.join(", "))?;
    known(
        "phase",
        &q.phase,
        &|v| crate::model::Phase::parse(v).is_some(),
        "primary, secondary, post16".into(),
    )?;
    let measures: Vec<&str> = crate::export::long::MEASURES.iter().map(|m| m.0).collect();
    known("measure", &q.measure, &|v| measures.contains(&v), measures.join(", "))?;
    let year = q
        .year
        .as_deref()
        .map(|y| {
            y.parse::<i32>()
                .map_err(|_| ApiError::BadRequest(format!("year={y:?} must be a year such as 2027")))
        })
        .transpose()?;
    let matched: Vec<&crate::export::long::LongRow> = state
        .figures()
        .iter()
        .filter(|r| q.layer.as_deref().is_none_or(|l| r.layer == l))
        .filter(|r| q.code.as_deref().is_none_or(|c| r.code == c))
        .filter(|r| q.phase.as_deref().is_none_or(|p| r.phase.as_str() == p))
        .filter(|r| year.is_none_or(|y| r.year == y))
        .filter(|r| q.measure.as_deref().is_none_or(|m| r.measure == m))
        .collect();
    let page: Vec<Value> = matched.iter().skip(offset).take(limit).map(|r| figure_feature(r)).collect();
    let base = state.base_url(headers);
    let here = |offset: usize| {
        let mut s = format!("{base}/ogc/collections/{FIGURES}/items?limit={limit}&offset={offset}");
        for (k, v) in [
            ("layer", &q.layer),
            ("code", &q.code),
            ("phase", &q.phase),
            ("year", &q.year),
            ("measure", &q.measure),
        ] {
            if let Some(v) = v {
                s.push_str(&format!("&{k}={}", urlencode(v)));
            }
        }
        s
    };
    let collection = link(
        format!("{base}/ogc/collections/{FIGURES}"),
        "collection",
        "application/json",
        "Figures",
    );
    Ok(feature_page(page, matched.len(), offset, limit, &here, collection, Crs::Crs84))
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
    if id == FIGURES && has_figures(&state) {
        let r = state.figures().iter().find(|r| figure_id(r) == fid).ok_or_else(|| {
            ApiError::NotFound(format!(
                "no figure {fid:?}; ids are layer:code:phase:year:measure, e.g. wards:E05900001:primary:2024:pupils"
            ))
        })?;
        return Ok(geojson(figure_feature(r), Crs::Crs84));
    }
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
