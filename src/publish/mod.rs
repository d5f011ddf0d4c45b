//! `placeplan publish`: the map as a static site that needs no placeplan process — for a
//! council's web site, any static host or a CDN.
//!
//! The site is what the server answers, written to files:
//! - `tiles/placeplan.pmtiles`: every layer in one PMTiles v3 archive ([`crate::map::archive`]);
//! - `index.html` and the web app, which reads the archive through the PMTiles protocol for
//!   MapLibre (vendored, `vendor/pmtiles/VERSION.md`), and works where the host has no HTTP range
//!   requests (`python3 -m http.server`) by reading the archive whole;
//! - `styles/*.json` (the MapLibre styles, over the archive), `fonts/` (the glyph ranges the
//!   names need), `palette.css`;
//! - `api/…json`: the layer list, every area's profile and the calculation of its spare places
//!   for every phase and year, the area lists (which the app also searches), and the postcodes
//!   by outward code;
//! - `ward/{layer}/{code}.html` with an `index.html` per ward layer: the printable ward pages;
//! - `downloads/`: each layer's GeoJSON, and the CSV, XLSX and GeoPackage of every level.
//!
//! Each JSON file is the server's own answer to the same request ([`crate::server::router`],
//! called in-process), so a published site shows the figures a running server shows. Search is
//! the one thing the app does itself there (`web/js/search.js`, the server's rules).

mod postcodes;

use crate::dataset::Dataset;
use crate::map::archive::{ArchiveStats, write_pmtiles};
use crate::map::layer::MapKind;
use crate::model::LayerKind;
use crate::report::facts::{ranking, ward_layers};
use crate::report::html::{Links, index_page};
use crate::report::render_ward;
use crate::server::{AppState, ServeOptions};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower::ServiceExt;

/// Where the archive is, relative to the site.
pub const ARCHIVE: &str = "tiles/placeplan.pmtiles";
/// The marker in `index.html` that tells the app which kind of site it is on.
pub const MODE_SERVER: &str = r#"<meta name="placeplan-mode" content="server">"#;
/// What [`MODE_SERVER`] becomes in a published site.
pub const MODE_STATIC: &str = r#"<meta name="placeplan-mode" content="static">"#;

/// Options of a publish.
#[derive(Clone, Debug, Default)]
pub struct PublishOptions {
    /// The address the site will have (`https://maps.example.gov.uk/places/`), printed on the
    /// ward pages as their permalink; without it they print their own file name.
    pub site_url: Option<String>,
}

/// Why a site could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// A file could not be written.
    #[error("could not write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The tile archive could not be made.
    #[error(transparent)]
    Archive(#[from] crate::map::archive::ArchiveError),
    /// The server could not answer a request the site needs.
    #[error("the page {uri} could not be made ({status}): {message}")]
    Request {
        /// The request.
        uri: String,
        /// Its status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// The manifest marks confidential an input whose figures are not pupil counts, which
    /// disclosure control does not cover.
    #[error(
        "these inputs are marked confidential: {0}. Disclosure control rounds pupil counts, but the figures of these files (deprivation, planning-area names) would be published as they are; nothing was published. Serve the map on this computer instead (placeplan serve), or publish from inputs that may be published"
    )]
    Confidential(String),
    /// Two codes of one layer make the same file name.
    #[error("layer {layer}: the codes {a:?} and {b:?} make the same file name {file:?}; make the codes unique")]
    Clash {
        /// The layer.
        layer: String,
        /// One code.
        a: String,
        /// The other.
        b: String,
        /// The file name both make.
        file: String,
    },
}

/// What was written.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PublishReport {
    /// The folder.
    pub out: PathBuf,
    /// Every file, relative to the folder, with its size in bytes.
    pub files: BTreeMap<String, u64>,
    /// The tile archive.
    pub archive: ArchiveStats,
    /// The dataset's name.
    pub dataset: String,
    /// Whether the data is the synthetic demo.
    pub synthetic: bool,
}

impl PublishReport {
    /// Bytes written in all.
    #[must_use]
    pub fn bytes(&self) -> u64 {
        self.files.values().sum()
    }
}

