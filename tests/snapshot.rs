//! The snapshot cache (`placeplan::snapshot`): a second command on a manifest reads the joined
//! base from the snapshot the first wrote, with figures identical to a fresh load's; a changed
//! input (a sidecar too) or a damaged snapshot loads afresh; `--no-cache` writes none.

use crate::common;
use placeplan::analysis::summary::summary;
use placeplan::base::Base;
use placeplan::codec::Reader;
use placeplan::dataset::Dataset;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const USED: &str = "read the joined data from its snapshot";

/// A copy of the demo borough's files (a shapefile with its sidecars among them) in a folder of
/// its own, and an empty cache folder.
fn demo_copy() -> (tempfile::TempDir, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("boundaries/demo");
    for e in std::fs::read_dir(src).expect("demo folder").flatten() {
        std::fs::copy(e.path(), dir.path().join(e.file_name())).expect("copy");
    }
    (dir, tempfile::tempdir().expect("cache dir"))
}

/// Runs placeplan on `dir`'s manifest with `cache` as its cache folder: stdout, stderr.
fn run(cache: &Path, dir: &Path, args: &[&str]) -> (String, String) {
    let out = common::placeplan()
        .env("PLACEPLAN_CACHE_DIR", cache)
        .args(args)
        .arg("--manifest")
        .arg(dir.join("manifest.toml"))
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "placeplan {args:?}: {err}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), err)
}

fn snapshots(cache: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(cache)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "snap"))
                .collect()
        })
        .unwrap_or_default()
}

/// What every command below prints, from the snapshot and afresh (`--no-cache`): the same bytes.
fn same_from_snapshot_and_afresh(cache: &Path, dir: &Path) {
    let commands: &[&[&str]] = &[
        &["check", "--json"],
        &["summary", "--layer", "wards", "--json"],
        &["summary", "--layer", "schools", "--json"],
        &["hotspots", "--layer", "lsoa", "--metric", "imd_reverse_rank", "--star", "--json"],
        &["access", "--method", "e2sfca", "--phase", "primary", "--json"],
        &["backtest", "--json"],
    ];
    for c in commands {
        let cached = run(cache, dir, c).0;
        let mut fresh_args = c.to_vec();
        fresh_args.push("--no-cache");
        let fresh = run(cache, dir, &fresh_args).0;
        assert!(!cached.is_empty(), "{c:?} printed nothing");
        assert!(cached == fresh, "{c:?}: the snapshot's figures differ from a fresh load's");
    }
}

#[test]
fn a_second_command_reads_the_snapshot_with_the_same_figures() {
    let (dir, cache) = demo_copy();
    let (_, err) = run(cache.path(), dir.path(), &["summary", "--layer", "la"]);
    assert!(!err.contains(USED), "nothing to read yet: {err}");
    assert_eq!(snapshots(cache.path()).len(), 1, "the first load writes one snapshot");
    let (_, err) = run(cache.path(), dir.path(), &["summary", "--layer", "la"]);
    assert!(err.contains(USED), "the second reads it: {err}");
    same_from_snapshot_and_afresh(cache.path(), dir.path());
    // A command that reads only part of the manifest uses the whole one's snapshot.
    let (_, err) = run(
        cache.path(),
        dir.path(),
        &["hotspots", "--layer", "lsoa", "--metric", "imd_reverse_rank"],
    );
    assert!(err.contains(USED), "{err}");
}

#[test]
fn a_changed_input_or_sidecar_loads_afresh() {
    let (dir, cache) = demo_copy();
    let la = |d: &Path| run(cache.path(), d, &["summary", "--layer", "la", "--json"]);
    let before = la(dir.path()).0;
    // A school's capacity changes: the snapshot is not used, and the figures are the new file's.
    let schools = dir.path().join("schools.csv");
    let text = std::fs::read_to_string(&schools).expect("schools.csv");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let cap = header.iter().position(|h| *h == "SchoolCapacity").expect("a SchoolCapacity column");
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_owned).collect();
    let old: f64 = cells[cap].parse().expect("a capacity");
    cells[cap] = format!("{}", old + 300.0);
    lines[1] = cells.join(",");
    std::fs::write(&schools, lines.join("\n") + "\n").expect("write");
    let (after, err) = la(dir.path());
    assert!(!err.contains(USED));
    assert_ne!(after, before, "300 more places show");
    let (fresh, _) = run(cache.path(), dir.path(), &["summary", "--layer", "la", "--json", "--no-cache"]);
    assert_eq!(after, fresh);
    let (again, err) = run(cache.path(), dir.path(), &["summary", "--layer", "la"]);
    assert!(err.contains(USED), "the new snapshot is used: {err}");
    assert!(!again.is_empty());
    // A sidecar the shapefile reader asked for goes: the snapshot is not used.
    std::fs::remove_file(dir.path().join("lsoas.prj")).expect("remove .prj");
    let (_, err) = run(cache.path(), dir.path(), &["summary", "--layer", "la"]);
    assert!(!err.contains(USED), "{err}");
}

#[test]
fn a_damaged_snapshot_loads_afresh() {
    let (dir, cache) = demo_copy();
    let (good, _) = run(cache.path(), dir.path(), &["check", "--json"]);
    let snap = snapshots(cache.path()).pop().expect("a snapshot");
    let mut bytes = std::fs::read(&snap).expect("read");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&snap, &bytes).expect("write");
    let (out, err) = run(cache.path(), dir.path(), &["check", "--json"]);
    assert!(!err.contains(USED), "{err}");
    assert_eq!(out, good);
    std::fs::write(&snap, &bytes[..mid]).expect("truncate");
    let (out, _) = run(cache.path(), dir.path(), &["check", "--json"]);
    assert_eq!(out, good);
}

#[test]
fn no_cache_reads_and_writes_none() {
    let (dir, cache) = demo_copy();
    run(cache.path(), dir.path(), &["check", "--json", "--no-cache"]);
    assert!(snapshots(cache.path()).is_empty());
}

/// The base written and read back writes the same bytes again, and every view of it is the
/// original's: the demo always, Leeds when the real data is here.
#[test]
fn the_base_comes_back_exactly() {
    let mut cases = vec![(common::demo(), "demo")];
    if let Some(leeds) = common::leeds() {
        cases.push((leeds, "Leeds"));
    }
    for (ds, name) in cases {
        let mut bytes = Vec::new();
        ds.base.encode(&mut bytes);
        let mut r = Reader::new(&bytes);
        let back = Base::decode(&mut r, ds.base.settings.clone()).expect("decodes");
        assert_eq!(r.remaining(), 0, "{name}: every byte read");
        let mut again = Vec::new();
        back.encode(&mut again);
        assert!(again == bytes, "{name}: read back, the base writes other bytes");
        let back = Dataset::from_base(Arc::new(back), &|_| {});
        let json = |d: &Dataset| serde_json::to_string(&placeplan::check::CheckReport::new(d)).expect("check report");
        assert_eq!(json(&back), json(ds), "{name}: check");
        let rows = |d: &Dataset, l: Option<usize>| serde_json::to_string(&summary(d, l, None, None)).expect("rows");
        assert_eq!(rows(&back, None), rows(ds, None), "{name}: the authority");
        for (l, layer) in ds.base.layers.iter().enumerate() {
            assert_eq!(rows(&back, Some(l)), rows(ds, Some(l)), "{name}: rows of {}", layer.id);
        }
    }
}
