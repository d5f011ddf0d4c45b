//! `/tiles/{layer}/{z}/{x}/{y}.pbf` (MVT v2; gzip when the client accepts it; 204 when empty) and
//! `/tiles/{layer}.json` (TileJSON 3.0).

use super::error::ApiError;
use super::state::AppState;
use crate::map::style::tilejson;
use crate::map::tiles::TileId;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The media type of a Mapbox Vector Tile.
pub const MVT_MEDIA_TYPE: &str = "application/vnd.mapbox-vector-tile";

fn parse_coord(what: &str, s: &str) -> Result<u32, ApiError> {
    s.parse::<u32>().map_err(|_| {
        ApiError::BadRequest(format!(
            "tile {what} {s:?} is not a whole number; tile URLs look like /tiles/LAYER/Z/X/Y.pbf"
        ))
    })
}

/// One vector tile. The encoding runs on the blocking pool so that slow tiles never stall other requests.
///
/// # Errors
/// 404 for an unknown layer, 400 for a malformed or out-of-range z/x/y.
pub async fn tile(
    State(state): State<Arc<AppState>>,
    Path((layer, z, x, y)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    let y = y.strip_suffix(".pbf").or_else(|| y.strip_suffix(".mvt")).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "tile {y:?} must end in .pbf (or .mvt); tile URLs look like /tiles/LAYER/Z/X/Y.pbf"
        ))
    })?;
    let id = TileId::new(parse_coord("zoom", &z)?, parse_coord("x", &x)?, parse_coord("y", y)?)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    super::find_layer(&state, &layer)?;
    let st = Arc::clone(&state);
    let bytes = tokio::task::spawn_blocking(move || {
        let (l, t) = st
            .map
            .get(&layer)
            .ok_or_else(|| ApiError::Internal(format!("layer {layer} vanished")))?;
        t.encode(l, id).map_err(|e| ApiError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("tile task failed: {e}")))??;
    // A tile with no feature is "204 No Content", as MapLibre and tile servers expect.
    if bytes.is_empty() {
        return Ok((StatusCode::NO_CONTENT, [(header::CACHE_CONTROL, "public, max-age=300")]).into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, MVT_MEDIA_TYPE),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        bytes,
    )
        .into_response())
}

/// The TileJSON of a layer (`/tiles/{layer}.json`).
///
/// # Errors
/// 404 for an unknown layer or a path not ending in `.json`.
pub async fn tilejson_doc(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Json<tilejson::TileJSON>, ApiError> {
    let id = file
        .strip_suffix(".json")
        .ok_or_else(|| ApiError::NotFound(format!("/tiles/{file} is not a TileJSON document; try /tiles/{file}.json")))?;
    let (l, _) = super::find_layer(&state, id)?;
    let base = state.base_url(&headers);
    let ctx = state.style_context(&base);
    Ok(Json(tilejson(l, &ctx)))
}

/// `/tiles/{layer}/metadata.json`: the tileset's metadata in the shape GDAL's MVT driver (and
/// other readers of tippecanoe / tileserver-gl folders) read — MBTiles metadata keys, with the
/// vector layers and their fields as a JSON string — so that `ogrinfo MVT:http://…/tiles/LAYER`
/// opens the layer.
///
/// # Errors
/// 404 for an unknown layer.
pub async fn gdal_metadata(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(layer): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (l, _) = super::find_layer(&state, &layer)?;
    let base = state.base_url(&headers);
    let ctx = state.style_context(&base);
    let tj = tilejson(l, &ctx);
    let [w, s, e, n] = l.bounds;
    let layers = serde_json::json!({
        "vector_layers": tj.vector_layers,
        "tilestats": crate::map::archive::tilestats(std::iter::once(l)),
    });
    Ok(Json(serde_json::json!({
        "name": l.title,
        "description": tj.description,
        "version": "2",
        "minzoom": crate::map::tiles::MIN_ZOOM.to_string(),
        "maxzoom": crate::map::tiles::MAX_ZOOM.to_string(),
        "center": format!("{},{},10", f64::midpoint(w, e), f64::midpoint(s, n)),
        "bounds": format!("{w},{s},{e},{n}"),
        "type": "overlay",
        "format": "pbf",
        "attribution": ctx.attribution,
        "json": layers.to_string(),
    })))
}

/// A folder listing in the shape web servers write (nginx's autoindex), which GDAL's `/vsicurl/`
/// reads as a directory.
fn listing(path: &str, entries: impl Iterator<Item = String>) -> Response {
    let mut body =
        format!("<html>\n<head><title>Index of {path}</title></head>\n<body>\n<h1>Index of {path}</h1><hr><pre><a href=\"../\">../</a>\n");
    for e in entries {
        body.push_str(&format!("<a href=\"{e}\">{e}</a>\n"));
    }
    body.push_str("</pre><hr></body>\n</html>\n");
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// `/tiles/{layer}/{z}/`: the columns at zoom `z` that hold tiles of the layer, as a folder
/// listing, so that GDAL's MVT driver reads the whole layer at a zoom:
/// `ogrinfo MVT:http://…/tiles/wards/11` (with `metadata.json` beside the zoom).
///
/// # Errors
/// 404 for an unknown layer, 400 for a zoom out of range.
pub async fn zoom_listing(State(state): State<Arc<AppState>>, Path((layer, z)): Path<(String, String)>) -> Result<Response, ApiError> {
    let zoom = parse_coord("zoom", &z)?;
    let (l, t) = super::find_layer(&state, &layer)?;
    TileId::new(zoom, 0, 0).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let zz = u8::try_from(zoom).unwrap_or(0);
    let (xs, ys) = crate::map::archive::tile_range(l.bounds, zz);
    let cols: Vec<String> = xs
        .filter(|&x| ys.clone().any(|y| TileId::new(zoom, x, y).is_ok_and(|id| t.may_have(id))))
        .map(|x| format!("{x}/"))
        .collect();
    Ok(listing(&format!("/tiles/{layer}/{z}/"), cols.into_iter()))
}

/// `/tiles/{layer}/{z}/{x}/`: the tiles of column `x`, as a folder listing.
///
/// # Errors
/// 404 for an unknown layer, 400 for a zoom or column out of range.
pub async fn column_listing(
    State(state): State<Arc<AppState>>,
    Path((layer, z, x)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let (zoom, col) = (parse_coord("zoom", &z)?, parse_coord("x", &x)?);
    let (l, t) = super::find_layer(&state, &layer)?;
    TileId::new(zoom, col, 0).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let (_, ys) = crate::map::archive::tile_range(l.bounds, u8::try_from(zoom).unwrap_or(0));
    let rows: Vec<String> = ys
        .filter(|&y| TileId::new(zoom, col, y).is_ok_and(|id| t.may_have(id)))
        .map(|y| format!("{y}.pbf"))
        .collect();
    Ok(listing(&format!("/tiles/{layer}/{z}/{x}/"), rows.into_iter()))
}
