//! The committed demo borough, compiled into the binary. Regenerate with
//! `placeplan generate-demo --out boundaries/demo`; `tests/demo.rs` checks these bytes match the generator.

/// `(file name, bytes)` for every file of the demo borough.
pub const FILES: &[(&str, &[u8])] = &[
    ("manifest.toml", include_bytes!("../../boundaries/demo/manifest.toml")),
    ("wards.geojson", include_bytes!("../../boundaries/demo/wards.geojson")),
    ("localities.geojson", include_bytes!("../../boundaries/demo/localities.geojson")),
    ("lsoas.shp", include_bytes!("../../boundaries/demo/lsoas.shp")),
    ("lsoas.shx", include_bytes!("../../boundaries/demo/lsoas.shx")),
    ("lsoas.dbf", include_bytes!("../../boundaries/demo/lsoas.dbf")),
    ("lsoas.prj", include_bytes!("../../boundaries/demo/lsoas.prj")),
    ("schools.csv", include_bytes!("../../boundaries/demo/schools.csv")),
    ("deprivation.csv", include_bytes!("../../boundaries/demo/deprivation.csv")),
    ("population.csv", include_bytes!("../../boundaries/demo/population.csv")),
    ("points.csv", include_bytes!("../../boundaries/demo/points.csv")),
    ("rolls.csv", include_bytes!("../../boundaries/demo/rolls.csv")),
    ("housing.csv", include_bytes!("../../boundaries/demo/housing.csv")),
];

/// The embedded demo's manifest and file source.
///
/// # Errors
/// Only if the embedded manifest is malformed (a build defect caught by the tests).
pub fn demo() -> Result<(crate::manifest::Manifest, crate::source::FileSource), crate::manifest::ManifestError> {
    let text = FILES
        .iter()
        .find(|(n, _)| *n == "manifest.toml")
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let m = crate::manifest::Manifest::parse(&text, "demo:manifest.toml")?;
    Ok((m, crate::source::FileSource::Embedded(FILES)))
}
