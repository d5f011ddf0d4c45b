//! The bad-input corpus (tests/bad_input/): every malformed file gives a clear problem naming the
//! file, the row or feature and the field; the clean rest loads; nothing panics.

use crate::common;
use placeplan::dataset::Dataset;
use placeplan::manifest::Manifest;
use placeplan::problem::{Problem, Severity};
use placeplan::source::FileSource;

fn load(toml: &str) -> Dataset {
    let m = Manifest::parse(&format!("name = \"bad input\"\n{toml}"), "test manifest").expect("test manifest parses");
    let src = FileSource::Disk(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bad_input").into());
    Dataset::load(&m, &src, &|_| {})
}

fn boundary(path: &str, extra: &str) -> String {
    format!("[[boundaries]]\nid = \"x\"\nkind = \"ward\"\npath = \"{path}\"\n{extra}\n")
}

fn find<'a>(ds: &'a Dataset, needle: &str) -> &'a Problem {
    ds.problems
        .iter()
        .find(|p| p.message.contains(needle))
        .unwrap_or_else(|| panic!("no problem mentioning {needle:?}; got {:#?}", ds.problems))
}

/// Reads one deprivation file from the corpus straight through the reader.
fn read_deprivation(
    path: &str,
) -> (
    std::collections::HashMap<placeplan::ids::AreaCode, placeplan::model::LsoaRecord>,
    Vec<Problem>,
) {
    let mut problems = Vec::new();
    let mut map = std::collections::HashMap::new();
    let input = placeplan::manifest::TableInput {
        path: path.into(),
        skip_lines: 0,
        sheet: None,
        confidential: false,
        columns: Default::default(),
    };
    let src = FileSource::Disk(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bad_input").into());
    placeplan::readers::deprivation::read_into(&input, &src, &mut map, &mut problems);
    (map, problems)
}

#[test]
fn truncated_shapefile_keeps_the_shapes_before_the_cut() {
    let ds = load(&boundary("truncated.shp", ""));
    let p = find(&ds, "truncated");
    assert_eq!(p.file, "truncated.shp");
    assert!(p.location.starts_with("feature "));
    let n = ds.layers.first().map_or(0, |l| l.areas.len());
    assert!(n > 0 && n < 150, "the shapes before the cut load ({n})");
}

#[test]
fn missing_dbf_is_fatal_and_named() {
    let ds = load(&boundary("no_dbf.shp", ""));
    let p = find(&ds, "no_dbf.dbf is missing");
    assert_eq!(p.severity, Severity::Fatal);
    assert!(ds.layers.is_empty());
}

#[test]
fn unclosed_ring_is_closed_and_reported() {
    let ds = load(&boundary("unclosed_ring.geojson", ""));
    let p = find(&ds, "not closed");
    assert_eq!(
        (p.location.as_str(), p.field.as_str(), p.severity),
        ("feature 1", "geometry", Severity::Warning)
    );
    assert_eq!(ds.layers[0].areas.len(), 2);
}

#[test]
fn a_point_in_a_boundary_layer_is_left_out_with_its_type() {
    let ds = load(&boundary("wrong_geometry_type.geojson", ""));
    let p = find(&ds, "geometry is a Point, expected Polygon or MultiPolygon");
    assert_eq!(p.location, "feature 1");
    assert_eq!(ds.layers[0].areas.len(), 1, "the valid feature still loads");
}

#[test]
fn a_bowtie_is_repaired_not_dropped() {
    let ds = load(&boundary("bowtie.geojson", ""));
    find(&ds, "self-intersection");
    assert_eq!(ds.layers[0].areas.len(), 1);
}

#[test]
fn cut_off_json_is_fatal_with_the_parser_position() {
    let ds = load(&boundary("not_json.geojson", ""));
    let p = find(&ds, "not valid JSON");
    assert!(p.message.contains("line 1"), "{}", p.message);
    assert_eq!(p.severity, Severity::Fatal);
}

#[test]
fn bng_metres_without_a_crs_suggest_the_fix() {
    let ds = load(&boundary("bng_no_crs.geojson", ""));
    find(&ds, "add crs = \"EPSG:27700\"");
    let ds = load(&boundary("bng_no_crs.geojson", "crs = \"EPSG:27700\""));
    assert!(ds.problems.is_empty(), "{:?}", ds.problems);
    assert_eq!(ds.layers[0].areas.len(), 1);
}

#[test]
fn topojson_is_read_and_its_faults_named() {
    // A topology in a .json file is read as TopoJSON; one with no geometries says so.
    let ds = load(&boundary("topology.json", ""));
    assert_eq!(find(&ds, "no features could be read").severity, Severity::Fatal);
    // A bad arc and a point are each left out, the good polygon loads.
    let ds = load(&boundary("topology_bad_arc.topojson", ""));
    let p = find(&ds, "arc 7 does not exist");
    assert_eq!((p.location.as_str(), p.field.as_str()), ("geometry 2", "geometry"));
    find(&ds, "geometry is a Point");
    assert_eq!(ds.layers[0].areas.len(), 1);
    assert_eq!(ds.layers[0].areas[0].name, "Good");
}

#[test]
fn a_file_that_is_not_a_geopackage_or_a_workbook_is_named() {
    let ds = load(&boundary("not_a_geopackage.gpkg", ""));
    let p = find(&ds, "GeoPackage");
    assert_eq!(p.severity, Severity::Fatal);
    assert!(p.file.ends_with("not_a_geopackage.gpkg"), "{}", p.file);
    let ds = load("[[deprivation]]\npath = \"not_a_workbook.xlsx\"\n");
    let p = find(&ds, "not a readable workbook");
    assert_eq!(p.severity, Severity::Fatal);
}

#[test]
fn schools_without_coordinates_are_fatal_with_the_mapping_hint() {
    let ds = load("[schools]\npath = \"schools_no_easting.csv\"\n");
    let p = find(&ds, "no Easting/Northing");
    assert_eq!(p.severity, Severity::Fatal);
    assert_eq!(ds.schools.len(), 1, "the rows still load for counting");
}

#[test]
fn bng_numbers_in_latitude_longitude_are_caught() {
    let ds = load("[schools]\npath = \"schools_bng_in_latlon.csv\"\n");
    let p = find(&ds, "looks like British National Grid");
    assert_eq!((p.location.as_str(), p.field.as_str()), ("row 2", "Latitude"));
    assert!(ds.schools[0].location.is_none());
    let beta = ds.schools[1].location.expect("the real lat/lon row is located");
    assert!((beta.x - 429_000.0).abs() < 5_000.0 && (beta.y - 432_000.0).abs() < 5_000.0);
}

#[test]
fn duplicate_urns_keep_the_first_row() {
    let ds = load("[schools]\npath = \"schools_duplicate_urn.csv\"\n");
    let p = find(&ds, "duplicate URN 100001");
    assert_eq!(p.location, "row 3");
    assert_eq!(ds.schools.len(), 2);
    assert_eq!(ds.schools[0].name, "Alpha Primary");
}

#[test]
fn an_empty_file_is_fatal() {
    let ds = load("[schools]\npath = \"empty.csv\"\n");
    assert_eq!(find(&ds, "file is empty").severity, Severity::Fatal);
}

#[test]
fn latin1_is_decoded_with_a_warning() {
    let ds = load("[schools]\npath = \"schools_latin1.csv\"\n");
    find(&ds, "Latin-1");
    assert_eq!(ds.schools[0].name, "St Mary\u{e9}s C of E Primary");
}

#[test]
fn cr_only_line_endings_bom_and_thousands_separators_load_cleanly() {
    let ds = load(
        "[[boundaries]]\nid = \"lsoa\"\nkind = \"lsoa\"\npath = \"unclosed_ring.geojson\"\n[[deprivation]]\npath = \"deprivation_cr_only.csv\"\n",
    );
    assert!(ds.problems.iter().all(|p| !p.file.contains("deprivation")), "{:?}", ds.problems);
    let (map, _) = read_deprivation("deprivation_cr_only.csv");
    let a = placeplan::ids::AreaCode::new("E01000001").expect("code");
    assert_eq!(map[&a].imd_rank, Some(29_199));
    assert_eq!(map[&a].imd_decile, Some(9));
    assert_eq!(map.len(), 2);
}

#[test]
fn bad_deprivation_values_are_reported_per_row_and_field() {
    let (map, problems) = read_deprivation("deprivation_bad_values.csv");
    let text = problems
        .iter()
        .find(|p| p.message.contains("is not a number"))
        .expect("text rank reported");
    assert_eq!((text.location.as_str(), text.field.as_str()), ("row 2", "IMD rank"));
    assert!(problems.iter().any(|p| p.location == "row 3" && p.message.contains("out of range")));
    assert_eq!(map[&placeplan::ids::AreaCode::new("E01000003").expect("code")].imd_rank, Some(120));
}

#[test]
fn ragged_rows_and_negative_capacity_are_reported() {
    let ds = load("[schools]\npath = \"schools_ragged_and_negative.csv\"\n");
    let ragged = find(&ds, "cells but the header has 6");
    assert_eq!(ragged.location, "row 3");
    let neg = find(&ds, "negative");
    assert_eq!((neg.location.as_str(), neg.field.as_str()), ("row 4", "SchoolCapacity"));
    assert_eq!(ds.schools.len(), 2);
    assert_eq!(ds.schools[1].capacity, None);
}

#[test]
fn corrupt_gzip_is_fatal() {
    let ds = load("[[deprivation]]\npath = \"corrupt.csv.gz\"\n");
    assert_eq!(find(&ds, "gzip").severity, Severity::Fatal);
}

#[test]
fn syoa_population_without_ages_explains_the_formats() {
    let ds = load("[population]\npath = \"population_no_ages.csv\"\nformat = \"syoa\"\n");
    find(&ds, "single year of age");
}

#[test]
fn bad_forecast_rows_are_left_out_and_the_good_one_kept() {
    let ds = load("[forecasts]\npath = \"forecasts_bad_rows.csv\"\n");
    find(&ds, "phase must be primary, secondary or post16");
    find(&ds, "is not school or planning_area");
    find(&ds, "\"twenty\" is not a number");
    assert_eq!(ds.forecast_table.len(), 1);
}

#[test]
fn a_missing_file_is_fatal_and_named() {
    let ds = load(&boundary("does_not_exist.geojson", ""));
    let p = find(&ds, "cannot read");
    assert_eq!(p.file, "does_not_exist.geojson");
    assert!(ds.has_fatal());
}

#[test]
fn manifest_mistakes_are_plain_errors() {
    let e = Manifest::parse(
        "name = \"x\"\n[[boundaries]]\nid = \"Bad Id\"\nkind = \"ward\"\npath = \"a.geojson\"\n",
        "m.toml",
    )
    .expect_err("bad id");
    assert!(e.to_string().contains("layer id"), "{e}");
    let e = Manifest::parse("name = \"x\"\nshools = 1\n", "m.toml").expect_err("typo");
    assert!(e.to_string().contains("unknown field"), "{e}");
    let e = Manifest::parse(
        "name = \"x\"\n[[boundaries]]\nid = \"a\"\nkind = \"county\"\npath = \"a.geojson\"\n",
        "m.toml",
    )
    .expect_err("kind");
    assert!(e.to_string().contains("unknown variant"), "{e}");
}

#[test]
fn the_cli_exits_3_on_an_unreadable_manifest_and_1_on_fatal_data() {
    let out = common::placeplan()
        .args(["check", "--manifest", "/nonexistent/m.toml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read manifest"));
    let tmp = tempfile::tempdir().expect("tmp");
    let m = tmp.path().join("m.toml");
    std::fs::write(&m, "name = \"x\"\n[schools]\npath = \"missing.csv\"\n").expect("write");
    let out = common::placeplan()
        .args(["check", "--json", "--manifest"])
        .arg(&m)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["fatal"], true);
}

