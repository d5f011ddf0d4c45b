//! `placeplan export --format postgis` against a real PostgreSQL + PostGIS: the tables, SRID
//! 27700, spatial indexes, keys, comments, NULLs for missing figures, the long figures against the
//! CSV export's, replacing a schema whole, refusing one placeplan did not make, and GDAL reading
//! the result.
//!
//! Needs `PLACEPLAN_TEST_DB` (a connection string to a database where the test may create schemas
//! and PostGIS is installed or can be); `.ci/run` installs Debian's PostgreSQL and PostGIS, starts
//! a throwaway cluster and sets it, with `PLACEPLAN_REQUIRE_POSTGIS=1`. Without it the tests are
//! skipped with a visible note.

use crate::common;
use placeplan::dataset::Dataset;
use placeplan::export::{self, Level};
use std::process::Command;

fn db() -> Option<String> {
    match std::env::var("PLACEPLAN_TEST_DB") {
        Ok(s) if !s.trim().is_empty() => Some(s),
        _ => {
            let required = std::env::var("PLACEPLAN_REQUIRE_POSTGIS").is_ok_and(|v| v == "1");
            assert!(!required, "PostGIS test required but PLACEPLAN_TEST_DB is not set");
            eprintln!("NOTE: skipping the PostGIS test: set PLACEPLAN_TEST_DB (e.g. host=/var/run/postgresql dbname=test)");
            None
        }
    }
}

fn demo() -> Dataset {
    let (m, src) = placeplan::demo::embedded::demo().expect("demo");
    Dataset::load(&m, &src, &|_| {})
}

fn export(db: &str, schema: &str) -> std::process::Output {
    common::placeplan()
        .args(["export", "--format", "postgis", "--db", db, "--schema", schema, "--json"])
        .output()
        .expect("placeplan runs")
}

/// The tests of this file one at a time: each creates and drops schemas, which the catalogue
/// queries of the other would race with.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn count(c: &mut postgres::Client, sql: &str, params: &[&(dyn postgres::types::ToSql + Sync)]) -> i64 {
    c.query_one(sql, params)
        .unwrap_or_else(|e| panic!("{sql}: {e} ({:?})", e.as_db_error().map(|d| d.message())))
        .get(0)
}

