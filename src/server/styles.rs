//! `/styles/{name}.json`: MapLibre style v8 documents. `default` is the web app's own (every
//! layer, the first ward layer and the schools shown); `{layer}` shows just that layer.

use super::error::ApiError;
use super::state::AppState;
use crate::map::style::style;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use std::sync::Arc;

/// A style document.
///
/// # Errors
/// 404 for an unknown style name, with the names there are.
pub async fn style_doc(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let names = || {
        std::iter::once("default")
            .chain(state.map.layers.iter().map(|l| l.id.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let name = file
        .strip_suffix(".json")
        .ok_or_else(|| ApiError::NotFound(format!("styles are JSON: /styles/NAME.json with NAME one of {}", names())))?;
    let show = if name == "default" {
        None
    } else if state.map.get(name).is_some() {
        Some(name)
    } else {
        return Err(ApiError::NotFound(format!("no style {name:?}; styles are {}", names())));
    };
    let base = state.base_url(&headers);
    let ctx = state.style_context(&base);
    Ok(Json(style(&state.map.layers, name, show, &ctx)))
}