#[test]
fn bad_roll_rows_are_left_out_and_named() {
    let ds = load("census_year = 2023\n[rolls]\npath = \"rolls_bad_rows.csv\"\n");
    let p = find(&ds, "not a URN");
    assert_eq!(
        (p.file.as_str(), p.location.as_str(), p.field.as_str()),
        ("rolls_bad_rows.csv", "row 5", "urn")
    );
    assert_eq!(find(&ds, "not a year group").field, "ncy");
    assert_eq!(find(&ds, "implausible academic year").location, "row 7");
    assert_eq!(find(&ds, "missing or negative roll").location, "row 8");
    assert!(find(&ds, "a second Y1 roll").severity == Severity::Warning);
    let h = &ds.rolls[&100_001];
    assert_eq!(h[&2023][1], Some(33.0), "duplicate rows are added and reported");
    assert_eq!(h[&2022][0], Some(30.0));
}

#[test]
fn bad_housing_rows_are_left_out_and_housing_without_yields_is_an_error() {
    let ds = load("[housing]\npath = \"housing_bad_rows.csv\"\n");
    assert_eq!(find(&ds, "blank site name").location, "row 3");
    assert_eq!(find(&ds, "implausible academic year").field, "year");
    assert_eq!(find(&ds, "negative number of homes").location, "row 5");
    assert_eq!(find(&ds, "no planning-area code and no easting").location, "row 6");
    let p = find(&ds, "without [settings.yields]");
    assert_eq!((p.severity, p.file.as_str()), (Severity::Error, "housing_bad_rows.csv"));
}

