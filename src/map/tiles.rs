//! Mapbox Vector Tiles (MVT v2) for a map layer, XYZ scheme, Web Mercator.
//!
//! At load: each polygon is simplified once per zoom level (Ramer–Douglas–Peucker with a
//! tolerance of [`SIMPLIFY_UNITS`] tile units, i.e. invisible at that zoom) and every feature's
//! bounding box goes into an R-tree. Per request: search the R-tree for the buffered tile, clip
//! only the features that cross its edge, quantise to the 4096-unit grid, drop rings that
//! collapse, orient rings the way the MVT spec wants (exterior positive area in tile
//! coordinates), and encode with geozero.
//!
//! An area layer's tiles hold a second layer, `{id}-labels`: one point per area (inside it,
//! computed once) with its code and name, in the one tile that contains it, so that a renderer
//! places each name once rather than once per tile the polygon crosses.

use super::layer::{MapLayer, Prop};
use geo::{Area, BooleanOps, BoundingRect, Coord, Geometry, LineString, MapCoords, MultiPolygon, Orient, Polygon, Rect, Validation};
use geozero::ToMvt;
use geozero::mvt::{Message, Tile, TileValue, tile};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use std::collections::HashMap;

/// Tile coordinate extent.
pub const EXTENT: u32 = 4096;
/// Buffer around each tile, in tile units, so that strokes and clipped edges do not show seams.
pub const BUFFER: f64 = 64.0;
/// Lowest zoom served.
pub const MIN_ZOOM: u8 = 0;
/// Highest zoom served (clients over-zoom beyond it).
pub const MAX_ZOOM: u8 = 16;
/// Highest zoom with its own simplified geometry (higher zooms use this one).
pub const MAX_DETAIL_ZOOM: u8 = 14;
/// Simplification tolerance in tile units.
pub const SIMPLIFY_UNITS: f64 = 1.0;
/// Half the Web Mercator world width, metres.
pub const HALF_WORLD: f64 = 20_037_508.342_789_244;

/// Why a tile could not be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TileError {
    /// Zoom outside the served range.
    #[error("zoom {z} is out of range: tiles are served for zoom {MIN_ZOOM} to {MAX_ZOOM}")]
    Zoom {
        /// The zoom asked for.
        z: u32,
    },
    /// x or y outside `0 .. 2^z`.
    #[error("tile {z}/{x}/{y} does not exist: at zoom {z}, x and y run from 0 to {max}")]
    Coordinates {
        /// Zoom.
        z: u32,
        /// Column.
        x: u32,
        /// Row.
        y: u32,
        /// `2^z − 1`.
        max: u32,
    },
    /// geozero could not encode a geometry.
    #[error("could not encode feature {feature}: {reason}")]
    Encode {
        /// Feature code.
        feature: String,
        /// geozero's message.
        reason: String,
    },
}

/// A validated tile address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TileId {
    /// Zoom.
    pub z: u8,
    /// Column.
    pub x: u32,
    /// Row (from the north).
    pub y: u32,
}

impl TileId {
    /// Checks `z` against the served range and `x`, `y` against `2^z`.
    ///
    /// # Errors
    /// [`TileError::Zoom`] or [`TileError::Coordinates`].
    pub fn new(z: u32, x: u32, y: u32) -> Result<Self, TileError> {
        let zz = u8::try_from(z)
            .ok()
            .filter(|z| (MIN_ZOOM..=MAX_ZOOM).contains(z))
            .ok_or(TileError::Zoom { z })?;
        let n = 1u32 << zz;
        if x >= n || y >= n {
            return Err(TileError::Coordinates { z, x, y, max: n - 1 });
        }
        Ok(Self { z: zz, x, y })
    }

    /// Tile bounds in Web Mercator metres: `(left, bottom, right, top)`, with size `2 × HALF_WORLD / 2^z`.
    #[must_use]
    pub fn bounds(self) -> (f64, f64, f64, f64) {
        let size = 2.0 * HALF_WORLD / f64::from(1u32 << self.z);
        let left = -HALF_WORLD + f64::from(self.x) * size;
        let top = HALF_WORLD - f64::from(self.y) * size;
        (left, top - size, left + size, top)
    }
}

