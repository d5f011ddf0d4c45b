//! Boundary layers from GeoJSON (FeatureCollection, single Feature, or one Feature per line),
//! TopoJSON ([`topojson`]), GeoPackage ([`gpkg`]) and ESRI Shapefile (`.shp` + `.dbf`, with
//! `.shx` and `.prj` when present).
//!
//! Each feature is read on its own, so one broken feature is reported and the rest load.
//! Coordinates are reprojected to EPSG:27700 here, once.

use crate::crs::{Crs, ToBng};
use crate::geometry::{MAX_COORDINATE, RingFault, repair, ring};
use crate::ids::AreaCode;
use crate::manifest::BoundaryInput;
use crate::model::{Area, BoundaryLayer, LayerKind};
use crate::problem::{Problem, ProblemSink, Severity};
use crate::source::{FileSource, with_extension};
use geo::{Coord, MultiPolygon, Polygon};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::HashSet;

mod gpkg;
mod topojson;

/// A feature before reprojection: properties and geometry in the file's CRS.
struct RawFeature {
    location: String,
    props: Vec<(String, String)>,
    geometry: MultiPolygon<f64>,
}

/// Reads one boundary layer. Returns `None` (with a fatal problem) when the file cannot be used.
pub fn read(input: &BoundaryInput, src: &FileSource, problems: &mut Vec<Problem>) -> Option<BoundaryLayer> {
    let file = src.display(&input.path);
    let lower = input.path.to_ascii_lowercase();
    let (raw, file_crs) = if lower.ends_with(".shp") {
        read_shapefile(&input.path, src, problems)?
    } else if lower.ends_with(".gpkg") {
        gpkg::read(&input.path, input.table.as_deref(), src, problems)?
    } else if lower.ends_with(".topojson") {
        topojson::read(&input.path, input.table.as_deref(), src, problems)?
    } else if lower.ends_with(".geojson") || lower.ends_with(".json") || lower.ends_with(".geojsonl") {
        read_geojson(&input.path, input.table.as_deref(), src, problems)?
    } else {
        problems.push(Problem::fatal(
            &file,
            "unknown boundary format: use .geojson / .json, .topojson, .gpkg or .shp",
        ));
        return None;
    };
    let declared = match &input.crs {
        Some(c) => match Crs::parse(c) {
            Some(c) => Some(c),
            None => {
                problems.push(Problem::fatal(
                    &file,
                    format!("CRS {c:?} is not supported; use EPSG:27700 or EPSG:4326"),
                ));
                return None;
            }
        },
        None => None,
    };
    let crs = declared.or(file_crs).unwrap_or(Crs::Wgs84);
    // Whatever the format, a coordinate that is not a number or is wildly out of range leaves
    // its feature out (GeoJSON rings are checked as they are read; this catches Shapefiles).
    let raw: Vec<RawFeature> = raw
        .into_iter()
        .filter(|f| {
            use geo::CoordsIter;
            let bad = f
                .geometry
                .coords_iter()
                .find(|c| !c.x.is_finite() || !c.y.is_finite() || c.x.abs() > MAX_COORDINATE || c.y.abs() > MAX_COORDINATE);
            if let Some(c) = bad {
                problems.push(Problem::new(
                    Severity::Error,
                    &file,
                    &f.location,
                    "geometry",
                    format!("coordinate ({:e}, {:e}) is not a place in England; feature left out", c.x, c.y),
                ));
            }
            bad.is_none()
        })
        .collect();
    // Catch BNG metres labelled as lon/lat (and the reverse) before reprojecting garbage. The
    // layer is judged by most of its features, so one wild feature cannot make it fatal; the
    // features that disagree with the rest are left out, each reported.
    let first = |f: &RawFeature| f.geometry.0.first().and_then(|p| p.exterior().0.first()).copied();
    let looks_metres = |c: Coord| c.x.abs() > 180.0 || c.y.abs() > 90.0;
    let metres = raw.iter().filter_map(first).filter(|c| looks_metres(*c)).count();
    let located = raw.iter().filter_map(first).count();
    let layer_metres = metres * 2 > located;
    if let Some(f) = raw.iter().filter_map(first).find(|c| looks_metres(*c) == layer_metres) {
        if crs == Crs::Wgs84 && layer_metres {
            problems.push(Problem::fatal(
                &file,
                format!("coordinates like ({:.0}, {:.0}) are metres, not longitude/latitude; add crs = \"EPSG:27700\" to this layer in the manifest", f.x, f.y),
            ));
            return None;
        }
        if crs == Crs::Bng && !layer_metres {
            problems.push(Problem::fatal(
                &file,
                format!(
                    "coordinates like ({}, {}) look like longitude/latitude but the CRS is EPSG:27700",
                    f.x, f.y
                ),
            ));
            return None;
        }
    }
    let raw: Vec<RawFeature> = raw
        .into_iter()
        .filter(|f| {
            let odd = first(f).is_some_and(|c| looks_metres(c) != layer_metres);
            if odd {
                problems.push(Problem::new(
                    Severity::Error,
                    &file,
                    &f.location,
                    "geometry",
                    format!(
                        "its coordinates are {} but most of the layer's are {}; feature left out",
                        if layer_metres { "longitude/latitude" } else { "metres" },
                        if layer_metres { "metres" } else { "longitude/latitude" }
                    ),
                ));
            }
            !odd
        })
        .collect();
    let code_field = input
        .code_field
        .clone()
        .or_else(|| guess_code_field(&raw, input.kind, &file, problems));
    let name_field = input.name_field.clone().or_else(|| {
        // The name beside the chosen code (`WD23CD` → `WD23NM`), else the first name-like field.
        let paired = code_field.as_deref().and_then(|c| {
            let stem = c.to_ascii_lowercase().strip_suffix("cd")?.to_owned();
            raw.first()?
                .props
                .iter()
                .map(|(k, _)| k)
                .find(|k| k.to_ascii_lowercase() == format!("{stem}nm"))
                .cloned()
        });
        paired.or_else(|| guess_field(&raw, |k| (k.ends_with("nm") || k == "name") && !k.ends_with("nmw")))
    });
    let Some(code_field) = code_field else {
        problems.push(Problem::fatal(
            &file,
            "cannot tell which property holds the area code; set code_field in the manifest",
        ));
        return None;
    };
    let to_bng = reprojection(&raw, crs);
    // Reproject and repair in parallel, in small batches (features differ a thousandfold in
    // size, and rayon's default splits leave a quarter of the list to one thread); collect
    // problems per feature, then in order.
    let results: Vec<(Option<Area>, Vec<Problem>)> = raw
        .into_par_iter()
        .with_max_len(64)
        .map(|f| {
            let mut local = Vec::new();
            let mut sink = ProblemSink::new(file.clone(), &mut local);
            let get = |k: &str| f.props.iter().find(|(p, _)| p == k).map(|(_, v)| v.clone());
            let raw_code = get(&code_field);
            let code = match raw_code.as_deref().map(AreaCode::new) {
                Some(Ok(c)) => {
                    if let Some(note) = raw_code.as_deref().and_then(|raw| c.changed_from(raw)) {
                        sink.push(Severity::Warning, &f.location, &code_field, note);
                    }
                    c
                }
                _ => {
                    sink.push(Severity::Error, &f.location, &code_field, "no area code; feature left out");
                    drop(sink);
                    return (None, local);
                }
            };
            let name = name_field.as_deref().and_then(get).unwrap_or_else(|| code.to_string());
            let mut geometry = f.geometry;
            match to_bng.multipolygon_in_place(&mut geometry) {
                Ok(()) => {}
                Err(e) => {
                    sink.push(Severity::Error, &f.location, "geometry", format!("{e}; feature left out"));
                    drop(sink);
                    return (None, local);
                }
            }
            let geometry = repair(geometry, &mut sink, &f.location);
            drop(sink);
            (geometry.map(|geometry| Area { code, name, geometry }), local)
        })
        .collect();
    let mut areas = Vec::with_capacity(results.len());
    let mut seen = HashSet::new();
    for (area, mut probs) in results {
        problems.append(&mut probs);
        if let Some(a) = area {
            if !seen.insert(a.code.clone()) {
                problems.push(Problem::new(
                    Severity::Error,
                    &file,
                    format!("area {}", a.code),
                    &code_field,
                    "duplicate area code; second feature left out",
                ));
                continue;
            }
            areas.push(a);
        }
    }
    if areas.is_empty() {
        problems.push(Problem::fatal(&file, "no usable areas in this layer"));
        return None;
    }
    Some(BoundaryLayer {
        id: input.id.clone(),
        kind: input.kind,
        title: input.title.clone().unwrap_or_else(|| input.id.to_string()),
        areas,
        derived: None,
        phase: input.phase,
        source: file,
    })
}

