//! Shared by the benchmarks: the real Leeds manifest, pointed at the real-data folder.
#![allow(dead_code)]

use placeplan::dataset::Dataset;
use placeplan::manifest::Manifest;
use placeplan::source::FileSource;
use std::path::PathBuf;

/// The Leeds manifest and its file source, or `None` (with a note naming `what` is skipped) when
/// `PLACEPLAN_REAL_DATA` (default ../shared/data) has no Leeds data.
pub fn leeds_manifest(what: &str) -> Option<(Manifest, FileSource)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = std::env::var_os("PLACEPLAN_REAL_DATA").map_or_else(|| root.join("../shared/data"), PathBuf::from);
    if !data.join("lsoa_leeds/E08000035.json").is_file() {
        eprintln!("NOTE: real data not found at {}; {what} skipped", data.display());
        return None;
    }
    let text = std::fs::read_to_string(root.join("tests/leeds/manifest.toml")).ok()?;
    let m = Manifest::parse(&text.replace("../../../shared/data", &data.display().to_string()), "leeds").ok()?;
    Some((m, FileSource::Disk(root.join("tests/leeds"))))
}

/// Leeds, loaded.
pub fn leeds(what: &str) -> Option<Dataset> {
    let (m, src) = leeds_manifest(what)?;
    Some(Dataset::load(&m, &src, &|_| {}))
}
