//! The map server: vector tiles, TileJSON, MapLibre styles, the JSON API and the web app.
//! [`router`] builds the routes over an immutable [`AppState`]; [`serve`] binds and runs it.

pub mod areas;
pub mod assets;
pub mod cache;
pub mod equity;
pub mod error;
pub mod exports;
pub mod layers;
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

/// Every route over `state`.
pub fn router(state: Arc<AppState>) -> Router {
    let web_dir = state.options.web_dir.clone();
    let api = Router::new()
        .route("/tiles/{layer}/{z}/{x}/{y}", get(tiles::tile))
        .route("/tiles/{layer}", get(tiles::tilejson_doc))
        .route("/styles/{name}", get(styles::style_doc))
        .route("/api/layers", get(layers::layers))
        .route("/api/layers/{layer}/geojson", get(layers::geojson))
        .route("/api/areas/{layer}/{code}", get(areas::area))
        .route("/api/explain", get(areas::explain_figure))
        .route("/api/search", get(search::search))
        .route("/api/equity/hotspots", get(equity::hotspots))
        .route("/api/wards/{code}", get(wards::ward_json))
        .route("/api/export", get(exports::export_file))
        .route("/ward/{code}", get(wards::ward_page))
        .route("/wards", get(wards::ward_index))
        .route("/api/equity/access", get(equity::access_report))
        .route("/api/equity/priority/{layer}", get(equity::priority))
        .route("/api/summary", get(summary::summary))
        .route("/palette.css", get(palette_css))
        .route("/api/{*rest}", get(api_not_found))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&state), cache::respond))
        .with_state(state);
    let app = match web_dir {
        Some(dir) => api.fallback_service(tower_http::services::ServeDir::new(dir)),
        None => api.fallback(assets::asset),
    };
    app.layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(TraceLayer::new_for_http())
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
         /api/search, /api/summary",
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

/// Binds `addr` and serves until Ctrl-C. `ready` is called with the bound address.
///
/// # Errors
/// [`ServeError`].
pub async fn serve(state: Arc<AppState>, addr: SocketAddr, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let bound = listener.local_addr().map_err(ServeError::Run)?;
    ready(bound);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(ServeError::Run)
}
