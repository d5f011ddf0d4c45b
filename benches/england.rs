//! England-scale equity statistics on all 32,844 LSOAs (2011) of ../shared/data:
//! * `gi_star_999`: Gi* of the IMD 2019 reversed rank on binary queen contiguity with 999
//!   conditional permutations and BH FDR (`equity::gi_run`, the code behind `placeplan hotspots`);
//! * `validity_surely_valid` / `validity_geo_is_valid`: checking every LSOA polygon with
//!   placeplan's sufficient test and with geo's quadratic one (on LSOAs' short rings geo's is
//!   quicker; with the wards' long rings in the load, the sufficient test first wins);
//! * `queen_weights`: building those weights from the polygons (a sweep of vertices by easting);
//! * `e2sfca_primary`: E2SFCA with a 2-mile catchment from every LSOA to a SYNTHETIC set of
//!   ~16,400 primary schools (England has no schools register in the data folder): one school at a
//!   point inside every second LSOA, 210–630 places. Demand is IoD 2019 File 6 children 0–15 × 7/16.
//!
//! Run: `cargo bench --bench england` (release, criterion). The tarball is unpacked once into
//! `target/england_lsoa11/`. Needs ../shared/data (or PLACEPLAN_REAL_DATA); skipped with a note without it.

use criterion::{Criterion, criterion_group, criterion_main};
use geo::{Coord, InteriorPoint, MultiPolygon};
use placeplan::analysis::access::{Decay, reach_within, two_stage_reach};
use placeplan::analysis::equity::{HotspotOptions, WeightSpec, gi_run, weights_for};
use placeplan::ids::{AreaCode, LayerId};
use placeplan::manifest::{BoundaryInput, TableInput};
use placeplan::model::{IOD2019_LSOAS, LayerKind, LsoaRecord};
use placeplan::source::FileSource;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

struct England {
    codes: Vec<AreaCode>,
    polys: Vec<MultiPolygon<f64>>,
    records: HashMap<AreaCode, LsoaRecord>,
}

fn data_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("PLACEPLAN_REAL_DATA").map_or_else(|| root.join("../shared/data"), PathBuf::from)
}

/// Unpacks the per-LAD GeoJSON files (not the TopoJSON copies) once.
fn unpack(data: &Path) -> Option<PathBuf> {
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/england_lsoa11");
    let done = out.join(".complete");
    if done.is_file() {
        return Some(out);
    }
    let file = std::fs::File::open(data.join("england_lsoa11_by_lad/lsoa_by_lad.tar.gz")).ok()?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    std::fs::create_dir_all(&out).ok()?;
    for entry in archive.entries().ok()? {
        let mut entry = entry.ok()?;
        let path = entry.path().ok()?.into_owned();
        let name = path.file_name()?.to_string_lossy().into_owned();
        if name.starts_with('E') && name.ends_with(".json") {
            entry.unpack(out.join(&name)).ok()?;
        }
    }
    std::fs::write(&done, b"").ok()?;
    Some(out)
}

fn load() -> Option<England> {
    let data = data_dir();
    if !data.join("england_lsoa11_by_lad/lsoa_by_lad.tar.gz").is_file() {
        eprintln!("NOTE: {} has no England LSOA archive; England benchmark skipped", data.display());
        return None;
    }
    let dir = unpack(&data)?;
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    let src = FileSource::Disk(dir);
    let layers: Vec<_> = files
        .par_iter()
        .filter_map(|f| {
            let input = BoundaryInput {
                id: LayerId::new("lsoa").ok()?,
                kind: LayerKind::Lsoa,
                title: None,
                path: f.clone(),
                table: None,
                code_field: Some("LSOA11CD".into()),
                name_field: Some("LSOA11NM".into()),
                crs: None,
                phase: None,
            };
            placeplan::readers::boundaries::read(&input, &src, &mut Vec::new())
        })
        .collect();
    let mut codes = Vec::new();
    let mut polys = Vec::new();
    for l in layers {
        for a in l.areas {
            codes.push(a.code);
            polys.push(a.geometry);
        }
    }
    let mut records = HashMap::new();
    let imd = FileSource::Disk(data.join("imd2019"));
    for f in [
        "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
        "File_6_-_IoD2019_Population_Denominators.csv.gz",
    ] {
        let t = TableInput {
            path: f.into(),
            skip_lines: 0,
            sheet: None,
            confidential: false,
            columns: BTreeMap::new(),
        };
        placeplan::readers::deprivation::read_into(&t, &imd, &mut records, &mut Vec::new());
    }
    eprintln!(
        "England: {} LSOAs from {} LAD files, {} IoD records",
        codes.len(),
        files.len(),
        records.len()
    );
    Some(England { codes, polys, records })
}