/// The file name of an area code in the site: the code, with any character other than a
/// letter, digit, `-`, `_`, `.` or `~` as `_`, and `index` (the ward index's name) as `index_`
/// (the app makes the same name: `web/js/api.js`).
#[must_use]
pub fn file_key(code: &str) -> String {
    let key: String = code
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "-_.~".contains(c) { c } else { '_' })
        .collect();
    if key.eq_ignore_ascii_case("index") {
        format!("{key}_")
    } else {
        key
    }
}

/// What a publish writes at the top of its folder. A publish over an earlier one (`--force`)
/// removes these first, so that no page of an area that has since gone is left behind.
pub const SITE_PARTS: &[&str] = &[
    "api",
    "ward",
    "downloads",
    "styles",
    "tiles",
    "fonts",
    "js",
    "css",
    "vendor",
    "index.html",
    "palette.css",
    "README.txt",
];

/// Writes files under one folder and keeps the list.
struct Site {
    out: PathBuf,
    files: BTreeMap<String, u64>,
}

impl Site {
    fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<(), PublishError> {
        let path = self.out.join(rel);
        let fail = |source| PublishError::Write {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        std::fs::write(&path, bytes).map_err(fail)?;
        self.files.insert(rel.to_owned(), bytes.len() as u64);
        Ok(())
    }
}

/// The server, called in-process.
struct Client {
    app: axum::Router,
}

impl Client {
    /// The body of a `GET`, which must answer 200 (or 204: `None`).
    async fn get(&self, uri: &str) -> Result<Option<Vec<u8>>, PublishError> {
        let req = Request::get(uri)
            .header(header::HOST, "127.0.0.1")
            .body(Body::empty())
            .map_err(|e| PublishError::Request {
                uri: uri.to_owned(),
                status: 0,
                message: e.to_string(),
            })?;
        let res = self.app.clone().oneshot(req).await.unwrap_or_else(|e| match e {});
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .map_err(|e| PublishError::Request {
                uri: uri.to_owned(),
                status: status.as_u16(),
                message: e.to_string(),
            })?;
        match status {
            StatusCode::OK => Ok(Some(body.to_vec())),
            StatusCode::NO_CONTENT => Ok(None),
            s => Err(PublishError::Request {
                uri: uri.to_owned(),
                status: s.as_u16(),
                message: serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
                    .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned()),
            }),
        }
    }

