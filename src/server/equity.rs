//! The equity results over HTTP: `/api/equity/hotspots` (the LSOA deprivation hot spots),
//! `/api/equity/access?phase=&method=&catchment=&supply=&demand=` and
//! `/api/equity/priority/{layer}`. The map's defaults are served from memory; other access
//! options are computed on the blocking pool (a few milliseconds for an authority).

use super::error::ApiError;
use super::state::AppState;
use crate::analysis::equity::HotspotReport;
use crate::analysis::priority::PriorityReport;
use crate::analysis::school_access::{AccessMethod, AccessOptions, AccessReport, DemandKind, SupplyFilter, access};
use crate::model::Phase;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use std::sync::Arc;

/// `/api/equity/hotspots`.
///
/// # Errors
/// 404 when the dataset has no LSOA layer with IMD ranks.
pub async fn hotspots(State(state): State<Arc<AppState>>) -> Result<Json<HotspotReport>, ApiError> {
    state
        .map
        .equity
        .hotspots
        .clone()
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no hot spots for this dataset: {}", state.map.equity.notes.join("; "))))
}

/// Query of `/api/equity/access`.
#[derive(Debug, Deserialize)]
pub struct AccessQuery {
    /// `primary` (default) or `secondary`.
    pub phase: Option<String>,
    /// `2sfca`, `e2sfca` (default) or `gaussian`.
    pub method: Option<String>,
    /// Catchment in metres (default: the statutory walking distance of the phase).
    pub catchment: Option<f64>,
    /// `all` (default) or `good`.
    pub supply: Option<String>,
    /// `children` (default) or `fsm`.
    pub demand: Option<String>,
}

/// Largest catchment a request may ask for (50 km: beyond that every LSOA reaches everything).
const MAX_CATCHMENT_M: f64 = 50_000.0;

/// `/api/equity/access`.
///
/// # Errors
/// 400 for a bad parameter; 404 when access cannot be computed for this dataset.
pub async fn access_report(
    State(state): State<Arc<AppState>>,
    q: Result<Query<AccessQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AccessReport>, ApiError> {
    let Query(q) = q?;
    let phase = match q.phase.as_deref() {
        None => Phase::Primary,
        Some(p) => Phase::parse(p).ok_or_else(|| ApiError::BadRequest(Phase::parse_error(p)))?,
    };
    let mut o = AccessOptions::defaults(phase);
    if let Some(m) = &q.method {
        o.method = AccessMethod::parse(m).map_err(ApiError::BadRequest)?;
    }
    if let Some(c) = q.catchment {
        if !(c.is_finite() && c > 0.0 && c <= MAX_CATCHMENT_M) {
            return Err(ApiError::BadRequest(format!(
                "catchment {c}: give metres above 0 and at most {MAX_CATCHMENT_M}"
            )));
        }
        o.catchment_m = c;
    }
    o.supply = match q.supply.as_deref() {
        None | Some("all") => SupplyFilter::All,
        Some("good") => SupplyFilter::Good,
        Some(s) => return Err(ApiError::BadRequest(format!("supply {s:?} must be all or good"))),
    };
    o.demand = match q.demand.as_deref() {
        None | Some("children") => DemandKind::Children,
        Some("fsm") => DemandKind::Fsm,
        Some(s) => return Err(ApiError::BadRequest(format!("demand {s:?} must be children or fsm"))),
    };
    let default = AccessOptions::defaults(phase);
    if o.method == default.method
        && o.catchment_m == default.catchment_m
        && o.supply == default.supply
        && o.demand == default.demand
        && let Some(r) = state.map.equity.access_for(phase)
    {
        return Ok(Json(r.clone()));
    }
    let st = Arc::clone(&state);
    tokio::task::spawn_blocking(move || access(&st.ds, &o))
        .await
        .map_err(|e| ApiError::Internal(format!("access task failed: {e}")))?
        .map(Json)
        .map_err(ApiError::NotFound)
}

/// Query of `/api/equity/priority/{layer}`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityQuery {
    /// Only this phase's deficits.
    pub phase: Option<String>,
    /// Only this year's (with `phase`).
    pub year: Option<i32>,
}

/// `/api/equity/priority/{layer}[?phase=&year=]`: over every phase and year, or for one phase and
/// year (what the map colours).
///
/// # Errors
/// 404 for an unknown layer or one without priorities (the LSOAs, the schools); 400 for a bad
/// phase, or a year without a phase.
pub async fn priority(
    State(state): State<Arc<AppState>>,
    Path(layer): Path<String>,
    Query(q): Query<PriorityQuery>,
) -> Result<Json<PriorityReport>, ApiError> {
    let (l, _) = super::find_layer(&state, &layer)?;
    let phase = match q.phase.as_deref() {
        Some(p) => Some(Phase::parse(p).ok_or_else(|| ApiError::BadRequest(Phase::parse_error(p)))?),
        None => None,
    };
    let eq = &state.map.equity;
    let found = match (phase, q.year) {
        (None, None) => l.boundary.and_then(|li| eq.priority.get(li).cloned().flatten()),
        (Some(p), Some(y)) => l.boundary.and_then(|li| {
            eq.priority_by
                .get(li)?
                .iter()
                .find(|(pp, yy, _)| *pp == p && *yy == y)
                .map(|x| x.2.clone())
        }),
        _ => return Err(ApiError::BadRequest("give both phase and year, or neither".into())),
    };
    found.map(Json).ok_or_else(|| {
        ApiError::NotFound(format!(
            "layer {layer} has no equity priorities; they exist for ward and planning-area layers when the LSOAs have IMD ranks"
        ))
    })
}
