//! Real Leeds data: the figures the core issue names, checked through the CLI's JSON and the library.

mod common;

use placeplan::join::apportion::WeightMethod;
use serde_json::Value;

fn check_json() -> Option<Value> {
    let dir = common::real_data()?;
    let (m, _) = common::leeds_manifest(&dir);
    let _ = m;
    // Run the real binary with the committed manifest when the data is in its default place,
    // otherwise through a temporary copy of the manifest pointing at PLACEPLAN_REAL_DATA.
    let tmp = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/leeds/manifest.toml")).expect("manifest");
    let manifest = tmp.path().join("manifest.toml");
    std::fs::write(&manifest, text.replace("../../../shared/data", &dir.display().to_string())).expect("write manifest");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_placeplan"))
        .args(["check", "--json", "--manifest"])
        .arg(&manifest)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).expect("check --json prints one JSON object"))
}

fn join<'a>(v: &'a Value, from: &str, to: &str) -> &'a Value {
    v["joins"]
        .as_array()
        .and_then(|j| {
            j.iter()
                .find(|x| x["from"].as_str().is_some_and(|f| f.ends_with(from)) && x["to"] == to)
        })
        .unwrap_or_else(|| panic!("join {from} → {to} reported"))
}

#[test]
fn check_json_reports_the_leeds_figures() {
    let Some(v) = check_json() else { return };
    let layer = |id: &str| {
        v["layers"]
            .as_array()
            .and_then(|l| l.iter().find(|x| x["id"] == id))
            .map(|x| x["features"].as_u64())
            .flatten()
    };
    assert_eq!(layer("wards_2023"), Some(33));
    assert_eq!(layer("wards_2013"), Some(33));
    assert_eq!(layer("lsoa"), Some(482));
    assert_eq!(v["schools"]["total"], 771);
    assert_eq!(v["schools"]["open"], 306);
    assert_eq!(v["schools"]["located"], 306);
    let w = join(&v, "open schools", "wards_2023");
    let strictly_inside = w["matched"].as_u64().unwrap_or(0) - w["snapped"].as_u64().unwrap_or(0);
    assert!(
        w["total"] == 306 && strictly_inside >= 305,
        "at most 1 open school outside every 2023 ward: {w}"
    );
    let d = join(&v, "lsoa", "deprivation");
    assert_eq!((d["matched"].as_u64(), d["total"].as_u64()), (Some(482), Some(482)));
    let p = join(&v, "lsoa", "population");
    assert_eq!(p["matched"], 482);
    let scap = join(&v, "leeds_383_scap2015_school_capacity.csv", "schools");
    assert_eq!(scap["matched"], 261, "every SCAP 2015 LAEstab is in GIAS");
    assert!(v["problems"].as_array().is_some_and(|p| {
        p.iter()
            .all(|x| x["file"].is_string() && x["location"].is_string() && x["field"].is_string() && x["message"].is_string())
    }));
    assert_eq!(
        v["geometries_repaired"], 2,
        "the data README says 2 of the 482 LSOA polygons are invalid"
    );
}

#[test]
fn every_leeds_lsoa_apportionment_sums_to_one_for_every_method() {
    let Some(ds) = common::leeds() else { return };
    let li = ds.lsoa_layer.expect("LSOA layer");
    for (layer, ap) in ds.layers.iter().zip(&ds.apportionments) {
        let Some(ap) = ap else { continue };
        for (l, pieces) in ap.by_lsoa.iter().enumerate() {
            for m in [WeightMethod::Population, WeightMethod::Area, WeightMethod::BestFit] {
                let s: f64 = pieces.iter().map(|&i| ap.pieces[i].weight(m)).sum();
                assert!(
                    (s - 1.0).abs() < 1e-9,
                    "{} LSOA {} {m:?} weights sum to {s}",
                    layer.id,
                    ds.layers[li].areas[l].code
                );
            }
        }
    }
    assert_eq!(
        ds.weight_method,
        WeightMethod::Population,
        "postcode points make weights population-based"
    );
}