    async fn json(&self, uri: &str) -> Result<serde_json::Value, PublishError> {
        let body = self.get(uri).await?.unwrap_or_default();
        serde_json::from_slice(&body).map_err(|e| PublishError::Request {
            uri: uri.to_owned(),
            status: 200,
            message: format!("not JSON: {e}"),
        })
    }
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The layer list of the site: the server's, with the site's own paths for each layer's style and
/// GeoJSON, no TileJSON (the tiles are in the archive) and what was published.
fn site_layers(mut v: serde_json::Value) -> serde_json::Value {
    if let Some(list) = v.get_mut("layers").and_then(|l| l.as_array_mut()) {
        for l in list {
            let id = l.get("id").and_then(|i| i.as_str()).unwrap_or_default().to_owned();
            l["tilejson"] = serde_json::Value::Null;
            l["style"] = serde_json::json!(format!("styles/{id}.json"));
            l["geojson"] = serde_json::json!(format!("downloads/{id}.geojson"));
        }
    }
    v["style"] = serde_json::json!("styles/default.json");
    v["dataset"]["published"] = serde_json::json!({
        "archive": ARCHIVE,
        "placeplan": env!("CARGO_PKG_VERSION"),
    });
    v
}

/// Publishes `ds` into `out` (which the caller has checked is new or empty). `progress` is told
/// what is being made and how far it has got (done, of).
///
/// # Errors
/// [`PublishError`].
pub fn publish(
    ds: Dataset,
    out: &Path,
    opts: &PublishOptions,
    progress: &(dyn Fn(&str, u64, u64) + Sync),
) -> Result<PublishReport, PublishError> {
    if !ds.confidential_other.is_empty() {
        return Err(PublishError::Confidential(ds.confidential_other.join(", ")));
    }
    // What is published from confidential pupil figures is under disclosure control.
    let ds = ds.disclosed();
    let options = ServeOptions {
        public_url: Some(".".into()),
        pmtiles: Some(format!("./{ARCHIVE}")),
        ..ServeOptions::default()
    };
    for part in SITE_PARTS {
        let p = out.join(part);
        let gone = if p.is_dir() {
            std::fs::remove_dir_all(&p)
        } else if p.exists() {
            std::fs::remove_file(&p)
        } else {
            Ok(())
        };
        gone.map_err(|source| PublishError::Write { path: p.clone(), source })?;
    }
    let state = Arc::new(AppState::new(ds, options));
    let mut site = Site {
        out: out.to_path_buf(),
        files: BTreeMap::new(),
    };
    // The tiles, in parallel, straight into the file.
    let path = out.join(ARCHIVE);
    let fail = |source| PublishError::Write {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(out.join("tiles")).map_err(fail)?;
    let file = std::fs::File::create(&path).map_err(fail)?;
    let base = ".";
    let ctx = state.style_context(base);
    let archive = write_pmtiles(&state.map, &state.ds.name, &ctx, file, &|n, of| progress("tiles", n, of))?;
    site.files.insert(ARCHIVE.to_owned(), std::fs::metadata(&path).map_err(fail)?.len());

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| PublishError::Write {
            path: out.to_path_buf(),
            source,
        })?;
    rt.block_on(pages(&state, &mut site, opts, progress))?;
    Ok(PublishReport {
        out: out.to_path_buf(),
        files: site.files,
        archive,
        dataset: state.ds.name.clone(),
        synthetic: state.ds.synthetic,
    })
}

/// Everything but the tiles.
async fn pages(
    state: &Arc<AppState>,
    site: &mut Site,
    opts: &PublishOptions,
    progress: &(dyn Fn(&str, u64, u64) + Sync),
) -> Result<(), PublishError> {
    let client = Client {
        app: crate::server::router(Arc::clone(state)),
    };
    // The web app, in static mode.
    for (name, bytes) in crate::server::assets::FILES {
        if *name == "index.html" {
            let text = String::from_utf8_lossy(bytes);
            debug_assert!(text.contains(MODE_SERVER), "index.html names its mode");
            site.write(name, text.replace(MODE_SERVER, MODE_STATIC).as_bytes())?;
        } else {
            site.write(name, bytes)?;
        }
    }
    site.write("palette.css", crate::map::metrics::palette::css().as_bytes())?;
    let layers = client.json("/api/layers").await?;
    site.write("api/layers.json", &serde_json::to_vec(&site_layers(layers))?)?;
    site.write(
        "styles/default.json",
        &client.get("/styles/default.json").await?.unwrap_or_default(),
    )?;
    if let Some(o) = &state.map.outline {
        site.write("api/outline.geojson", o.as_bytes())?;
    }

    // Every layer: its style, area list, GeoJSON, and each area's profile and calculations.
    let total: u64 = state.map.layers.iter().map(|l| l.features.len() as u64).sum();
    let mut done = 0;
    for l in &state.map.layers {
        let id = enc(&l.id);
        site.write(
            &format!("styles/{}.json", l.id),
            &client.get(&format!("/styles/{id}.json")).await?.unwrap_or_default(),
        )?;
        site.write(
            &format!("api/layers/{}/areas.json", l.id),
            &client.get(&format!("/api/layers/{id}/areas")).await?.unwrap_or_default(),
        )?;
        site.write(
            &format!("downloads/{}.geojson", l.id),
            &client.get(&format!("/api/layers/{id}/geojson")).await?.unwrap_or_default(),
        )?;
        let explained = matches!(l.kind, MapKind::Area(_));
        // Compared in lower case: on Windows and macOS `a1` and `A1` are one file.
        let mut keys: BTreeMap<String, &str> = BTreeMap::new();
        for f in &l.features {
            let key = file_key(&f.code);
            if let Some(other) = keys.insert(key.to_lowercase(), &f.code) {
                return Err(PublishError::Clash {
                    layer: l.id.clone(),
                    a: other.to_owned(),
                    b: f.code.clone(),
                    file: key,
                });
            }
            let code = enc(&f.code);
            site.write(
                &format!("api/areas/{}/{key}.json", l.id),
                &client.get(&format!("/api/areas/{id}/{code}")).await?.unwrap_or_default(),
            )?;
            if explained {
                // The calculation of spare places the panel shows, for every phase and year.
                let mut calc = serde_json::Map::new();
                for (phase, years) in &l.years {
                    for y in years {
                        let uri = format!(
                            "/api/explain?layer={id}&code={code}&metric=spare_pct&phase={}&year={y}",
                            phase.as_str()
                        );
                        calc.insert(format!("{}|{y}", phase.as_str()), client.json(&uri).await?);
                    }
                }
                site.write(&format!("api/explain/{}/{key}.json", l.id), &serde_json::to_vec(&calc)?)?;
            }
            done += 1;
            progress("area pages", done, total);
        }
    }

    // Downloads: every level of `placeplan export`, as the panel links them.
    let mut downloads: Vec<(String, String)> = Vec::new();
    for l in &state.map.layers {
        let level = match l.kind {
            MapKind::Area(LayerKind::Ward) => "ward",
            MapKind::Area(LayerKind::PlanningArea) => "planning_area",
            MapKind::Schools => "school",
            _ => continue,
        };
        for f in ["csv", "xlsx", "gpkg"] {
            downloads.push((
                format!("/api/export?level={level}&layer={}&format={f}", enc(&l.id)),
                format!("downloads/{}/{level}.{f}", l.id),
            ));
        }
    }
    for f in ["csv", "xlsx"] {
        downloads.push((format!("/api/export?level=la&format={f}"), format!("downloads/la.{f}")));
    }
    downloads.push((
        "/api/export?level=planning_area&format=scap_csv".into(),
        "downloads/scap_ncy.csv".into(),
    ));
    let n = downloads.len() as u64;
    for (i, (uri, rel)) in downloads.into_iter().enumerate() {
        site.write(&rel, &client.get(&uri).await?.unwrap_or_default())?;
        progress("downloads", i as u64 + 1, n);
    }

    ward_pages(state, &client, site, opts).await?;
    postcodes::write(state, site)?;
    glyphs(state, site)?;
    site.write("README.txt", readme(state).as_bytes())?;
    Ok(())
}

/// `README.txt` at the top of the site: what it is, what made it from which data, and how to
/// host it — for the web team that puts it online.
fn readme(state: &AppState) -> String {
    let ds = &state.ds;
    let mut t = format!(
        "placeplan map of {}{}\n\nMade by placeplan {} (`placeplan publish`). Every figure is the one `placeplan serve` shows for the same data.\n\nDATA\n",
        ds.name,
        if ds.synthetic {
            " (SYNTHETIC demo data, not a real place)"
        } else {
            ""
        },
        env!("CARGO_PKG_VERSION"),
    );
    for v in &ds.vintages {
        // The file's name only: where it sat on the publishing computer is nobody's business.
        let name = std::path::Path::new(&v.file)
            .file_name()
            .map_or_else(|| v.file.clone(), |n| n.to_string_lossy().into_owned());
        t.push_str(&format!("  {}: {} ({name})\n", v.input, v.describes));
    }
    t.push_str(&format!("  {}\n", state.attribution));
    if let Some(d) = ds.disclosure {
        t.push_str(&format!("\nDISCLOSURE CONTROL\n  {}\n", d.note()));
    }
    t.push_str(
        "\nHOSTING\n  Copy the whole folder to any static web host and open index.html through it (not as a file).\n  A host that answers HTTP range requests (nginx, Apache, IIS, S3, Azure Blob Storage, GitHub Pages,\n  most CDNs) sends only the map tiles on view; one that does not sends tiles/placeplan.pmtiles whole, once.\n  No server code, database or CORS set-up is needed. The site works at any path.\n  Serve .pmtiles as application/octet-stream (or application/vnd.pmtiles) and do not gzip it again:\n  its tiles are compressed inside.\n\nCONTENTS\n  index.html, js/, css/, vendor/   the map (MapLibre GL JS and the PMTiles reader, with their licences)\n  tiles/placeplan.pmtiles          every map layer, PMTiles v3 (pmtiles show, martin, GDAL 3.8+)\n  styles/                          MapLibre styles over the archive\n  ward/LAYER/                      printable ward pages; index.html ranks every ward\n  downloads/                       GeoJSON per layer; CSV, XLSX and GeoPackage per level\n  api/                             the figures the map shows, as JSON\n  fonts/                           the glyphs of the map's names (Noto Sans, SIL Open Font Licence)\n",
    );
    t
}

/// The ward pages of every ward layer, with links inside the site.
async fn ward_pages(state: &Arc<AppState>, client: &Client, site: &mut Site, opts: &PublishOptions) -> Result<(), PublishError> {
    let (ds, map) = (&state.ds, &state.map);
    for li in ward_layers(ds, map) {
        let l = &map.layers[li];
        let lid = enc(&l.id);
        let href = |c: &str| Some(format!("{}.html", file_key(c)));
        for (fi, f) in l.features.iter().enumerate() {
            let key = file_key(&f.code);
            let own = format!("ward/{}/{key}.html", l.id);
            let links = Links {
                index: "index.html".into(),
                map: Some(format!("../../index.html#layer={lid}&sel={lid}%2F{}", enc(&f.code))),
                json: Some(format!("../../api/wards/{}/{key}.json", l.id)),
                permalink: opts
                    .site_url
                    .as_deref()
                    .map_or_else(|| format!("{key}.html"), |u| format!("{}/{own}", u.trim_end_matches('/'))),
            };
            let (_, page) = render_ward(ds, map, &state.la_rows, l, fi, &links, &href);
            site.write(&own, page.as_bytes())?;
            let json = client
                .get(&format!("/api/wards/{}?layer={lid}", enc(&f.code)))
                .await?
                .unwrap_or_default();
            site.write(&format!("api/wards/{}/{key}.json", l.id), &json)?;
        }
        let rows = ranking(ds, map, l);
        let index = index_page(
            &ds.name,
            &l.title,
            ds.synthetic,
            ds.disclosure_note().as_deref(),
            ds.census_year,
            &rows,
            &href,
            Some(&format!("../../index.html#layer={lid}")),
        );
        site.write(&format!("ward/{}/index.html", l.id), index.as_bytes())?;
    }
    Ok(())
}

/// The glyph ranges of every character a name on the map uses (and of Latin-1, for anything
/// else), for each font the styles name.
fn glyphs(state: &AppState, site: &mut Site) -> Result<(), PublishError> {
    let mut ranges: BTreeSet<u32> = BTreeSet::from([0]);
    for l in &state.map.layers {
        for f in &l.features {
            ranges.extend(f.name.chars().map(|c| u32::from(c) / 256));
        }
    }
    // The glyphs are made from Noto Sans, whose licence travels with them.
    site.write(
        "fonts/OFL.txt",
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/web/fonts/OFL.txt")),
    )?;
    for font in [crate::map::glyphs::REGULAR, crate::map::glyphs::BOLD] {
        for r in &ranges {
            let range = format!("{}-{}.pbf", r * 256, r * 256 + 255);
            // A range the built-in font cannot make is left out: MapLibre draws those names without it.
            if let Ok(bytes) = crate::map::glyphs::glyph_range(font, &range) {
                site.write(&format!("fonts/{font}/{range}"), &bytes)?;
            }
        }
    }
    Ok(())
}

impl From<serde_json::Error> for PublishError {
    fn from(e: serde_json::Error) -> Self {
        PublishError::Request {
            uri: "(JSON)".into(),
            status: 0,
            message: e.to_string(),
        }
    }
}
