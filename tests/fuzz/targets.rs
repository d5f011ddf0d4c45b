//! One fuzz target per reader, shared by the cargo-fuzz crate (`tests/fuzz/`, nightly,
//! libFuzzer) and the stable smoke test (`tests/fuzz_smoke.rs`, run by `cargo test`). Each
//! target feeds arbitrary bytes to one reader through an in-memory file source; the only
//! requirement is that no input panics (every bad input is a problem, never a crash).
#![allow(dead_code, reason = "each fuzz binary and the seed writer use a part")]

use placeplan::manifest::Manifest;
use placeplan::problem::Problem;
use placeplan::source::FileSource;
use std::sync::{Arc, OnceLock};

/// Every target: its name and the file it reads (its seeds are named after it).
pub const TARGETS: &[&str] = &[
    "geojson",
    "shapefile",
    "schools",
    "deprivation",
    "population",
    "capacity",
    "rolls",
    "forecasts",
    "housing",
    "points",
    "pupils_by_stage",
    "manifest",
];

/// The manifest that names each input as `in.*`, parsed once.
fn manifest() -> &'static Manifest {
    static M: OnceLock<Manifest> = OnceLock::new();
    M.get_or_init(|| {
        Manifest::parse(
            r#"name = "fuzz"
[[boundaries]]
id = "geojson"
kind = "ward"
path = "in.geojson"
[[boundaries]]
id = "shapefile"
kind = "lsoa"
path = "in.shp"
[schools]
path = "in.csv"
[[deprivation]]
path = "in.csv"
[population]
path = "in.csv"
format = "syoa"
[[capacity]]
path = "in.csv"
key = "laestab"
[rolls]
path = "in.csv"
[forecasts]
path = "in.csv"
[housing]
path = "in.csv"
[weighting_points]
path = "in.csv"
[pupils_by_stage]
path = "in.csv"
"#,
            "fuzz manifest",
        )
        .expect("the fuzz manifest parses")
    })
}

fn memory(files: Vec<(&str, Vec<u8>)>) -> FileSource {
    FileSource::Memory(Arc::new(files.into_iter().map(|(p, b)| (p.to_owned(), b)).collect()))
}

/// Runs `target` on `data`. Panics only where placeplan would.
pub fn run(target: &str, data: &[u8]) {
    use placeplan::readers;
    let m = manifest();
    let mut problems: Vec<Problem> = Vec::new();
    let csv = || memory(vec![("in.csv", data.to_vec())]);
    match target {
        "geojson" => {
            let src = memory(vec![("in.geojson", data.to_vec())]);
            let _ = readers::boundaries::read(&m.boundaries[0], &src, &mut problems);
        }
        "shapefile" => {
            // The first two bytes say where the .shp ends and the .dbf begins.
            let (shp, dbf) = match data {
                [a, b, rest @ ..] => rest.split_at((usize::from(*a) << 8 | usize::from(*b)).min(rest.len())),
                _ => (data, &[][..]),
            };
            let src = memory(vec![("in.shp", shp.to_vec()), ("in.dbf", dbf.to_vec())]);
            let _ = readers::boundaries::read(&m.boundaries[1], &src, &mut problems);
        }
        "schools" => {
            let _ = readers::schools::read(m.schools.as_ref().expect("schools"), &csv(), &mut problems);
        }
        "deprivation" => {
            let mut into = std::collections::HashMap::new();
            readers::deprivation::read_into(&m.deprivation[0], &csv(), &mut into, &mut problems);
        }
        "population" => {
            let _ = readers::population::read(m.population.as_ref().expect("population"), &csv(), &mut problems);
        }
        "capacity" => {
            let _ = readers::capacity::read(&m.capacity[0], &csv(), &mut problems);
        }
        "rolls" => {
            let _ = readers::rolls::read(m.rolls.as_ref().expect("rolls"), &csv(), &mut problems);
        }
        "forecasts" => {
            let _ = readers::forecasts::read(m.forecasts.as_ref().expect("forecasts"), &csv(), &mut problems);
        }
        "housing" => {
            let _ = readers::housing::read(m.housing.as_ref().expect("housing"), &csv(), &mut problems);
        }
        "points" => {
            let _ = readers::points::read(m.weighting_points.as_ref().expect("points"), &csv(), &mut problems);
        }
        "pupils_by_stage" => {
            let _ = readers::pupils_by_stage::read(m.pupils_by_stage.as_ref().expect("stage"), &csv(), &mut problems);
        }
        "manifest" => {
            if let Ok(text) = std::str::from_utf8(data) {
                let _ = Manifest::parse(text, "fuzz.toml");
            }
        }
        other => panic!("no fuzz target {other:?}; targets are {TARGETS:?}"),
    }
    // Whatever was read, every problem names its file.
    assert!(
        problems.iter().all(|p| !p.file.is_empty()),
        "a problem without a file: {problems:?}"
    );
}