/// An ONS-style ward Shapefile carrying the district's code and name beside the ward's
/// (`LAD15CD`, `LAD15NM` first): the ward code is chosen every time — it fits the layer's kind and
/// has a distinct value per feature — and the name beside it is used.
#[test]
fn a_ward_shapefile_with_district_codes_loads_its_wards_every_time() {
    use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("wards.shp");
    let field = |n: &str| FieldName::try_from(n).expect("field name");
    let builder = TableWriterBuilder::new()
        .add_character_field(field("LAD15CD"), 9)
        .add_character_field(field("LAD15NM"), 20)
        .add_character_field(field("WD15CD"), 9)
        .add_character_field(field("WD15NM"), 20);
    let mut w = shapefile::Writer::from_path(&path, builder).expect("writer");
    for i in 0..5u32 {
        let x = 430_000.0 + f64::from(i) * 1000.0;
        let ring = vec![
            shapefile::Point::new(x, 430_000.0),
            shapefile::Point::new(x, 431_000.0),
            shapefile::Point::new(x + 1000.0, 431_000.0),
            shapefile::Point::new(x + 1000.0, 430_000.0),
            shapefile::Point::new(x, 430_000.0),
        ];
        let mut rec = Record::default();
        rec.insert("LAD15CD".into(), FieldValue::Character(Some("E08000035".into())));
        rec.insert("LAD15NM".into(), FieldValue::Character(Some("Leeds".into())));
        rec.insert("WD15CD".into(), FieldValue::Character(Some(format!("E0500000{i}"))));
        rec.insert("WD15NM".into(), FieldValue::Character(Some(format!("Ward {i}"))));
        w.write_shape_and_record(&shapefile::Polygon::new(shapefile::PolygonRing::Outer(ring)), &rec)
            .expect("write");
    }
    drop(w);
    for _ in 0..5 {
        let m = Manifest::parse(
            "name = \"t\"\n[[boundaries]]\nid = \"w\"\nkind = \"ward\"\npath = \"wards.shp\"\ncrs = \"EPSG:27700\"\n",
            "t",
        )
        .expect("manifest");
        let ds = Dataset::load(&m, &FileSource::Disk(dir.path().to_path_buf()), &|_| {});
        let l = &ds.layers[0];
        assert_eq!(l.areas.len(), 5, "{:#?}", ds.problems);
        assert_eq!(l.areas[2].code.as_str(), "E05000002");
        assert_eq!(l.areas[2].name, "Ward 2");
    }
}

