//! `/api/search?q=TEXT[&limit=N]`: wards, planning areas and schools by name or code.
//! Matches are case-insensitive; whole-word and prefix matches rank before matches inside a word.

use super::error::ApiError;
use super::state::AppState;
use crate::map::layer::MapKind;
use axum::Json;
use axum::extract::{Query, State};
use geo::BoundingRect;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The longest query accepted.
pub const MAX_QUERY: usize = 100;
/// The most results returned.
pub const MAX_LIMIT: usize = 50;

/// Query parameters.
#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    /// Text to find.
    pub q: String,
    /// Results wanted (default 10, at most 50).
    pub limit: Option<usize>,
}

/// One hit.
#[derive(Debug, Serialize)]
pub struct Hit {
    /// Layer id.
    pub layer: String,
    /// Layer title.
    pub layer_title: String,
    /// Feature code or URN.
    pub code: String,
    /// Name.
    pub name: String,
    /// `[west, south, east, north]`.
    pub bbox: Option<[f64; 4]>,
    /// A point inside the feature, `[lon, lat]`.
    pub point: Option<[f64; 2]>,
}

/// Rank of a match: 0 exact code or name, 1 name starts with the query, 2 a word starts with it, 3 inside a word.
#[must_use]
pub fn match_rank(name: &str, code: &str, q: &str) -> Option<u8> {
    let n = name.to_lowercase();
    if code.eq_ignore_ascii_case(q) || n == q {
        Some(0)
    } else if n.starts_with(q) || code.to_lowercase().starts_with(q) {
        Some(1)
    } else if n.split(|c: char| !c.is_alphanumeric()).any(|w| w.starts_with(q)) {
        Some(2)
    } else if n.contains(q) {
        Some(3)
    } else {
        None
    }
}

/// `/api/search`.
///
/// # Errors
/// 400 for an empty or over-long query.
pub async fn search(
    State(state): State<Arc<AppState>>,
    q: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<Hit>>, ApiError> {
    let Query(q) = q?;
    let text = q.q.trim().to_lowercase();
    if text.is_empty() || text.chars().count() > MAX_QUERY {
        return Err(ApiError::BadRequest(format!("search text must be 1 to {MAX_QUERY} characters")));
    }
    let limit = q.limit.unwrap_or(10).clamp(1, MAX_LIMIT);
    let mut hits: Vec<(u8, usize, Hit)> = Vec::new();
    for (li, l) in state.map.layers.iter().enumerate() {
        // LSOAs are found by code only: their names repeat the district name hundreds of times.
        let lsoa = l.kind == MapKind::Lsoa;
        for f in &l.features {
            let rank = if lsoa {
                f.code.eq_ignore_ascii_case(&text).then_some(0)
            } else {
                match_rank(&f.name, &f.code, &text)
            };
            if let Some(r) = rank {
                let bbox = f.wgs84.bounding_rect().map(|b| [b.min().x, b.min().y, b.max().x, b.max().y]);
                hits.push((
                    r,
                    li,
                    Hit {
                        layer: l.id.clone(),
                        layer_title: l.title.clone(),
                        code: f.code.clone(),
                        name: f.name.clone(),
                        bbox,
                        point: f.point,
                    },
                ));
            }
        }
    }
    hits.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then_with(|| a.2.name.cmp(&b.2.name)));
    Ok(Json(hits.into_iter().take(limit).map(|h| h.2).collect()))
}
