//! `placeplan publish`: the static site holds what the server answers (the same figures, files and
//! tiles), its archive reads back as PMTiles v3 with every layer, and every link in it resolves
//! to a file of the site.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use placeplan::dataset::Dataset;
use placeplan::publish::{ARCHIVE, MODE_STATIC, PublishOptions, file_key, publish};
use placeplan::server::{AppState, ServeOptions, router};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

fn demo_ds() -> Dataset {
    let (m, src) = placeplan::demo::embedded::demo().expect("embedded demo manifest parses");
    Dataset::load(&m, &src, &|_| {})
}

/// The demo published once per test binary, and a server over the same data.
fn site() -> &'static (tempfile::TempDir, Arc<AppState>) {
    static SITE: OnceLock<(tempfile::TempDir, Arc<AppState>)> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tmp");
        let opts = PublishOptions {
            site_url: Some("https://maps.example.gov.uk/places/".into()),
        };
        let report = publish(demo_ds(), dir.path(), &opts, &|_, _, _| {}).expect("the demo publishes");
        assert!(report.archive.tiles > 50, "{:?}", report.archive);
        assert!(report.synthetic);
        let state = Arc::new(AppState::new(demo_ds(), ServeOptions::default()));
        (dir, state)
    })
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

/// The server's answer to `GET uri`.
fn served(state: &Arc<AppState>, uri: &str) -> Vec<u8> {
    rt().block_on(async {
        let req = Request::get(uri)
            .header(header::HOST, "127.0.0.1")
            .body(Body::empty())
            .expect("request");
        let res = router(Arc::clone(state)).oneshot(req).await.expect("router answers");
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
        res.into_body().collect().await.expect("body").to_bytes().to_vec()
    })
}

fn file(dir: &Path, rel: &str) -> Vec<u8> {
    std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("{rel} is in the site: {e}"))
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("JSON")
}

#[test]
fn the_site_holds_the_servers_answers() {
    let (dir, state) = site();
    let dir = dir.path();
    for l in &state.map.layers {
        assert_eq!(
            file(dir, &format!("api/layers/{}/areas.json", l.id)),
            served(state, &format!("/api/layers/{}/areas", l.id)),
            "{}",
            l.id
        );
        // Every area's profile, byte for byte.
        for f in &l.features {
            let rel = format!("api/areas/{}/{}.json", l.id, file_key(&f.code));
            let uri = format!("/api/areas/{}/{}", l.id, f.code);
            assert_eq!(json(&file(dir, &rel)), json(&served(state, &uri)), "{rel}");
        }
    }
    // The calculation of spare places for a ward, every phase and year.
    let wards = state.map.get("wards").expect("wards").0;
    let code = &wards.features[3].code;
    let calc = json(&file(dir, &format!("api/explain/wards/{}.json", file_key(code))));
    let mut n = 0;
    for (phase, years) in &wards.years {
        for y in years {
            let uri = format!(
                "/api/explain?layer=wards&code={code}&metric=spare_pct&phase={}&year={y}",
                phase.as_str()
            );
            assert_eq!(calc[format!("{}|{y}", phase.as_str())], json(&served(state, &uri)), "{uri}");
            n += 1;
        }
    }
    assert!(n >= 12, "{n} calculations");
    // Downloads are the export endpoint's files.
    assert_eq!(
        file(dir, "downloads/wards/ward.csv"),
        served(state, "/api/export?level=ward&layer=wards&format=csv")
    );
    assert_eq!(
        file(dir, "downloads/scap_ncy.csv"),
        served(state, "/api/export?level=planning_area&format=scap_csv")
    );
    assert_eq!(
        file(dir, "api/wards/wards/E05900001.json"),
        served(state, "/api/wards/E05900001?layer=wards")
    );
    let gpkg = dir.join("downloads/localities/planning_area.gpkg");
    let db = rusqlite::Connection::open(&gpkg).expect("GeoPackage opens");
    let rows: i64 = db
        .query_row("SELECT count(*) FROM gpkg_contents", [], |r| r.get(0))
        .expect("gpkg_contents");
    assert!(rows >= 2, "{rows} GeoPackage tables");
    // The XLSX opens.
    use calamine::Reader;
    let wb: calamine::Xlsx<_> = calamine::open_workbook(dir.join("downloads/wards/ward.xlsx")).expect("XLSX opens");
    assert!(wb.sheet_names().len() >= 2);
    // The layer list points inside the site and says what was published.
    let layers = json(&file(dir, "api/layers.json"));
    assert_eq!(layers["style"], "styles/default.json");
    assert_eq!(layers["dataset"]["published"]["archive"], ARCHIVE);
    assert_eq!(
        layers["layers"][0]["geojson"],
        format!("downloads/{}.geojson", layers["layers"][0]["id"].as_str().expect("id"))
    );
    assert!(layers["dataset"]["synthetic"].as_bool().expect("synthetic"));
}

