//! What-if plans over the served data, made while the meeting goes on.
//!
//! - `POST /api/plans` with a plan's TOML (the format `placeplan scenario diff` reads; at most
//!   [`super::MAX_BODY`]) projects it over the shared base ([`crate::dataset::Dataset::with_plan`]:
//!   the same code as every other view) and answers its id, the notes and every area × phase ×
//!   year whose places, pupils, shortfall or status changes ([`crate::analysis::diff`]).
//! - `GET /api/plans/{id}`: that answer again; `GET /api/plans/{id}/plan.toml`: the plan as sent;
//!   `GET /api/plans/{id}/summary?layer=&phase=&year=`: the plan's rows, as `/api/summary`;
//!   `GET /api/export?…&plan={id}`: the exports of the plan's figures.
//!
//! A plan's id is the hash of its text, so the same plan has the same link for everyone and a
//! user sees only the plans whose text they have. The newest [`KEPT`] plans are kept in memory
//! (each is its projection and rows over the one frozen base); with `serve --plans DIR`, each is
//! also saved as `DIR/{id}.toml` (at most [`SAVED`]) and comes back from there after a restart.

use super::error::ApiError;
use super::state::AppState;
use crate::analysis::diff::{DiffRow, diff};
use crate::analysis::summary::SummaryRow;
use crate::dataset::Dataset;
use crate::scenario::Scenario;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

/// Plans kept in memory (the least recently used go first).
pub const KEPT: u64 = 32;

/// Plans a `--plans` folder holds at most; beyond, new plans are kept in memory only.
pub const SAVED: usize = 10_000;

/// One plan, projected.
pub struct StoredPlan {
    /// The plan as sent.
    pub toml: String,
    /// Its figures over the base.
    pub ds: Dataset,
    /// What it changes, and the notes of its projection.
    pub answer: PlanAnswer,
}

/// What `POST /api/plans` answers.
#[derive(Clone, Debug, Serialize)]
pub struct PlanAnswer {
    /// The plan's id: the 128-bit XXH3 hash of its text, in hex.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The map with the plan shown.
    pub link: String,
    /// The plan as TOML.
    pub toml: String,
    /// The plan as read, for an editor to show its changes.
    pub plan: Scenario,
    /// Whether it is saved in the server's plans folder.
    pub saved: bool,
    /// What the projection did (schools opened, pupils moved, housing added).
    pub notes: Vec<String>,
    /// Every area × phase × year whose figures change, as `placeplan scenario diff --json`.
    pub changes: Vec<DiffRow>,
    /// The schools the plan opens, expands or closes, where they are (for the map).
    pub schools: Vec<PlanSchool>,
    /// The plan's changes in words.
    pub described: Vec<String>,
}

/// A school a plan changes.
#[derive(Clone, Debug, Serialize)]
pub struct PlanSchool {
    /// URN (a new school's is the plan's or 990001, 990002, …).
    pub urn: u32,
    /// Name.
    pub name: String,
    /// `opens`, `expands` or `closes`.
    pub change: &'static str,
    /// Places added (opens, expands: negative removes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub places: Option<f64>,
    /// First academic year of the change.
    pub from: i32,
    /// Where, WGS84 `[lon, lat]` (absent for a school with no location).
    pub point: Option<[f64; 2]>,
}