/// How this layer's coordinates reach BNG: from `crs`, over the extent they cover.
fn reprojection(raw: &[RawFeature], crs: Crs) -> ToBng {
    use geo::{BoundingRect, CoordsIter};
    let coords = raw.par_iter().map(|f| f.geometry.coords_count()).sum();
    let bounds = raw
        .par_iter()
        .filter_map(|f| f.geometry.bounding_rect())
        .reduce_with(crate::geometry::rect_union);
    ToBng::new(crs, bounds, coords)
}

fn guess_field(raw: &[RawFeature], pred: impl Fn(&str) -> bool) -> Option<String> {
    raw.first()?
        .props
        .iter()
        .map(|(k, _)| k)
        .find(|k| pred(&k.to_ascii_lowercase()))
        .cloned()
}

/// The code field when the manifest names none: of the fields named `…CD` or `code`, the one
/// that fits the layer's kind (`WD..CD` for wards, `LSOA..CD` for LSOAs), then the one with the most
/// distinct values (a ward file's `LAD..CD` repeats), then the first in file order. Deterministic;
/// when the kind does not single one out, a warning lists the candidates.
fn guess_code_field(raw: &[RawFeature], kind: LayerKind, file: &str, problems: &mut Vec<Problem>) -> Option<String> {
    let first = raw.first()?;
    let candidates: Vec<&String> = first
        .props
        .iter()
        .map(|(k, _)| k)
        .filter(|k| {
            let k = k.to_ascii_lowercase();
            k.ends_with("cd") || k == "code"
        })
        .collect();
    let fits = |k: &str| {
        let k = k.to_ascii_lowercase();
        match kind {
            LayerKind::Ward => k.starts_with("wd"),
            LayerKind::Lsoa => k.starts_with("lsoa"),
            LayerKind::PlanningArea => k == "code" || k.starts_with("pa"),
            LayerKind::Other => false,
        }
    };
    let distinct = |k: &str| {
        raw.iter()
            .filter_map(|f| f.props.iter().find(|(p, _)| p == k).map(|(_, v)| v.as_str()))
            .collect::<HashSet<&str>>()
            .len()
    };
    let best = candidates
        .iter()
        .enumerate()
        .max_by_key(|(i, k)| (fits(k), distinct(k), std::cmp::Reverse(*i)))
        .map(|(_, k)| (*k).clone())?;
    // Ambiguous only when the layer's kind does not single one out.
    let fitting = candidates.iter().filter(|k| fits(k)).count();
    if candidates.len() > 1 && fitting != 1 {
        problems.push(Problem::new(
            Severity::Warning,
            file,
            "properties",
            "code_field",
            format!(
                "the area code could be in {}; using {best} (it fits the layer's kind or has the most distinct values); set code_field in the manifest to choose",
                candidates.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    Some(best)
}

/// A GeoJSON or TopoJSON position as a coordinate (NaN where a number is missing, which the ring
/// check reports).
fn position(p: &[f64]) -> Coord {
    Coord {
        x: p.first().copied().unwrap_or(f64::NAN),
        y: p.get(1).copied().unwrap_or(f64::NAN),
    }
}

fn value_to_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// One GeoJSON document, read without building a JSON tree of the geometry: coordinates stay
/// as raw text until the geometry's type is known, so a layer of a million features is held
/// once, as text, plus its properties.
#[derive(serde::Deserialize)]
struct GeoDoc<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(borrow, default)]
    crs: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow, default)]
    features: Option<Vec<GeoFeature<'a>>>,
    #[serde(borrow, default)]
    geometry: Option<&'a serde_json::value::RawValue>,
    #[serde(default)]
    properties: Option<serde_json::Map<String, Value>>,
}