#[test]
fn schools_are_joined_spatially_not_by_the_codes_in_the_register() {
    let Some(ds) = common::leeds() else { return };
    let (wi, w13) = ds
        .layer(&placeplan::ids::LayerId::new("wards_2013").expect("id"))
        .expect("2013 wards");
    let _ = w13;
    // The register carries 2023 ward codes; none equals a 2013 code, yet every open school lands in a 2013 ward.
    let placed = ds
        .schools
        .iter()
        .zip(&ds.placements[wi])
        .filter(|(s, p)| s.open && p.area().is_some())
        .count();
    assert_eq!(placed, 306);
}

#[test]
fn derived_planning_areas_tile_the_authority_and_match_scap_counts() {
    let Some(ds) = common::leeds() else { return };
    use geo::Area;
    let li = ds.lsoa_layer.expect("LSOA layer");
    let lsoa_area: f64 = ds.layers[li].areas.iter().map(|a| a.geometry.unsigned_area()).sum();
    for (id, expected) in [("planning_areas_primary", 33), ("planning_areas_secondary", 10)] {
        let (_, l) = ds.layer(&placeplan::ids::LayerId::new(id).expect("id")).expect("derived layer");
        assert!(l.derived.is_some());
        assert_eq!(l.areas.len(), expected, "{id}: the SCAP 2015 table has {expected} planning areas");
        let a: f64 = l.areas.iter().map(|x| x.geometry.unsigned_area()).sum();
        assert!((a - lsoa_area).abs() / lsoa_area < 1e-6, "{id} covers {a} m² of {lsoa_area} m²");
    }
}

#[test]
fn planning_area_names_from_a_names_file_replace_the_ward_names() {
    let Some(ds) = common::leeds() else { return };
    let Some(dir) = common::real_data() else { return };
    let id = placeplan::ids::LayerId::new("planning_areas_primary").expect("id");
    let (_, derived) = ds.layer(&id).expect("derived layer");
    let (a, b) = (&derived.areas[0], &derived.areas[1]);
    // Ward names by default; the code is still there.
    assert!(a.name.starts_with(&format!("Planning area {} (", a.code)), "{}", a.name);
    let tmp = tempfile::tempdir().expect("temp dir");
    let names = tmp.path().join("pa-names.csv");
    // Lower case codes and a repeated row are fine; a row without a name is reported.
    std::fs::write(
        &names,
        format!(
            "PA code,PA name\n{},North West Leeds\n{},North West Leeds\n{},Aireborough\n9999999,\n",
            a.code.as_str().to_lowercase(),
            a.code,
            b.code
        ),
    )
    .expect("names written");
    let (mut m, src) = common::leeds_manifest(&dir);
    m.planning_area_names = Some(placeplan::manifest::TableInput {
        path: names.display().to_string(),
        skip_lines: 0,
        columns: [("code", "PA code"), ("name", "PA name")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    });
    let base = placeplan::base::Base::load(&m, &src, &|_| {});
    let (_, l) = base.layer(&id).expect("derived layer");
    let name_of = |code: &placeplan::ids::AreaCode| l.areas.iter().find(|x| &x.code == code).map(|x| x.name.clone());
    assert_eq!(name_of(&a.code).as_deref(), Some("North West Leeds"));
    assert_eq!(name_of(&b.code).as_deref(), Some("Aireborough"));
    // The others keep their ward names, and the file says how many.
    let c = &derived.areas[2];
    assert_eq!(name_of(&c.code), Some(c.name.clone()));
    let file = src.display(&names.display().to_string());
    let says = |needle: &str| base.problems.iter().any(|p| p.file == file && p.message.contains(needle));
    assert!(
        says(&format!("31 of 33 Primary planning areas (derived) have no name")),
        "{:?}",
        base.problems.iter().filter(|p| p.file == file).collect::<Vec<_>>()
    );
    assert!(says("no name; row left out"));
}
