//! GeoJSON export (RFC 7946, WGS84): one feature per area or school, with its figures in wide
//! form: `{capacity|pupils|pupils_low|pupils_high|spare_pct|shortfall|status}_{phase}_{year}`.

use super::{ExportError, ExportRow};
use crate::crs::{bng_to_wgs84, multipolygon_to_wgs84};
use crate::dataset::Dataset;
use geo::Geometry;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::Path;

/// Wide attributes per code.
#[must_use]
pub fn wide(rows: &[ExportRow]) -> BTreeMap<String, Map<String, Value>> {
    let mut out: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for r in rows {
        let p = out.entry(r.code.clone()).or_insert_with(|| {
            let mut m = Map::new();
            m.insert("code".into(), json!(r.code));
            m.insert("name".into(), json!(r.name));
            m
        });
        let sfx = format!("{}_{}", r.phase.as_str(), r.year);
        p.insert(format!("capacity_{sfx}"), json!(r.capacity));
        p.insert(format!("pupils_{sfx}"), json!((r.pupils * 100.0).round() / 100.0));
        if let Some(v) = r.pupils_low {
            p.insert(format!("pupils_low_{sfx}"), json!((v * 100.0).round() / 100.0));
        }
        if let Some(v) = r.pupils_high {
            p.insert(format!("pupils_high_{sfx}"), json!((v * 100.0).round() / 100.0));
        }
        if let Some(v) = r.spare_pct {
            p.insert(format!("spare_pct_{sfx}"), json!((v * 100.0).round() / 100.0));
        }
        p.insert(format!("shortfall_{sfx}"), json!((r.shortfall * 100.0).round() / 100.0));
        p.insert(
            format!("margin_shortfall_{sfx}"),
            json!((r.margin_shortfall * 100.0).round() / 100.0),
        );
        p.insert(format!("status_{sfx}"), json!(r.status));
        // Under disclosure control: how many of the schools are c (counted as 5 above).
        if r.schools_suppressed > 0 {
            p.insert(format!("schools_suppressed_{sfx}"), json!(r.schools_suppressed));
        }
    }
    out
}

/// The geometry of each code in EPSG:27700: the layers' polygons, or (no layers) the schools' points.
#[must_use]
pub fn geometries(ds: &Dataset, layers: &[usize]) -> BTreeMap<String, Geometry<f64>> {
    match layers {
        [_, ..] => layers
            .iter()
            .flat_map(|&li| ds.layers[li].areas.iter())
            .map(|a| (a.code.to_string(), Geometry::MultiPolygon(a.geometry.clone())))
            .collect(),
        [] => ds
            .schools
            .iter()
            .filter_map(|s| Some((s.urn.to_string(), Geometry::Point(geo::Point::from(s.location?)))))
            .collect(),
    }
}

/// Writes the FeatureCollection.
///
/// # Errors
/// The file cannot be written.
pub fn write(path: &Path, ds: &Dataset, layers: &[usize], rows: &[ExportRow]) -> Result<(), ExportError> {
    let geoms = geometries(ds, layers);
    let features: Vec<geojson::Feature> = wide(rows)
        .into_iter()
        .filter_map(|(code, props)| {
            let g = match geoms.get(&code)? {
                Geometry::MultiPolygon(mp) => Geometry::MultiPolygon(multipolygon_to_wgs84(mp).ok()?),
                Geometry::Point(p) => Geometry::Point(geo::Point::from(bng_to_wgs84(p.x(), p.y()).ok()?)),
                _ => return None,
            };
            Some(geojson::Feature {
                bbox: None,
                geometry: Some(geojson::Geometry::from(&g)),
                id: Some(geojson::feature::Id::String(code)),
                properties: Some(props),
                foreign_members: None,
            })
        })
        .collect();
    let fc = geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    };
    let body = serde_json::to_vec(&fc).map_err(|e| ExportError::Io {
        path: path.display().to_string(),
        source: e.into(),
    })?;
    std::fs::write(path, body).map_err(|source| ExportError::Io {
        path: path.display().to_string(),
        source,
    })
}
