//! The request path and what-if recomputation on the real Leeds data:
//! - `requests/*`: one `/api/areas`, `/api/wards` and `/ward` request through the router (no socket);
//! - `tiles/wards_z11`: every tile covering the Leeds 2023 wards at zoom 11, requested in turn
//!   (the first pass fills any tile cache; the figure is the steady state a browser sees);
//! - `requests_cached/*`: the same, answered from the response cache;
//! - `plan/leeds`: every figure recomputed for a what-if (one expansion, one closure, one new
//!   school, one housing site), as a user waiting on the browser would;
//! - `plan/leeds_post`: `POST /api/plans` through the router, as the browser's plan editor sends it.
//!
//! Run: `cargo bench --bench serve`. Needs ../shared/data (or PLACEPLAN_REAL_DATA).

mod common;

use axum::body::Body;
use axum::http::{Request, header};
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt;
use placeplan::dataset::Dataset;
use placeplan::model::Phase;
use placeplan::scenario::Scenario;
use placeplan::server::{AppState, ServeOptions, router};
use std::sync::Arc;
use tower::ServiceExt;

fn leeds() -> Option<Dataset> {
    common::leeds("serve benchmark")
}

/// A what-if touching every kind of change: the first two primary schools in the totals are
/// expanded and closed, a primary opens at the first ward's first school, and homes are built there.
fn what_if(ds: &Dataset) -> Scenario {
    let primaries: Vec<_> = ds.schools.iter().filter(|s| s.in_totals(Phase::Primary)).collect();
    let at = primaries[0].location.unwrap_or_default();
    let toml = format!(
        "name = \"bench\"\n\
         [[expand]]\nurn = {}\nplaces = 105\nfrom = {}\n\
         [[close]]\nurn = {}\nfrom = {}\n\
         [[open]]\nname = \"New Primary\"\nphase = \"primary\"\ncapacity = 420\nfrom = {}\neasting = {}\nnorthing = {}\n\
         [[housing]]\nsite = \"Bench site\"\neasting = {}\nnorthing = {}\ncompletions = [[{}, 200]]\n\
         [yields]\nprimary = 0.25\nsecondary = 0.12\n",
        primaries[0].urn,
        ds.census_year + 1,
        primaries[1].urn,
        ds.census_year + 2,
        ds.census_year + 2,
        at.x + 50.0,
        at.y + 50.0,
        at.x,
        at.y,
        ds.census_year + 1,
    );
    toml::from_str(&toml).expect("bench scenario parses")
}

fn get(rt: &tokio::runtime::Runtime, state: &Arc<AppState>, uri: &str) -> usize {
    rt.block_on(async {
        let req = Request::get(uri)
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .expect("request");
        let resp = router(Arc::clone(state)).oneshot(req).await.expect("router answers");
        assert!(
            resp.status().is_success() || resp.status().as_u16() == 204,
            "{uri}: {}",
            resp.status()
        );
        resp.into_body().collect().await.expect("body").to_bytes().len()
    })
}

/// Every (x, y) at zoom `z` covering lon/lat `bounds`.
fn tiles(bounds: [f64; 4], z: u8) -> Vec<(u32, u32)> {
    let n = f64::from(1u32 << z);
    let tx = |lon: f64| ((lon + 180.0) / 360.0 * n).floor() as u32;
    let ty = |lat: f64| {
        let r = lat.to_radians();
        ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as u32
    };
    (tx(bounds[0])..=tx(bounds[2]))
        .flat_map(|x| (ty(bounds[3])..=ty(bounds[1])).map(move |y| (x, y)))
        .collect()
}

fn bench(c: &mut Criterion) {
    let Some(ds) = leeds() else { return };
    let sc = what_if(&ds);
    let ward = "E05011394"; // Gipton & Harehills
    let state = Arc::new(AppState::new(ds, ServeOptions::default()));
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");

    // Each request of `requests` is new to the server (a query parameter it ignores makes the URL
    // unique), so it is made, not answered from a cache; `requests_cached` repeats one URL.
    let n = std::sync::atomic::AtomicU64::new(0);
    let fresh = || n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut g = c.benchmark_group("requests");
    g.sample_size(20);
    g.bench_function("api_areas_ward", |b| {
        b.iter(|| get(&rt, &state, &format!("/api/areas/wards_2023/{ward}?bench={}", fresh())));
    });
    g.bench_function("api_wards", |b| {
        b.iter(|| get(&rt, &state, &format!("/api/wards/{ward}?layer=wards_2023&bench={}", fresh())));
    });
    g.bench_function("ward_page", |b| {
        b.iter(|| get(&rt, &state, &format!("/ward/{ward}?layer=wards_2023&bench={}", fresh())));
    });
    g.finish();
    let mut g = c.benchmark_group("requests_cached");
    g.sample_size(20);
    g.bench_function("api_areas_ward", |b| {
        b.iter(|| get(&rt, &state, &format!("/api/areas/wards_2023/{ward}")))
    });
    g.bench_function("ward_page", |b| {
        b.iter(|| get(&rt, &state, &format!("/ward/{ward}?layer=wards_2023")))
    });
    g.finish();

    // Leeds: about 53.70–53.95 N, 1.80–1.29 W.
    let ts = tiles([-1.80, 53.70, -1.29, 53.95], 11);
    eprintln!("tiles/wards_z11: {} tiles per iteration", ts.len());
    let mut g = c.benchmark_group("tiles");
    g.sample_size(10);
    g.bench_function("wards_z11", |b| {
        b.iter(|| {
            ts.iter()
                .map(|(x, y)| get(&rt, &state, &format!("/tiles/wards_2023/11/{x}/{y}.pbf")))
                .sum::<usize>()
        });
    });
    g.bench_function("wards_z11_uncached", |b| {
        b.iter(|| {
            let k = fresh();
            ts.iter()
                .map(|(x, y)| get(&rt, &state, &format!("/tiles/wards_2023/11/{x}/{y}.pbf?bench={k}")))
                .sum::<usize>()
        });
    });
    g.finish();

    let mut g = c.benchmark_group("plan");
    g.sample_size(10);
    g.bench_function("leeds", |b| {
        b.iter(|| {
            let ds = state.ds.with_plan(&sc).expect("scenario applies");
            let mut rows = placeplan::analysis::summary::summary(&ds, None, None, None).len();
            for li in 0..ds.layers.len() {
                rows += placeplan::analysis::summary::summary(&ds, Some(li), None, None).len();
            }
            rows
        });
    });
    // What the browser's plan editor waits for: POST /api/plans through the router, a new plan
    // each time (the places differ), answered with every changed figure.
    let mut n = 0u32;
    g.bench_function("leeds_post", |b| {
        b.iter(|| {
            n += 1;
            let toml = format!(
                "name = \"bench\"\n[[expand]]\nurn = {}\nplaces = {}\nfrom = {}\n",
                sc.expand[0].urn,
                n,
                state.ds.census_year + 1
            );
            rt.block_on(async {
                let req = Request::post("/api/plans").body(Body::from(toml)).expect("request");
                let resp = router(Arc::clone(&state)).oneshot(req).await.expect("answers");
                assert!(resp.status().is_success());
                resp.into_body().collect().await.expect("body").to_bytes().len()
            })
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