/// A missing IMD rank (`N/A`) and an impossible decile are each a problem naming the row and the
/// field; the LSOA keeps no figure there ("no data") and the clean values load.
#[test]
fn an_na_rank_and_an_impossible_decile_are_said() {
    let (map, problems) = read_deprivation("deprivation_na.csv");
    let na = problems.iter().find(|p| p.message.contains("no value")).expect("N/A reported");
    assert_eq!((na.location.as_str(), na.field.as_str()), ("row 2", "IMD rank"));
    let dec = problems.iter().find(|p| p.message.contains("decile 12")).expect("decile reported");
    assert_eq!(dec.location, "row 3");
    let code = |c: &str| placeplan::ids::AreaCode::new(c).expect("code");
    assert_eq!(map[&code("E01000001")].imd_rank, None);
    assert_eq!(map[&code("E01000001")].imd_decile, Some(9));
    assert_eq!(map[&code("E01000002")].imd_decile, None);
    assert_eq!(map[&code("E01000003")].imd_rank, Some(2345));
}

/// `--out` into a folder that already holds files is refused (exit 2, naming the folder and
/// `--force`) before any data is loaded, and nothing in it changes; `--force` writes.
#[test]
fn out_refuses_a_folder_with_files_unless_forced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keep = dir.path().join("ward.csv");
    std::fs::write(&keep, "the council's own file\n").expect("write");
    let run = |extra: &[&str]| {
        common::placeplan()
            .args(["export", "--level", "ward", "--format", "csv", "--out"])
            .arg(dir.path())
            .args(extra)
            .output()
            .expect("runs")
    };
    let refused = run(&[]);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("already holds 1 file (ward.csv)") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&keep).expect("kept"), "the council's own file\n");
    let forced = run(&["--force"]);
    assert!(forced.status.success(), "{}", String::from_utf8_lossy(&forced.stderr));
    assert_ne!(std::fs::read_to_string(&keep).expect("written"), "the council's own file\n");
}