#[test]
fn postgis_export_is_a_complete_schema() {
    let Some(db) = db() else { return };
    let _one = serial();
    let schema = "pp_test_demo";
    let out = export(&db, schema);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["schema"], schema);
    let ds = demo();
    let mut c = placeplan::export::postgis::connect(&db).expect("connects");

    // Every boundary layer and the schools, whole, in EPSG:27700.
    for l in &ds.layers {
        let n = count(&mut c, &format!("SELECT count(*) FROM {schema}.{}", l.id), &[]);
        assert_eq!(n, l.areas.len() as i64, "{}", l.id);
        let srid: i32 = c
            .query_one("SELECT Find_SRID($1, $2, 'geom')", &[&schema, &l.id.as_str()])
            .expect("srid")
            .get(0);
        assert_eq!(srid, 27700, "{}", l.id);
    }
    assert_eq!(
        count(&mut c, &format!("SELECT count(*) FROM {schema}.schools"), &[]),
        ds.schools.len() as i64
    );
    // The area as computed: PostGIS measures the same polygon.
    let a = &ds.layers[0].areas[0];
    let area: f64 = c
        .query_one(
            &format!("SELECT ST_Area(geom) FROM {schema}.{} WHERE code = $1", ds.layers[0].id),
            &[&a.code.as_str()],
        )
        .expect("area")
        .get(0);
    use geo::Area;
    assert!((area - a.geometry.unsigned_area()).abs() < 1e-6 * area, "{area}");

    // Spatial indexes, primary keys, comments.
    let gist = count(
        &mut c,
        // From the catalogue itself: pg_indexes decompiles every index, and an index another test
        // drops meanwhile makes that fail ("cache lookup failed").
        "SELECT count(*) FROM pg_class i JOIN pg_namespace n ON n.oid = i.relnamespace JOIN pg_am a ON a.oid = i.relam WHERE i.relkind = 'i' AND n.nspname = $1 AND a.amname = 'gist'",
        &[&schema],
    );
    assert_eq!(gist, ds.layers.len() as i64 + 1, "a GiST index per geometry table");
    let pks = count(
        &mut c,
        "SELECT count(*) FROM information_schema.table_constraints WHERE table_schema = $1 AND constraint_type = 'PRIMARY KEY'",
        &[&schema],
    );
    assert_eq!(pks, ds.layers.len() as i64 + 4, "layers, schools, measures, figures, about");
    let comment: String = c
        .query_one("SELECT obj_description(($1 || '.figures')::regclass, 'pg_class')", &[&schema])
        .expect("comment")
        .get(0);
    assert!(
        comment.contains("Status bands") && comment.contains("Margin shortfall"),
        "{comment}"
    );

    // The long figures are the CSV export's, missing as NULL; the wide view agrees.
    let wards = export::layer_for(&ds, Level::Ward, None).expect("wards");
    let rows = export::rows(&ds, Level::Ward, &wards);
    let layer = &ds.layers[wards[0]].id;
    for r in rows.iter().step_by(7) {
        let got: Vec<postgres::Row> = c
            .query(
                &format!("SELECT measure, value, label FROM {schema}.figures WHERE level = 'ward' AND layer = $1 AND code = $2 AND phase = $3 AND year = $4"),
                &[&layer.as_str(), &r.code, &r.phase.as_str(), &r.year],
            )
            .expect("figures");
        let get = |m: &str| {
            got.iter()
                .find(|row| row.get::<_, String>(0) == m)
                .map(|row| row.get::<_, Option<f64>>(1))
        };
        assert_eq!(get("capacity"), Some(Some(r.capacity)), "{} {}", r.code, r.year);
        assert_eq!(get("pupils"), Some(Some(r.pupils)));
        assert_eq!(get("spare_pct"), Some(r.spare_pct), "no figure is NULL");
        assert_eq!(get("pupils_low"), Some(r.pupils_low));
        let status = got
            .iter()
            .find(|row| row.get::<_, String>(0) == "status")
            .map(|row| row.get::<_, Option<String>>(2));
        assert_eq!(status, Some((!r.status.is_empty()).then(|| r.status.clone())));
        let wide: Option<f64> = c
            .query_one(
                &format!("SELECT shortfall FROM {schema}.figures_wide WHERE layer = $1 AND code = $2 AND phase = $3 AND year = $4"),
                &[&layer.as_str(), &r.code, &r.phase.as_str(), &r.year],
            )
            .expect("wide")
            .get(0);
        assert_eq!(wide, Some(r.shortfall));
    }
    let spatial = count(&mut c, &format!("SELECT count(*) FROM {schema}.{layer}_figures"), &[]);
    assert_eq!(spatial, rows.len() as i64, "one spatial row per ward, phase and year");

    // A second run replaces the schema: nothing doubled.
    let before = count(&mut c, &format!("SELECT count(*) FROM {schema}.figures"), &[]);
    assert_eq!(before, report["figure_rows"].as_i64().expect("rows"));
    drop(c);
    let again = export(&db, schema);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let mut c = placeplan::export::postgis::connect(&db).expect("connects");
    assert_eq!(count(&mut c, &format!("SELECT count(*) FROM {schema}.figures"), &[]), before);

    // GDAL reads it as a GIS would.
    if Command::new("ogrinfo").arg("--version").output().is_ok_and(|o| o.status.success()) {
        let o = Command::new("ogrinfo")
            .args(["-ro", "-so", &format!("PG:{db} schemas={schema}"), "wards"])
            .output()
            .expect("ogrinfo runs");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            text.contains("Feature Count: 20") && text.contains("British National Grid"),
            "{text}"
        );
    }
}

#[test]
fn a_schema_placeplan_did_not_make_is_left_alone() {
    let Some(db) = db() else { return };
    let _one = serial();
    let mut c = placeplan::export::postgis::connect(&db).expect("connects");
    c.batch_execute("DROP SCHEMA IF EXISTS pp_test_theirs CASCADE; CREATE SCHEMA pp_test_theirs; CREATE TABLE pp_test_theirs.mine (x int); INSERT INTO pp_test_theirs.mine VALUES (1)")
        .expect("their schema");
    let out = export(&db, "pp_test_theirs");
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did not make"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM pp_test_theirs.mine", &[]),
        1,
        "their table is untouched"
    );
    c.batch_execute("DROP SCHEMA pp_test_theirs CASCADE").expect("clean up");
    // A view elsewhere over an export's tables: replacing the export would drop it, so it is refused.
    assert!(export(&db, "pp_test_dep").status.success());
    c.batch_execute(
        "DROP VIEW IF EXISTS public.pp_test_their_view; CREATE VIEW public.pp_test_their_view AS SELECT code FROM pp_test_dep.wards",
    )
    .expect("their view");
    let refused = export(&db, "pp_test_dep");
    assert_eq!(refused.status.code(), Some(3));
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("public.pp_test_their_view") && why.contains("depend"), "{why}");
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM public.pp_test_their_view", &[]),
        20,
        "their view is untouched"
    );
    c.batch_execute("DROP VIEW public.pp_test_their_view").expect("clean up");
    assert!(
        export(&db, "pp_test_dep").status.success(),
        "without it the export replaces its schema"
    );
    // Bad names and connections are usage and I/O errors in words.
    let bad = export(&db, "Robert'); DROP TABLE x;--");
    assert_eq!(bad.status.code(), Some(2));
    let nowhere = export("host=/nonexistent/socket dbname=none connect_timeout=2", "pp_test_x");
    assert_eq!(nowhere.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&nowhere.stderr).contains("cannot connect to PostgreSQL"),
        "{}",
        String::from_utf8_lossy(&nowhere.stderr)
    );
}
