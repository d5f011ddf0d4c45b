//! GeoPackage export (OGC GeoPackage 1.3, SQLite): a feature table of the areas (or school points)
//! in EPSG:27700 with their figures in wide form, and an attribute table with one row per
//! area × phase × year. QGIS, ArcGIS and GDAL open it directly.

use super::geojson_out::{geometries, wide};
use super::{ExportError, ExportRow};
use crate::dataset::Dataset;
use geo::{BoundingRect, Geometry};
use geozero::{CoordDimensions, ToWkb};
use rusqlite::{Connection, params, params_from_iter};
use serde_json::Value;
use std::path::Path;

fn err(path: &Path, e: impl std::fmt::Display) -> ExportError {
    ExportError::Gpkg {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn quote(id: &str) -> String {
    format!("\"{}\"", id.replace('"', "\"\""))
}

/// Writes `table` (feature table) and `{table}_figures` (attributes) into a new GeoPackage.
///
/// # Errors
/// SQLite or file errors.
pub fn write(path: &Path, ds: &Dataset, layers: &[usize], rows: &[ExportRow], table: &str) -> Result<(), ExportError> {
    let _ = std::fs::remove_file(path);
    let mut db = Connection::open(path).map_err(|e| err(path, e))?;
    let tx = db.transaction().map_err(|e| err(path, e))?;
    tx.execute_batch(&format!(
        "PRAGMA application_id = 1196444487; PRAGMA user_version = 10300;
         CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
         INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system');
         INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
         INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563]],PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]]', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
         INSERT INTO gpkg_spatial_ref_sys VALUES ('OSGB 1936 / British National Grid', 27700, 'EPSG', 27700, '{}', 'British National Grid, metres');
         CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
         CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name), CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));",
        crate::crs::BNG_WKT.replace('\'', "''")
    ))
    .map_err(|e| err(path, e))?;

    // Feature table: wide attributes, columns in a stable order.
    let attrs = wide(rows);
    let geoms = geometries(ds, layers);
    let mut columns: Vec<String> = Vec::new();
    for m in attrs.values() {
        for k in m.keys() {
            if k != "code" && k != "name" && !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    let is_text = |c: &str| c.starts_with("status_");
    let point = layers.is_empty();
    let gtype = if point { "POINT" } else { "MULTIPOLYGON" };
    let mut ddl = format!(
        "CREATE TABLE {} (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {gtype}, code TEXT NOT NULL, name TEXT",
        quote(table)
    );
    for c in &columns {
        ddl.push_str(&format!(", {} {}", quote(c), if is_text(c) { "TEXT" } else { "REAL" }));
    }
    ddl.push(')');
    tx.execute(&ddl, []).map_err(|e| err(path, e))?;
    let placeholders = (0..columns.len() + 3).map(|i| format!("?{}", i + 1)).collect::<Vec<_>>().join(", ");
    let insert = format!(
        "INSERT INTO {} (geom, code, name{}) VALUES ({placeholders})",
        quote(table),
        columns.iter().map(|c| format!(", {}", quote(c))).collect::<String>()
    );
    let (mut minx, mut miny, mut maxx, mut maxy) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    {
        let mut stmt = tx.prepare(&insert).map_err(|e| err(path, e))?;
        for (code, m) in &attrs {
            let Some(g) = geoms.get(code) else { continue };
            let Some(bb) = g.bounding_rect() else { continue };
            minx = minx.min(bb.min().x);
            miny = miny.min(bb.min().y);
            maxx = maxx.max(bb.max().x);
            maxy = maxy.max(bb.max().y);
            let envelope = if matches!(g, Geometry::Point(_)) {
                Vec::new()
            } else {
                vec![bb.min().x, bb.max().x, bb.min().y, bb.max().y]
            };
            let blob = g
                .to_gpkg_wkb(CoordDimensions::xy(), Some(27700), envelope)
                .map_err(|e| err(path, e))?;
            let mut values: Vec<rusqlite::types::Value> = vec![
                rusqlite::types::Value::Blob(blob),
                rusqlite::types::Value::Text(code.clone()),
                rusqlite::types::Value::Text(m.get("name").and_then(Value::as_str).unwrap_or_default().to_owned()),
            ];
            for c in &columns {
                values.push(match m.get(c) {
                    Some(Value::Number(n)) => n.as_f64().map_or(rusqlite::types::Value::Null, rusqlite::types::Value::Real),
                    Some(Value::String(s)) => rusqlite::types::Value::Text(s.clone()),
                    _ => rusqlite::types::Value::Null,
                });
            }
            stmt.execute(params_from_iter(values)).map_err(|e| err(path, e))?;
        }
    }
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6, 27700)",
        params![table, format!("placeplan sufficiency and forecasts ({})", ds.name), minx, miny, maxx, maxy],
    )
    .map_err(|e| err(path, e))?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, 27700, 0, 0)",
        params![table, gtype],
    )
    .map_err(|e| err(path, e))?;

    // Attribute table: the long rows.
    let figures = format!("{table}_figures");
    tx.execute(
        &format!(
            "CREATE TABLE {} (id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL, name TEXT, phase TEXT, year INTEGER, forecast INTEGER, schools INTEGER, capacity REAL, pupils REAL, pupils_low REAL, pupils_high REAL, spare REAL, spare_pct REAL, shortfall REAL, status TEXT, imd_rank REAL, fsm_pct REAL, margin_shortfall REAL, schools_no_data INTEGER)",
            quote(&figures)
        ),
        [],
    )
    .map_err(|e| err(path, e))?;
    {
        let mut stmt = tx
            .prepare(&format!(
                "INSERT INTO {} (code, name, phase, year, forecast, schools, capacity, pupils, pupils_low, pupils_high, spare, spare_pct, shortfall, status, imd_rank, fsm_pct, margin_shortfall, schools_no_data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                quote(&figures)
            ))
            .map_err(|e| err(path, e))?;
        for r in rows {
            stmt.execute(params![
                r.code,
                r.name,
                r.phase.as_str(),
                r.year,
                r.forecast,
                i64::try_from(r.schools).unwrap_or(i64::MAX),
                r.capacity,
                r.pupils,
                r.pupils_low,
                r.pupils_high,
                r.spare,
                r.spare_pct,
                r.shortfall,
                r.status,
                r.imd_rank,
                r.fsm_pct,
                r.margin_shortfall,
                i64::try_from(r.schools_no_data).unwrap_or(i64::MAX)
            ])
            .map_err(|e| err(path, e))?;
        }
    }
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES (?1, 'attributes', ?1, 'one row per area × phase × year')",
        params![figures],
    )
    .map_err(|e| err(path, e))?;
    tx.commit().map_err(|e| err(path, e))
}