/// Metres per tile unit at zoom `z`.
#[must_use]
pub fn unit_metres(z: u8) -> f64 {
    2.0 * HALF_WORLD / (f64::from(1u32 << z) * f64::from(EXTENT))
}

/// The tile index of one map layer.
pub struct TileSet {
    /// `levels[z][feature]`: polygons simplified for zoom `z` (`None` for points).
    levels: Vec<Vec<Option<MultiPolygon<f64>>>>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    /// The layer's attribute table, built once: every distinct key …
    keys: Vec<String>,
    /// … every distinct value …
    values: Vec<tile::Value>,
    /// … and `tags[feature]`, each attribute as (key, value) indices into them. A tile copies only
    /// the keys and values its features use.
    tags: Vec<Vec<(u32, u32)>>,
    /// `labels[feature]`: the label point of an area, Web Mercator metres (`None` for points).
    labels: Vec<Option<Coord>>,
}

/// The name of the label layer in the tiles of area layer `id`.
#[must_use]
pub fn label_layer(id: &str) -> String {
    format!("{id}-labels")
}

/// A value as a hash key (numbers by their bits).
#[derive(PartialEq, Eq, Hash)]
enum ValueKey<'a> {
    Str(&'a str),
    Num(u64),
    Int(i64),
    Bool(bool),
}

fn value_key(p: &Prop) -> ValueKey<'_> {
    match p {
        Prop::Str(s) => ValueKey::Str(s),
        Prop::Num(v) => ValueKey::Num(v.to_bits()),
        Prop::Int(v) => ValueKey::Int(*v),
        Prop::Bool(b) => ValueKey::Bool(*b),
    }
}

/// A layer's distinct keys, distinct values, and each feature's tags as indices into them.
type AttributeTable = (Vec<String>, Vec<tile::Value>, Vec<Vec<(u32, u32)>>);

/// The attribute table of `layer`.
fn attribute_table(layer: &MapLayer) -> AttributeTable {
    let mut key_ix: HashMap<&str, u32> = HashMap::new();
    let mut value_ix: HashMap<ValueKey<'_>, u32> = HashMap::new();
    let (mut keys, mut values) = (Vec::new(), Vec::new());
    let tags = layer
        .features
        .iter()
        .map(|f| {
            f.props
                .iter()
                .map(|(k, v)| {
                    let ki = *key_ix.entry(k.as_str()).or_insert_with(|| {
                        keys.push(k.clone());
                        u32::try_from(keys.len() - 1).unwrap_or(u32::MAX)
                    });
                    let vi = *value_ix.entry(value_key(v)).or_insert_with(|| {
                        values.push(tile_value(v).into());
                        u32::try_from(values.len() - 1).unwrap_or(u32::MAX)
                    });
                    (ki, vi)
                })
                .collect()
        })
        .collect();
    (keys, values, tags)
}

fn polygons(g: &Geometry<f64>) -> Option<MultiPolygon<f64>> {
    match g {
        Geometry::Polygon(p) => Some(MultiPolygon(vec![p.clone()])),
        Geometry::MultiPolygon(mp) => Some(mp.clone()),
        _ => None,
    }
}