#[test]
fn the_style_reads_one_archive() {
    let (dir, state) = site();
    let style = json(&file(dir.path(), "styles/default.json"));
    let sources = style["sources"].as_object().expect("sources");
    assert_eq!(sources["placeplan"]["url"], format!("pmtiles://./{ARCHIVE}"));
    assert_eq!(
        sources.len(),
        2,
        "the archive and the outline: {:?}",
        sources.keys().collect::<Vec<_>>()
    );
    assert_eq!(style["glyphs"], "./fonts/{fontstack}/{range}.pbf");
    for l in style["layers"].as_array().expect("layers") {
        if let Some(s) = l["source"].as_str() {
            assert!(sources.contains_key(s), "layer {} reads {s}", l["id"]);
            if s == "placeplan" {
                let sl = l["source-layer"].as_str().expect("source-layer");
                assert!(
                    state.map.layers.iter().any(|m| sl == m.id || sl == format!("{}-labels", m.id)),
                    "{sl}"
                );
            }
        }
    }
    // The fonts the labels name, with Latin-1 at least.
    for font in ["Noto Sans Regular", "Noto Sans Bold"] {
        assert!(dir.path().join(format!("fonts/{font}/0-255.pbf")).is_file(), "{font}");
    }
    let index = String::from_utf8(file(dir.path(), "index.html")).expect("UTF-8");
    assert!(index.contains(MODE_STATIC), "the app is told it is on a published site");
    assert!(
        String::from_utf8(file(dir.path(), "fonts/OFL.txt"))
            .expect("UTF-8")
            .contains("SIL Open Font License")
    );
    // A README for the web team: the data's years and sources, and how to host the folder.
    let readme = String::from_utf8(file(dir.path(), "README.txt")).expect("UTF-8");
    assert!(readme.contains("SYNTHETIC") && readme.contains("range requests"), "{readme}");
    for v in &state.ds.vintages {
        assert!(readme.contains(&v.describes), "{}", v.input);
    }
}

#[test]
fn the_archive_holds_every_layers_tiles() {
    use pmtiles::{AsyncPmTilesReader, TileCoord};
    let (dir, state) = site();
    let path = dir.path().join(ARCHIVE);
    rt().block_on(async {
        let reader = AsyncPmTilesReader::new_with_path(&path).await.expect("a PMTiles archive");
        let h = reader.get_header();
        assert_eq!((h.min_zoom, h.max_zoom), (0, 14));
        assert_eq!(h.tile_type, pmtiles::TileType::Mvt);
        let meta: Value = serde_json::from_str(&reader.get_metadata().await.expect("metadata")).expect("JSON");
        let ids: Vec<&str> = meta["vector_layers"]
            .as_array()
            .expect("vector_layers")
            .iter()
            .filter_map(|v| v["id"].as_str())
            .collect();
        for l in &state.map.layers {
            assert!(ids.contains(&l.id.as_str()), "{} in {ids:?}", l.id);
        }
        // tippecanoe's tilestats, which GDAL reads for each layer's geometry type.
        let stats = meta["tilestats"]["layers"].as_array().expect("tilestats");
        let geometry = |id: &str| stats.iter().find(|s| s["layer"] == id).and_then(|s| s["geometry"].as_str());
        assert_eq!(
            (geometry("wards"), geometry("wards-labels"), geometry("schools")),
            (Some("Polygon"), Some("Point"), Some("Point"))
        );
        // A tile of the archive is the server's tiles of every layer, side by side.
        let b = state.map.layers[0].bounds;
        let centre = [f64::midpoint(b[0], b[2]), f64::midpoint(b[1], b[3])];
        let mut checked = 0;
        for z in [8u8, 11, 14] {
            let n = f64::from(1u32 << z);
            let x = ((centre[0] + 180.0) / 360.0 * n).floor() as u32;
            let lat = centre[1].to_radians();
            let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as u32;
            let got = reader
                .get_tile_decompressed(TileCoord::new(z, x, y).expect("coord"))
                .await
                .expect("read")
                .expect("a tile at the centre");
            let mut want = Vec::new();
            for (l, t) in state.map.layers.iter().zip(&state.map.tiles) {
                want.extend(
                    t.encode(l, placeplan::map::tiles::TileId::new(u32::from(z), x, y).expect("id"))
                        .expect("encodes"),
                );
            }
            assert_eq!(got.to_vec(), want, "tile {z}/{x}/{y}");
            checked += 1;
        }
        assert_eq!(checked, 3);
        // Nothing outside the area.
        assert!(
            reader
                .get_tile(TileCoord::new(10, 0, 0).expect("coord"))
                .await
                .expect("read")
                .is_none()
        );
    });
}

