//! GeoPackage export (OGC GeoPackage 1.3, SQLite): a feature table of the areas (or school points)
//! in EPSG:27700 with their figures in wide form, an R-tree spatial index on it (the
//! `gpkg_rtree_index` extension, which QGIS and GDAL use), and an attribute table with one row per
//! area × phase × year (`{table}_figures`): join it to the features on `code` in QGIS rather than
//! saving the wide columns to a Shapefile, whose 10-letter names would cut them. EPSG:27700 is
//! defined by its EPSG WKT (with the authority and the OSGB36 → WGS84 shift); missing values are
//! NULL, never 0 or ''.

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

/// EPSG:27700 as the EPSG registry's OGC WKT 1, with `TOWGS84` (the 7-parameter OSGB36 → WGS84
/// transformation, EPSG:1314) and `AUTHORITY` codes, as GDAL writes it.
pub const EPSG_27700_WKT: &str = "PROJCS[\"OSGB 1936 / British National Grid\",GEOGCS[\"OSGB 1936\",DATUM[\"OSGB_1936\",SPHEROID[\"Airy 1830\",6377563.396,299.3249646,AUTHORITY[\"EPSG\",\"7001\"]],TOWGS84[446.448,-125.157,542.06,0.15,0.247,0.842,-20.489],AUTHORITY[\"EPSG\",\"6277\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AUTHORITY[\"EPSG\",\"4277\"]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",49],PARAMETER[\"central_meridian\",-2],PARAMETER[\"scale_factor\",0.9996012717],PARAMETER[\"false_easting\",400000],PARAMETER[\"false_northing\",-100000],UNIT[\"metre\",1,AUTHORITY[\"EPSG\",\"9001\"]],AXIS[\"Easting\",EAST],AXIS[\"Northing\",NORTH],AUTHORITY[\"EPSG\",\"27700\"]]";

/// The `gpkg_rtree_index` extension on `table`.`geom`: the virtual table, filled with each
/// feature's `(fid, [min x, max x, min y, max y])`, and the triggers of GeoPackage 1.3 (annex
/// F.3) that keep it in step when a GIS edits the layer (they call the GeoPackage SQL functions
/// `ST_MinX` …, which QGIS and GDAL provide).
fn rtree(tx: &rusqlite::Transaction<'_>, table: &str, boxes: &[(i64, [f64; 4])]) -> rusqlite::Result<()> {
    let t = table.replace('"', "\"\"");
    let r = format!("rtree_{t}_geom");
    tx.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
         INSERT INTO gpkg_extensions VALUES ('{t}', 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');
         CREATE VIRTUAL TABLE \"{r}\" USING rtree(id, minx, maxx, miny, maxy);
         CREATE TRIGGER \"{r}_insert\" AFTER INSERT ON \"{t}\" WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
           BEGIN INSERT OR REPLACE INTO \"{r}\" VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
         CREATE TRIGGER \"{r}_update1\" AFTER UPDATE OF geom ON \"{t}\" WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
           BEGIN INSERT OR REPLACE INTO \"{r}\" VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
         CREATE TRIGGER \"{r}_update2\" AFTER UPDATE OF geom ON \"{t}\" WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
           BEGIN DELETE FROM \"{r}\" WHERE id = OLD.fid; END;
         CREATE TRIGGER \"{r}_update3\" AFTER UPDATE ON \"{t}\" WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
           BEGIN DELETE FROM \"{r}\" WHERE id = OLD.fid; INSERT OR REPLACE INTO \"{r}\" VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
         CREATE TRIGGER \"{r}_update4\" AFTER UPDATE ON \"{t}\" WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
           BEGIN DELETE FROM \"{r}\" WHERE id IN (OLD.fid, NEW.fid); END;
         CREATE TRIGGER \"{r}_delete\" AFTER DELETE ON \"{t}\" WHEN old.geom NOT NULL
           BEGIN DELETE FROM \"{r}\" WHERE id = OLD.fid; END;"
    ))?;
    let mut stmt = tx.prepare(&format!("INSERT INTO \"{r}\" VALUES (?1, ?2, ?3, ?4, ?5)"))?;
    for (fid, [x0, x1, y0, y1]) in boxes {
        stmt.execute(params![fid, x0, x1, y0, y1])?;
    }
    Ok(())
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
        EPSG_27700_WKT.replace('\'', "''")
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
    let mut boxes: Vec<(i64, [f64; 4])> = Vec::with_capacity(attrs.len());
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
                    Some(Value::String(s)) if !s.is_empty() => rusqlite::types::Value::Text(s.clone()),
                    _ => rusqlite::types::Value::Null,
                });
            }
            stmt.execute(params_from_iter(values)).map_err(|e| err(path, e))?;
            boxes.push((tx.last_insert_rowid(), [bb.min().x, bb.max().x, bb.min().y, bb.max().y]));
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
    rtree(&tx, table, &boxes).map_err(|e| err(path, e))?;

    // Attribute table: the long rows.
    let figures = format!("{table}_figures");
    tx.execute(
        &format!(
            "CREATE TABLE {} (id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL, name TEXT, phase TEXT, year INTEGER, forecast INTEGER, schools INTEGER, capacity REAL, pupils REAL, pupils_low REAL, pupils_high REAL, spare REAL, spare_pct REAL, shortfall REAL, status TEXT, imd_rank REAL, fsm_pct REAL, margin_shortfall REAL, schools_no_data INTEGER, schools_suppressed INTEGER)",
            quote(&figures)
        ),
        [],
    )
    .map_err(|e| err(path, e))?;
    {
        let mut stmt = tx
            .prepare(&format!(
                "INSERT INTO {} (code, name, phase, year, forecast, schools, capacity, pupils, pupils_low, pupils_high, spare, spare_pct, shortfall, status, imd_rank, fsm_pct, margin_shortfall, schools_no_data, schools_suppressed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
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
                // No status (no places or no pupils) is NULL, not ''.
                (!r.status.is_empty()).then_some(r.status.as_str()),
                r.imd_rank,
                r.fsm_pct,
                r.margin_shortfall,
                i64::try_from(r.schools_no_data).unwrap_or(i64::MAX),
                i64::try_from(r.schools_suppressed).unwrap_or(i64::MAX)
            ])
            .map_err(|e| err(path, e))?;
        }
    }
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES (?1, 'attributes', ?1, ?2)",
        params![
            figures,
            format!("one row per area × phase × year; join to {table} on code (QGIS: layer properties, Joins)")
        ],
    )
    .map_err(|e| err(path, e))?;
    tx.commit().map_err(|e| err(path, e))
}
