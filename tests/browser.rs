//! The browser tests: start `placeplan serve` on the demo data and on Leeds (a free loopback
//! port), then run `node tests/browser/*.test.mjs` (the map, the officers' views with axe-core,
//! the ward pages), which drive Debian Chromium through playwright-core.
//!
//! Needs node, `tests/browser/node_modules` (`npm ci --prefix tests/browser`) and Chromium
//! (`/usr/bin/chromium` or `PLACEPLAN_CHROMIUM`). Without them the test is skipped with a visible
//! note — unless `PLACEPLAN_REQUIRE_BROWSER=1` (set by `.ci/run`), which makes that a failure.
//! Screenshots go to `target/browser/`.

use crate::common;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn browser_tools(root: &Path) -> Result<(), String> {
    let chromium = std::env::var_os("PLACEPLAN_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    if !chromium.is_file() {
        return Err(format!("Chromium not found at {}", chromium.display()));
    }
    if !root.join("tests/browser/node_modules/playwright-core").is_dir() {
        return Err("tests/browser/node_modules/playwright-core missing (npm ci --prefix tests/browser)".into());
    }
    match Command::new("node").arg("--version").output() {
        Ok(o) if o.status.success() => Ok(()),
        _ => Err("node not found".into()),
    }
}

/// Starts the server on port 0 and returns it with the address it printed.
fn start_server(args: &[&str]) -> (Server, String) {
    let mut child = common::placeplan()
        .arg("serve")
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("placeplan serve starts");
    let stderr = child.stderr.take().expect("stderr");
    let server = Server(child);
    let started = Instant::now();
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        assert!(started.elapsed() < Duration::from_secs(120), "server did not report its address");
        match lines.next() {
            Some(Ok(l)) => {
                if let Some(u) = l.trim().strip_prefix("map:") {
                    break u.trim().trim_end_matches('/').to_owned();
                }
            }
            _ => panic!("server exited before it was ready"),
        }
    };
    // Keep draining stderr so that the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (server, url)
}

/// `Some(root)` when the browser tools are present; a visible skip (or a failure when required) otherwise.
fn tools_or_skip() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if let Err(why) = browser_tools(&root) {
        let required = std::env::var("PLACEPLAN_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(!required, "browser test required but cannot run: {why}");
        eprintln!("NOTE: skipping the browser test: {why}");
        return None;
    }
    Some(root)
}

/// Reads a child's pipe to its end on a thread of its own, so that neither pipe fills and blocks it.
fn read_all(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_string(&mut text);
        }
        text
    })
}

/// How long one browser script may take: a script that waits for an event that never comes
/// fails the test with what it printed, instead of holding CI until its time runs out.
const NODE_LIMIT: Duration = Duration::from_secs(300);