impl TileSet {
    /// Simplifies every polygon for each zoom up to [`MAX_DETAIL_ZOOM`] and indexes the bounding boxes.
    #[must_use]
    pub fn new(layer: &MapLayer) -> Self {
        let full: Vec<Option<MultiPolygon<f64>>> = layer.features.iter().map(|f| polygons(&f.mercator)).collect();
        // Each polygon is ranked once, then filtered for each zoom: what simplifying it afresh at
        // each zoom gives ([`crate::geometry::Ranked`]).
        let ranked: Vec<Option<crate::geometry::Ranked>> = full.par_iter().map(|g| g.as_ref().map(crate::geometry::Ranked::new)).collect();
        let levels = (0..=MAX_DETAIL_ZOOM)
            .into_par_iter()
            .map(|z| {
                let eps = SIMPLIFY_UNITS * unit_metres(z);
                ranked.iter().map(|r| r.as_ref().map(|r| r.at(eps))).collect()
            })
            .collect();
        drop(ranked);
        let items = layer
            .features
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let r = f.mercator.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        let (keys, values, tags) = attribute_table(layer);
        let labels = layer
            .features
            .iter()
            .zip(&full)
            .map(|(f, poly)| {
                let [lon, lat] = f.point?;
                poly.as_ref()?;
                Some(crate::crs::wgs84_to_web_mercator(lon, lat))
            })
            .collect();
        Self {
            levels,
            tree: RTree::bulk_load(items),
            keys,
            values,
            tags,
            labels,
        }
    }

    /// Whether any feature's bounding box meets the buffered tile (the tile may still be empty
    /// once clipped): what a listing of the tileset's folders names.
    #[must_use]
    pub fn may_have(&self, t: TileId) -> bool {
        let (l, b, r, top) = t.bounds();
        let pad = BUFFER * unit_metres(t.z);
        self.tree
            .locate_in_envelope_intersecting(&AABB::from_corners([l - pad, b - pad], [r + pad, top + pad]))
            .next()
            .is_some()
    }

    /// The features (indices) whose bounding boxes meet the buffered tile.
    fn candidates(&self, t: TileId) -> Vec<usize> {
        let (l, b, r, top) = t.bounds();
        let pad = BUFFER * unit_metres(t.z);
        let mut out: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_corners([l - pad, b - pad], [r + pad, top + pad]))
            .map(|g| g.data)
            .collect();
        out.sort_unstable();
        out
    }

    /// Encodes tile `t` of `layer` (uncompressed MVT bytes; empty when no feature meets it).
    ///
    /// # Errors
    /// [`TileError::Encode`] when geozero refuses a geometry.
    pub fn encode(&self, layer: &MapLayer, t: TileId) -> Result<Vec<u8>, TileError> {
        let ids = self.candidates(t);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (left, _, _, top) = t.bounds();
        let unit = unit_metres(t.z);
        let to_tile = |c: Coord| Coord {
            x: (c.x - left) / unit,
            y: (top - c.y) / unit,
        };
        let lo = -BUFFER;
        let hi = f64::from(EXTENT) + BUFFER;
        let clip = Rect::new(Coord { x: lo, y: lo }, Coord { x: hi, y: hi });
        let level = &self.levels[usize::from(t.z.min(MAX_DETAIL_ZOOM))];
        // This tile's keys and values: the table's, renumbered in order of first use.
        let (mut key_map, mut value_map): (HashMap<u32, u32>, HashMap<u32, u32>) = (HashMap::new(), HashMap::new());
        let (mut keys, mut values): (Vec<String>, Vec<tile::Value>) = (Vec::new(), Vec::new());
        let mut features = Vec::with_capacity(ids.len());
        let mut labels = Vec::new();
        for &i in &ids {
            if let Some(c) = self.labels[i].map(to_tile)
                && (0.0..f64::from(EXTENT)).contains(&c.x)
                && (0.0..f64::from(EXTENT)).contains(&c.y)
            {
                labels.push((i, Geometry::Point(geo::Point::new(c.x.floor(), c.y.floor()))));
            }
        }
        for i in ids {
            let f = &layer.features[i];
            let geom = match (&level[i], &f.mercator) {
                (Some(mp), _) => match clip_quantise(&mp.map_coords(to_tile), clip) {
                    Some(mp) => Geometry::MultiPolygon(mp),
                    None => continue,
                },
                (None, Geometry::Point(p)) => {
                    let c = to_tile(p.0);
                    if c.x < lo || c.y < lo || c.x > hi || c.y > hi {
                        continue;
                    }
                    Geometry::Point(geo::Point::new(c.x.round(), c.y.round()))
                }
                (None, _) => continue,
            };
            let mut feature = geom.to_mvt_unscaled().map_err(|e| TileError::Encode {
                feature: f.code.clone(),
                reason: e.to_string(),
            })?;
            feature.id = Some(f.id);
            for &(k, v) in self.tags.get(i).map_or(&[][..], Vec::as_slice) {
                let ki = *key_map.entry(k).or_insert_with(|| {
                    keys.push(self.keys[k as usize].clone());
                    u32::try_from(keys.len() - 1).unwrap_or(u32::MAX)
                });
                let vi = *value_map.entry(v).or_insert_with(|| {
                    values.push(self.values[v as usize].clone());
                    u32::try_from(values.len() - 1).unwrap_or(u32::MAX)
                });
                feature.tags.push(ki);
                feature.tags.push(vi);
            }
            features.push(feature);
        }
        if features.is_empty() {
            return Ok(Vec::new());
        }
        let mut layers = vec![tile::Layer {
            version: 2,
            name: layer.id.clone(),
            features,
            keys,
            values,
            extent: Some(EXTENT),
        }];
        if !labels.is_empty() {
            layers.push(self.label_tile_layer(layer, &labels)?);
        }
        Ok(Tile { layers }.encode_to_vec())
    }

    /// The label layer of a tile: each area's point with its `code` and `name`.
    fn label_tile_layer(&self, layer: &MapLayer, labels: &[(usize, Geometry<f64>)]) -> Result<tile::Layer, TileError> {
        let mut values = Vec::with_capacity(labels.len() * 2);
        let mut features = Vec::with_capacity(labels.len());
        for (i, g) in labels {
            let f = &layer.features[*i];
            let mut feature = g.to_mvt_unscaled().map_err(|e| TileError::Encode {
                feature: f.code.clone(),
                reason: e.to_string(),
            })?;
            feature.id = Some(f.id);
            let at = u32::try_from(values.len()).unwrap_or(u32::MAX);
            values.push(tile_value(&Prop::Str(f.code.clone())).into());
            values.push(tile_value(&Prop::Str(f.name.clone())).into());
            feature.tags = vec![0, at, 1, at + 1];
            features.push(feature);
        }
        Ok(tile::Layer {
            version: 2,
            name: label_layer(&layer.id),
            features,
            keys: vec!["code".to_owned(), "name".to_owned()],
            values,
            extent: Some(EXTENT),
        })
    }
}

