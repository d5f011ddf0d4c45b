//! In-process tests of every server endpoint (tower `oneshot`, no socket), error cases included,
//! and an MVT round trip: a served tile is decoded and its features, attributes and geometry
//! are checked against the API and the source polygons.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use geo::{Area, MapCoords};
use geozero::ToGeo;
use geozero::mvt::{Message, Tile};
use http_body_util::BodyExt;
use placeplan::dataset::Dataset;
use placeplan::map::tiles::{TileId, unit_metres};
use placeplan::server::{AppState, ServeOptions, router};
use serde_json::Value;
use std::io::Read;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

fn demo_state() -> Arc<AppState> {
    static STATE: OnceLock<Arc<AppState>> = OnceLock::new();
    Arc::clone(STATE.get_or_init(|| {
        let (m, src) = placeplan::demo::embedded::demo().expect("embedded demo manifest parses");
        // As `serve` does: the bound address is the origin of every URL it writes.
        let opts = ServeOptions {
            origin: Some("http://maps.example:9000".into()),
            ..ServeOptions::default()
        };
        Arc::new(AppState::new(Dataset::load(&m, &src, &|_| {}), opts))
    }))
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn message(&self) -> String {
        self.json()["message"].as_str().unwrap_or_default().to_owned()
    }
}

async fn get_with(state: &Arc<AppState>, uri: &str, gzip: bool) -> Reply {
    let mut req = Request::get(uri).header(header::HOST, "maps.example:9000");
    if gzip {
        req = req.header(header::ACCEPT_ENCODING, "gzip");
    }
    let resp = router(Arc::clone(state))
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("router answers");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.expect("body").to_bytes().to_vec();
    Reply { status, headers, body }
}

async fn get(uri: &str) -> Reply {
    get_with(&demo_state(), uri, false).await
}

/// The tile at zoom `z` containing lon/lat `p`.
fn tile_of(p: [f64; 2], z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((p[0] + 180.0) / 360.0 * n).floor();
    let lat = p[1].to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    (x as u32, y as u32)
}

