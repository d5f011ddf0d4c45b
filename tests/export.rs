//! Exports round-trip: the CSV, the GeoPackage (read back with SQLite, geometry decoded), the
//! XLSX (read back with calamine) and the GeoJSON hold exactly the figures of `export::rows`.

use crate::common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use geo::Area;
use geozero::ToGeo;
use placeplan::export::{self, Level, csv_out, geojson_out, gpkg, xlsx};
use placeplan::model::Phase;

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{what}: {a} vs {b}");
}

#[test]
fn csv_round_trips_every_row_and_the_scap_table() {
    let ds = common::demo();
    let li = export::layer_for(ds, Level::PlanningArea, None).expect("layer");
    let rows = export::rows(ds, Level::PlanningArea, &li);
    let scap = export::scap(ds);
    assert!(!scap.is_empty());
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("pa.csv");
    csv_out::write_rows(&p, &rows, csv_out::CsvStyle::Excel).expect("csv");
    // For Excel: a UTF-8 byte-order mark and CRLF line ends; the reader strips the mark.
    let raw = std::fs::read(&p).expect("bytes");
    assert!(raw.starts_with(csv_out::BOM), "byte-order mark");
    let text = std::str::from_utf8(&raw[3..]).expect("UTF-8");
    assert_eq!(text.matches("\r\n").count(), rows.len() + 1, "every line ends CRLF");
    assert_eq!(text.matches('\n').count(), rows.len() + 1, "and only those");
    // Every text cell quoted, so that a spreadsheet splitting on semicolons or tabs keeps a name
    // whole; numbers are not, so that they stay numbers.
    let second = text.lines().nth(1).expect("a row");
    assert!(second.starts_with("\"planning_area\",\""), "{second}");
    assert!(second.contains(&format!(",{},", rows[0].year)), "{second}");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let back: Vec<csv::StringRecord> = r.records().collect::<Result<_, _>>().expect("records");
    assert_eq!(back.len(), rows.len());
    let h = r.headers().expect("headers").clone();
    let col = |name: &str| h.iter().position(|x| x == name).expect(name);
    for (rec, row) in back.iter().zip(&rows) {
        assert_eq!(&rec[col("code")], row.code);
        assert_eq!(rec[col("year")].parse::<i32>().expect("year"), row.year);
        close(rec[col("pupils")].parse().expect("pupils"), row.pupils, "pupils");
        close(rec[col("capacity")].parse().expect("capacity"), row.capacity, "capacity");
        assert_eq!(&rec[col("status")], row.status);
        match row.pupils_low {
            Some(v) => close(rec[col("pupils_low")].parse().expect("low"), v, "low"),
            None => assert!(rec[col("pupils_low")].is_empty()),
        }
    }
    // Forecast years carry a low ≤ central ≤ high range.
    assert!(rows.iter().filter(|r| r.forecast).all(|r| {
        let (lo, hi) = (r.pupils_low.unwrap_or(r.pupils), r.pupils_high.unwrap_or(r.pupils));
        lo <= r.pupils + 1e-9 && r.pupils <= hi + 1e-9
    }));
    // The SCAP table's forecast year groups add up to the planning areas' central forecasts.
    let sp = dir.path().join("scap.csv");
    csv_out::write_scap(&sp, &scap, csv_out::CsvStyle::Plain).expect("scap");
    // For scripts: no mark, LF only.
    let raw = std::fs::read(&sp).expect("bytes");
    assert!(!raw.starts_with(csv_out::BOM), "no byte-order mark");
    assert!(!raw.contains(&b'\r'), "LF line ends");
    let y = ds.census_year + 2;
    for row in rows.iter().filter(|r| r.year == y && r.phase == Phase::Primary) {
        let sum: f64 = scap
            .iter()
            .filter(|s| s.planning_area == row.code && s.year == y && s.phase == Phase::Primary)
            .filter_map(|s| s.pupils.value())
            .sum();
        close(sum, row.pupils, &format!("{} NCY sum", row.code));
    }
}