/// The schools `plan` changes in `ds` (the plan's figures), located for the map.
fn plan_schools(ds: &Dataset, plan: &Scenario) -> Vec<PlanSchool> {
    let point = |c: Option<geo::Coord>| {
        c.and_then(|c| crate::crs::bng_to_wgs84(c.x, c.y).ok())
            .map(|w| [(w.x * 1e6).round() / 1e6, (w.y * 1e6).round() / 1e6])
    };
    let school = |urn: u32| ds.schools.iter().find(|s| s.urn.0 == urn);
    let mut out = Vec::new();
    for e in &plan.expand {
        let s = school(e.urn);
        out.push(PlanSchool {
            urn: e.urn,
            name: s.map_or_else(|| format!("URN {}", e.urn), |s| s.name.clone()),
            change: "expands",
            places: Some(e.places),
            from: e.from,
            point: point(s.and_then(|s| s.location)),
        });
    }
    for c in &plan.close {
        let s = school(c.urn);
        out.push(PlanSchool {
            urn: c.urn,
            name: s.map_or_else(|| format!("URN {}", c.urn), |s| s.name.clone()),
            change: "closes",
            places: None,
            from: c.from,
            point: point(s.and_then(|s| s.location)),
        });
    }
    for o in &plan.open {
        // The projection gave it its URN: the new school of that name.
        let s = ds.schools.iter().rev().find(|s| s.name == o.name);
        out.push(PlanSchool {
            urn: o.urn.or(s.map(|s| s.urn.0)).unwrap_or_default(),
            name: o.name.clone(),
            change: "opens",
            places: Some(o.capacity),
            from: o.from,
            point: point(Some(geo::Coord {
                x: o.easting,
                y: o.northing,
            })),
        });
    }
    out
}

/// The plans of one server.
pub struct Plans {
    kept: moka::sync::Cache<String, Arc<StoredPlan>>,
    dir: Option<PathBuf>,
}

impl Plans {
    /// Plans kept in memory, and saved in `dir` when given.
    #[must_use]
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self {
            kept: moka::sync::Cache::new(KEPT),
            dir,
        }
    }

    /// Keeps `plan`; the least recently used beyond [`KEPT`] are dropped at once (moka would
    /// otherwise drop them at its next maintenance, holding up to a few hundred plans' memory).
    fn keep(&self, id: String, plan: Arc<StoredPlan>) {
        self.kept.insert(id, plan);
        self.kept.run_pending_tasks();
    }

    /// How many plans are held in memory (as of the last plan kept).
    #[must_use]
    pub fn len(&self) -> u64 {
        self.kept.entry_count()
    }

    /// True when no plan is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn saved_path(&self, id: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(format!("{id}.toml")))
    }
}

impl StoredPlan {
    /// The authority's rows under the plan.
    #[must_use]
    pub fn la_rows(&self) -> Vec<SummaryRow> {
        crate::analysis::summary::summary(&self.ds, None, None, None)
    }
}

/// The id of a plan's text.
fn id_of(toml: &str) -> String {
    format!("{:032x}", twox_hash::XxHash3_128::oneshot(toml.as_bytes()))
}

/// A plan id from a URL: 32 hex digits, nothing else (so it can name a file).
fn valid_id(id: &str) -> Result<&str, ApiError> {
    if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
        Ok(id)
    } else {
        Err(ApiError::NotFound(format!(
            "{id:?} is not a plan id (32 hex digits, from POST /api/plans)"
        )))
    }
}

/// Projects `toml` over the served base.
fn project(state: &AppState, toml: String) -> Result<StoredPlan, ApiError> {
    let mut plan: Scenario =
        toml::from_str(&toml).map_err(|e| ApiError::BadRequest(format!("the plan is not valid TOML: {}", e.message())))?;
    if plan.name.trim().is_empty() {
        plan.name = "plan".into();
    }
    let ds = state.ds.with_plan(&plan).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let id = id_of(&toml);
    let answer = PlanAnswer {
        plan: plan.clone(),
        link: format!("/#plan={id}"),
        name: plan.name.clone(),
        toml: toml.clone(),
        saved: false,
        notes: ds.projection.notes.clone(),
        changes: diff(&state.ds, &ds),
        schools: plan_schools(&ds, &plan),
        described: crate::report::facts::plan_facts(&ds).map(|f| f.changes).unwrap_or_default(),
        id,
    };
    Ok(StoredPlan { toml, ds, answer })
}

