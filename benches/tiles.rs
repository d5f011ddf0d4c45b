//! Vector-tile generation for the Leeds ward (2023) and LSOA layers at zooms 8–14: one iteration
//! encodes every tile that covers the layer at that zoom (the tile count is printed), so the time
//! per tile is the iteration time divided by the count. Also the one-off cost of building the map
//! layers and tile indexes at load.
//! Run: `cargo bench --bench tiles`. Needs ../shared/data (or PLACEPLAN_REAL_DATA).

mod common;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use placeplan::dataset::Dataset;
use placeplan::map::MapData;
use placeplan::map::tiles::TileId;

fn leeds() -> Option<Dataset> {
    common::leeds("tile benchmark")
}

/// Every tile at zoom `z` that meets `bounds` (WGS84 west, south, east, north).
fn tiles_covering(bounds: [f64; 4], z: u8) -> Vec<TileId> {
    let n = f64::from(1u32 << z);
    let tx = |lon: f64| ((lon + 180.0) / 360.0 * n).floor() as u32;
    let ty = |lat: f64| {
        let r = lat.to_radians();
        ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as u32
    };
    let mut out = Vec::new();
    for x in tx(bounds[0])..=tx(bounds[2]) {
        for y in ty(bounds[3])..=ty(bounds[1]) {
            if let Ok(t) = TileId::new(u32::from(z), x, y) {
                out.push(t);
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let Some(ds) = leeds() else { return };
    let mut g = c.benchmark_group("map_build");
    g.sample_size(10);
    g.bench_function("leeds_all_layers", |b| b.iter(|| MapData::build(&ds)));
    g.finish();

    let map = MapData::build(&ds);
    for layer in ["wards_2023", "lsoa"] {
        let Some((l, t)) = map.get(layer) else { continue };
        let mut g = c.benchmark_group(format!("tiles_{layer}"));
        g.sample_size(10);
        for z in 8..=14u8 {
            let tiles = tiles_covering(l.bounds, z);
            let bytes: usize = tiles.iter().map(|&id| t.encode(l, id).map_or(0, |v| v.len())).sum();
            eprintln!("{layer} z{z}: {} tiles, {} KiB uncompressed in all", tiles.len(), bytes / 1024);
            g.bench_with_input(BenchmarkId::new("all_tiles_at_zoom", z), &tiles, |b, tiles| {
                b.iter(|| tiles.iter().map(|&id| t.encode(l, id).map_or(0, |v| v.len())).sum::<usize>());
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