fn run_node(root: &Path, script: &str, args: &[&str]) {
    let mut child = Command::new("node")
        .arg(root.join("tests/browser").join(script))
        .args(args)
        .current_dir(root.join("tests/browser"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let stdout = read_all(child.stdout.take());
    let stderr = read_all(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("node can be waited for") {
            break Some(status);
        }
        if started.elapsed() > NODE_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    eprintln!("{stdout}{stderr}");
    let Some(status) = status else {
        panic!("{script} did not finish within {} s:\n{stdout}\n{stderr}", NODE_LIMIT.as_secs());
    };
    assert!(status.success(), "{script} failed:\n{stdout}\n{stderr}");
}

/// A Leeds ward page (Gipton & Harehills) on the real data: figures against the API, headings
/// and header cells, the sortable index, and an A4 PDF; then the officers' map on Leeds.
#[test]
fn leeds_ward_page_in_chromium() {
    let Some(root) = tools_or_skip() else { return };
    let Some(dir) = common::real_data() else { return };
    let text = std::fs::read_to_string(root.join("tests/leeds/manifest.toml")).expect("Leeds manifest");
    let shots = root.join("target/browser");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let manifest = shots.join("leeds-manifest.toml");
    std::fs::write(&manifest, text.replace("../../../shared/data", &dir.display().to_string())).expect("manifest written");
    let (_server, url) = start_server(&["--manifest", &manifest.display().to_string()]);
    run_node(&root, "ward.test.mjs", &[&url, &shots.display().to_string(), "E05011394"]);
    assert!(shots.join("ward-E05011394.pdf").is_file());
    // The officers' map on Leeds, with a postcode of Gipton & Harehills from the weighting points.
    run_node(&root, "officer.test.mjs", &[&url, &shots.display().to_string(), "leeds", "LS8 5BQ"]);
    assert!(shots.join("leeds-export.png").is_file());
}

#[test]
fn map_app_in_chromium() {
    let Some(root) = tools_or_skip() else { return };
    let (_server, url) = start_server(&[]);
    let shots = root.join("target/browser");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    run_node(&root, "map.test.mjs", &[&url, &shots.display().to_string()]);
    assert!(shots.join("map-ward-panel.png").is_file());
    run_node(&root, "officer.test.mjs", &[&url, &shots.display().to_string(), "demo"]);
    assert!(shots.join("demo-export.png").is_file());
}

/// The what-if plan editor on the demo: expand a school picked on the map, close one and undo
/// it, open one where the map is clicked; the diff table, the saved TOML (the same changes as
/// `placeplan scenario diff` of it) and the plan's link.
#[test]
fn plan_editor_in_chromium() {
    let Some(root) = tools_or_skip() else { return };
    let (_server, url) = start_server(&[]);
    let shots = root.join("target/browser");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    run_node(&root, "plan.test.mjs", &[&url, &shots.display().to_string()]);
    let out = common::placeplan()
        .args(["scenario", "diff", "base"])
        .arg(shots.join("plan.toml"))
        .arg("--json")
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let browser: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shots.join("plan-changes.json")).expect("changes")).expect("JSON");
    assert!(browser.as_array().is_some_and(|c| !c.is_empty()));
    // JavaScript writes 24410.0 as 24410: the numbers are compared as numbers.
    fn numbers(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Number(n) => serde_json::json!(n.as_f64()),
            serde_json::Value::Array(a) => a.iter().map(numbers).collect(),
            serde_json::Value::Object(o) => o.iter().map(|(k, v)| (k.clone(), numbers(v))).collect(),
            other => other.clone(),
        }
    }
    assert_eq!(
        numbers(&cli["changes"]),
        numbers(&browser),
        "the plan made in the browser, saved and diffed by the CLI"
    );
}