/// Every relative link and source in every page of the site is a file of the site.
#[test]
fn every_link_in_the_site_resolves() {
    let (dir, _) = site();
    let root = dir.path();
    let mut pages = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "html") {
                pages.push(p);
            }
        }
    }
    assert!(pages.len() > 20, "{} pages", pages.len());
    let mut links = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).expect("UTF-8");
        for attr in ["href=\"", "src=\""] {
            for part in text.split(attr).skip(1) {
                let target = part.split('"').next().unwrap_or_default();
                if target.is_empty() || target.starts_with('#') || target.contains(':') || target.contains("${") {
                    continue;
                }
                let path = target.split(['#', '?']).next().unwrap_or_default();
                if path.is_empty() {
                    continue;
                }
                let path = path.replace("%20", " ").replace("&amp;", "&");
                let resolved: PathBuf = page.parent().expect("in a folder").join(&path);
                let resolved = if resolved.is_dir() { resolved.join("index.html") } else { resolved };
                assert!(
                    resolved.is_file(),
                    "{}: {target} is not a file of the site",
                    page.strip_prefix(root).expect("inside").display()
                );
                links += 1;
            }
        }
    }
    assert!(links > 100, "{links} links checked");
}

#[test]
fn publishing_again_leaves_nothing_of_the_last_site() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("site");
    let run = |force: bool| {
        let mut c = common::placeplan();
        c.args(["publish", "--json", "--out"]).arg(&out);
        if force {
            c.arg("--force");
        }
        c.output().expect("runs")
    };
    assert!(run(false).status.success());
    // An area that has gone since (a boundary review), and a file of the council's own.
    let stale = out.join("api/areas/wards/E05999999.json");
    std::fs::write(&stale, "{}").expect("write");
    std::fs::write(out.join("robots.txt"), "User-agent: *").expect("write");
    let again = run(true);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(!stale.exists(), "a page of an area that has gone is removed");
    assert!(out.join("robots.txt").is_file(), "files the site does not make are kept");
    assert!(out.join("api/areas/wards/E05900001.json").is_file());
    let report: Value = serde_json::from_slice(&again.stdout).expect("JSON");
    assert!(
        report["files"]
            .as_object()
            .is_some_and(|f| f.contains_key("tiles/placeplan.pmtiles"))
    );
}

