//! `/api/export?level=school|planning_area|ward|la&format=csv|xlsx|geojson|gpkg|scap_csv[&layer=][&csv=excel|plain]`:
//! the files of `placeplan export`, built on the blocking pool in a private temporary folder and
//! sent as attachments.

use super::error::ApiError;
use super::state::AppState;
use crate::export::{self, Level, csv_out, geojson_out, gpkg, xlsx};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;

/// Query of `/api/export`.
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    /// `school`, `planning_area`, `ward` or `la`.
    pub level: String,
    /// `csv` (default), `xlsx`, `geojson`, `gpkg` or `scap_csv`.
    pub format: Option<String>,
    /// Layer for planning_area or ward.
    pub layer: Option<String>,
    /// CSV for `excel` (default: byte-order mark, CRLF) or `plain` UTF-8.
    pub csv: Option<String>,
    /// A what-if plan's id ([`super::plans`]): its figures instead of the data as it is.
    pub plan: Option<String>,
}

/// `/api/export`.
///
/// # Errors
/// 400 for a bad level, format or layer; 500 (logged) when writing fails.
pub async fn export_file(
    State(state): State<Arc<AppState>>,
    q: Result<Query<ExportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q?;
    let level = Level::parse(&q.level).map_err(ApiError::BadRequest)?;
    let format = q.format.clone().unwrap_or_else(|| "csv".into());
    let style = match q.csv.as_deref() {
        None => csv_out::CsvStyle::Excel,
        Some(s) => csv_out::CsvStyle::parse(s).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "csv={s:?}: use csv=excel (byte-order mark, CRLF; the default) or csv=plain"
            ))
        })?,
    };
    let (ext, mime) = match format.as_str() {
        "csv" | "scap_csv" => ("csv", "text/csv; charset=utf-8"),
        "xlsx" => ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "geojson" => ("geojson", "application/geo+json"),
        "gpkg" => ("gpkg", "application/geopackage+sqlite3"),
        other => {
            return Err(ApiError::BadRequest(format!(
                "format {other:?} must be csv, xlsx, geojson, gpkg or scap_csv"
            )));
        }
    };
    if level == Level::La && matches!(ext, "geojson" | "gpkg") {
        return Err(ApiError::BadRequest(
            "the authority has no polygon; use csv or xlsx for level la".into(),
        ));
    }
    let li = export::layer_for(&state.ds, level, q.layer.as_deref()).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let plan = match q.plan.as_deref() {
        Some(id) => Some(super::plans::find(&state, id).await?),
        None => None,
    };
    let st = Arc::clone(&state);
    let name = if format == "scap_csv" {
        "scap_ncy".to_owned()
    } else {
        level.as_str().to_owned()
    };
    let name = match &plan {
        Some(p) => format!("plan-{}-{name}", &p.answer.id[..8]),
        None => name,
    };
    let file_name = format!("{name}.{ext}");
    let fname = file_name.clone();
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        // A private folder (random name, owner-only), removed when dropped, even on failure.
        let dir = tempfile::Builder::new()
            .prefix("placeplan-export-")
            .tempdir()
            .map_err(|e| ApiError::Internal(format!("temporary folder: {e}")))?;
        let path = dir.path().join(&fname);
        let ds = plan.as_ref().map_or(&st.ds, |p| &p.ds);
        let rows = export::rows(ds, level, &li);
        let written = match format.as_str() {
            "scap_csv" => csv_out::write_scap(&path, &export::scap(ds), style),
            "csv" => csv_out::write_rows(&path, &rows, style),
            "xlsx" => xlsx::write(&path, &rows, &export::scap(ds), &export::notes(ds)),
            "geojson" => geojson_out::write(&path, ds, &li, &rows),
            _ => gpkg::write(&path, ds, &li, &rows, level.as_str()),
        };
        let out = written
            .map_err(|e| ApiError::Internal(e.to_string()))
            .and_then(|()| std::fs::read(&path).map_err(|e| ApiError::Internal(format!("{}: {e}", path.display()))));
        drop(dir);
        out
    })
    .await
    .map_err(|e| ApiError::Internal(format!("export task failed: {e}")))??;
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
        ],
        bytes,
    )
        .into_response())
}