/// Python's static server, serving `root` on a free loopback port: `(server, "http://127.0.0.1:PORT")`.
fn python_http_server(root: &Path) -> (Server, String) {
    let mut child = Command::new("python3")
        .args(["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory"])
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 runs");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    // "Serving HTTP on 127.0.0.1 port 43567 (http://127.0.0.1:43567/) ..."
    let port = loop {
        match lines.next() {
            Some(Ok(l)) => {
                if let Some(p) = l.split(" port ").nth(1).and_then(|r| r.split_whitespace().next()) {
                    break p.to_owned();
                }
            }
            _ => panic!("python3 -m http.server did not start"),
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (server, format!("http://127.0.0.1:{port}"))
}

/// A published site with no placeplan process: `placeplan publish`, then the map, the panel,
/// search, the ward pages and the downloads in Chromium — from `python3 -m http.server` (no range
/// requests, at a sub-path) and from a host that answers range requests.
#[test]
fn published_site_in_chromium() {
    let Some(root) = tools_or_skip() else { return };
    let tmp = tempfile::tempdir().expect("tmp");
    let site = tmp.path().join("site");
    // The demo as a council would publish it: its rolls confidential, so under disclosure control.
    let demo = tmp.path().join("demo");
    let g = common::placeplan()
        .args(["generate-demo", "--out"])
        .arg(&demo)
        .output()
        .expect("placeplan generate-demo runs");
    assert!(g.status.success(), "generate-demo: {}", String::from_utf8_lossy(&g.stderr));
    let manifest = demo.join("manifest.toml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(&manifest, text.replacen("[rolls]\n", "[rolls]\nconfidential = true\n", 1)).expect("write");
    let out = common::placeplan()
        .args(["publish", "--manifest"])
        .arg(&manifest)
        .arg("--out")
        .arg(&site)
        .output()
        .expect("placeplan publish runs");
    assert!(out.status.success(), "publish: {}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&std::fs::read(site.join("api/layers.json")).expect("layers")).expect("JSON");
    assert!(meta["dataset"]["disclosure"].is_object(), "the site is under disclosure control");
    let (_python, url) = python_http_server(tmp.path());
    let shots = root.join("target/browser");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    run_node(
        &root,
        "static.test.mjs",
        &[&site.display().to_string(), &format!("{url}/site/"), &shots.display().to_string()],
    );
    assert!(shots.join("static-range-host.png").is_file());
}

/// A vector basemap style under the layers (the test answers for the style's address itself).
#[test]
fn vector_basemap_in_chromium() {
    let Some(root) = tools_or_skip() else { return };
    let style = "https://basemap.example/styles/test.json";
    let (_server, url) = start_server(&["--basemap-style", style]);
    let shots = root.join("target/browser");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    run_node(&root, "basemap.test.mjs", &[&url, &shots.display().to_string(), style]);
}

/// GDAL reads the live server: OGC API Features (`ogrinfo OAPIF:`) lists every collection and
/// pages through a whole layer; the MVT driver reads a whole zoom of the tiles over HTTP, typed
/// from `metadata.json`, through the folder listings. Needs `ogrinfo`
/// and `ogr2ogr` (Debian gdal-bin): skipped with a note without them, unless
/// `PLACEPLAN_REQUIRE_GDAL=1` (set by `.ci/run`, which installs them).
#[test]
fn gdal_reads_the_live_server() {
    let have = Command::new("ogrinfo").arg("--version").output().is_ok_and(|o| o.status.success());
    if !have {
        let required = std::env::var("PLACEPLAN_REQUIRE_GDAL").is_ok_and(|v| v == "1");
        assert!(!required, "GDAL required but ogrinfo is not installed");
        eprintln!("NOTE: skipping the GDAL test: ogrinfo not found (apt-get install gdal-bin)");
        return;
    }
    let (_server, url) = start_server(&[]);
    let run = |args: &[&str]| {
        let o = Command::new(args[0]).args(&args[1..]).output().expect("GDAL runs");
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success(), "{args:?}: {text}");
        text
    };
    let oapif = format!("OAPIF:{url}/ogc");
    let list = run(&["ogrinfo", "-ro", &oapif]);
    for layer in ["1: wards", "localities", "lsoa", "schools (title: Schools) (Point)", "figures"] {
        assert!(list.contains(layer), "{list}");
    }
    let wards = run(&["ogrinfo", "-ro", "-so", &oapif, "wards"]);
    assert!(wards.contains("Feature Count: 20") && wards.contains("Multi Polygon"), "{wards}");
    // A whole layer, page by page (GDAL follows the next links), into a GeoPackage.
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("lsoa.gpkg");
    run(&["ogr2ogr", "-f", "GPKG", &out.display().to_string(), &oapif, "lsoa"]);
    let copied = run(&["ogrinfo", "-ro", "-so", &out.display().to_string(), "lsoa"]);
    // The count the server reports (numberMatched) is what GDAL copied, page by page.
    let served = run(&["ogrinfo", "-ro", "-so", &oapif, "lsoa"]);
    let count = |t: &str| {
        t.lines()
            .find_map(|l| l.trim().strip_prefix("Feature Count: "))
            .and_then(|n| n.trim().parse::<u64>().ok())
    };
    assert!(count(&served).is_some_and(|n| n > 10), "{served}");
    assert_eq!(count(&copied), count(&served), "{copied}");
    // An attribute filter.
    let one = run(&["ogrinfo", "-ro", "-q", &oapif, "wards", "-where", "code = 'E05900001'"]);
    assert!(one.contains("name (String) = Ashcombe Moor"), "{one}");
    // The MVT tileset over HTTP, a whole zoom: GDAL reads metadata.json and the folder listings.
    let mvt = run(&["ogrinfo", "-ro", "-so", &format!("MVT:{url}/tiles/wards/11"), "wards"]);
    assert!(mvt.contains("Geometry: Multi Polygon"), "{mvt}");
    assert!(count(&mvt).is_some_and(|n| n >= 20), "every ward, some in two tiles: {mvt}");
    assert!(mvt.contains("status_primary_2024: String"), "{mvt}");
}
