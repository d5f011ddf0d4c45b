//! `/fonts/{fontstack}/{range}.pbf`: the SDF glyph ranges the styles' labels use
//! ([`crate::map::glyphs`]), made on the blocking pool on first request and then answered from the
//! response cache.

use super::error::ApiError;
use crate::map::glyphs::{GlyphError, glyph_range};
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// One glyph range.
///
/// # Errors
/// 404 for a font that is not built in, 400 for a malformed range.
pub async fn glyphs(Path((stack, range)): Path<(String, String)>) -> Result<Response, ApiError> {
    let bytes = tokio::task::spawn_blocking(move || glyph_range(&stack, &range))
        .await
        .map_err(|e| ApiError::Internal(format!("glyph task failed: {e}")))?
        .map_err(|e| match e {
            GlyphError::UnknownFont { .. } => ApiError::NotFound(e.to_string()),
            GlyphError::BadRange { .. } => ApiError::BadRequest(e.to_string()),
            GlyphError::Font(_) => ApiError::Internal(e.to_string()),
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-protobuf"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        bytes,
    )
        .into_response())
}
