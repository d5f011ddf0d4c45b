//! Time to load and join the real Leeds data (33+33 wards, 482 LSOAs, 771 schools, IoD 2019
//! England files, population, SCAP, 20,799 postcode points) — and the demo borough.
//! Run: `cargo bench --bench load_join`. Needs ../shared/data (or PLACEPLAN_REAL_DATA).

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use placeplan::dataset::Dataset;
use placeplan::manifest::Manifest;
use placeplan::source::FileSource;

fn leeds() -> Option<(Manifest, FileSource)> {
    common::leeds_manifest("Leeds benchmark")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("load_and_join");
    g.sample_size(10);
    if let Some((m, src)) = leeds() {
        g.bench_function("leeds", |b| b.iter(|| Dataset::load(&m, &src, &|_| {})));
    }
    if let Ok((m, src)) = placeplan::demo::embedded::demo() {
        g.bench_function("demo", |b| b.iter(|| Dataset::load(&m, &src, &|_| {})));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
