//! The authority outline drawn over every area layer: the union of the areas of one boundary
//! layer (wards where there are some), dissolved in EPSG:27700 once at load, with slivers between
//! neighbouring boundaries removed, simplified to a few metres and written as WGS84 GeoJSON for
//! the style's `outline` source.

use crate::crs::bng_to_wgs84;
use crate::dataset::Dataset;
use crate::model::LayerKind;
use geo::{Area, MapCoords, MultiPolygon, Polygon, Simplify};

/// Gaps and specks smaller than this (m²) are slivers between boundaries, not part of the outline.
pub const SLIVER_M2: f64 = 10_000.0;
/// Simplification tolerance, metres (a tenth of a pixel at zoom 10).
pub const SIMPLIFY_M: f64 = 5.0;

/// The dissolved outline of the dataset's wards (else its first boundary layer) as a GeoJSON
/// `FeatureCollection` of one feature, or `None` when there are no areas.
#[must_use]
pub fn authority_outline(ds: &Dataset) -> Option<String> {
    let layer = ds.layers.iter().find(|l| l.kind == LayerKind::Ward).or_else(|| ds.layers.first())?;
    let parts: Vec<&MultiPolygon<f64>> = layer.areas.iter().map(|a| &a.geometry).collect();
    if parts.is_empty() {
        return None;
    }
    let union = geo::unary_union(parts);
    let cleaned: Vec<Polygon<f64>> = union
        .0
        .into_iter()
        .filter(|p| p.unsigned_area() >= SLIVER_M2)
        .map(|p| {
            let (ext, holes) = p.into_inner();
            Polygon::new(
                ext,
                holes
                    .into_iter()
                    .filter(|h| Polygon::new(h.clone(), vec![]).unsigned_area() >= SLIVER_M2)
                    .collect(),
            )
        })
        .collect();
    let simple = MultiPolygon(cleaned).simplify(SIMPLIFY_M);
    // Six decimals of a degree are 0.1 m: finer than the outline.
    let round = |v: f64| (v * 1e6).round() / 1e6;
    let wgs = simple
        .try_map_coords(|c| {
            bng_to_wgs84(c.x, c.y).map(|w| geo::Coord {
                x: round(w.x),
                y: round(w.y),
            })
        })
        .ok()?;
    let geometry = geojson::Geometry::from(&wgs);
    let name = if layer.kind == LayerKind::Ward {
        format!("{} (outline of its wards)", ds.name)
    } else {
        format!("{} (outline of {})", ds.name, layer.title)
    };
    let mut props = geojson::JsonObject::new();
    props.insert("name".into(), name.into());
    props.insert("source".into(), layer.source.clone().into());
    let fc = geojson::FeatureCollection {
        bbox: None,
        features: vec![geojson::Feature {
            bbox: None,
            geometry: Some(geometry),
            id: None,
            properties: Some(props),
            foreign_members: None,
        }],
        foreign_members: None,
    };
    Some(fc.to_string())
}