/// Under `--json`, a failure prints a JSON error object on stdout too (for scripts), with the
/// exit code; the plain words still go to stderr.
#[test]
fn json_commands_print_a_json_error_on_failure() {
    let run = common::placeplan()
        .args(["summary", "--layer", "no_such_layer", "--json"])
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).expect("a JSON error on stdout");
    assert_eq!(v["error"], "usage");
    assert_eq!(v["exit_code"], 2);
    assert!(v["message"].as_str().expect("message").contains("no_such_layer"), "{v}");
    assert!(String::from_utf8_lossy(&run.stderr).contains("no_such_layer"));

    let missing = common::placeplan()
        .args(["check", "--json", "--manifest", "/nonexistent/manifest.toml"])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&missing.stdout).expect("a JSON error on stdout");
    assert_eq!(v["error"], "io");
    assert!(
        v["message"].as_str().expect("message").contains("/nonexistent/manifest.toml"),
        "{v}"
    );
}

#[test]
fn a_ring_of_three_positions_leaves_its_feature_out_and_keeps_the_rest() {
    let ds = load(&boundary("short_ring.geojson", "code_field = \"code\""));
    let p = find(&ds, "3 positions");
    assert_eq!(
        (p.location.as_str(), p.field.as_str(), p.severity),
        ("feature 1", "geometry", Severity::Error)
    );
    let codes: Vec<&str> = ds.layers[0].areas.iter().map(|a| a.code.as_str()).collect();
    assert_eq!(codes, ["A2"]);
}

#[test]
fn a_wild_coordinate_leaves_out_one_feature_not_the_layer() {
    let ds = load(&boundary("wild_coordinate.geojson", "code_field = \"code\""));
    assert!(!ds.has_fatal(), "{:#?}", ds.problems);
    let wild = find(&ds, "out of range");
    assert_eq!(wild.location, "feature 1");
    assert!(wild.message.len() < 200, "{}", wild.message);
    let degrees = find(&ds, "most of the layer's are metres");
    assert_eq!(degrees.location, "feature 3");
    let codes: Vec<&str> = ds.layers[0].areas.iter().map(|a| a.code.as_str()).collect();
    assert_eq!(codes, ["W2", "W4"]);
}

#[test]
fn utf16_and_windows_1252_files_read_as_written() {
    for (file, warned) in [("schools_utf16.csv", false), ("schools_cp1252.csv", true)] {
        let ds = load(&format!("[schools]\npath = \"{file}\"\n"));
        assert_eq!(ds.schools.len(), 1, "{file}: {:#?}", ds.problems);
        assert_eq!(ds.schools[0].name, "St Mary\u{2019}s C of E Primary \u{2013} Leeds", "{file}");
        assert_eq!(ds.problems.iter().any(|p| p.message.contains("Windows-1252")), warned, "{file}");
    }
}

#[test]
fn a_missing_status_column_is_an_assumption_said_out_loud() {
    let ds = load("[schools]\npath = \"schools_no_status.csv\"\n");
    let p = find(&ds, "every school is taken as open");
    assert_eq!((p.severity, p.field.as_str()), (Severity::Warning, "EstablishmentStatus (name)"));
    assert!(ds.schools[0].open);
}