/// The plan `id`: kept, else saved in the folder (projected again), else 404.
pub(super) async fn find(state: &Arc<AppState>, id: &str) -> Result<Arc<StoredPlan>, ApiError> {
    let id = valid_id(id)?;
    if let Some(p) = state.plans.kept.get(id) {
        return Ok(p);
    }
    let missing = || {
        ApiError::NotFound(format!(
            "no plan {id} on this server (plans are kept while the server runs; send it again)"
        ))
    };
    let path = state.plans.saved_path(id).ok_or_else(missing)?;
    let toml = tokio::fs::read_to_string(&path).await.map_err(|_| missing())?;
    let s = Arc::clone(state);
    let mut p = tokio::task::spawn_blocking(move || project(&s, toml))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    p.answer.saved = true;
    let p = Arc::new(p);
    state.plans.keep(id.to_owned(), Arc::clone(&p));
    Ok(p)
}

/// `POST /api/plans`: projects the plan in the body.
///
/// # Errors
/// 400 with the reason for a plan that is not TOML or cannot be applied (a URN that does not
/// exist, a year outside the forecast years, a school opened outside the authority).
pub async fn create(State(state): State<Arc<AppState>>, body: String) -> Result<Json<PlanAnswer>, ApiError> {
    let id = id_of(&body);
    if let Some(p) = state.plans.kept.get(&id) {
        return Ok(Json(p.answer.clone()));
    }
    let s = Arc::clone(&state);
    let mut p = tokio::task::spawn_blocking(move || project(&s, body))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    if let (Some(dir), Some(path)) = (&state.plans.dir, state.plans.saved_path(&id)) {
        let count = std::fs::read_dir(dir).map_or(0, Iterator::count);
        p.answer.saved = path.is_file()
            || (count < SAVED
                && tokio::fs::write(&path, &p.toml)
                    .await
                    .inspect_err(|e| tracing::warn!("cannot save plan {id} in {}: {e}", dir.display()))
                    .is_ok());
    }
    let answer = p.answer.clone();
    state.plans.keep(id, Arc::new(p));
    Ok(Json(answer))
}

/// `GET /api/plans/{id}`.
///
/// # Errors
/// 404 for a plan this server does not have.
pub async fn answer(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Json<PlanAnswer>, ApiError> {
    Ok(Json(find(&state, &id).await?.answer.clone()))
}

/// `GET /api/plans/{id}/plan.toml`: the plan as a file to keep or send.
///
/// # Errors
/// 404 for a plan this server does not have.
pub async fn toml_file(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let p = find(&state, &id).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/toml; charset=utf-8".to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"plan-{}.toml\"", &p.answer.id[..8]),
            ),
        ],
        p.toml.clone(),
    ))
}

/// `GET /api/plans/{id}/summary?layer=&phase=&year=`: the plan's rows, as `/api/summary`.
///
/// # Errors
/// 404 for a plan or layer this server does not have, 400 for a bad phase.
pub async fn summary(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    q: Result<Query<super::summary::SummaryQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<SummaryRow>>, ApiError> {
    let Query(q) = q?;
    let p = find(&state, &id).await?;
    let la = || crate::analysis::summary::summary(&p.ds, None, None, None);
    super::summary::rows(&state, &p.ds, la, &q).map(Json)
}

/// Query of `/api/bng`.
#[derive(Debug, serde::Deserialize)]
pub struct LonLat {
    /// Longitude, WGS84.
    pub lon: f64,
    /// Latitude, WGS84.
    pub lat: f64,
}

/// `GET /api/bng?lon=&lat=`: a point clicked on the map as British National Grid easting and
/// northing (EPSG:27700, whole metres), the coordinates a plan's new school or housing site takes.
///
/// # Errors
/// 400 for a point outside the grid's range.
pub async fn bng(q: Result<Query<LonLat>, axum::extract::rejection::QueryRejection>) -> Result<Json<serde_json::Value>, ApiError> {
    let Query(q) = q?;
    let c = crate::crs::wgs84_to_bng(q.lon, q.lat)
        .ok()
        .filter(|c| (0.0..=700_000.0).contains(&c.x) && (0.0..=1_300_000.0).contains(&c.y))
        .ok_or_else(|| ApiError::BadRequest(format!("lon {}, lat {} is not in Great Britain", q.lon, q.lat)))?;
    Ok(Json(serde_json::json!({ "easting": c.x.round(), "northing": c.y.round() })))
}
