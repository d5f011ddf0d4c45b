//! The web app, built into the binary so that `placeplan serve` works from anywhere and offline.
//! Files are looked up by exact name in a fixed list, so no request can reach the file system.

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

macro_rules! web_files {
    ($($p:literal),* $(,)?) => {
        &[ $( ($p, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/web/", $p)) as &[u8]) ),* ]
    };
}

/// Every file of `web/` (a test checks the list against the folder).
pub const FILES: &[(&str, &[u8])] = web_files![
    "index.html",
    "css/app.css",
    "js/main.js",
    "js/api.js",
    "js/layers.js",
    "js/legend.js",
    "js/controls.js",
    "js/panel.js",
    "js/chart.js",
    "js/urlstate.js",
    "js/format.js",
    "js/export.js",
    "js/basemap.js",
    "js/search.js",
    "js/plan.js",
    "vendor/maplibre-gl/maplibre-gl.mjs",
    "vendor/maplibre-gl/maplibre-gl-worker.mjs",
    "vendor/maplibre-gl/maplibre-gl.css",
    "vendor/maplibre-gl/LICENSE.txt",
    "vendor/maplibre-gl/VERSION.md",
    "vendor/pmtiles/pmtiles.js",
    "vendor/pmtiles/LICENSE.txt",
    "vendor/pmtiles/VERSION.md",
];

/// The media type for a file name.
#[must_use]
pub fn media_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => "text/plain; charset=utf-8",
    }
}

/// Serves a built-in file; `/` is `index.html`.
pub async fn asset(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let name = if path.is_empty() { "index.html" } else { path };
    match FILES.iter().find(|(n, _)| *n == name) {
        Some((n, bytes)) => {
            let cache = if n.starts_with("vendor/") {
                "public, max-age=86400"
            } else {
                "no-cache"
            };
            (
                [
                    (header::CONTENT_TYPE, media_type(n)),
                    (header::CACHE_CONTROL, cache),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                ],
                *bytes,
            )
                .into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            format!(
                "{{\"error\":\"not_found\",\"message\":{}}}",
                serde_json::Value::from(format!("no such page: /{path}; the map is at /, the API list at /api/layers"))
            ),
        )
            .into_response(),
    }
}