fn tile_value(p: &Prop) -> TileValue {
    match p {
        Prop::Str(s) => TileValue::Str(s.clone()),
        Prop::Num(v) => TileValue::Double(*v),
        Prop::Int(v) => TileValue::Sint(*v),
        Prop::Bool(b) => TileValue::Bool(*b),
    }
}

/// Clips `mp` (tile units) to `clip` when it crosses it, rounds to whole units, removes repeated
/// points and rings that collapse, and orients exterior rings to positive area in tile
/// coordinates (clockwise on screen), holes the other way. `None` when nothing is left.
#[must_use]
pub fn clip_quantise(mp: &MultiPolygon<f64>, clip: Rect<f64>) -> Option<MultiPolygon<f64>> {
    let bb = mp.bounding_rect()?;
    if bb.max().x < clip.min().x || bb.max().y < clip.min().y || bb.min().x > clip.max().x || bb.min().y > clip.max().y {
        return None;
    }
    let inside = bb.min().x >= clip.min().x && bb.min().y >= clip.min().y && bb.max().x <= clip.max().x && bb.max().y <= clip.max().y;
    let clipped;
    let src = if inside {
        mp
    } else {
        clipped = mp.intersection(&clip.to_polygon());
        &clipped
    };
    let mut mp = quantise(src)?;
    // Rounding to the grid, and simplification before it, can make a ring touch or cross itself
    // or a neighbour (spikes at the clip edge, narrow necks): such a polygon is rebuilt by a
    // boolean union (i_overlay), rounded again, and checked again.
    for _ in 0..REPAIR_ROUNDS {
        if mp.is_valid() {
            return Some(mp);
        }
        mp = quantise(&mp.union(&MultiPolygon::new(Vec::new())))?;
    }
    if mp.is_valid() {
        return Some(mp);
    }
    // Still not: the parts that are valid on their own, else the largest part, so that no tile
    // ever holds an invalid polygon.
    let parts: Vec<Polygon<f64>> = mp.0.iter().filter(|p| p.is_valid()).cloned().collect();
    let kept = MultiPolygon(parts);
    if !kept.0.is_empty() && kept.is_valid() {
        return Some(kept);
    }
    kept.0
        .into_iter()
        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
        .map(|p| MultiPolygon(vec![p]))
}