#[derive(serde::Deserialize)]
struct GeoFeature<'a> {
    #[serde(borrow, default)]
    geometry: Option<&'a serde_json::value::RawValue>,
    #[serde(default)]
    properties: Option<serde_json::Map<String, Value>>,
}

#[derive(serde::Deserialize)]
struct GeoGeometry<'a> {
    #[serde(rename = "type")]
    kind: String,
    #[serde(borrow, default)]
    coordinates: Option<&'a serde_json::value::RawValue>,
}

/// A GeoJSON position read straight into a coordinate, without a vector per position: the
/// first two numbers (a third, the height, is skipped); NaN where a number is missing, which
/// the ring check reports.
struct Position(Coord);

impl<'de> serde::Deserialize<'de> for Position {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Position;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a position: an array of numbers")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Position, A::Error> {
                let x = seq.next_element::<f64>()?.unwrap_or(f64::NAN);
                let y = seq.next_element::<f64>()?.unwrap_or(f64::NAN);
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Position(Coord { x, y }))
            }
        }
        d.deserialize_seq(V)
    }
}

/// Polygons of a GeoJSON geometry as rings of positions, or why not.
fn polygons_of(raw: &serde_json::value::RawValue) -> Result<Vec<Vec<Vec<Position>>>, String> {
    let g: GeoGeometry<'_> = serde_json::from_str(raw.get()).map_err(|e| format!("malformed geometry ({e})"))?;
    let coords = g.coordinates.map_or("null", serde_json::value::RawValue::get);
    let bad = |e: serde_json::Error| format!("malformed {} coordinates ({e})", g.kind);
    match g.kind.as_str() {
        "Polygon" => Ok(vec![serde_json::from_str(coords).map_err(bad)?]),
        "MultiPolygon" => serde_json::from_str(coords).map_err(bad),
        other => Err(format!("geometry is a {other}, expected Polygon or MultiPolygon")),
    }
}

