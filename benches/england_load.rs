//! Each step of the all-England load and join, on the inputs `../shared/bench/make_england_inputs.py`
//! writes (32,844 LSOAs and 7,681 wards as single GeoJSON files, mid-2020 single ages, 1,000,000
//! weighting points; `england.toml` beside them), so a regression shows in the step it is in:
//! * `read_lsoas` / `read_wards`: GeoJSON read, reprojected to EPSG:27700, checked and repaired;
//! * `read_population` / `read_points`: the CSV tables;
//! * `locate_points`: every point in its LSOA, as the load does it (`AreaIndex::within_all`: in
//!   Z-order, R-tree of boxes, then the edge interval trees);
//! * `apportion`: every LSOA × ward overlap with its three weights;
//! * `whole_load`: `Base::load` on the manifest, every step together, as `check --no-cache` runs.
//!
//! Run: `cargo bench --bench england_load` with the inputs in `/tmp/eng` or in the folder
//! `PLACEPLAN_ENGLAND` names; skipped with a note without them.

use criterion::{Criterion, criterion_group, criterion_main};
use placeplan::base::Base;
use placeplan::join::apportion::apportion;
use placeplan::join::index::AreaIndex;
use placeplan::manifest::Manifest;
use placeplan::source::FileSource;
use std::path::PathBuf;
use std::time::Duration;

fn inputs() -> Option<(Manifest, FileSource)> {
    let dir = std::env::var_os("PLACEPLAN_ENGLAND").map_or_else(|| PathBuf::from("/tmp/eng"), PathBuf::from);
    let path = dir.join("england.toml");
    if !path.is_file() {
        eprintln!(
            "NOTE: no {} (make it with ../shared/bench/make_england_inputs.py); England load benchmark skipped",
            path.display()
        );
        return None;
    }
    let m = Manifest::from_path(&path).expect("the England manifest parses");
    Some((m, FileSource::Disk(dir)))
}

fn bench(c: &mut Criterion) {
    let Some((m, src)) = inputs() else { return };
    let mut g = c.benchmark_group("england_load");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    let layer = |kind| m.boundaries.iter().find(|b| b.kind == kind).expect("layer in the manifest");
    let (lsoa_in, ward_in) = (layer(placeplan::model::LayerKind::Lsoa), layer(placeplan::model::LayerKind::Ward));
    let read = |b| placeplan::readers::boundaries::read(b, &src, &mut Vec::new()).expect("reads");
    g.bench_function("read_lsoas", |b| b.iter(|| read(lsoa_in)));
    g.bench_function("read_wards", |b| b.iter(|| read(ward_in)));
    if let Some(p) = &m.population {
        g.bench_function("read_population", |b| {
            b.iter(|| placeplan::readers::population::read(p, &src, &mut Vec::new()));
        });
    }
    let (lsoas, wards) = (read(lsoa_in), read(ward_in));
    let (lsoa_ix, ward_ix) = (AreaIndex::new(&lsoas), AreaIndex::new(&wards));
    let mut per = vec![Vec::new(); lsoas.areas.len()];
    if let Some(p) = &m.weighting_points {
        g.bench_function("read_points", |b| {
            b.iter(|| placeplan::readers::points::read(p, &src, &mut Vec::new()));
        });
        let (points, _) = placeplan::readers::points::read(p, &src, &mut Vec::new());
        let locate = || lsoa_ix.within_all(&points);
        g.bench_function("locate_points", |b| b.iter(locate));
        for (p, l) in points.iter().zip(locate()) {
            if let Some(l) = l {
                per[l].push(*p);
            }
        }
    }
    g.bench_function("apportion", |b| b.iter(|| apportion(&lsoas, &wards, &ward_ix, &per)));
    g.bench_function("whole_load", |b| b.iter(|| Base::load(&m, &src, &|_| {})));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