/// How many times a tile polygon that rounding made invalid is rebuilt before parts are dropped.
const REPAIR_ROUNDS: usize = 3;

/// Rounds every ring to whole tile units (dropping rings that collapse) and orients them for MVT.
fn quantise(src: &MultiPolygon<f64>) -> Option<MultiPolygon<f64>> {
    let polys: Vec<Polygon<f64>> = src
        .0
        .iter()
        .filter_map(|p| {
            let ext = quantise_ring(p.exterior())?;
            let holes = p.interiors().iter().filter_map(quantise_ring).collect();
            Some(Polygon::new(ext, holes))
        })
        .collect();
    if polys.is_empty() {
        return None;
    }
    Some(MultiPolygon(polys).orient(geo::orient::Direction::Default))
}

fn quantise_ring(ring: &LineString<f64>) -> Option<LineString<f64>> {
    let mut pts: Vec<Coord> = Vec::with_capacity(ring.0.len());
    for c in &ring.0 {
        let q = Coord {
            x: c.x.round(),
            y: c.y.round(),
        };
        if pts.last() != Some(&q) {
            pts.push(q);
        }
    }
    if pts.first() != pts.last() {
        let first = *pts.first()?;
        pts.push(first);
    }
    let ls = LineString(pts);
    (ls.0.len() >= 4 && Polygon::new(ls.clone(), Vec::new()).unsigned_area() > 0.0).then_some(ls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_ids_are_checked() {
        assert!(TileId::new(0, 0, 0).is_ok());
        assert_eq!(TileId::new(17, 0, 0), Err(TileError::Zoom { z: 17 }));
        assert_eq!(TileId::new(2, 4, 0), Err(TileError::Coordinates { z: 2, x: 4, y: 0, max: 3 }));
        let (l, b, r, t) = TileId::new(1, 1, 0).map(TileId::bounds).unwrap_or_default();
        assert!((l - 0.0).abs() < 1e-6 && (r - HALF_WORLD).abs() < 1e-6);
        assert!((b - 0.0).abs() < 1e-6 && (t - HALF_WORLD).abs() < 1e-6);
    }

    #[test]
    fn clipping_keeps_the_part_inside_and_orients_for_mvt() {
        let sq = |a: f64, b: f64| {
            Polygon::new(
                LineString::from(vec![(a, a), (a, b), (b, b), (b, a), (a, a)]), // clockwise in y-up
                Vec::new(),
            )
        };
        let clip = Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 100.0, y: 100.0 });
        let out = clip_quantise(&MultiPolygon(vec![sq(50.0, 150.0)]), clip).unwrap_or_else(|| MultiPolygon(vec![]));
        assert_eq!(out.0.len(), 1);
        assert!((out.unsigned_area() - 2500.0).abs() < 1e-9);
        // Exterior rings have positive signed area in tile coordinates.
        assert!(out.0[0].signed_area() > 0.0);
        // A sliver that rounds away vanishes.
        let sliver = Polygon::new(LineString::from(vec![(1.0, 1.0), (1.2, 1.0), (1.2, 1.3), (1.0, 1.0)]), vec![]);
        assert!(clip_quantise(&MultiPolygon(vec![sliver]), clip).is_none());
        // Outside entirely.
        assert!(clip_quantise(&MultiPolygon(vec![sq(200.0, 300.0)]), clip).is_none());
    }
}