#[tokio::test]
async fn layers_lists_every_layer_with_urls_and_metric_metadata() {
    let r = get("/api/layers").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    let ids: Vec<&str> = v["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .filter_map(|l| l["id"].as_str())
        .collect();
    assert_eq!(ids, ["wards", "localities", "lsoa", "schools"]);
    assert_eq!(v["default_layer"], "wards");
    assert_eq!(v["dataset"]["synthetic"], true);
    let wards = &v["layers"][0];
    assert_eq!(
        wards["tilejson"], "http://maps.example:9000/tiles/wards.json",
        "URLs follow the Host header"
    );
    assert_eq!(wards["features"], 20);
    let status = &wards["metrics"][0];
    assert_eq!(status["id"], "status");
    assert_eq!(status["property"], "status_{phase}_{year}");
    assert_eq!(status["legend"].as_array().map(Vec::len), Some(4));
    assert!(status["description"].as_str().unwrap_or_default().contains("capacity − pupils"));
    assert_eq!(
        wards["years"]["primary"].as_array().map(Vec::len),
        Some(6),
        "census year + 5 forecast years"
    );
    assert_eq!(
        wards["years"]["secondary"].as_array().map(Vec::len),
        Some(8),
        "census year + 7 forecast years"
    );
    let lsoa = &v["layers"][2];
    assert_eq!(lsoa["kind"], "lsoa");
    assert_eq!(lsoa["metrics"][0]["id"], "imd_decile");
}

#[tokio::test]
async fn tilejson_describes_the_tiles_and_their_fields() {
    let r = get("/tiles/wards.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["tilejson"], "3.0.0");
    assert_eq!(v["tiles"][0], "http://maps.example:9000/tiles/wards/{z}/{x}/{y}.pbf");
    assert_eq!(v["minzoom"], 0);
    assert_eq!(v["maxzoom"], 16);
    let fields = &v["vector_layers"][0]["fields"];
    assert_eq!(v["vector_layers"][0]["id"], "wards");
    for f in [
        "code",
        "name",
        "status_primary_2024",
        "spare_pct_secondary_2031",
        "imd_rank",
        "capacity_primary_2029",
    ] {
        assert!(fields.get(f).is_some(), "field {f} missing");
    }
    assert_eq!(fields["status_primary_2024"], "String");
    assert_eq!(fields["capacity_primary_2024"], "Number");
    let b = v["bounds"].as_array().expect("bounds");
    assert!(b[0].as_f64() < b[2].as_f64() && b[1].as_f64() < b[3].as_f64());

    let r = get("/tiles/nope.json").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.message().contains("layers are wards, localities, lsoa, schools"),
        "{}",
        r.message()
    );
    assert_eq!(get("/tiles/wards").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn styles_are_maplibre_v8_and_reference_the_tilejson() {
    let r = get("/styles/default.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["version"], 8);
    assert_eq!(v["sources"]["wards"]["type"], "vector");
    assert_eq!(v["sources"]["wards"]["url"], "http://maps.example:9000/tiles/wards.json");
    assert!(v["sources"].get("basemap").is_none(), "no basemap unless configured");
    let layers = v["layers"].as_array().expect("layers");
    let find = |id: &str| {
        layers
            .iter()
            .find(|l| l["id"] == id)
            .unwrap_or_else(|| panic!("no style layer {id}"))
    };
    assert_eq!(find("wards-fill")["layout"]["visibility"], "visible");
    assert_eq!(find("schools-circle")["layout"]["visibility"], "visible");
    assert_eq!(find("lsoa-fill")["layout"]["visibility"], "none");
    assert_eq!(find("wards-fill")["source-layer"], "wards");
    let fill = find("wards-fill")["paint"]["fill-color"].to_string();
    assert!(fill.contains("status_primary_2024") && fill.contains("#D55E00"), "{fill}");
    // Every source-layer is a layer in the source's TileJSON.
    for l in layers.iter().filter(|l| l.get("source-layer").is_some()) {
        let source = l["source"].as_str().expect("source");
        let tj = get(&format!("/tiles/{source}.json")).await.json();
        let ids: Vec<&str> = tj["vector_layers"]
            .as_array()
            .expect("vector_layers")
            .iter()
            .filter_map(|v| v["id"].as_str())
            .collect();
        assert!(
            ids.contains(&l["source-layer"].as_str().expect("source-layer")),
            "{}: {ids:?}",
            l["id"]
        );
    }
    // Names: glyphs from this server, a label layer per area layer reading the label points, and
    // the school names when zoomed in.
    assert_eq!(v["glyphs"], "http://maps.example:9000/fonts/{fontstack}/{range}.pbf");
    assert_eq!(find("wards-label")["source-layer"], "wards-labels");
    assert_eq!(find("wards-label")["layout"]["text-field"], serde_json::json!(["get", "name"]));
    assert_eq!(find("wards-label")["layout"]["text-font"][0], "Noto Sans Bold");
    assert!(find("schools-label")["minzoom"].as_f64().expect("minzoom") >= 13.0);
    // Context: the authority outline (over every area layer), ward boundaries to switch on, and
    // establishments that do not count drawn only when asked.
    assert_eq!(v["sources"]["outline"]["data"], "http://maps.example:9000/api/outline.geojson");
    assert_eq!(find("wards-context")["layout"]["visibility"], "none");
    assert_eq!(find("schools-other")["layout"]["visibility"], "none");
    let pos = |id: &str| layers.iter().position(|l| l["id"] == id).expect("layer");
    assert!(pos("lsoa-fill") < pos("wards-context") && pos("wards-context") < pos("outline"));
    assert!(pos("outline") < pos("schools-circle") && pos("schools-circle") < pos("wards-label"));

    let v = get("/styles/lsoa.json").await.json();
    let layers = v["layers"].as_array().expect("layers");
    let vis = |id: &str| layers.iter().find(|l| l["id"] == id).map(|l| l["layout"]["visibility"].clone());
    assert_eq!(vis("lsoa-fill"), Some(Value::from("visible")));
    assert_eq!(vis("wards-fill"), Some(Value::from("none")));

    let r = get("/styles/nope.json").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.message().contains("default, wards"), "{}", r.message());
}

#[tokio::test]
async fn basemap_only_when_configured() {
    let (m, src) = placeplan::demo::embedded::demo().expect("demo");
    let opts = ServeOptions {
        basemap: Some(placeplan::map::style::Basemap {
            tiles: "https://tiles.example/{z}/{x}/{y}.png".into(),
            attribution: "© Example".into(),
        }),
        public_url: Some("https://planning.example.gov.uk/map/".into()),
        ..ServeOptions::default()
    };
    let state = Arc::new(AppState::new(Dataset::load(&m, &src, &|_| {}), opts));
    let v = get_with(&state, "/styles/default.json", false).await.json();
    assert_eq!(v["sources"]["basemap"]["tiles"][0], "https://tiles.example/{z}/{x}/{y}.png");
    assert_eq!(v["sources"]["wards"]["url"], "https://planning.example.gov.uk/map/tiles/wards.json");
}

#[tokio::test]
async fn tile_round_trip_features_attributes_and_geometry() {
    let state = demo_state();
    let ds = &state.ds;
    let (wards, _) = state.map.get("wards").expect("wards layer");
    // A zoom at which the whole borough is in very few tiles; take the tile holding ward 0's inner point.
    let f0 = &wards.features[0];
    let z = 11u8;
    let (x, y) = tile_of(f0.point.expect("inner point"), z);
    let r = get_with(&state, &format!("/tiles/wards/{z}/{x}/{y}.pbf"), true).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/vnd.mapbox-vector-tile");
    assert_eq!(r.headers[header::CONTENT_ENCODING], "gzip");
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&r.body[..]).read_to_end(&mut raw).expect("gzip");
    let tile = Tile::decode(&raw[..]).expect("MVT decodes");
    // The areas, and their label points: ward 0's is in the tile that holds its inner point.
    assert_eq!(tile.layers.len(), 2);
    let labels = &tile.layers[1];
    assert_eq!(labels.name, "wards-labels");
    assert_eq!(labels.keys, ["code", "name"]);
    let label0 = labels.features.iter().find(|f| f.id == Some(f0.id)).expect("ward 0 labelled here");
    assert_eq!(
        labels.values[label0.tags[3] as usize].string_value.as_deref(),
        Some(f0.name.as_str())
    );
    assert!(matches!(label0.to_geo().expect("point"), geo::Geometry::Point(_)));
    let layer = &tile.layers[0];
    assert_eq!(layer.name, "wards");
    assert_eq!(layer.version, 2);
    assert_eq!(layer.extent, Some(4096));
    assert!(!layer.features.is_empty());

    let rows = placeplan::analysis::summary::summary(ds, Some(0), Some(placeplan::model::Phase::Primary), Some(ds.census_year));
    let (l, t, rgt, top) = TileId::new(u32::from(z), x, y).expect("tile").bounds();
    let _ = (t, rgt);
    let unit = unit_metres(z);
    let mut checked_geometry = 0;
    for f in &layer.features {
        let tags: Vec<(String, &geozero::mvt::tile::Value)> = f
            .tags
            .chunks(2)
            .map(|kv| (layer.keys[kv[0] as usize].clone(), &layer.values[kv[1] as usize]))
            .collect();
        let get = |k: &str| tags.iter().find(|(key, _)| key == k).map(|(_, v)| *v);
        let code = get("code").and_then(|v| v.string_value.clone()).expect("code attribute");
        let row = rows.iter().find(|r| r.code == code).expect("ward in summary");
        let status = get(&format!("status_primary_{}", ds.census_year)).and_then(|v| v.string_value.clone());
        assert_eq!(status.as_deref(), row.sufficiency.status.map(|s| s.as_str()), "{code}");
        let cap = get(&format!("capacity_primary_{}", ds.census_year))
            .and_then(|v| v.double_value)
            .expect("capacity");
        assert!(
            (cap - row.sufficiency.capacity).abs() <= 0.005 + 1e-9,
            "{code}: {cap} vs {}",
            row.sufficiency.capacity
        );
        assert_eq!(f.id, Some(wards.feature(&code).expect("feature").1.id));

        // Geometry: a ward entirely inside the tile decodes to (nearly) its own area.
        let src = &wards.feature(&code).expect("feature").1.mercator;
        let bb = geo::BoundingRect::bounding_rect(src).expect("bbox");
        let inside = bb.min().x > l && bb.max().y < top && bb.max().x < l + 4096.0 * unit && bb.min().y > top - 4096.0 * unit;
        let g = f.to_geo().expect("geometry decodes");
        // Back to metres: x = left + u·unit, y = top − v·unit.
        let m = g.map_coords(|c| geo::Coord {
            x: l + c.x * unit,
            y: top - c.y * unit,
        });
        if inside {
            let a = m.unsigned_area();
            let b = src.unsigned_area();
            assert!((a - b).abs() / b < 0.01, "{code}: decoded area {a} vs source {b}");
            checked_geometry += 1;
        }
    }
    assert!(checked_geometry > 0, "at least one ward lies wholly inside the tile");
}

#[tokio::test]
async fn tiles_clip_and_cover_the_whole_area_across_tiles() {
    let state = demo_state();
    let (wards, _) = state.map.get("wards").expect("wards");
    // At zoom 14 the borough spans many tiles: the clipped pieces of every ward add up to its area.
    let z = 14u8;
    let unit = unit_metres(z);
    let mut labelled = std::collections::BTreeMap::new();
    let [w, s, e, n] = wards.bounds;
    let (x0, y0) = tile_of([w, n], z);
    let (x1, y1) = tile_of([e, s], z);
    let mut total = 0.0;
    for x in x0..=x1 {
        for y in y0..=y1 {
            let r = get_with(&state, &format!("/tiles/wards/{z}/{x}/{y}.pbf"), false).await;
            assert_eq!(r.status, StatusCode::OK);
            if r.body.is_empty() {
                continue;
            }
            let tile = Tile::decode(&r.body[..]).expect("decodes");
            // Each ward's label point is in exactly one tile, inside its unbuffered extent.
            for l in tile.layers.iter().filter(|l| l.name == "wards-labels") {
                for f in &l.features {
                    *labelled.entry(f.id.expect("id")).or_insert(0) += 1;
                    let geo::Geometry::Point(p) = f.to_geo().expect("point") else {
                        panic!("label is not a point")
                    };
                    assert!((0.0..4096.0).contains(&p.x()) && (0.0..4096.0).contains(&p.y()), "{p:?}");
                }
            }
            for f in &tile.layers[0].features {
                let g = f.to_geo().expect("geometry");
                // Only the part inside the unbuffered tile counts.
                let clip = geo::Rect::new(geo::coord! { x: 0.0, y: 0.0 }, geo::coord! { x: 4096.0, y: 4096.0 }).to_polygon();
                let mp = match g {
                    geo::Geometry::MultiPolygon(mp) => mp,
                    geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
                    other => panic!("unexpected geometry {other:?}"),
                };
                total += geo::BooleanOps::intersection(&mp, &clip).unsigned_area() * unit * unit;
            }
        }
    }
    let expected: f64 = wards.features.iter().map(|f| f.mercator.unsigned_area()).sum();
    assert!(
        (total - expected).abs() / expected < 0.005,
        "tiles cover {total} m² vs {expected} m²"
    );
    assert_eq!(labelled.len(), wards.features.len(), "every ward labelled");
    assert!(labelled.values().all(|&n| n == 1), "{labelled:?}");
}

#[tokio::test]
async fn tile_errors_are_400_or_404_with_a_message() {
    for (uri, code, text) in [
        ("/tiles/wards/17/0/0.pbf", StatusCode::BAD_REQUEST, "zoom 17 is out of range"),
        ("/tiles/wards/2/4/0.pbf", StatusCode::BAD_REQUEST, "x and y run from 0 to 3"),
        ("/tiles/wards/2/0/-1.pbf", StatusCode::BAD_REQUEST, "not a whole number"),
        ("/tiles/wards/a/0/0.pbf", StatusCode::BAD_REQUEST, "not a whole number"),
        ("/tiles/wards/2/0/0.png", StatusCode::BAD_REQUEST, "must end in .pbf"),
        ("/tiles/nope/2/0/0.pbf", StatusCode::NOT_FOUND, "no layer \"nope\""),
    ] {
        let r = get(uri).await;
        assert_eq!(r.status, code, "{uri}");
        assert!(r.message().contains(text), "{uri}: {}", r.message());
    }
    // A tile far from the data is empty, not an error: 204 No Content.
    let r = get("/tiles/wards/10/0/0.pbf").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn area_profile_has_figures_schools_lsoas_and_the_calculation() {
    let state = demo_state();
    let ds = &state.ds;
    let code = ds.layers[0].areas[3].code.to_string();
    let r = get(&format!("/api/areas/wards/{code}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["code"], code.as_str());
    assert_eq!(v["kind"]["area"], "ward");
    assert_eq!(v["figures"].as_array().map(Vec::len), Some(6 + 8 + 8), "every phase × year");
    // The census-year primary capacity is the sum of the listed primary schools' places.
    let census = v["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .find(|r| r["phase"] == "primary" && r["year"] == ds.census_year)
        .expect("row");
    let schools = v["schools"]
        .as_array()
        .expect("schools")
        .iter()
        .find(|p| p[0] == "primary")
        .expect("primary schools");
    let sum: f64 = schools[1]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["capacity"].as_f64())
        .sum();
    assert!((sum - census["capacity"].as_f64().unwrap_or(f64::NAN)).abs() < 1e-6);
    let weights: f64 = v["lsoas"]
        .as_array()
        .expect("lsoas")
        .iter()
        .filter_map(|l| l["weight"].as_f64())
        .sum();
    assert!(weights > 0.0);
    let calc = v["calculation"].as_array().expect("calculation");
    assert!(
        calc.iter()
            .any(|c| c["metric"] == "spare_pct" && !c["steps"].as_array().is_none_or(Vec::is_empty))
    );
    assert!(calc.iter().any(|c| c["metric"] == "imd_rank"));
    assert!(v["point"][0].is_number() && v["bbox"][3].is_number());

    let r = get("/api/areas/wards/NOPE").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.message().contains("no feature with code \"NOPE\""));
    assert_eq!(get("/api/areas/nope/X").await.status, StatusCode::NOT_FOUND);

    // A school and an LSOA have profiles too.
    let (schools, _) = state.map.get("schools").expect("schools");
    let urn = &schools.features[0].code;
    let v = get(&format!("/api/areas/schools/{urn}")).await.json();
    assert_eq!(v["kind"], "schools");
    assert!(!v["school_years"].as_array().is_none_or(Vec::is_empty));
    let lsoa = ds.layers[2].areas[0].code.to_string();
    let v = get(&format!("/api/areas/lsoa/{lsoa}")).await.json();
    assert_eq!(v["kind"], "lsoa");
    assert!(v["deprivation"]["population"].as_f64().unwrap_or(0.0) > 0.0);
}

#[tokio::test]
async fn explain_search_summary_and_geojson() {
    let state = demo_state();
    let code = state.ds.layers[0].areas[0].code.to_string();
    let v = get(&format!(
        "/api/explain?layer=wards&code={code}&metric=shortfall&phase=primary&year=2026"
    ))
    .await
    .json();
    assert_eq!(v["metric"], "shortfall");
    assert_eq!(v["year"], 2026);
    let r = get(&format!("/api/explain?layer=wards&code={code}&metric=bogus")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.message().contains("metrics are capacity"), "{}", r.message());
    let r = get(&format!("/api/explain?layer=wards&code={code}&metric=spare&year=1990")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        get("/api/explain?layer=wards").await.status,
        StatusCode::BAD_REQUEST,
        "missing metric"
    );

    let name = state.ds.layers[0].areas[0].name.clone();
    let hits = get(&format!("/api/search?q={}", name.to_lowercase().replace(' ', "%20")))
        .await
        .json();
    assert_eq!(hits[0]["name"], name.as_str(), "the exact name ranks first");
    assert_eq!(hits[0]["layer"], "wards");
    let hits = get("/api/search?q=primary&limit=3").await.json();
    assert_eq!(hits.as_array().map(Vec::len), Some(3));
    assert_eq!(get("/api/search?q=").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        get(&format!("/api/search?q={}", "x".repeat(101))).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(get("/api/search").await.status, StatusCode::BAD_REQUEST);

    let la = get("/api/summary").await.json();
    assert_eq!(
        la.as_array().map(Vec::len),
        Some(6 + 8 + 8),
        "primary, secondary and post-16 × years"
    );
    assert_eq!(la[0]["code"], "LA");
    let rows = get("/api/summary?layer=localities&phase=secondary&year=2031").await.json();
    assert_eq!(rows.as_array().map(Vec::len), Some(6));
    assert_eq!(get("/api/summary?phase=tertiary").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(get("/api/summary?layer=lsoa").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(get("/api/summary?year=abc").await.status, StatusCode::BAD_REQUEST);

    let r = get("/api/layers/wards/geojson").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/geo+json");
    assert!(
        r.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap_or_default()
            .contains("wards.geojson")
    );
    let fc: geojson::FeatureCollection = serde_json::from_slice(&r.body).expect("FeatureCollection");
    assert_eq!(fc.features.len(), 20);
    let v = r.json();
    assert_eq!(v["features"][0]["geometry"]["type"], "MultiPolygon");
    let lon = v["features"][0]["geometry"]["coordinates"][0][0][0][0].as_f64().unwrap_or(f64::NAN);
    assert!((-2.0..0.0).contains(&lon), "WGS84 longitude, got {lon}");
    assert_eq!(get("/api/layers/nope/geojson").await.status, StatusCode::NOT_FOUND);
    let r = get("/api/nothing").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.message().contains("endpoints are"));
}

#[tokio::test]
async fn web_app_is_served_from_the_binary_without_path_traversal() {
    let r = get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/html")
    );
    assert!(String::from_utf8_lossy(&r.body).contains(r#"src="js/main.js""#));
    let r = get("/vendor/maplibre-gl/maplibre-gl.mjs").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/javascript")
    );
    for uri in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/js/../../Cargo.toml",
        "/etc/passwd",
        "/web/index.html",
    ] {
        assert_eq!(get(uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
    // Every file in web/ is built in, and nothing else.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
    let mut on_disk = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("web dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                // The fonts are built in as glyph ranges (/fonts/STACK/RANGE.pbf), not as files.
                if !p.ends_with("fonts") {
                    stack.push(p);
                }
            } else {
                on_disk.push(p.strip_prefix(&root).expect("prefix").to_string_lossy().replace('\\', "/"));
            }
        }
    }
    on_disk.sort();
    let mut built: Vec<String> = placeplan::server::assets::FILES.iter().map(|(n, _)| (*n).to_owned()).collect();
    built.sort();
    assert_eq!(built, on_disk);
}

#[tokio::test]
async fn oversized_requests_are_refused() {
    let req = Request::get("/api/layers")
        .header(header::CONTENT_LENGTH, "1000000")
        .body(Body::from(vec![b'x'; 1_000_000]))
        .expect("request");
    let resp = router(demo_state()).oneshot(req).await.expect("answer");
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[test]
fn serve_listens_on_loopback_by_default() {
    use clap::Parser;
    let cli = placeplan::cli::Cli::try_parse_from(["placeplan", "serve"]).expect("parses");
    match cli.command {
        placeplan::cli::Command::Serve(a) => assert_eq!(a.addr.to_string(), "127.0.0.1:8080"),
        other => panic!("parsed as {other:?}"),
    }
}

#[tokio::test]
async fn leeds_tiles_and_profiles() {
    let Some(dir) = common::real_data() else { return };
    let (m, src) = common::leeds_manifest(&dir);
    let state = Arc::new(AppState::new(Dataset::load(&m, &src, &|_| {}), ServeOptions::default()));
    let hits = get_with(&state, "/api/search?q=gipton", false).await.json();
    let hit = hits
        .as_array()
        .expect("hits")
        .iter()
        .find(|h| h["layer"] == "wards_2023")
        .expect("Gipton & Harehills in wards_2023");
    let code = hit["code"].as_str().expect("code");
    // A postcode finds the ward and planning areas it lies in; a misspelling or missing
    // apostrophe still finds the place; a postcode the data lacks finds nothing.
    let by_postcode = get_with(&state, "/api/search?q=ls8%205bq", false).await.json();
    let first = &by_postcode.as_array().expect("hits")[0];
    assert_eq!(
        (first["layer"].as_str(), first["code"].as_str()),
        (Some("wards_2023"), Some(code)),
        "{by_postcode}"
    );
    assert!(first["name"].as_str().expect("name").starts_with("LS8 5BQ: Gipton"), "{first}");
    assert!(first["point"].is_array());
    assert_eq!(
        get_with(&state, "/api/search?q=ZZ99%209ZZ", false).await.json(),
        serde_json::json!([])
    );
    let armly = get_with(&state, "/api/search?q=armly", false).await.json();
    assert!(
        armly
            .as_array()
            .expect("hits")
            .iter()
            .any(|h| h["name"] == "Armley" && h["layer"] == "wards_2023"),
        "{armly}"
    );
    // "and" and "&" are the same word.
    for q in ["gipton%20and%20harehills", "gipton%20%26%20harehills"] {
        let hits = get_with(&state, &format!("/api/search?q={q}"), false).await.json();
        let layers: Vec<&str> = hits
            .as_array()
            .expect("hits")
            .iter()
            .filter(|h| h["code"].as_str().is_some_and(|c| c.starts_with("E05")))
            .filter_map(|h| h["layer"].as_str())
            .collect();
        assert!(layers.contains(&"wards_2023") && layers.contains(&"wards_2013"), "{q}: {hits}");
    }
    let augustine = get_with(&state, "/api/search?q=st%20augustines", false).await.json();
    assert!(
        augustine.as_array().expect("hits").iter().any(|h| h["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("St Augustine's Catholic Primary School"))),
        "{augustine}"
    );
    let v = get_with(&state, &format!("/api/areas/wards_2023/{code}"), false).await.json();
    let primary = v["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .find(|r| r["phase"] == "primary")
        .expect("primary");
    // Reception–Year 6 pupils against places: 4,802 for 5,109 (the whole headcount, nursery
    // included, read as a deficit).
    assert_eq!(
        primary["status"], "healthy",
        "Gipton & Harehills primary has room in the census year"
    );
    assert_eq!(primary["capacity"].as_f64().map(f64::round), Some(5109.0));
    assert_eq!(primary["pupils"].as_f64().map(f64::round), Some(4802.0));
    assert_eq!(primary["shortfall"].as_f64(), Some(0.0));
    assert!(v["deprivation"]["pct_pop_most_deprived_decile"].as_f64().unwrap_or(0.0) > 90.0);
    // Its tile at z12 carries it with that status.
    let p = [hit["point"][0].as_f64().unwrap_or(0.0), hit["point"][1].as_f64().unwrap_or(0.0)];
    let (x, y) = tile_of(p, 12);
    let r = get_with(&state, &format!("/tiles/wards_2023/12/{x}/{y}.pbf"), false).await;
    let tile = Tile::decode(&r.body[..]).expect("decodes");
    let layer = &tile.layers[0];
    let found = layer.features.iter().any(|f| {
        f.tags
            .chunks(2)
            .any(|kv| layer.keys[kv[0] as usize] == "code" && layer.values[kv[1] as usize].string_value.as_deref() == Some(code))
    });
    assert!(found, "{code} in tile 12/{x}/{y}");
    // Every layer's TileJSON and the LSOA deprivation tiles work on real data.
    for l in [
        "wards_2023",
        "wards_2013",
        "lsoa",
        "planning_areas_primary",
        "planning_areas_secondary",
        "schools",
    ] {
        assert_eq!(
            get_with(&state, &format!("/tiles/{l}.json"), false).await.status,
            StatusCode::OK,
            "{l}"
        );
    }
    let r = get_with(&state, &format!("/tiles/lsoa/12/{x}/{y}.pbf"), false).await;
    let tile = Tile::decode(&r.body[..]).expect("decodes");
    assert!(tile.layers[0].features.len() > 10);
    assert!(tile.layers[0].keys.iter().any(|k| k == "imd_decile"));
}

#[tokio::test]
async fn equity_endpoints_tiles_and_profiles() {
    let state = demo_state();
    // Hot spots of the LSOAs, as computed once at load.
    let h = get("/api/equity/hotspots").await;
    assert_eq!(h.status, StatusCode::OK);
    let h = h.json();
    let lsoas = state
        .ds
        .lsoa_layer
        .map(|li| state.ds.layers[li].areas.len())
        .expect("demo has LSOAs");
    assert_eq!(h["rows"].as_array().map(Vec::len), Some(lsoas));
    assert_eq!(h["metric"], "imd_reverse_rank");
    assert_eq!(h["permutations"], 999);
    // Access: the default is served from memory and equals a fresh run with the same options.
    let a = get("/api/equity/access?phase=primary").await.json();
    let fresh = placeplan::analysis::school_access::access(
        &state.ds,
        &placeplan::analysis::school_access::AccessOptions::defaults(placeplan::model::Phase::Primary),
    )
    .expect("access");
    assert_eq!(a["rows"].as_array().map(Vec::len), Some(fresh.rows.len()));
    assert_eq!(a["places"].as_f64(), Some(fresh.places));
    // Other options are computed on request.
    let g = get("/api/equity/access?phase=secondary&method=gaussian&catchment=6000&supply=good").await;
    assert_eq!(g.status, StatusCode::OK, "{}", String::from_utf8_lossy(&g.body));
    let g = g.json();
    assert_eq!(g["method"], "gaussian");
    assert_eq!(g["catchment_m"], 6000.0);
    assert_eq!(g["supply"], "good");
    let all_secondary = get("/api/equity/access?phase=secondary").await.json();
    assert!(g["places"].as_f64().unwrap_or(f64::INFINITY) < all_secondary["places"].as_f64().unwrap_or(0.0));
    for (uri, status, needle) in [
        (
            "/api/equity/access?method=walk",
            StatusCode::BAD_REQUEST,
            "2sfca, e2sfca or gaussian",
        ),
        ("/api/equity/access?catchment=-5", StatusCode::BAD_REQUEST, "metres above 0"),
        ("/api/equity/access?catchment=900000", StatusCode::BAD_REQUEST, "at most"),
        ("/api/equity/access?supply=best", StatusCode::BAD_REQUEST, "all or good"),
        ("/api/equity/priority/lsoa", StatusCode::NOT_FOUND, "no equity priorities"),
        ("/api/equity/priority/nope", StatusCode::NOT_FOUND, "nope"),
    ] {
        let r = get(uri).await;
        assert_eq!(r.status, status, "{uri}");
        assert!(r.message().contains(needle), "{uri}: {}", r.message());
    }
    // Priorities of the wards: every ward once, ranks 1..k, each with a reason.
    let p = get("/api/equity/priority/wards").await.json();
    let rows = p["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), state.ds.layers[0].areas.len());
    assert!(rows.iter().all(|r| r["reason"].as_str().is_some_and(|s| s.ends_with('.'))));
    let ranks: Vec<u64> = rows.iter().filter_map(|r| r["rank"].as_u64()).collect();
    assert_eq!(ranks, (1..=ranks.len() as u64).collect::<Vec<_>>());
    // The layers list the equity metrics with legends, and the tiles carry their properties.
    let layers = get("/api/layers").await.json();
    let metric_ids = |id: &str| -> Vec<String> {
        layers["layers"]
            .as_array()
            .and_then(|ls| ls.iter().find(|l| l["id"] == id))
            .and_then(|l| l["metrics"].as_array())
            .map(|ms| ms.iter().filter_map(|m| m["id"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let lsoa_metrics = metric_ids("lsoa");
    for m in ["hot_class", "access_primary", "access_secondary", "good_m_primary"] {
        assert!(lsoa_metrics.iter().any(|x| x == m), "{m} in {lsoa_metrics:?}");
    }
    assert!(metric_ids("wards").iter().any(|x| x == "priority_class"));
    let (lsoa, _) = state.map.get("lsoa").expect("lsoa layer");
    let f = &lsoa.features[0];
    let (x, y) = tile_of(f.point.expect("point"), 12);
    let r = get(&format!("/tiles/lsoa/12/{x}/{y}.pbf")).await;
    let tile = Tile::decode(&r.body[..]).expect("decodes");
    for k in ["hot_class", "hot_z", "access_norm_primary", "good_m_primary"] {
        assert!(tile.layers[0].keys.iter().any(|x| x == k), "{k} in LSOA tile");
    }
    // The LSOA's profile says the same in words.
    let v = get(&format!("/api/areas/lsoa/{}", f.code)).await.json();
    let hot = h["rows"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["code"] == f.code.as_str()))
        .expect("row");
    assert_eq!(v["equity"]["hotspot"]["class"], hot["class"]);
    let sentences: Vec<&str> = v["equity"]["sentences"]
        .as_array()
        .expect("sentences")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(sentences.iter().any(|s| s.starts_with("This LSOA is")), "{sentences:?}");
    assert!(
        sentences.iter().any(|s| s.starts_with("Access to primary places is")),
        "{sentences:?}"
    );
    let w = get(&format!("/api/areas/wards/{}", rows[0]["code"].as_str().expect("code")))
        .await
        .json();
    assert_eq!(w["equity"]["priority"]["code"], rows[0]["code"]);
}

#[tokio::test]
async fn exports_download_as_attachments() {
    for (uri, magic, name) in [
        ("/api/export?level=ward&format=xlsx", &b"PK"[..], "ward.xlsx"),
        (
            "/api/export?level=planning_area&format=gpkg",
            &b"SQLite format 3"[..],
            "planning_area.gpkg",
        ),
        // CSV for Excel by default (a byte-order mark first), plain UTF-8 when asked.
        (
            "/api/export?level=school",
            &b"\xEF\xBB\xBF\"level\",\"layer\",\"code\""[..],
            "school.csv",
        ),
        ("/api/export?level=school&csv=plain", &b"level,layer,code"[..], "school.csv"),
        (
            "/api/export?level=la&format=scap_csv",
            &b"\xEF\xBB\xBF\"planning_area\",\"name\",\"phase\",\"ncy\""[..],
            "scap_ncy.csv",
        ),
        (
            "/api/export?level=ward&format=geojson",
            &b"{\"type\":\"FeatureCollection\""[..],
            "ward.geojson",
        ),
    ] {
        let r = get(uri).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{uri}: {}",
            String::from_utf8_lossy(&r.body[..r.body.len().min(200)])
        );
        assert!(r.body.starts_with(magic), "{uri}");
        let cd = r.headers[header::CONTENT_DISPOSITION].to_str().expect("header");
        assert!(cd.contains(name), "{uri}: {cd}");
    }
    for (uri, needle) in [
        ("/api/export?level=county", "must be school"),
        ("/api/export?level=la&format=gpkg", "no polygon"),
        ("/api/export?level=ward&format=pdf", "must be csv"),
        ("/api/export?level=ward&csv=semicolons", "csv=excel"),
        ("/api/export?level=ward&layer=lsoa", "no ward layer"),
    ] {
        let r = get(uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(r.message().contains(needle), "{uri}: {}", r.message());
    }
}

/// Every cacheable answer has an ETag and Cache-Control; asking again with the tag is a bodiless
/// 304; the gzip representation has its own tag; errors are not cached.
#[tokio::test]
async fn answers_carry_etags_and_revalidate_with_304() {
    let state = demo_state();
    let ask = |uri: &'static str, gzip: bool, tag: Option<String>| {
        let state = Arc::clone(&state);
        async move {
            let mut req = Request::get(uri).header(header::HOST, "maps.example:9000");
            if gzip {
                req = req.header(header::ACCEPT_ENCODING, "gzip");
            }
            if let Some(t) = tag {
                req = req.header(header::IF_NONE_MATCH, t);
            }
            let resp = router(state)
                .oneshot(req.body(Body::empty()).expect("request"))
                .await
                .expect("answers");
            let status = resp.status();
            let headers = resp.headers().clone();
            let body = resp.into_body().collect().await.expect("body").to_bytes().to_vec();
            (status, headers, body)
        }
    };
    for uri in ["/api/areas/wards/E05900001", "/tiles/wards.json", "/ward/E05900001", "/palette.css"] {
        let (status, h, body) = ask(uri, false, None).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        let tag = h.get(header::ETAG).expect("etag").to_str().expect("ascii").to_owned();
        assert!(h.get(header::CACHE_CONTROL).is_some(), "{uri}: cache-control");
        let (again, h2, empty) = ask(uri, false, Some(tag.clone())).await;
        assert_eq!(again, StatusCode::NOT_MODIFIED, "{uri}");
        assert!(empty.is_empty(), "{uri}: a 304 has no body");
        assert_eq!(h2.get(header::ETAG).and_then(|v| v.to_str().ok()), Some(tag.as_str()));
        // The same answer made again is byte-identical, with the same tag.
        let (_, h3, body3) = ask(uri, false, None).await;
        assert_eq!(body, body3);
        assert_eq!(h3.get(header::ETAG), h.get(header::ETAG));
        if body.len() > 512 {
            let (_, hz, _) = ask(uri, true, None).await;
            assert_eq!(
                hz.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()),
                Some("gzip"),
                "{uri}"
            );
            assert_ne!(hz.get(header::ETAG), h.get(header::ETAG), "{uri}: gzip has its own tag");
            let (st, _, _) = ask(uri, false, hz.get(header::ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned)).await;
            assert_eq!(st, StatusCode::OK, "{uri}: the gzip tag does not validate the plain body");
        }
    }
    let (status, h, _) = ask("/api/areas/wards/NOPE", false, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(h.get(header::ETAG).is_none(), "errors are not cached");
}

/// Hardening: URLs never come from the Host header; CORS for other sites' maps; errors below the
/// handlers are JSON in placeplan's words; expensive routes are bounded (503 + Retry-After).
#[tokio::test]
async fn hosts_cors_errors_and_limits() {
    // Its own state: it takes every expensive-route permit, which must not stall other tests.
    let (m, src) = placeplan::demo::embedded::demo().expect("demo");
    let opts = ServeOptions {
        origin: Some("http://maps.example:9000".into()),
        ..ServeOptions::default()
    };
    let state = Arc::new(AppState::new(Dataset::load(&m, &src, &|_| {}), opts));
    let send = |req: Request<Body>| {
        let state = Arc::clone(&state);
        async move {
            let resp = router(state).oneshot(req).await.expect("answers");
            let status = resp.status();
            let headers = resp.headers().clone();
            let body = resp.into_body().collect().await.expect("body").to_bytes().to_vec();
            (status, headers, body)
        }
    };
    // A forged Host never reaches a URL.
    let (_, _, body) = send(
        Request::get("/tiles/wards.json")
            .header(header::HOST, "evil.example")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    let text = String::from_utf8(body).expect("utf-8");
    assert!(
        !text.contains("evil.example") && text.contains("http://maps.example:9000/tiles/wards/"),
        "{text}"
    );
    // CORS: any origin may read tiles and the API; the preflight is answered.
    let (_, h, _) = send(
        Request::get("/api/layers")
            .header(header::ORIGIN, "https://other.example")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(h.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).and_then(|v| v.to_str().ok()), Some("*"));
    let (st, h, _) = send(
        Request::options("/tiles/wards/10/0/0.pbf")
            .header(header::ORIGIN, "https://other.example")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert!(st.is_success(), "preflight {st}");
    assert!(h.get(header::ACCESS_CONTROL_ALLOW_METHODS).is_some());
    // Errors answered below the handlers are JSON with placeplan's words.
    let (st, h, body) = send(Request::post("/api/layers").body(Body::empty()).expect("req")).await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
    assert!(h.get(header::ALLOW).is_some());
    let v: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(v["error"], "method_not_allowed");
    let (st, _, body) = send(Request::get("/api/summary?year=soon").body(Body::empty()).expect("req")).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(serde_json::from_slice::<Value>(&body).is_ok(), "{}", String::from_utf8_lossy(&body));
    // Expensive routes: when every permit is taken, 503 with Retry-After, and tiles still answer.
    let permits = Arc::clone(&state.heavy)
        .acquire_many_owned(u32::try_from(state.heavy_limit).expect("n"))
        .await
        .expect("permits");
    let (st, h, body) = send(
        Request::get("/api/export?level=ward&format=csv&fresh=1")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(h.get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("5"));
    assert_eq!(serde_json::from_slice::<Value>(&body).expect("JSON")["error"], "busy");
    let (st, _, _) = send(Request::get("/tiles/wards/10/0/0.pbf").body(Body::empty()).expect("req")).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    drop(permits);
    let (st, _, _) = send(
        Request::get("/api/export?level=ward&format=csv&fresh=1")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
}

/// A `placeplan serve` process on a free loopback port, killed when dropped.
#[cfg(unix)]
struct Served {
    child: std::process::Child,
    addr: String,
}

#[cfg(unix)]
impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(unix)]
impl Served {
    /// Starts `placeplan serve --addr 127.0.0.1:0 ARGS` and waits for its address.
    fn start(args: &[&str]) -> Self {
        use std::io::{BufRead, BufReader};
        let mut child = common::placeplan()
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("starts");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let addr = loop {
            let line = lines.next().expect("a line before exit").expect("utf-8");
            if let Some(rest) = line.trim().strip_prefix("map:  http://") {
                break rest.trim_end_matches('/').to_owned();
            }
        };
        // Keep reading stderr so that the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { child, addr }
    }

    fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// One request on its own connection: status and body.
    fn send(&self, method: &str, path: &str) -> (u16, String) {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&self.addr).expect("connects");
        s.set_read_timeout(Some(std::time::Duration::from_secs(30))).expect("timeout");
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .expect("sends");
        let mut reply = String::new();
        s.read_to_string(&mut reply).expect("reads");
        let status = reply
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("no status in {reply:?}"));
        let body = reply.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        (status, body)
    }

    fn dataset_name(&self) -> String {
        let (st, body) = self.send("GET", "/api/layers");
        assert_eq!(st, 200, "{body}");
        let v: Value = serde_json::from_str(&body).expect("json");
        v["dataset"]["name"].as_str().expect("name").to_owned()
    }
}

/// A real socket: the port is bound before loading, and SIGTERM lets an in-flight request finish
/// and then stops with exit code 0.
#[cfg(unix)]
#[test]
fn sigterm_drains_and_exits_cleanly() {
    use std::io::{Read, Write};
    let mut served = Served::start(&[]);
    let mut s = std::net::TcpStream::connect(&served.addr).expect("connects");
    s.write_all(b"GET /api/layers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("sends");
    served.signal("TERM");
    let mut reply = String::new();
    s.read_to_string(&mut reply).expect("reads");
    assert!(reply.starts_with("HTTP/1.1 200"), "{}", reply.lines().next().unwrap_or_default());
    let code = served.child.wait().expect("exits");
    assert!(code.success(), "{code:?}");
}

/// A real socket: connections that send nothing, half a request, or nothing more after an
/// answer are closed by the idle timeout, and the server still answers afterwards.
#[cfg(unix)]
#[test]
fn idle_and_half_sent_connections_are_closed() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let served = Served::start(&["--idle-timeout", "0.5"]);
    let mut held = Vec::new();
    for i in 0..30 {
        let mut s = std::net::TcpStream::connect(&served.addr).expect("connects");
        s.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
        match i % 3 {
            0 => {}
            1 => s.write_all(b"GET /api/layers HTTP/1.1\r\nHost: x\r\nX-Slow: ").expect("sends"),
            _ => s.write_all(b"GET /palette.css HTTP/1.1\r\nHost: x\r\n\r\n").expect("sends"),
        }
        held.push((i % 3, s));
    }
    let started = Instant::now();
    for (kind, mut s) in held {
        let mut got = Vec::new();
        // Closed by the server: the read ends (EOF or reset) well before the 20 s read timeout.
        let r = s.read_to_end(&mut got);
        if let Err(e) = &r {
            assert!(
                !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
                "kind {kind}: still open after {:?}",
                started.elapsed()
            );
        }
        if kind == 2 {
            assert!(
                String::from_utf8_lossy(&got).starts_with("HTTP/1.1 200"),
                "kind 2 is answered first"
            );
        }
    }
    assert!(started.elapsed() < Duration::from_secs(15), "{:?}", started.elapsed());
    assert_eq!(served.send("GET", "/palette.css").0, 200);
}

/// A real socket: `POST /admin/reload` and SIGHUP load changed data files and serve them; a
/// reload that meets a fatal problem keeps the old data serving and says why; other methods
/// are refused.
#[cfg(unix)]
#[test]
fn reload_swaps_in_changed_data_and_keeps_the_old_on_failure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("boundaries/demo");
    for entry in std::fs::read_dir(&demo).expect("demo") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
    }
    let manifest = dir.path().join("manifest.toml");
    let original = std::fs::read_to_string(&manifest).expect("manifest");
    let served = Served::start(&["--manifest", manifest.to_str().expect("utf-8")]);
    assert_eq!(served.dataset_name(), "Ashcombe (synthetic demo borough)");

    let (st, body) = served.send("GET", "/admin/reload");
    assert_eq!(st, 405, "{body}");

    std::fs::write(&manifest, original.replace("Ashcombe (synthetic", "Ashcombe v2 (synthetic")).expect("write");
    let (st, body) = served.send("POST", "/admin/reload");
    assert_eq!(st, 200, "{body}");
    assert!(body.contains("reloaded"), "{body}");
    assert_eq!(served.dataset_name(), "Ashcombe v2 (synthetic demo borough)");

    // A fatal problem: the wards file is gone. The old data keeps serving.
    std::fs::write(&manifest, original.replace("wards.geojson", "missing-wards.geojson")).expect("write");
    let (st, body) = served.send("POST", "/admin/reload");
    assert_eq!(st, 422, "{body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["error"], "bad_data");
    assert!(v["message"].as_str().expect("message").contains("missing-wards.geojson"), "{body}");
    assert_eq!(served.dataset_name(), "Ashcombe v2 (synthetic demo borough)");

    // SIGHUP reloads too, in the background, and does not stop the server.
    std::fs::write(&manifest, original.replace("Ashcombe (synthetic", "Ashcombe v3 (synthetic")).expect("write");
    served.signal("HUP");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while served.dataset_name() != "Ashcombe v3 (synthetic demo borough)" {
        assert!(std::time::Instant::now() < deadline, "SIGHUP did not reload");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// A real socket: with `--max-connections 2`, two silent clients hold both slots, so a third
/// request waits (it is queued, not refused) and is answered once the idle timeout frees one.
#[cfg(unix)]
#[test]
fn the_connection_cap_queues_until_a_slot_frees() {
    use std::io::{Read, Write};
    use std::time::Duration;
    let served = Served::start(&["--max-connections", "2", "--idle-timeout", "2"]);
    let silent: Vec<std::net::TcpStream> = (0..2)
        .map(|_| std::net::TcpStream::connect(&served.addr).expect("connects"))
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut third = std::net::TcpStream::connect(&served.addr).expect("queued by the system");
    third
        .write_all(b"GET /palette.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("sends");
    third.set_read_timeout(Some(Duration::from_millis(300))).expect("timeout");
    let mut first = [0_u8; 1];
    let early = third.read(&mut first);
    assert!(
        matches!(&early, Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
        "answered while both slots were held: {early:?}"
    );
    third.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut reply = String::new();
    third.read_to_string(&mut reply).expect("answered once a slot freed");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    drop(silent);
}

#[tokio::test]
async fn glyphs_are_served_from_the_built_in_fonts() {
    let r = get("/fonts/Noto%20Sans%20Regular/0-255.pbf").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/x-protobuf");
    assert!(r.body.len() > 20_000, "{} bytes", r.body.len());
    // A stack of several fonts is answered by the first one built in.
    let r = get("/fonts/Open%20Sans%20Bold,Noto%20Sans%20Bold/8192-8447.pbf").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = get("/fonts/Arial/0-255.pbf").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.message().contains("Noto Sans Regular, Noto Sans Bold"), "{}", r.message());
    let r = get("/fonts/Noto%20Sans%20Regular/0-300.pbf").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.message().contains("multiple of 256"), "{}", r.message());
}

#[tokio::test]
async fn the_authority_outline_is_the_union_of_the_wards() {
    let state = demo_state();
    let r = get_with(&state, "/api/outline.geojson", false).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/geo+json");
    let fc: geojson::FeatureCollection = std::str::from_utf8(&r.body).expect("utf-8").parse().expect("GeoJSON");
    assert_eq!(fc.features.len(), 1);
    let g: geo::Geometry<f64> = fc.features[0].geometry.clone().expect("geometry").try_into().expect("geo");
    // In WGS84 degrees²: the dissolved outline covers what the wards cover, with no holes inside.
    let (wards, _) = state.map.get("wards").expect("wards");
    let sum: f64 = wards.features.iter().map(|f| f.wgs84.unsigned_area()).sum();
    let a = g.unsigned_area();
    assert!((a - sum).abs() / sum < 0.002, "outline {a} vs wards {sum}");
    let geo::Geometry::MultiPolygon(mp) = g else {
        panic!("not a multipolygon")
    };
    assert!(mp.0.iter().all(|p| p.interiors().is_empty()), "no slivers left inside");
}

#[tokio::test]
async fn the_schools_layer_lists_its_filters() {
    let v = get("/api/layers").await.json();
    let schools = v["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .find(|l| l["id"] == "schools")
        .expect("schools");
    let f = &schools["filters"];
    let total: u64 = f["types"]
        .as_array()
        .expect("types")
        .iter()
        .map(|t| t[1].as_u64().expect("count"))
        .sum();
    assert_eq!(total, schools["features"].as_u64().expect("features"));
    let rated: u64 = f["ofsted"]
        .as_array()
        .expect("ofsted")
        .iter()
        .map(|t| t[1].as_u64().expect("count"))
        .sum();
    assert_eq!(rated, total, "every school has a rating or 'no rating'");
    // The demo's special schools do not count for places.
    assert!(f["not_counted"].as_u64().expect("not counted") >= 1);
    assert!(
        v["layers"]
            .as_array()
            .expect("layers")
            .iter()
            .filter(|l| l["id"] != "schools")
            .all(|l| l.get("filters").is_none())
    );
}

#[tokio::test]
async fn head_answers_carry_the_length_of_the_get_body() {
    let state = demo_state();
    for uri in ["/tiles/wards/metadata.json", "/tiles/wards.json", "/api/layers"] {
        let body = get_with(&state, uri, false).await.body;
        // First a GET (kept), then a HEAD answered from it; and a HEAD first, on a new URL.
        for u in [uri.to_owned(), format!("{uri}?head=first")] {
            let req = Request::head(u.as_str())
                .header(header::HOST, "maps.example:9000")
                .body(Body::empty())
                .expect("request");
            let resp = router(Arc::clone(&state)).oneshot(req).await.expect("answer");
            assert_eq!(resp.status(), StatusCode::OK, "{u}");
            let len = resp
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<usize>().ok());
            assert_eq!(len, Some(body.len()), "{u}");
            assert!(
                resp.into_body().collect().await.expect("body").to_bytes().is_empty(),
                "{u}: no body"
            );
        }
    }
    // The GDAL tileset metadata: MBTiles keys, with the vector layers as a JSON string.
    let v = get_with(&state, "/tiles/wards/metadata.json", false).await.json();
    assert_eq!((v["format"].as_str(), v["minzoom"].as_str()), (Some("pbf"), Some("0")));
    let layers: Value = serde_json::from_str(v["json"].as_str().expect("json")).expect("layers");
    let ids: Vec<&str> = layers["vector_layers"]
        .as_array()
        .expect("layers")
        .iter()
        .filter_map(|l| l["id"].as_str())
        .collect();
    assert_eq!(ids, ["wards", "wards-labels"]);
    assert_eq!(layers["tilestats"]["layers"][0]["geometry"], "Polygon");
    // Folder listings of a zoom and a column, which GDAL reads to find the tiles; each tile named
    // is served.
    let z = get_with(&state, "/tiles/wards/11/", false).await;
    assert!(
        z.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/html")
    );
    let text = String::from_utf8_lossy(&z.body).into_owned();
    let col = text
        .split("href=\"")
        .skip(2)
        .find_map(|h| h.split('"').next().filter(|c| c.ends_with('/')))
        .expect("a column")
        .to_owned();
    let c = String::from_utf8_lossy(&get_with(&state, &format!("/tiles/wards/11/{col}"), false).await.body).into_owned();
    let tile = c
        .split("href=\"")
        .nth(2)
        .and_then(|h| h.split('"').next())
        .expect("a tile")
        .to_owned();
    assert!(tile.ends_with(".pbf"), "{c}");
    let t = get_with(&state, &format!("/tiles/wards/11/{col}{tile}"), false).await;
    assert!(
        matches!(t.status, StatusCode::OK | StatusCode::NO_CONTENT),
        "{col}{tile}: {}",
        t.status
    );
    assert_eq!(get_with(&state, "/tiles/wards/99/", false).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        get_with(&state, "/tiles/wards/11/99999/", false).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(get_with(&state, "/tiles/nowhere/11/", false).await.status, StatusCode::NOT_FOUND);
}

/// Every polygon in every Leeds tile from zoom 6 to 14 is valid (OGC simple features, as GDAL and
/// PostGIS check it) after clipping, simplification and rounding to the tile grid.
#[test]
fn leeds_tiles_hold_only_valid_polygons() {
    use geo::Validation;
    let Some(ds) = common::leeds() else { return };
    let map = placeplan::map::MapData::build(ds);
    let mut report = Vec::new();
    let (mut checked, mut tiles) = (0usize, 0usize);
    let mut covered = 0.0;
    for (l, t) in map.layers.iter().zip(&map.tiles) {
        if l.kind == placeplan::map::layer::MapKind::Schools {
            continue;
        }
        let [w, s, e, n] = l.bounds;
        for z in 6u8..=14 {
            let (x0, y0) = tile_of([w, n], z);
            let (x1, y1) = tile_of([e, s], z);
            let mut bad = 0;
            for x in x0..=x1 {
                for y in y0..=y1 {
                    let bytes = t.encode(l, TileId::new(u32::from(z), x, y).expect("tile")).expect("encodes");
                    if bytes.is_empty() {
                        continue;
                    }
                    tiles += 1;
                    let tile = Tile::decode(&bytes[..]).expect("MVT");
                    for f in &tile.layers[0].features {
                        // A geometry that does not decode (a ring out of order) is invalid too.
                        checked += 1;
                        match f.to_geo() {
                            Ok(g) if g.is_valid() => {
                                // What lies inside the unbuffered tile, to add up the areas.
                                if z == 12 {
                                    let mp = match g {
                                        geo::Geometry::MultiPolygon(mp) => mp,
                                        geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
                                        _ => continue,
                                    };
                                    let clip =
                                        geo::Rect::new(geo::coord! { x: 0.0, y: 0.0 }, geo::coord! { x: 4096.0, y: 4096.0 }).to_polygon();
                                    covered += geo::BooleanOps::intersection(&mp, &clip).unsigned_area() * unit_metres(z).powi(2);
                                }
                            }
                            _ => bad += 1,
                        }
                    }
                }
            }
            if bad > 0 {
                report.push(format!("{} z{z}: {bad}", l.id));
            }
        }
        // Repairs keep the area: the zoom-12 pieces add up to the layer's area.
        let area: f64 = l.features.iter().map(|f| f.mercator.unsigned_area()).sum();
        assert!(
            (covered - area).abs() / area < 0.005,
            "{}: tiles cover {covered} m² of {area} m²",
            l.id
        );
        covered = 0.0;
    }
    assert!(checked > 1000, "{checked} polygons in {tiles} tiles");
    assert!(
        report.is_empty(),
        "invalid polygons: {report:?} ({checked} checked in {tiles} tiles)"
    );
}

#[tokio::test]
async fn ogc_api_features_core() {
    let land = get("/ogc").await.json();
    let rels: Vec<&str> = land["links"]
        .as_array()
        .expect("links")
        .iter()
        .filter_map(|l| l["rel"].as_str())
        .collect();
    assert!(
        rels.contains(&"conformance") && rels.contains(&"data") && rels.contains(&"service-desc"),
        "{rels:?}"
    );
    // The API definition the landing page links to (QGIS will not open the service without it).
    let api = get("/ogc/api").await;
    assert_eq!(api.headers[header::CONTENT_TYPE], "application/vnd.oai.openapi+json;version=3.0");
    let api = api.json();
    assert!(api["openapi"].as_str().is_some_and(|v| v.starts_with("3.0")));
    for path in [
        "/",
        "/conformance",
        "/collections",
        "/collections/{collectionId}/items",
        "/collections/{collectionId}/items/{featureId}",
    ] {
        assert!(api["paths"][path]["get"].is_object(), "{path}");
    }
    let conf = get("/ogc/conformance").await.json();
    assert!(conf["conformsTo"].to_string().contains("ogcapi-features-1/1.0/conf/core"));
    let cols = get("/ogc/collections").await.json();
    let ids: Vec<&str> = cols["collections"]
        .as_array()
        .expect("collections")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, ["wards", "localities", "lsoa", "schools", "figures"]);
    // The figures in long form, without geometry, filtered: one ward's primary pupils by year.
    let state = demo_state();
    let code = &state.map.get("wards").expect("wards").0.features[0].code;
    let fig = get(&format!(
        "/ogc/collections/figures/items?layer=wards&code={code}&phase=primary&measure=pupils&limit=100"
    ))
    .await
    .json();
    let rows = placeplan::export::rows(&state.ds, placeplan::export::Level::Ward, &[0]);
    let want: Vec<(i64, f64)> = rows
        .iter()
        .filter(|r| r.code == *code && r.phase.as_str() == "primary")
        .map(|r| (i64::from(r.year), r.pupils))
        .collect();
    let got: Vec<(i64, f64)> = fig["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            (
                f["properties"]["year"].as_i64().expect("year"),
                f["properties"]["value"].as_f64().expect("value"),
            )
        })
        .collect();
    assert!(!want.is_empty());
    // serde_json's parser (without float_roundtrip) may miss the last bit.
    assert_eq!(got.len(), want.len());
    for ((gy, gv), (wy, wv)) in got.iter().zip(&want) {
        assert!(gy == wy && (gv - wv).abs() < 1e-9 * wv.abs().max(1.0), "{got:?} vs {want:?}");
    }
    assert!(fig["features"][0]["geometry"].is_null());
    let id = fig["features"][0]["id"].as_str().expect("id");
    let one = get(&format!("/ogc/collections/figures/items/{}", id.replace('/', "%2F"))).await;
    assert_eq!(one.status, StatusCode::OK, "{id}");
    assert_eq!(
        get("/ogc/collections/figures/items?bbox=0,0,1,1").await.status,
        StatusCode::BAD_REQUEST
    );
    // Paging: limit and offset, next links that lead through every feature once.
    let mut seen = Vec::new();
    let mut next = Some("/ogc/collections/lsoa/items?limit=7".to_owned());
    while let Some(uri) = next {
        let r = get(&uri).await;
        assert_eq!(r.headers[header::CONTENT_TYPE], "application/geo+json");
        let v = r.json();
        for f in v["features"].as_array().expect("features") {
            seen.push(f["id"].as_str().expect("id").to_owned());
        }
        assert!(v["numberReturned"].as_u64().expect("returned") <= 7);
        next = v["links"]
            .as_array()
            .expect("links")
            .iter()
            .find(|l| l["rel"] == "next")
            .and_then(|l| l["href"].as_str())
            .map(|h| h.trim_start_matches("http://maps.example:9000").to_owned());
    }
    let total = get("/ogc/collections/lsoa/items?limit=1").await.json()["numberMatched"]
        .as_u64()
        .expect("matched");
    let unique: std::collections::BTreeSet<&String> = seen.iter().collect();
    assert_eq!((seen.len() as u64, unique.len() as u64), (total, total));
    // bbox: only features meeting it; code: one feature; items/{id} the same feature.
    let (wards, _) = state.map.get("wards").expect("wards");
    let p = wards.features[0].point.expect("point");
    let bb = format!("{},{},{},{}", p[0] - 0.0005, p[1] - 0.0005, p[0] + 0.0005, p[1] + 0.0005);
    let hit = get(&format!("/ogc/collections/wards/items?bbox={bb}")).await.json();
    let codes: Vec<&str> = hit["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(codes.contains(&wards.features[0].code.as_str()) && codes.len() <= 3, "{codes:?}");
    let one = get(&format!("/ogc/collections/wards/items?code={}", wards.features[0].code))
        .await
        .json();
    assert_eq!(one["numberMatched"], 1);
    let item = get(&format!("/ogc/collections/wards/items/{}", wards.features[0].code))
        .await
        .json();
    assert_eq!(item["properties"]["name"], wards.features[0].name.as_str());
    assert_eq!(item["geometry"]["type"], "MultiPolygon");
    // Part 2: the geometry in British National Grid, as placeplan computes it, said in Content-Crs.
    let bng = "http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F27700";
    let r = get(&format!("/ogc/collections/wards/items/{}?crs={bng}", wards.features[0].code)).await;
    assert_eq!(r.headers["content-crs"], "<http://www.opengis.net/def/crs/EPSG/0/27700>");
    let g: geo::Geometry<f64> = serde_json::from_value::<geojson::Geometry>(r.json()["geometry"].clone())
        .expect("geometry")
        .try_into()
        .expect("geo");
    let area = &state.ds.layers[wards.boundary.expect("boundary")].areas[0];
    assert!(
        (g.unsigned_area() - geo::Area::unsigned_area(&area.geometry)).abs() < 1e-6,
        "the 27700 outline itself"
    );
    // bbox-crs: a box in metres around the ward's own first vertex finds it.
    let v = area.geometry.0[0].exterior().0[0];
    let bb27700 = format!("{},{},{},{}", v.x - 10.0, v.y - 10.0, v.x + 10.0, v.y + 10.0);
    let near = get(&format!("/ogc/collections/wards/items?bbox={bb27700}&bbox-crs={bng}"))
        .await
        .json();
    let found: Vec<&str> = near["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(found.contains(&wards.features[0].code.as_str()) && found.len() <= 4, "{found:?}");
    // The same numbers read as degrees (the default) are nowhere on Earth: nothing matches.
    assert_eq!(
        get(&format!("/ogc/collections/wards/items?bbox={bb27700}")).await.json()["numberMatched"],
        0
    );
    let schools = get(&format!("/ogc/collections/schools/items?limit=3&crs={bng}")).await.json();
    let x = schools["features"][0]["geometry"]["coordinates"][0].as_f64().expect("easting");
    assert!((0.0..700_000.0).contains(&x) && x > 1000.0, "eastings in metres: {x}");
    assert_eq!(
        get("/ogc/collections/wards/items").await.headers["content-crs"],
        "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    );
    for (uri, status) in [
        ("/ogc/collections/wards/items?crs=EPSG:4326", StatusCode::BAD_REQUEST),
        ("/ogc/collections/nope", StatusCode::NOT_FOUND),
        ("/ogc/collections/wards/items/XX", StatusCode::NOT_FOUND),
        ("/ogc/collections/wards/items?limit=0", StatusCode::BAD_REQUEST),
        ("/ogc/collections/wards/items?limit=20000", StatusCode::BAD_REQUEST),
        ("/ogc/collections/wards/items?bbox=1,2,3", StatusCode::BAD_REQUEST),
        ("/ogc/collections/wards/items?bbox=3,2,1,4", StatusCode::BAD_REQUEST),
    ] {
        assert_eq!(get(uri).await.status, status, "{uri}");
    }
}

/// `serve --disclosure-control` answers as a published site would: the dataset says so, and every
/// area's pupils are rounded to 5.
#[cfg(unix)]
#[test]
fn serve_with_disclosure_control_rounds_every_count() {
    let d = placeplan::model::disclosure::Disclosure::default();
    let s = Served::start(&["--disclosure-control"]);
    let (st, body) = s.send("GET", "/api/layers");
    assert_eq!(st, 200, "{body}");
    let meta: Value = serde_json::from_str(&body).expect("json");
    assert!(meta["dataset"]["disclosure"]["note"].is_string(), "{}", meta["dataset"]);
    let (st, body) = s.send("GET", "/api/areas/wards/E05900003");
    assert_eq!(st, 200, "{body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    let rows = v["figures"].as_array().expect("rows");
    assert!(rows.len() > 10);
    for r in rows {
        let p = r["pupils"].as_f64().expect("pupils");
        assert!(d.is_controlled(p), "{p} in {r}");
    }
    // Without the flag, on this computer, the same area's counts are the unrounded ones.
    let raw = Served::start(&[]);
    let (_, body) = raw.send("GET", "/api/areas/wards/E05900003");
    let v: Value = serde_json::from_str(&body).expect("json");
    assert!(
        v["figures"]
            .as_array()
            .expect("rows")
            .iter()
            .any(|r| !d.is_controlled(r["pupils"].as_f64().expect("pupils")))
    );
}