/// Rolls marked confidential: publishing them unrounded is refused (placeplan does not yet apply
/// disclosure control), naming the file, and nothing is written; so is serving beyond loopback.
/// From the command line: confidential rolls are published under disclosure control (and say so);
/// a confidential deprivation table, which disclosure control does not cover, is refused by
/// `publish` and by serving beyond this computer.
#[test]
fn confidential_inputs_from_the_command_line() {
    let demo_dir = tempfile::tempdir().expect("tmp");
    let g = common::placeplan()
        .args(["generate-demo", "--out"])
        .arg(demo_dir.path())
        .output()
        .expect("runs");
    assert!(g.status.success(), "{}", String::from_utf8_lossy(&g.stderr));
    let manifest = demo_dir.path().join("manifest.toml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    let marked = text.replacen("[rolls]\n", "[rolls]\nconfidential = true\n", 1);
    assert_ne!(marked, text, "the demo manifest has a [rolls] table");
    std::fs::write(&manifest, &marked).expect("write");
    let dir = tempfile::tempdir().expect("tmp");
    let site = dir.path().join("site");
    let out = common::placeplan()
        .args(["publish", "--manifest"])
        .arg(&manifest)
        .arg("--out")
        .arg(&site)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("under disclosure control"), "{err}");
    let meta = json(&file(&site, "api/layers.json"));
    assert!(meta["dataset"]["disclosure"]["rule"]["round_to"] == 5.0, "{}", meta["dataset"]);

    let marked = marked.replacen("[[deprivation]]\n", "[[deprivation]]\nconfidential = true\n", 1);
    assert!(
        marked.matches("confidential = true").count() == 2,
        "the demo manifest has a [[deprivation]] table"
    );
    std::fs::write(&manifest, marked).expect("write");
    let out = common::placeplan()
        .args(["publish", "--manifest"])
        .arg(&manifest)
        .arg("--out")
        .arg(dir.path().join("other"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("marked confidential") && err.contains("deprivation"), "{err}");
    let serve = common::placeplan()
        .args(["serve", "--addr", "0.0.0.0:0", "--manifest"])
        .arg(&manifest)
        .output()
        .expect("runs");
    assert_eq!(serve.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&serve.stderr).contains("disclosure control covers pupil counts only"),
        "{}",
        String::from_utf8_lossy(&serve.stderr)
    );
}

#[test]
fn publish_refuses_a_folder_with_files() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("keep.txt"), "mine").expect("write");
    let out = common::placeplan()
        .args(["publish", "--out"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    let out = common::placeplan()
        .args(["publish", "--site-url", "maps.example", "--out"])
        .arg(dir.path().join("new"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--site-url must be"));
    assert_eq!(std::fs::read_to_string(dir.path().join("keep.txt")).expect("kept"), "mine");
}

/// Leeds: a postcode search in the published site names the areas the server's search names.
#[test]
fn leeds_postcodes_are_published_by_outward_code() {
    let Some(data) = common::real_data() else { return };
    let (m, src) = common::leeds_manifest(&data);
    let dir = tempfile::tempdir().expect("tmp");
    publish(
        Dataset::load(&m, &src, &|_| {}),
        dir.path(),
        &PublishOptions::default(),
        &|_, _, _| {},
    )
    .expect("Leeds publishes");
    let state = Arc::new(AppState::new(Dataset::load(&m, &src, &|_| {}), ServeOptions::default()));
    let ls8 = json(&file(dir.path(), "api/postcodes/LS8.json"));
    let pc = &ls8["LS85BQ"];
    assert_eq!(pc["label"], "LS8 5BQ");
    let hits = json(&served(&state, "/api/search?q=LS8%205BQ"));
    let want: Vec<(String, String)> = hits
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| {
            (
                h["layer"].as_str().unwrap_or_default().to_owned(),
                h["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let got: Vec<(String, String)> = pc["areas"]
        .as_array()
        .expect("areas")
        .iter()
        .map(|a| {
            (
                a[0].as_str().unwrap_or_default().to_owned(),
                a[1].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert!(
        got.iter().any(|(l, c)| l == "wards_2023" && c == "E05011394"),
        "Gipton & Harehills: {got:?}"
    );
    // Every postcode of the data is in its outward code's file.
    let files = std::fs::read_dir(dir.path().join("api/postcodes")).expect("postcodes").count();
    let total: usize = std::fs::read_dir(dir.path().join("api/postcodes"))
        .expect("postcodes")
        .flatten()
        .map(|e| {
            json(&std::fs::read(e.path()).expect("read"))
                .as_object()
                .map_or(0, serde_json::Map::len)
        })
        .sum();
    assert_eq!(total, state.ds.postcodes.len(), "{files} files");
}
