//! `/api/summary?layer=ID|la[&phase=P][&year=Y]`: the rows of `placeplan summary --json`.

use super::error::ApiError;
use super::state::AppState;
use crate::analysis::summary::SummaryRow;
use crate::dataset::Dataset;
use crate::model::Phase;
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use std::sync::Arc;

/// Query parameters.
#[derive(Debug, Deserialize)]
pub struct SummaryQuery {
    /// Layer id or `la` (default `la`).
    pub layer: Option<String>,
    /// `primary` or `secondary` (default both).
    pub phase: Option<String>,
    /// Academic year (default all).
    pub year: Option<i32>,
}

/// `/api/summary`.
///
/// # Errors
/// 404 for an unknown layer, 400 for a bad phase or a layer without sufficiency figures.
pub async fn summary(
    State(state): State<Arc<AppState>>,
    q: Result<Query<SummaryQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<SummaryRow>>, ApiError> {
    let Query(q) = q?;
    rows(&state, &state.ds, || state.la_rows.clone(), &q).map(Json)
}

/// The rows of `ds` (the served data, or a plan's figures over it) that `q` asks for; `la` makes
/// the authority's.
///
/// # Errors
/// As [`summary`].
pub fn rows(state: &AppState, ds: &Dataset, la: impl FnOnce() -> Vec<SummaryRow>, q: &SummaryQuery) -> Result<Vec<SummaryRow>, ApiError> {
    let phase = match q.phase.as_deref() {
        None => None,
        Some(p) => Some(Phase::parse(p).ok_or_else(|| ApiError::BadRequest(Phase::parse_error(p)))?),
    };
    let keep = |r: &SummaryRow| phase.is_none_or(|p| p == r.phase) && q.year.is_none_or(|y| y == r.year);
    let layer = q.layer.as_deref().unwrap_or("la");
    if layer == "la" {
        return Ok(la().into_iter().filter(keep).collect());
    }
    let (l, _) = super::find_layer(state, layer)?;
    let Some(li) = l.boundary.filter(|_| !l.phases.is_empty()) else {
        return Err(ApiError::BadRequest(format!(
            "layer {layer} has no sufficiency rows (LSOAs and schools have profiles: /api/areas/{layer}/CODE)"
        )));
    };
    Ok(crate::analysis::summary::layer_rows(ds, li)
        .map(|c| c.rows.iter().filter(|r| keep(r)).cloned().collect())
        .unwrap_or_default())
}
