//! The map server: vector tiles, TileJSON, MapLibre styles, the JSON API and the web app.
//! [`router`] builds the routes over an immutable [`AppState`]; [`serve`] binds and runs it.

pub mod areas;
pub mod assets;
pub mod cache;
pub mod equity;
pub mod error;
pub mod exports;
pub mod fonts;
pub mod layers;
pub mod listen;
pub mod ogc;
pub mod plans;
pub mod search;
pub mod state;
pub mod styles;
pub mod summary;
pub mod tiles;
pub mod wards;

use crate::map::layer::MapLayer;
use crate::map::tiles::TileSet;
use axum::Router;
use axum::routing::get;
use error::ApiError;
pub use state::{AppState, ServeOptions};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted (the API only reads URLs).
pub const MAX_BODY: usize = 16 * 1024;

/// The layer `id`, or a 404 naming the layers there are.
///
/// # Errors
/// [`ApiError::NotFound`].
pub fn find_layer<'a>(state: &'a AppState, id: &str) -> Result<(&'a MapLayer, &'a TileSet), ApiError> {
    state.map.get(id).ok_or_else(|| {
        let ids: Vec<&str> = state.map.layers.iter().map(|l| l.id.as_str()).collect();
        ApiError::NotFound(format!("no layer {id:?}; layers are {}", ids.join(", ")))
    })
}

/// Middleware for expensive routes: at most [`state::heavy_at_once`] at once and
/// [`state::HEAVY_TIME_LIMIT`] each; beyond either, 503 with `Retry-After` (answers already made
/// come from the cache, which sits outside this limit).
async fn heavy(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Ok(_permit) = Arc::clone(&state.heavy).try_acquire_owned() else {
        return ApiError::Busy(format!(
            "{} download{} or report{} being made already; try again in a few seconds",
            state.heavy_limit,
            if state.heavy_limit == 1 { "" } else { "s" },
            if state.heavy_limit == 1 { " is" } else { "s are" }
        ))
        .into_response();
    };
    match tokio::time::timeout(state::HEAVY_TIME_LIMIT, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => ApiError::Busy(format!(
            "this took longer than {} s and was stopped; try again later",
            state::HEAVY_TIME_LIMIT.as_secs()
        ))
        .into_response(),
    }
}

fn cors(c: &state::Cors) -> Option<tower_http::cors::CorsLayer> {
    use axum::http::{HeaderValue, Method};
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let origin = match c {
        state::Cors::Off => return None,
        state::Cors::Any => AllowOrigin::any(),
        state::Cors::Origin(o) => AllowOrigin::exact(HeaderValue::from_str(o).ok()?),
    };
    Some(
        CorsLayer::new()
            .allow_origin(origin)
            .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
            .allow_headers([axum::http::header::IF_NONE_MATCH])
            .expose_headers([axum::http::header::ETAG])
            .max_age(std::time::Duration::from_secs(3600)),
    )
}

/// Every route over `state`.
pub fn router(state: Arc<AppState>) -> Router {
    let web_dir = state.options.web_dir.clone();
    let state_cors = state.options.cors.clone();
    let expensive = Router::new()
        .route("/api/layers/{layer}/geojson", get(layers::geojson))
        .route("/api/export", get(exports::export_file))
        .route("/api/equity/access", get(equity::access_report))
        .route("/api/plans", axum::routing::post(plans::create))
        .route_layer(axum::middleware::from_fn_with_state(Arc::clone(&state), heavy));
    let api = Router::new()
        .merge(expensive)
        .route("/tiles/{layer}/{z}/{x}/{y}", get(tiles::tile))
        .route("/tiles/{layer}", get(tiles::tilejson_doc))
        .route("/tiles/{layer}/metadata.json", get(tiles::gdal_metadata))
        .route("/tiles/{layer}/{z}/", get(tiles::zoom_listing))
        .route("/tiles/{layer}/{z}/{x}/", get(tiles::column_listing))
        .route("/styles/{name}", get(styles::style_doc))
        .route("/fonts/{stack}/{range}", get(fonts::glyphs))
        .route("/ogc", get(ogc::landing))
        .route("/ogc/conformance", get(ogc::conformance))
        .route("/ogc/api", get(ogc::openapi))
        .route("/ogc/collections", get(ogc::collections))
        .route("/ogc/collections/{id}", get(ogc::one_collection))
        .route("/ogc/collections/{id}/items", get(ogc::items))
        .route("/ogc/collections/{id}/items/{fid}", get(ogc::item))
        .route("/api/layers", get(layers::layers))
        .route("/api/outline.geojson", get(layers::outline))
        .route("/api/layers/{layer}/areas", get(layers::area_names))
        .route("/api/areas/{layer}/{code}", get(areas::area))
        .route("/api/explain", get(areas::explain_figure))
        .route("/api/search", get(search::search))
        .route("/api/equity/hotspots", get(equity::hotspots))
        .route("/api/wards/{code}", get(wards::ward_json))
        .route("/ward/{code}", get(wards::ward_page))
        .route("/wards", get(wards::ward_index))
        .route("/api/equity/priority/{layer}", get(equity::priority))
        .route("/api/summary", get(summary::summary))
        .route("/api/bng", get(plans::bng))
        .route("/api/plans/{id}", get(plans::answer))
        .route("/api/plans/{id}/plan.toml", get(plans::toml_file))
        .route("/api/plans/{id}/summary", get(plans::summary))
        .route("/palette.css", get(palette_css))
        .route("/api/{*rest}", get(api_not_found))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&state), cache::respond))
        .with_state(state);
    let app = match web_dir {
        Some(dir) => api.fallback_service(tower_http::services::ServeDir::new(dir)),
        None => api.fallback(assets::asset),
    };
    let cors = cors(&state_cors);
    let app = app
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(axum::middleware::from_fn(error::json_errors))
        // One access-log line per request at `info` (PLACEPLAN_LOG=info): method, path, status, time.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(tower_http::trace::DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)),
        );
    match cors {
        Some(c) => app.layer(c),
        None => app,
    }
}

/// `/palette.css`: the status colours, from the one palette the tiles' styles, the ward pages and
/// the spreadsheets use.
async fn palette_css() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8")],
        crate::map::metrics::palette::css(),
    )
}

async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!(
        "no API endpoint {}; endpoints are /api/layers, /api/layers/LAYER/geojson, /api/areas/LAYER/CODE, /api/explain, \
         /api/search, /api/summary, /api/plans",
        uri.path()
    ))
}

/// Why the server stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source} (is another server using it? try --addr 127.0.0.1:8081)")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("server error: {0}")]
    Run(std::io::Error),
}

/// How long in-flight requests may take to finish once a stop is asked for.
pub const DRAIN: std::time::Duration = std::time::Duration::from_secs(20);

/// Serves on `listener` (bound by the caller, before the data was loaded) until SIGINT or
/// SIGTERM, with the connection `limits` of [`listen`]. In-flight requests then have [`DRAIN`] to
/// finish; a second signal stops at once. With a `loader`, SIGHUP and `POST /admin/reload` (from
/// this computer) load the data again and swap it in when it has no fatal problem.
///
/// # Errors
/// [`ServeError`].
pub async fn serve(
    state: Arc<AppState>,
    listener: std::net::TcpListener,
    limits: listen::Limits,
    loader: Option<listen::Loader>,
) -> Result<(), ServeError> {
    listen::run(state, listener, limits, loader).await
}