/// The rings of a feature's polygons, checked: a degenerate ring is dropped (an outer ring with its
/// holes), a ring with a fault that makes the feature untrustworthy drops the feature (`None`).
/// Shared by every format that gives rings of coordinates.
fn build_polygons(polys: Vec<Vec<Vec<Coord>>>, sink: &mut ProblemSink<'_>, location: &str) -> Option<MultiPolygon<f64>> {
    let mut parts = Vec::new();
    'polygons: for rings in polys {
        let mut built = Vec::with_capacity(rings.len());
        for (k, coords) in rings.into_iter().enumerate() {
            match ring(coords, sink, location) {
                Ok(r) => built.push(r),
                Err(RingFault::Feature) => return None,
                // A degenerate outer ring takes its polygon's holes with it.
                Err(RingFault::Ring) if k == 0 => continue 'polygons,
                Err(RingFault::Ring) => {}
            }
        }
        let mut built = built.into_iter();
        if let Some(ext) = built.next() {
            parts.push(Polygon::new(ext, built.collect()));
        }
    }
    Some(MultiPolygon::new(parts))
}

fn read_geojson(rel: &str, object: Option<&str>, src: &FileSource, problems: &mut Vec<Problem>) -> Option<(Vec<RawFeature>, Option<Crs>)> {
    let file = src.display(rel);
    let text = super::read_text(rel, src, problems)?;
    let docs: Vec<GeoDoc<'_>> = match serde_json::from_str::<GeoDoc<'_>>(&text) {
        Ok(v) => vec![v],
        Err(whole) => {
            // One GeoJSON Feature per line (`.geojsonl`).
            let lines: Result<Vec<GeoDoc<'_>>, _> = text.lines().filter(|l| !l.trim().is_empty()).map(serde_json::from_str).collect();
            match lines {
                Ok(v) if !v.is_empty() => v,
                _ => {
                    let what = if serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok() {
                        "not GeoJSON"
                    } else {
                        "not valid JSON"
                    };
                    problems.push(Problem::fatal(&file, format!("{what}: {whole}")));
                    return None;
                }
            }
        }
    };
    let mut crs = None;
    let mut features: Vec<GeoFeature<'_>> = Vec::new();
    for doc in docs {
        let crs_name = doc
            .crs
            .and_then(|c| serde_json::from_str::<Value>(c.get()).ok())
            .and_then(|c| c.pointer("/properties/name").and_then(Value::as_str).map(str::to_owned));
        if let Some(name) = crs_name {
            crs = Crs::parse(&name);
            if crs.is_none() {
                problems.push(Problem::fatal(
                    &file,
                    format!("declares CRS {name:?}, which is not supported (use EPSG:27700 or CRS84)"),
                ));
                return None;
            }
        }
        match doc.kind.as_deref() {
            Some("FeatureCollection") => match doc.features {
                Some(fs) => features.extend(fs),
                None => {
                    problems.push(Problem::fatal(&file, "FeatureCollection has no \"features\" array"));
                    return None;
                }
            },
            Some("Feature") => features.push(GeoFeature {
                geometry: doc.geometry,
                properties: doc.properties,
            }),
            Some("Topology") => {
                drop(features);
                return topojson::from_text(&text, &file, object, problems);
            }
            other => {
                problems.push(Problem::fatal(
                    &file,
                    format!("expected a GeoJSON FeatureCollection, found type {other:?}"),
                ));
                return None;
            }
        }
    }
    // Each feature's coordinates are parsed in parallel, in small batches as above; problems are
    // kept in feature order.
    let parsed: Vec<(Option<RawFeature>, Vec<Problem>)> = features
        .into_par_iter()
        .with_max_len(64)
        .enumerate()
        .map(|(i, f)| {
            let mut local = Vec::new();
            let mut sink = ProblemSink::new(file.clone(), &mut local);
            let location = format!("feature {}", i + 1);
            let props: Vec<(String, String)> = f
                .properties
                .map(|o| o.into_iter().filter_map(|(k, v)| value_to_string(&v).map(|s| (k, s))).collect())
                .unwrap_or_default();
            let feature = match f.geometry.filter(|g| g.get().trim() != "null") {
                None => {
                    sink.push(Severity::Error, &location, "geometry", "feature has no geometry; left out");
                    None
                }
                Some(g) => match polygons_of(g) {
                    Err(e) => {
                        sink.push(Severity::Error, &location, "geometry", format!("{e}; feature left out"));
                        None
                    }
                    Ok(polys) => {
                        let rings = polys
                            .into_iter()
                            .map(|rings| rings.into_iter().map(|r| r.into_iter().map(|p| p.0).collect()).collect())
                            .collect();
                        build_polygons(rings, &mut sink, &location).map(|geometry| RawFeature { location, props, geometry })
                    }
                },
            };
            drop(sink);
            (feature, local)
        })
        .collect();
    let mut out = Vec::with_capacity(parsed.len());
    for (f, mut local) in parsed {
        problems.append(&mut local);
        out.extend(f);
    }
    if out.is_empty() {
        problems.push(Problem::new(Severity::Fatal, &file, "file", "-", "no features could be read"));
        return None;
    }
    Some((out, crs))
}

