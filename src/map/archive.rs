//! Every map layer in one PMTiles v3 archive ([`write_pmtiles`]): the tiles the server would
//! answer, each holding every layer (and its label layer) that meets it, gzip-compressed, with
//! the layers and their fields in the archive's metadata. A static web host or CDN serves it with
//! HTTP range requests; MapLibre reads it through the PMTiles protocol, and `pmtiles show`,
//! martin and GDAL (3.8 or later) read it as they read any PMTiles archive.

use super::MapData;
use super::style::{StyleContext, tilejson};
use super::tiles::{HALF_WORLD, MAX_DETAIL_ZOOM, MIN_ZOOM, TileError, TileId};
use pmtiles::{PmTilesWriter, TileCoord, TileType};
use rayon::prelude::*;
use std::io::{Seek, Write};

/// The highest zoom in the archive: the last with its own detail ([`MAX_DETAIL_ZOOM`]); a client
/// draws the zooms above it from these tiles ("overzoom").
pub const ARCHIVE_MAX_ZOOM: u8 = MAX_DETAIL_ZOOM;

/// What went wrong writing an archive.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// A tile could not be encoded.
    #[error(transparent)]
    Tile(#[from] TileError),
    /// The archive could not be written.
    #[error("could not write the PMTiles archive: {0}")]
    Write(#[from] pmtiles::PmtError),
}

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ArchiveStats {
    /// Tiles with at least one feature, over every zoom.
    pub tiles: usize,
    /// Their size before compression, bytes.
    pub tile_bytes: u64,
    /// Lowest and highest zoom.
    pub zooms: (u8, u8),
}

/// The column range and row range of the tiles at zoom `z` that meet `[west, south, east, north]`
/// (WGS84 degrees).
pub fn tile_range(bounds: [f64; 4], z: u8) -> (std::ops::RangeInclusive<u32>, std::ops::RangeInclusive<u32>) {
    let n = 1u32 << z;
    let size = 2.0 * HALF_WORLD / f64::from(n);
    let col = |x: f64| (((x + HALF_WORLD) / size).floor().max(0.0) as u32).min(n - 1);
    let row = |y: f64| (((HALF_WORLD - y) / size).floor().max(0.0) as u32).min(n - 1);
    let sw = crate::crs::wgs84_to_web_mercator(bounds[0], bounds[1]);
    let ne = crate::crs::wgs84_to_web_mercator(bounds[2], bounds[3]);
    (col(sw.x)..=col(ne.x), row(ne.y)..=row(sw.y))
}

/// The bounds of the layers that have features, together, `[west, south, east, north]` (a layer
/// with none has the whole world as its bounds, which would tile the world).
fn union_bounds(map: &MapData) -> Option<[f64; 4]> {
    map.layers
        .iter()
        .filter(|l| !l.features.is_empty())
        .map(|l| l.bounds)
        .reduce(|a, b| [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])])
}

/// One tile with every layer that meets it: each layer's encoded tile is a complete MVT `Tile`
/// message, and protobuf concatenation of messages is their merge, so the bytes side by side are
/// one tile with all the layers.
fn all_layers(map: &MapData, t: TileId) -> Result<Vec<u8>, TileError> {
    let mut out = Vec::new();
    for (l, ts) in map.layers.iter().zip(&map.tiles) {
        out.extend(ts.encode(l, t)?);
    }
    Ok(out)
}

/// tippecanoe's "tilestats" of `layers`: each vector layer's geometry (polygons, or label and
/// school points), which GDAL reads to type the layers rather than guess from a tile.
#[must_use]
pub fn tilestats<'a>(layers: impl Iterator<Item = &'a super::layer::MapLayer>) -> serde_json::Value {
    let stats: Vec<serde_json::Value> = layers
        .flat_map(|l| {
            let main = if l.kind == super::layer::MapKind::Schools {
                "Point"
            } else {
                "Polygon"
            };
            let mut out = vec![serde_json::json!({ "layer": l.id, "count": l.features.len(), "geometry": main })];
            if l.kind != super::layer::MapKind::Schools {
                out.push(serde_json::json!({ "layer": super::tiles::label_layer(&l.id), "count": l.features.len(), "geometry": "Point" }));
            }
            out
        })
        .collect();
    serde_json::json!({ "layerCount": stats.len(), "layers": stats })
}

