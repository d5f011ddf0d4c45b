//! Shared helpers for integration tests: where the real data is, and named loaders.

use placeplan::dataset::Dataset;
use placeplan::manifest::Manifest;
use placeplan::source::FileSource;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The real-data folder: `PLACEPLAN_REAL_DATA`, default `../shared/data` beside the checkout.
pub fn real_data_dir() -> PathBuf {
    std::env::var_os("PLACEPLAN_REAL_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"))
}

/// `Some(dir)` when the real data is present. When it is absent the test is skipped with a visible
/// note — unless `PLACEPLAN_REQUIRE_REAL_DATA=1` (set by `.ci/run`), which makes absence a failure.
pub fn real_data() -> Option<PathBuf> {
    let dir = real_data_dir();
    if dir.join("lsoa_leeds/E08000035.json").is_file() {
        return Some(dir);
    }
    let required = std::env::var("PLACEPLAN_REQUIRE_REAL_DATA").is_ok_and(|v| v == "1");
    assert!(!required, "real data not found at {} (set PLACEPLAN_REAL_DATA)", dir.display());
    eprintln!(
        "NOTE: skipping a real-data test: {} not found (set PLACEPLAN_REAL_DATA to run it)",
        dir.display()
    );
    None
}

/// The Leeds manifest (tests/leeds/manifest.toml) with its data paths pointed at the real-data folder.
pub fn leeds_manifest(dir: &std::path::Path) -> (Manifest, FileSource) {
    let text = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/leeds/manifest.toml"))
        .expect("Leeds manifest is in the repo");
    let text = text.replace("../../../shared/data", &dir.display().to_string().replace('\\', "/"));
    let m = Manifest::parse(&text, "tests/leeds/manifest.toml").expect("Leeds manifest parses");
    (m, FileSource::Disk(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/leeds")))
}

/// Leeds, loaded once per test binary.
pub fn leeds() -> Option<&'static Dataset> {
    static DS: OnceLock<Option<Dataset>> = OnceLock::new();
    DS.get_or_init(|| {
        let dir = real_data()?;
        let (m, src) = leeds_manifest(&dir);
        Some(Dataset::load(&m, &src, &|_| {}))
    })
    .as_ref()
}

/// The embedded demo, loaded once per test binary.
pub fn demo() -> &'static Dataset {
    static DS: OnceLock<Dataset> = OnceLock::new();
    DS.get_or_init(|| {
        let (m, src) = placeplan::demo::embedded::demo().expect("embedded demo manifest parses");
        Dataset::load(&m, &src, &|_| {})
    })
}

/// The built `placeplan` binary, with its snapshot cache in the test build's own folder
/// (`target/tmp/snapshots`), so that tests neither read nor fill the user's cache; commands of
/// different tests on the same manifest share snapshots there, as a user's commands would.
pub fn placeplan() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_placeplan"));
    c.env("PLACEPLAN_CACHE_DIR", PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("snapshots"));
    c
}
