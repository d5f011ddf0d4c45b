//! Councillor pages: `/ward/{code}` (a printable, linkable page per ward), `/wards` (every ward
//! in a sortable ranking table) and `/api/wards/{code}` (the page's figures as JSON). Each takes
//! `?layer=` to choose among ward vintages; without it the first ward layer holding the code is used.
//! The page and its JSON take `?plan=ID` (from `POST /api/plans`) for a what-if plan's figures.

use super::error::ApiError;
use super::state::AppState;
use crate::report::facts::{ReportError, WardFacts, find_ward, ranking, ward_facts, ward_layers};
use crate::report::html::{Links, index_page};
use crate::report::render_ward;
use crate::report::svg::esc;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;

/// `?layer=&plan=`.
#[derive(Debug, Deserialize)]
pub struct LayerQuery {
    /// A ward layer id.
    pub layer: Option<String>,
    /// A plan's id: the page shows the plan's figures.
    pub plan: Option<String>,
}

/// The figures a page is made from: the data as it is, or plan `id`'s, with the authority's rows.
async fn figures_of(state: &Arc<AppState>, plan: Option<&str>) -> Result<Option<Arc<super::plans::StoredPlan>>, ApiError> {
    match plan {
        Some(id) => super::plans::find(state, id).await.map(Some),
        None => Ok(None),
    }
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn not_found_page(e: &ReportError) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Ward not found</title></head><body><main><h1>Ward not found</h1><p>{}</p><p><a href=\"/wards\">All wards</a></p></main></body></html>",
        esc(&e.to_string())
    );
    (StatusCode::NOT_FOUND, Html(body)).into_response()
}

/// `/ward/{code}`.
pub async fn ward_page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(code): Path<String>,
    q: Result<Query<LayerQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let (layer, plan) = q.ok().map_or((None, None), |Query(q)| (q.layer, q.plan));
    let (l, fi) = match find_ward(&state.ds, &state.map, layer.as_deref(), &code) {
        Ok(x) => x,
        Err(e) => return not_found_page(&e),
    };
    let stored = match figures_of(&state, plan.as_deref()).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let base = state.base_url(&headers);
    let lid = enc(&l.id);
    // Every link of a plan's page keeps the plan.
    let pq = stored.as_ref().map_or(String::new(), |p| format!("&plan={}", p.answer.id));
    let links = Links {
        index: format!("/wards?layer={lid}"),
        map: Some(format!("/#layer={lid}&sel={lid}%2F{}{pq}", enc(&code))),
        json: Some(format!("/api/wards/{}?layer={lid}{pq}", enc(&code))),
        permalink: format!("{base}/ward/{}?layer={lid}{pq}", enc(&code)),
    };
    // Rendering intersects the neighbouring wards for the map: CPU work, so on the blocking pool
    // (the response cache keeps the page, so it is made once per ward and plan).
    let id = l.id.clone();
    let st = Arc::clone(&state);
    let page = tokio::task::spawn_blocking(move || {
        let (l, fi) = st.map.get(&id).map(|(l, _)| (l, fi))?;
        let href = |c: &str| Some(format!("/ward/{}?layer={}{pq}", enc(c), enc(&l.id)));
        Some(match &stored {
            Some(p) => render_ward(&p.ds, &st.map, &p.la_rows(), l, fi, &links, &href).1,
            None => render_ward(&st.ds, &st.map, &st.la_rows, l, fi, &links, &href).1,
        })
    })
    .await;
    match page {
        Ok(Some(page)) => Html(page).into_response(),
        _ => super::error::ApiError::Internal(format!("the page of ward {code} could not be made")).into_response(),
    }
}

/// `/wards`.
pub async fn ward_index(
    State(state): State<Arc<AppState>>,
    q: Result<Query<LayerQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let layer = q.ok().and_then(|Query(q)| q.layer);
    let wl = ward_layers(&state.ds, &state.map);
    let pick = match &layer {
        Some(id) => wl.iter().copied().find(|&i| state.map.layers[i].id == *id),
        None => wl.first().copied(),
    };
    let Some(i) = pick else {
        let e = match layer {
            Some(id) => ReportError::NotWardLayer(
                id,
                wl.iter().map(|&i| state.map.layers[i].id.clone()).collect::<Vec<_>>().join(", "),
            ),
            None => ReportError::NoWards,
        };
        return not_found_page(&e);
    };
    let l = &state.map.layers[i];
    let lid = enc(&l.id);
    let rows = ranking(&state.ds, &state.map, l);
    let href = |c: &str| Some(format!("/ward/{}?layer={lid}", enc(c)));
    Html(index_page(
        &state.ds.name,
        &l.title,
        state.ds.synthetic,
        state.ds.disclosure_note().as_deref(),
        state.ds.census_year,
        &rows,
        &href,
        Some(&format!("/#layer={lid}")),
    ))
    .into_response()
}

/// `/api/wards/{code}`.
///
/// # Errors
/// 404 for an unknown ward or a layer that is not a ward layer.
pub async fn ward_json(
    State(state): State<Arc<AppState>>,
    Path(code): Path<String>,
    q: Result<Query<LayerQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<WardFacts>, ApiError> {
    let Query(q) = q?;
    let (l, fi) = find_ward(&state.ds, &state.map, q.layer.as_deref(), &code).map_err(|e| ApiError::NotFound(e.to_string()))?;
    Ok(Json(match figures_of(&state, q.plan.as_deref()).await? {
        Some(p) => ward_facts(&p.ds, &state.map, &p.la_rows(), l, fi),
        None => ward_facts(&state.ds, &state.map, &state.la_rows, l, fi),
    }))
}