fn read_shapefile(rel: &str, src: &FileSource, problems: &mut Vec<Problem>) -> Option<(Vec<RawFeature>, Option<Crs>)> {
    use std::io::Cursor;
    let file = src.display(rel);
    let shp = match src.read(rel) {
        Ok(b) => b,
        Err(e) => {
            problems.push(Problem::fatal(&file, format!("cannot read: {e}")));
            return None;
        }
    };
    let dbf_rel = with_extension(rel, "dbf");
    let dbf = match src.read(&dbf_rel) {
        Ok(b) => b,
        Err(_) => {
            problems.push(Problem::fatal(
                &file,
                format!(
                    "the attribute file {} is missing; a shapefile needs its .dbf beside the .shp",
                    src.display(&dbf_rel)
                ),
            ));
            return None;
        }
    };
    let crs = match src.read(&with_extension(rel, "prj")) {
        Ok(prj) => {
            let wkt = String::from_utf8_lossy(&prj);
            let c = Crs::parse(&wkt);
            if c.is_none() {
                problems.push(Problem::fatal(
                    &file,
                    "the .prj names a CRS placeplan does not support; reproject to EPSG:27700 or EPSG:4326",
                ));
                return None;
            }
            c
        }
        Err(_) => {
            problems.push(Problem::new(
                Severity::Warning,
                &file,
                "file",
                "-",
                "no .prj beside the .shp; the CRS is taken from the manifest or guessed from the coordinates",
            ));
            None
        }
    };
    let shape_reader = match src.read(&with_extension(rel, "shx")) {
        Ok(shx) => shapefile::ShapeReader::with_shx(Cursor::new(shp), Cursor::new(shx)),
        Err(_) => shapefile::ShapeReader::new(Cursor::new(shp)),
    };
    let shape_reader = match shape_reader {
        Ok(r) => r,
        Err(e) => {
            problems.push(Problem::fatal(&file, format!("not a readable shapefile: {e}")));
            return None;
        }
    };
    let dbf_reader = match shapefile::dbase::Reader::new(Cursor::new(dbf)) {
        Ok(r) => r,
        Err(e) => {
            problems.push(Problem::fatal(src.display(&dbf_rel), format!("not a readable dBase file: {e}")));
            return None;
        }
    };
    // The DBF's own field order: a record is a hash map, so without it every guess of the code
    // field would depend on the run.
    let field_order: Vec<String> = dbf_reader.fields().iter().map(|f| f.name().to_owned()).collect();
    let mut reader = shapefile::Reader::new(shape_reader, dbf_reader);
    let mut out = Vec::new();
    let mut sink = ProblemSink::new(file.clone(), problems);
    let mut guessed_crs = crs;
    for (i, item) in reader.iter_shapes_and_records().enumerate() {
        let location = format!("feature {}", i + 1);
        let (shape, record) = match item {
            Ok(x) => x,
            Err(e) => {
                sink.push(
                    Severity::Error,
                    &location,
                    "-",
                    format!("cannot read this shape ({e}); the file may be truncated; stopped reading here"),
                );
                break;
            }
        };
        let mut props: Vec<(String, String)> = record
            .into_iter()
            .filter_map(|(k, v)| {
                use shapefile::dbase::FieldValue as F;
                let s = match v {
                    F::Character(Some(s)) | F::Memo(s) => s.trim().to_owned(),
                    F::Numeric(Some(n)) => n.to_string(),
                    F::Float(Some(n)) => n.to_string(),
                    F::Integer(n) => n.to_string(),
                    F::Double(n) => n.to_string(),
                    _ => return None,
                };
                Some((k, s))
            })
            .collect();
        props.sort_by_key(|(k, _)| field_order.iter().position(|f| f == k).unwrap_or(usize::MAX));
        let geometry = match geo_types::Geometry::<f64>::try_from(shape) {
            Ok(geo_types::Geometry::MultiPolygon(mp)) => mp,
            Ok(geo_types::Geometry::Polygon(p)) => MultiPolygon::new(vec![p]),
            Ok(other) => {
                let kind = match other {
                    geo_types::Geometry::Point(_) | geo_types::Geometry::MultiPoint(_) => "point",
                    geo_types::Geometry::LineString(_) | geo_types::Geometry::MultiLineString(_) => "line",
                    _ => "non-polygon",
                };
                sink.push(
                    Severity::Error,
                    &location,
                    "geometry",
                    format!("shape is a {kind}, expected a polygon; feature left out"),
                );
                continue;
            }
            Err(e) => {
                sink.push(
                    Severity::Error,
                    &location,
                    "geometry",
                    format!("cannot convert shape ({e}); feature left out"),
                );
                continue;
            }
        };
        if guessed_crs.is_none()
            && let Some(c) = geometry.0.first().and_then(|p| p.exterior().0.first())
        {
            guessed_crs = Some(if c.x.abs() > 180.0 { Crs::Bng } else { Crs::Wgs84 });
        }
        out.push(RawFeature { location, props, geometry });
    }
    if out.is_empty() {
        sink.push(Severity::Fatal, "file", "-", "no features could be read");
        return None;
    }
    Some((out, guessed_crs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_keep_two_numbers_and_mark_missing_ones() {
        let raw = |s: &str| serde_json::value::RawValue::from_string(s.to_owned()).expect("raw");
        let polys = polygons_of(&raw(r#"{"type": "Polygon", "coordinates": [[[1, 2, 30], [3.5, 4], [5], [1, 2]]]}"#)).expect("a polygon");
        let ring: Vec<Coord> = polys[0][0].iter().map(|p| p.0).collect();
        assert_eq!(
            &ring[..2],
            &[Coord { x: 1.0, y: 2.0 }, Coord { x: 3.5, y: 4.0 }],
            "the height is skipped"
        );
        assert!(
            ring[2].x == 5.0 && ring[2].y.is_nan(),
            "a missing number is NaN, for the ring check to report"
        );
        let e = polygons_of(&raw(r#"{"type": "Polygon", "coordinates": [[["a", 2]]]}"#))
            .err()
            .expect("text is not a number");
        assert!(e.contains("malformed Polygon coordinates"), "{e}");
    }
}