#[test]
fn a_duplicate_column_is_a_warning_and_the_first_is_read() {
    let ds = load("[schools]\npath = \"schools_duplicate_column.csv\"\n");
    let p = find(&ds, "appears twice (columns 3 and 5)");
    assert_eq!((p.severity, p.field.as_str()), (Severity::Warning, "Easting"));
    assert_eq!(ds.schools[0].location.map(|c| c.x), Some(429_000.0));
}

#[test]
fn lower_case_and_spaced_codes_are_normalised_with_a_note() {
    let (map, problems) = read_deprivation("deprivation_lower_case.csv");
    for code in ["E01000001", "E01000002"] {
        assert!(map.contains_key(&placeplan::ids::AreaCode::new(code).expect("code")), "{code}");
    }
    let notes: Vec<&Problem> = problems.iter().filter(|p| p.message.contains("read as")).collect();
    assert_eq!(notes.len(), 2, "{problems:#?}");
    assert!(
        notes[0].message.contains("\"e01000001\" read as \"E01000001\""),
        "{}",
        notes[0].message
    );
}

#[test]
fn a_negative_age_count_leaves_the_row_out() {
    let ds = load(
        "[[boundaries]]\nid = \"lsoa\"\nkind = \"lsoa\"\npath = \"lsoas_two_authorities.geojson\"\n\
         [population]\npath = \"population_negative.csv\"\nformat = \"syoa\"\n",
    );
    let p = find(&ds, "is negative; row left out");
    assert_eq!((p.location.as_str(), p.field.as_str()), ("row 3", "0"));
    assert_eq!(ds.lsoas[0].population, Some(910.0));
    assert_eq!(ds.lsoas[1].population, None, "no data, not a sum with -5 in it");
}

#[test]
fn two_authorities_in_one_layer_and_a_file_listed_twice_are_warnings() {
    let ds = load(
        "[[boundaries]]\nid = \"lsoa\"\nkind = \"lsoa\"\npath = \"lsoas_two_authorities.geojson\"\n\
         [[deprivation]]\npath = \"deprivation_two_authorities.csv\"\n\
         [[deprivation]]\npath = \"./deprivation_two_authorities.csv\"\n",
    );
    let mixed = find(&ds, "belong to 2 local authorities");
    assert!(
        mixed.message.contains("E08000032: 1") && mixed.message.contains("E08000035: 1"),
        "{}",
        mixed.message
    );
    let twice = find(&ds, "listed twice");
    assert_eq!(twice.severity, Severity::Warning);
}

#[test]
fn random_bytes_are_refused_as_not_text() {
    let ds = load("[schools]\npath = \"random_bytes.csv\"\n");
    assert_eq!(find(&ds, "binary data").severity, Severity::Fatal);
}

#[test]
fn thousands_of_bad_rows_give_a_short_list_with_exact_counts() {
    let ds = load("[schools]\npath = \"schools_many_bad_rows.csv\"\n");
    let ragged: Vec<&Problem> = ds
        .problems
        .iter()
        .filter(|p| p.file == "schools_many_bad_rows.csv" && p.severity == Severity::Error)
        .collect();
    assert_eq!(ragged.len(), placeplan::problem::PER_KIND + 1, "{ragged:#?}");
    assert_eq!(ragged.iter().map(|p| p.count()).sum::<usize>(), 3000);
    assert!(ragged.last().expect("summary").message.contains("2,980 more like this"));
    let report = placeplan::check::CheckReport::new(&ds);
    assert!(report.problem_counts.error >= 3000, "{:?}", report.problem_counts);
}

/// A device named as a data file is refused at once (never read until memory runs out).
#[cfg(unix)]
#[test]
fn a_device_is_refused_not_read() {
    let m = Manifest::parse("name = \"dev\"\n[schools]\npath = \"/dev/zero\"\n", "test manifest").expect("parses");
    let ds = Dataset::load(&m, &FileSource::Disk("/".into()), &|_| {});
    let p = find(&ds, "is a device");
    assert_eq!(p.severity, Severity::Fatal);
}