/// The archive's metadata (JSON, in the shape of TileJSON / tippecanoe): name, description,
/// attribution and every vector layer with its fields.
#[must_use]
pub fn metadata(map: &MapData, name: &str, ctx: &StyleContext<'_>) -> serde_json::Value {
    let vector_layers: Vec<_> = map
        .layers
        .iter()
        .flat_map(|l| tilejson(l, ctx).vector_layers.unwrap_or_default())
        .collect();
    let stats = tilestats(map.layers.iter());
    serde_json::json!({
        "name": name,
        "description": format!("placeplan map layers of {name}: {}", map.layers.iter().map(|l| l.id.as_str()).collect::<Vec<_>>().join(", ")),
        "attribution": ctx.attribution,
        "type": "overlay",
        "format": "pbf",
        "version": "2",
        "vector_layers": vector_layers,
        "tilestats": stats,
    })
}

/// Writes every layer of `map` into `out` as one PMTiles v3 archive, zooms [`MIN_ZOOM`] to
/// [`ARCHIVE_MAX_ZOOM`]. Tiles are encoded in parallel a zoom at a time and written in tile-id
/// order; `progress` is told the tiles done and the tiles there are to look at.
///
/// # Errors
/// [`ArchiveError`] when a tile cannot be encoded or the archive cannot be written.
pub fn write_pmtiles<W: Write + Seek>(
    map: &MapData,
    name: &str,
    ctx: &StyleContext<'_>,
    out: W,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ArchiveStats, ArchiveError> {
    let Some(b) = union_bounds(map) else {
        return Ok(ArchiveStats::default());
    };
    let ranges: Vec<_> = (MIN_ZOOM..=ARCHIVE_MAX_ZOOM).map(|z| (z, tile_range(b, z))).collect();
    let total: u64 = ranges
        .iter()
        .map(|(_, (xs, ys))| u64::from(xs.end() - xs.start() + 1) * u64::from(ys.end() - ys.start() + 1))
        .sum();
    let mut writer = PmTilesWriter::new(TileType::Mvt)
        .min_zoom(MIN_ZOOM)
        .max_zoom(ARCHIVE_MAX_ZOOM)
        .bounds(b[0], b[1], b[2], b[3])
        .center(f64::midpoint(b[0], b[2]), f64::midpoint(b[1], b[3]))
        .center_zoom(10)
        .metadata(metadata(map, name, ctx).to_string())
        .create(out)?;
    let mut stats = ArchiveStats {
        zooms: (MIN_ZOOM, ARCHIVE_MAX_ZOOM),
        ..ArchiveStats::default()
    };
    let done = std::sync::atomic::AtomicU64::new(0);
    for (z, (xs, ys)) in ranges {
        let coords: Vec<(u32, u32)> = xs.flat_map(|x| ys.clone().map(move |y| (x, y))).collect();
        let mut tiles = coords
            .par_iter()
            .map(|&(x, y)| {
                let t = TileId::new(u32::from(z), x, y)?;
                let bytes = all_layers(map, t)?;
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                progress(n, total);
                Ok((pmtiles::TileId::from(TileCoord::new(z, x, y)?).value(), x, y, bytes))
            })
            .collect::<Result<Vec<_>, ArchiveError>>()?;
        // Written in tile-id (Hilbert) order, as readers expect for the fewest directory entries.
        tiles.sort_unstable_by_key(|t| t.0);
        for (_, x, y, bytes) in tiles {
            if bytes.is_empty() {
                continue;
            }
            stats.tiles += 1;
            stats.tile_bytes += bytes.len() as u64;
            writer.add_tile(TileCoord::new(z, x, y)?, &bytes)?;
        }
    }
    writer.finalize()?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_ranges_cover_the_bounds() {
        // Leeds-ish bounds at zoom 10: a handful of columns and rows around (504, 330).
        let (xs, ys) = tile_range([-1.8, 53.7, -1.29, 53.95], 10);
        assert!(xs.contains(&507) && ys.contains(&330), "{xs:?} {ys:?}");
        assert!(xs.end() - xs.start() <= 2 && ys.end() - ys.start() <= 2);
        let (xs, ys) = tile_range([-1.8, 53.7, -1.29, 53.95], 0);
        assert_eq!((xs, ys), (0..=0, 0..=0));
    }
}