/// Real files (under `../shared/data`) that seed each target, when they are there.
const REAL: &[(&str, &str)] = &[
    ("geojson", "wards_leeds_2023/E08000035_WD23.geojson"),
    ("geojson", "lsoa_leeds/E08000035.json"),
    ("schools", "schools_leeds/edubase-leeds.csv"),
    ("pupils_by_stage", "schools_leeds/leeds_schools_public.csv"),
    ("deprivation", "imd2019_idaci_decile/imd.csv"),
    ("population", "population_leeds_syoa/leeds_lsoa11_syoa_mid2017_2019_2020.csv"),
    ("capacity", "scap_2015/leeds_383_scap2015_school_capacity.csv"),
    ("points", "postcodes_leeds/leeds_E08000035_postcodes.csv"),
];

/// Seed inputs for `target` from the checkout at `root`: the demo borough, the bad-input corpus and, given `real` (the
/// shared data folder), the real files; each cut to at most `max` bytes.
#[must_use]
pub fn seeds(root: &std::path::Path, target: &str, max: usize, real: Option<&std::path::Path>) -> Vec<Vec<u8>> {
    let cut = |mut b: Vec<u8>| {
        b.truncate(max);
        b
    };
    let read = |p: &str| std::fs::read(root.join(p)).ok().map(cut);
    let corpus = |pred: &dyn Fn(&str) -> bool| -> Vec<Vec<u8>> {
        let mut names: Vec<String> = std::fs::read_dir(root.join("tests/bad_input"))
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
            .into_iter()
            .filter(|n| pred(n))
            .filter_map(|n| read(&format!("tests/bad_input/{n}")))
            .collect()
    };
    let mut out: Vec<Vec<u8>> = match target {
        "geojson" => {
            let mut v: Vec<Vec<u8>> = ["boundaries/demo/wards.geojson", "boundaries/demo/localities.geojson"]
                .iter()
                .filter_map(|p| read(p))
                .collect();
            v.extend(corpus(&|n| n.ends_with(".geojson") || n.ends_with(".json")));
            v
        }
        "shapefile" => {
            let mut v = Vec::new();
            for stem in ["boundaries/demo/lsoas", "tests/bad_input/truncated"] {
                if let (Some(shp), Some(dbf)) = (read(&format!("{stem}.shp")), read(&format!("{stem}.dbf"))) {
                    let k = shp.len().min(0xFFFF);
                    let mut b = vec![(k >> 8) as u8, (k & 0xFF) as u8];
                    b.extend_from_slice(&shp[..k]);
                    b.extend_from_slice(&dbf);
                    v.push(b);
                }
            }
            v
        }
        "manifest" => [
            "boundaries/demo/manifest.toml",
            "tests/leeds/manifest.toml",
            "boundaries/demo/scenario-inner-east.toml",
        ]
        .iter()
        .filter_map(|p| read(p))
        .collect(),
        csv => {
            let demo = match csv {
                "schools" | "capacity" => "schools.csv",
                "deprivation" => "deprivation.csv",
                "population" => "population.csv",
                "rolls" | "forecasts" | "pupils_by_stage" => "rolls.csv",
                "housing" => "housing.csv",
                _ => "points.csv",
            };
            let mut v: Vec<Vec<u8>> = read(&format!("boundaries/demo/{demo}")).into_iter().collect();
            v.extend(corpus(&|n| n.ends_with(".csv") || n.ends_with(".csv.gz")));
            v
        }
    };
    if let Some(dir) = real {
        out.extend(
            REAL.iter()
                .filter(|(t, _)| *t == target)
                .filter_map(|(_, p)| std::fs::read(dir.join(p)).ok().map(cut)),
        );
    }
    out.push(Vec::new());
    out
}