fn bench(c: &mut Criterion) {
    let Some(e) = load() else { return };
    let mut g = c.benchmark_group("england_lsoa");
    g.sample_size(10);

    // Gi* of the reversed IMD rank (areas without a rank left out, as `placeplan hotspots` does).
    let keep: Vec<usize> = (0..e.codes.len())
        .filter(|&i| e.records.get(&e.codes[i]).and_then(|r| r.imd_rank).is_some())
        .collect();
    let x: Vec<f64> = keep
        .iter()
        .filter_map(|&i| e.records.get(&e.codes[i]).and_then(|r| r.imd_rank))
        .map(|r| f64::from(IOD2019_LSOAS + 1 - r))
        .collect();
    let polys: Vec<MultiPolygon<f64>> = keep.iter().map(|&i| e.polys[i].clone()).collect();
    // Validity at load: placeplan's sufficient test (an R-tree of segments) against geo's own,
    // which compares every pair of a ring's segments; both in parallel, as the reader runs them.
    g.bench_function("validity_surely_valid", |b| {
        b.iter(|| polys.par_iter().filter(|p| placeplan::geometry::surely_valid(p)).count())
    });
    g.bench_function("validity_geo_is_valid", |b| {
        b.iter(|| polys.par_iter().filter(|p| geo::Validation::is_valid(*p)).count())
    });
    g.bench_function("queen_weights", |b| b.iter(|| weights_for(&polys, WeightSpec::Queen)));
    let w = weights_for(&polys, WeightSpec::Queen);
    let o = HotspotOptions::map_default();
    let run = gi_run(&x, &w, &o);
    let hot = run.p_fdr.iter().zip(&run.gi).filter(|(p, gv)| **p <= 0.05 && gv.z > 0.0).count();
    eprintln!(
        "Gi*: n = {}, islands = {}, mean neighbours = {:.2}, hot at FDR 5% = {hot}",
        x.len(),
        w.islands().len(),
        w.rows.iter().map(Vec::len).sum::<usize>() as f64 / x.len() as f64
    );
    g.bench_function("gi_star_999", |b| b.iter(|| gi_run(&x, &w, &o)));

    // E2SFCA, 2 miles, synthetic supply.
    let points: Vec<Coord> = e
        .polys
        .iter()
        .map(|p| p.interior_point().map_or(Coord { x: f64::NAN, y: f64::NAN }, |p| p.0))
        .collect();
    let demand: Vec<f64> = e
        .codes
        .iter()
        .map(|c| e.records.get(c).and_then(|r| r.children_0_15).unwrap_or(0.0) * 7.0 / 16.0)
        .collect();
    let schools: Vec<Coord> = points
        .iter()
        .step_by(2)
        .map(|p| Coord {
            x: p.x + 150.0,
            y: p.y - 100.0,
        })
        .collect();
    let places: Vec<f64> = (0..schools.len()).map(|k| 210.0 * f64::from(1 + (k % 3) as u8)).collect();
    let d0 = placeplan::analysis::school_access::TWO_MILES_M;
    let decay = Decay::luo_qi(d0);
    let reach = reach_within(&points, &schools, d0);
    let pairs: usize = reach.iter().map(Vec::len).sum();
    let fca = two_stage_reach(&demand, &places, &reach, &decay);
    let pa: f64 = fca.access.iter().zip(&demand).map(|(a, p)| a * p).sum();
    eprintln!(
        "E2SFCA: {} LSOAs, {} synthetic schools, {pairs} pairs within {d0:.0} m; Σ P·A = {pa:.0} of {:.0} places",
        points.len(),
        schools.len(),
        places.iter().sum::<f64>()
    );
    g.bench_function("e2sfca_primary", |b| {
        b.iter(|| {
            let reach = reach_within(&points, &schools, d0);
            two_stage_reach(&demand, &places, &reach, &decay)
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
