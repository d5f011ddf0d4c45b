//! GeoPackage (`.gpkg`, OGC GeoPackage 1.x, as ONS Open Geography and OS publish boundaries): the
//! features of one table (named by `table`, or the only feature table), geometry from GeoPackage
//! WKB, CRS from `gpkg_spatial_ref_sys`.

use super::{RawFeature, build_polygons};
use crate::crs::Crs;
use crate::problem::{Problem, ProblemSink, Severity};
use crate::source::FileSource;
use geo::{Coord, Geometry};
use geozero::ToGeo;
use geozero::wkb::GpkgWkb;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

/// The feature tables: `(table, geometry column, srs id)`.
fn feature_tables(db: &Connection) -> rusqlite::Result<Vec<(String, String, i64)>> {
    let mut st = db.prepare("SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns ORDER BY table_name")?;
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect()
}

/// The CRS of `srs_id`, from `gpkg_spatial_ref_sys`.
fn crs_of(db: &Connection, srs_id: i64) -> Result<Crs, String> {
    let row: Option<(String, i64, String)> = db
        .query_row(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .ok();
    let Some((org, id, definition)) = row else {
        return Err(format!("its CRS (srs_id {srs_id}) is not in gpkg_spatial_ref_sys"));
    };
    let unsupported = || format!("its CRS ({org}:{id}) is not supported; reproject to EPSG:27700 or EPSG:4326");
    // An EPSG code is taken by its number alone: a definition's text names other codes (a UTM or
    // OSGB36 lat/lon WKT mentions WGS 84), so it is read only for other authorities.
    match (org.to_ascii_uppercase().as_str(), id) {
        ("EPSG", 27700) => Ok(Crs::Bng),
        ("EPSG", 4326) => Ok(Crs::Wgs84),
        ("EPSG", _) => Err(unsupported()),
        _ => Crs::parse(&definition).ok_or_else(unsupported),
    }
}

fn rings(g: Geometry<f64>) -> Result<Vec<Vec<Vec<Coord>>>, String> {
    let poly = |p: geo::Polygon<f64>| -> Vec<Vec<Coord>> {
        let (ext, holes) = p.into_inner();
        std::iter::once(ext).chain(holes).map(|r| r.0).collect()
    };
    match g {
        Geometry::Polygon(p) => Ok(vec![poly(p)]),
        Geometry::MultiPolygon(mp) => Ok(mp.0.into_iter().map(poly).collect()),
        other => Err(format!(
            "geometry is a {}, expected Polygon or MultiPolygon",
            match other {
                Geometry::Point(_) => "Point",
                Geometry::MultiPoint(_) => "MultiPoint",
                Geometry::LineString(_) | Geometry::Line(_) => "LineString",
                Geometry::MultiLineString(_) => "MultiLineString",
                _ => "collection or other shape",
            }
        )),
    }
}

/// Reads one feature table of a GeoPackage.
pub(super) fn read(
    rel: &str,
    table: Option<&str>,
    src: &FileSource,
    problems: &mut Vec<Problem>,
) -> Option<(Vec<RawFeature>, Option<Crs>)> {
    let file = src.display(rel);
    // SQLite reads a file: the manifest's folder has it; a file held in memory is copied out first.
    let copy;
    let path = match src.local_path(rel) {
        Some(p) => p,
        None => {
            let bytes = crate::readers::read_bytes(rel, src, problems)?;
            copy = match tempfile::NamedTempFile::new().and_then(|mut t| {
                std::io::Write::write_all(&mut t, &bytes)?;
                Ok(t)
            }) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(Problem::fatal(&file, format!("cannot make a temporary copy to read: {e}")));
                    return None;
                }
            };
            copy.path().to_path_buf()
        }
    };
    let fatal = |problems: &mut Vec<Problem>, why: String| {
        problems.push(Problem::fatal(&file, why));
        None
    };
    if !path.is_file() {
        return fatal(problems, "cannot read: no such file".into());
    }
    let db = match Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX) {
        Ok(db) => db,
        Err(e) => return fatal(problems, format!("not a readable GeoPackage: {e}")),
    };
    let tables = match feature_tables(&db) {
        Ok(t) => t,
        Err(e) => return fatal(problems, format!("not a GeoPackage (no gpkg_geometry_columns table: {e})")),
    };
    let names = || tables.iter().map(|t| format!("{:?}", t.0)).collect::<Vec<_>>().join(", ");
    let chosen = match table {
        Some(name) => match tables
            .iter()
            .find(|t| t.0 == name)
            .or_else(|| tables.iter().find(|t| t.0.eq_ignore_ascii_case(name)))
        {
            Some(t) => t.clone(),
            None => {
                return fatal(
                    problems,
                    format!("has no feature table {name:?}; its feature tables are {}", names()),
                );
            }
        },
        None => match tables.as_slice() {
            [only] => only.clone(),
            [] => return fatal(problems, "has no feature tables".into()),
            _ => {
                return fatal(
                    problems,
                    format!("has feature tables {}; say which with table = \"…\" in the manifest", names()),
                );
            }
        },
    };
    let (name, geom_col, srs_id) = chosen;
    let crs = match crs_of(&db, srs_id) {
        Ok(c) => c,
        Err(e) => return fatal(problems, format!("table {name}: {e}")),
    };
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    let mut st = match db.prepare(&format!("SELECT * FROM {quoted}")) {
        Ok(s) => s,
        Err(e) => return fatal(problems, format!("table {name} cannot be read: {e}")),
    };
    let columns: Vec<String> = st.column_names().map(str::to_owned).collect();
    let Some(gi) = columns.iter().position(|c| c.eq_ignore_ascii_case(&geom_col)) else {
        return fatal(problems, format!("table {name} has no geometry column {geom_col:?}"));
    };
    let mut out = Vec::new();
    let mut sink = ProblemSink::new(file.clone(), problems);
    let rows = st.query_map([], |r| {
        let mut props = Vec::new();
        let mut blob = None;
        for (i, c) in columns.iter().enumerate() {
            match r.get_ref(i)? {
                ValueRef::Blob(b) if i == gi => blob = Some(b.to_vec()),
                ValueRef::Text(t) => props.push((c.clone(), String::from_utf8_lossy(t).into_owned())),
                ValueRef::Integer(n) => props.push((c.clone(), n.to_string())),
                ValueRef::Real(x) => props.push((c.clone(), x.to_string())),
                _ => {}
            }
        }
        Ok((props, blob))
    });
    let rows = match rows {
        Ok(r) => r,
        Err(e) => {
            sink.push(Severity::Fatal, "file", "-", format!("table {name} cannot be read: {e}"));
            return None;
        }
    };
    for (i, row) in rows.enumerate() {
        let location = format!("feature {}", i + 1);
        let (props, blob) = match row {
            Ok(x) => x,
            Err(e) => {
                sink.push(Severity::Error, &location, "-", format!("cannot read this row ({e}); left out"));
                continue;
            }
        };
        let Some(blob) = blob else {
            sink.push(Severity::Error, &location, &geom_col, "feature has no geometry; left out");
            continue;
        };
        let polys = match GpkgWkb(&blob)
            .to_geo()
            .map_err(|e| format!("unreadable GeoPackage geometry ({e})"))
            .and_then(rings)
        {
            Ok(p) => p,
            Err(e) => {
                sink.push(Severity::Error, &location, &geom_col, format!("{e}; feature left out"));
                continue;
            }
        };
        let Some(geometry) = build_polygons(polys, &mut sink, &location) else {
            continue;
        };
        out.push(RawFeature { location, props, geometry });
    }
    if out.is_empty() {
        sink.push(Severity::Fatal, "file", "-", format!("no features could be read from table {name}"));
        return None;
    }
    Some((out, Some(crs)))
}