#[test]
fn geopackage_round_trips_geometry_and_figures() {
    let ds = common::demo();
    let li = export::layer_for(ds, Level::Ward, None).expect("layer");
    let rows = export::rows(ds, Level::Ward, &li);
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("wards.gpkg");
    gpkg::write(&p, ds, &li, &rows, "ward").expect("gpkg");
    let db = rusqlite::Connection::open(&p).expect("open");
    let app: i64 = db.query_row("PRAGMA application_id", [], |r| r.get(0)).expect("app id");
    assert_eq!(app, 0x4750_4B47, "GPKG application id");
    let (gtype, srs): (String, i64) = db
        .query_row(
            "SELECT geometry_type_name, srs_id FROM gpkg_geometry_columns WHERE table_name = 'ward'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("geometry column");
    assert_eq!((gtype.as_str(), srs), ("MULTIPOLYGON", 27700));
    let layer = &ds.layers[*li.first().expect("ward layer")];
    let mut stmt = db.prepare("SELECT code, geom FROM ward").expect("select");
    let got: Vec<(String, Vec<u8>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(got.len(), layer.areas.len());
    for (code, blob) in &got {
        let g = geozero::wkb::GpkgWkb(blob.clone()).to_geo().expect("decodes");
        let src = layer.areas.iter().find(|a| a.code.as_str() == code).expect("area");
        close(g.unsigned_area(), src.geometry.unsigned_area(), code);
    }
    let census = ds.census_year;
    let col = format!("pupils_primary_{census}");
    for row in rows.iter().filter(|r| r.phase == Phase::Primary && r.year == census) {
        let v: f64 = db
            .query_row(&format!("SELECT \"{col}\" FROM ward WHERE code = ?1"), [&row.code], |r| r.get(0))
            .expect("value");
        close(v, (row.pupils * 100.0).round() / 100.0, &row.code);
    }
    let n: i64 = db.query_row("SELECT count(*) FROM ward_figures", [], |r| r.get(0)).expect("count");
    assert_eq!(usize::try_from(n).expect("n"), rows.len());
    // EPSG:27700 by its EPSG definition, with the datum shift GIS software needs.
    let def: String = db
        .query_row("SELECT definition FROM gpkg_spatial_ref_sys WHERE srs_id = 27700", [], |r| r.get(0))
        .expect("srs");
    assert!(
        def.contains(r#"AUTHORITY["EPSG","27700"]"#) && def.contains("TOWGS84[446.448"),
        "{def}"
    );
    // An R-tree spatial index, registered as the extension, with every feature's box.
    let ext: String = db
        .query_row(
            "SELECT extension_name FROM gpkg_extensions WHERE table_name = 'ward' AND column_name = 'geom'",
            [],
            |r| r.get(0),
        )
        .expect("extension");
    assert_eq!(ext, "gpkg_rtree_index");
    let mut q = db
        .prepare("SELECT w.code, r.minx, r.maxx, r.miny, r.maxy FROM ward w JOIN rtree_ward_geom r ON r.id = w.fid")
        .expect("rtree join");
    let boxes: Vec<(String, f64, f64, f64, f64)> = q
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(boxes.len(), layer.areas.len());
    for (code, x0, x1, y0, y1) in &boxes {
        let bb =
            geo::BoundingRect::bounding_rect(&layer.areas.iter().find(|a| a.code.as_str() == code).expect("area").geometry).expect("bbox");
        // The R-tree stores 32-bit floats, rounded outwards.
        assert!(
            *x0 <= bb.min().x && *x1 >= bb.max().x && *y0 <= bb.min().y && *y1 >= bb.max().y,
            "{code}"
        );
        assert!((x0 - bb.min().x).abs() < 1.0 && (y1 - bb.max().y).abs() < 1.0, "{code}");
    }
    let triggers: i64 = db
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rtree_ward_geom_%'",
            [],
            |r| r.get(0),
        )
        .expect("triggers");
    assert_eq!(triggers, 6);
    // No figure is NULL, never '' or 0.
    let blank: i64 = db
        .query_row("SELECT count(*) FROM ward_figures WHERE status = ''", [], |r| r.get(0))
        .expect("blank");
    assert_eq!(blank, 0);
    let nulls: i64 = db
        .query_row("SELECT count(*) FROM ward_figures WHERE status IS NULL", [], |r| r.get(0))
        .expect("nulls");
    assert_eq!(
        usize::try_from(nulls).expect("n"),
        rows.iter().filter(|r| r.status.is_empty()).count()
    );
}

#[test]
fn xlsx_reads_back_with_a_sheet_per_phase_and_notes() {
    let ds = common::demo();
    let rows = export::rows(ds, Level::La, &[]);
    let scap = export::scap(ds);
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("la.xlsx");
    xlsx::write(&p, &rows, &scap, &export::notes(ds)).expect("xlsx");
    let mut wb: Xlsx<_> = open_workbook(&p).expect("opens");
    assert_eq!(wb.sheet_names(), vec!["Primary", "Secondary", "Post-16", "SCAP NCY", "Notes"]);
    for (sheet, phase) in [("Primary", Phase::Primary), ("Secondary", Phase::Secondary)] {
        let range = wb.worksheet_range(sheet).expect("sheet");
        let mine: Vec<_> = rows.iter().filter(|r| r.phase == phase).collect();
        assert_eq!(range.height(), mine.len() + 1);
        assert_eq!(range.get((0, 6)), Some(&Data::String("Pupils".into())));
        for (i, r) in mine.iter().enumerate() {
            assert_eq!(range.get((i + 1, 2)), Some(&Data::String(r.year_label.clone())));
            match range.get((i + 1, 6)) {
                Some(Data::Float(v)) => close(*v, r.pupils, "pupils"),
                other => panic!("pupils cell {other:?}"),
            }
            match (range.get((i + 1, 10)), r.spare_pct) {
                (Some(Data::Float(v)), Some(s)) => close(*v, s / 100.0, "spare %"),
                (other, s) => panic!("spare cell {other:?} for {s:?}"),
            }
            assert_eq!(range.get((i + 1, 12)), Some(&Data::String(r.status.clone())));
        }
    }
    let notes = wb.worksheet_range("Notes").expect("notes");
    assert!(notes.rows().any(|r| matches!(&r[0], Data::String(s) if s == "Forecast method")));
    let sc = wb.worksheet_range("SCAP NCY").expect("scap");
    assert_eq!(sc.height(), scap.len() + 1);
}

#[test]
fn geojson_has_a_feature_per_school_with_wide_figures() {
    let ds = common::demo();
    let rows = export::rows(ds, Level::School, &[]);
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("schools.geojson");
    geojson_out::write(&p, ds, &[], &rows).expect("geojson");
    let fc: geojson::FeatureCollection = std::fs::read_to_string(&p)
        .expect("read")
        .parse::<geojson::GeoJson>()
        .expect("parses")
        .try_into()
        .expect("fc");
    let codes: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(fc.features.len(), codes.len());
    let f = &fc.features[0];
    assert!(matches!(
        f.geometry.as_ref().map(|g| &g.value),
        Some(geojson::GeometryValue::Point { .. })
    ));
    let props = f.properties.as_ref().expect("props");
    assert!(props.keys().any(|k| k.starts_with("status_")));
}