/// A Shapefile feature with a wild coordinate is left out alone; the layer loads.
#[test]
fn a_wild_shapefile_coordinate_leaves_out_one_feature() {
    use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("wild.shp");
    let cd = FieldName::try_from("WD23CD").expect("field");
    let mut w = shapefile::Writer::from_path(&path, TableWriterBuilder::new().add_character_field(cd, 12)).expect("writer");
    for (code, x0) in [("E05000001", 429_000.0), ("E05000002", 1e308), ("E05000003", 431_000.0)] {
        let pts: Vec<shapefile::Point> = [
            (x0, 433_000.0),
            (x0, 434_000.0),
            (x0 + 1000.0, 434_000.0),
            (x0 + 1000.0, 433_000.0),
            (x0, 433_000.0),
        ]
        .iter()
        .map(|&(x, y)| shapefile::Point::new(x, y))
        .collect();
        let mut rec = Record::default();
        rec.insert("WD23CD".to_owned(), FieldValue::Character(Some(code.to_owned())));
        w.write_shape_and_record(&shapefile::Polygon::new(shapefile::PolygonRing::Outer(pts)), &rec)
            .expect("write");
    }
    drop(w);
    let m = Manifest::parse(
        "name = \"wild\"\n[[boundaries]]\nid = \"w\"\nkind = \"ward\"\npath = \"wild.shp\"\ncrs = \"EPSG:27700\"\n",
        "test manifest",
    )
    .expect("parses");
    let ds = Dataset::load(&m, &FileSource::Disk(dir.path().into()), &|_| {});
    assert!(!ds.has_fatal(), "{:#?}", ds.problems);
    let p = find(&ds, "is not a place in England");
    assert_eq!((p.location.as_str(), p.severity), ("feature 2", Severity::Error));
    let codes: Vec<&str> = ds.layers[0].areas.iter().map(|a| a.code.as_str()).collect();
    assert_eq!(codes, ["E05000001", "E05000003"]);
}

/// Two cells a sheet apart, in a workbook of a few kilobytes: refused before calamine would hold
/// the grid between them (17 billion cells), naming the sheet and its extent.
#[test]
fn a_workbook_whose_cells_span_the_whole_sheet_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("far_cells.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Data").expect("name");
    ws.write_string(0, 0, "LSOA code (2011)").expect("cell");
    ws.write_string(1_048_575, 16_383, "far").expect("cell");
    wb.save(&path).expect("saved");
    assert!(std::fs::metadata(&path).expect("file").len() < 20_000, "a small file");
    let m = Manifest::parse(
        &format!("name = \"bad input\"\n[[deprivation]]\npath = {:?}\n", path.display().to_string()),
        "test manifest",
    )
    .expect("manifest");
    let ds = Dataset::load(&m, &FileSource::Disk(dir.path().into()), &|_| {});
    let p = find(&ds, "spans 1048576 rows × 16384 columns");
    assert_eq!(p.severity, Severity::Fatal);
    assert!(p.message.contains("sheet \"Data\""), "{}", p.message);
}

#[test]
fn bad_births_rows_are_named_and_the_good_years_kept() {
    let ds = load("[births]\npath = \"births_bad.csv\"\nperiod = \"mid_year\"\n");
    let b = ds.births.as_ref().expect("the good rows load");
    assert_eq!(
        b.mid_year.iter().map(|(y, v)| (*y, *v)).collect::<Vec<_>>(),
        vec![(2019, 9800.0), (2021, 9500.0)]
    );
    let year = find(&ds, "not a year");
    assert_eq!(
        (year.file.as_str(), year.location.as_str(), year.field.as_str()),
        ("births_bad.csv", "row 3", "year")
    );
    let count = find(&ds, "is not a count of births");
    assert_eq!((count.location.as_str(), count.field.as_str()), ("row 4", "births"));
    assert_eq!(find(&ds, "given again").location, "row 6");
    // Without population estimates to set them against, births are said to be unused.
    assert!(find(&ds, "no year of births matches").severity == Severity::Warning);
    // Several areas and no `area`: which to take is not guessed.
    let two = load("[births]\npath = \"births_two_areas.csv\"\nperiod = \"calendar\"\n");
    assert!(two.births.is_none());
    let p = find(&two, "lists 2 areas");
    assert_eq!((p.severity, p.field.as_str()), (Severity::Fatal, "area"));
    let m = Manifest::parse("name = \"x\"\n[births]\npath = \"b.csv\"\n", "m");
    assert!(m.is_err_and(|e| e.to_string().contains("period")), "the period must be said");
}
