//! One source of truth: for the demo's scenario, for random plans over the demo (proptest over
//! expand / open / close / housing) and for Leeds, every view — tile attributes, a decoded tile,
//! `/api/areas`, `/api/wards`, the `/ward` page, the CSV, XLSX and SCAP-style exports and
//! `summary --json` — gives the same places, pupils and shortfall for every area × phase × year.
//! An opened school is on the map, in the panel and in access supply from its opening year only;
//! a closed school's places vanish from its closing year everywhere.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use placeplan::analysis::summary::{SummaryRow, la_rows, layer_rows};
use placeplan::dataset::Dataset;
use placeplan::map::layer::{MapKind, Prop};
use placeplan::model::Phase;
use placeplan::scenario::Scenario;
use placeplan::server::{AppState, ServeOptions, router};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tower::ServiceExt;

/// Map attributes and spreadsheet cells are rounded to 2 dp; CSV and JSON carry full values.
const ROUNDED: f64 = 0.006;

fn near(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol + 1e-9 * b.abs(), "{what}: {a} vs {b}");
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

fn get(rt: &tokio::runtime::Runtime, state: &Arc<AppState>, uri: &str) -> (StatusCode, Vec<u8>) {
    rt.block_on(async {
        let req = Request::get(uri)
            .header(header::HOST, "127.0.0.1:8080")
            .body(Body::empty())
            .expect("request");
        let resp = router(Arc::clone(state)).oneshot(req).await.expect("router answers");
        let status = resp.status();
        (status, resp.into_body().collect().await.expect("body").to_bytes().to_vec())
    })
}

fn json(rt: &tokio::runtime::Runtime, state: &Arc<AppState>, uri: &str) -> Value {
    let (status, body) = get(rt, state, uri);
    assert_eq!(status, StatusCode::OK, "{uri}: {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).expect("JSON")
}

/// The reference: the plan's catalogue row of `layer` (index; `None`: the authority).
type Key = (Option<usize>, String, Phase, i32);

fn reference(ds: &Dataset) -> HashMap<Key, SummaryRow> {
    let mut out = HashMap::new();
    for li in 0..ds.layers.len() {
        for r in &layer_rows(ds, li).expect("layer").rows {
            out.insert((Some(li), r.code.clone(), r.phase, r.year), r.clone());
        }
    }
    for r in la_rows(ds) {
        out.insert((None, r.code.clone(), r.phase, r.year), r.clone());
    }
    out
}

fn phase_of(s: &str) -> Phase {
    Phase::parse(s).unwrap_or_else(|| panic!("phase {s:?}"))
}

/// Every view of `ds` agrees with its catalogue; returns how many figures were compared.
fn every_view_agrees(ds: Dataset) -> usize {
    let state = Arc::new(AppState::new(ds, ServeOptions::default()));
    let ds = &state.ds;
    let reference = reference(ds);
    let rt = rt();
    let mut compared = 0;

    // The catalogue itself, recomputed here from the projection and the places rule alone.
    for (key, r) in &reference {
        let (li, code, phase, year) = key;
        let members: Vec<usize> = match li {
            Some(li) => {
                let a = ds.layers[*li].areas.iter().position(|a| a.code.as_str() == code).expect("area");
                placeplan::analysis::membership::schools_by_area(ds, *li, *phase).swap_remove(a)
            }
            None => (0..ds.schools.len()).filter(|&si| ds.schools[si].in_totals(*phase)).collect(),
        };
        let open: Vec<usize> = members.into_iter().filter(|&si| ds.schools[si].open_in(*year)).collect();
        let places: f64 = open.iter().map(|&si| ds.schools[si].places_in(*phase, *year).unwrap_or(0.0)).sum();
        let pupils: f64 = open
            .iter()
            .map(|&si| {
                ds.pupils(si, *phase, *year)
                    .expect("every school in the totals has pupils each year")
                    .central
            })
            .sum();
        let what = format!("recomputed {key:?}");
        near(r.sufficiency.capacity, places, 1e-6, &what);
        near(r.sufficiency.pupils, pupils, 1e-6, &what);
        assert_eq!(r.schools, open.len(), "{what}: schools");
        if li.is_some() {
            near(r.sufficiency.shortfall, (pupils - places).max(0.0), 1e-6, &what);
        }
        compared += 3;
    }
    // Every school-year of the projection: low ≤ central ≤ high, and year groups sum to central.
    for (k, v) in &ds.projection.pupils {
        assert!(v.low <= v.central + 1e-9 && v.central <= v.high + 1e-9, "{k:?}: {v:?}");
        if let Some(row) = &v.ncy {
            let (a, b) = k.1.year_groups();
            let sum: f64 = row[a.index()..=b.index()].iter().sum();
            near(sum, v.central, 1e-6, &format!("year groups of {k:?}"));
        }
    }

    // The schools layer: each school's pupils per year are its phases' projected pupils, and it is
    // drawn only in the years it is open.
    if let Some(sl) = state.map.layers.iter().find(|l| l.kind == MapKind::Schools) {
        for (fi, f) in sl.features.iter().enumerate() {
            let si = sl.school_index[fi];
            let s = &ds.schools[si];
            let complete: Vec<Phase> = s.phases.iter().copied().filter(|&p| s.figures.complete(p)).collect();
            for (k, v) in &f.props {
                let Some(y) = k.strip_prefix("pupils_").and_then(|y| y.parse::<i32>().ok()) else {
                    continue;
                };
                let Prop::Num(v) = v else { continue };
                let want: f64 = complete.iter().filter_map(|&p| ds.pupils(si, p, y)).map(|x| x.central).sum();
                near(*v, want, ROUNDED, &format!("school {} {y}", f.code));
                assert!(s.open_in(y), "school {} drawn in {y} when it is not open", f.code);
                compared += 1;
            }
        }
    }

    // Tile attributes (the per-layer attribute table the tiles are encoded from) and /api/areas.
    for ml in &state.map.layers {
        let (MapKind::Area(_), Some(li)) = (ml.kind, ml.boundary) else {
            continue;
        };
        for f in &ml.features {
            let props: HashMap<&str, &Prop> = f.props.iter().map(|(k, v)| (k.as_str(), v)).collect();
            let num = |k: &str| match props.get(k) {
                Some(Prop::Num(v)) => Some(*v),
                Some(Prop::Int(v)) => Some(*v as f64),
                _ => None,
            };
            let rows: Vec<&SummaryRow> = reference
                .iter()
                .filter(|(k, _)| k.0 == Some(li) && k.1 == f.code)
                .map(|(_, r)| r)
                .collect();
            assert!(!rows.is_empty() || ml.phases.is_empty(), "{} {} has rows", ml.id, f.code);
            for r in &rows {
                let sfx = format!("{}_{}", r.phase.as_str(), r.year);
                let what = format!("tile {} {} {sfx}", ml.id, f.code);
                near(
                    num(&format!("capacity_{sfx}")).expect("capacity"),
                    r.sufficiency.capacity,
                    ROUNDED,
                    &what,
                );
                near(num(&format!("pupils_{sfx}")).expect("pupils"), r.sufficiency.pupils, ROUNDED, &what);
                near(
                    num(&format!("shortfall_{sfx}")).expect("shortfall"),
                    r.sufficiency.shortfall,
                    ROUNDED,
                    &what,
                );
                compared += 3;
            }
            let profile = json(&rt, &state, &format!("/api/areas/{}/{}", ml.id, f.code));
            let figs = profile["figures"].as_array().expect("figures");
            assert_eq!(figs.len(), rows.len(), "{} {}: one profile row per phase × year", ml.id, f.code);
            for v in figs {
                let key = (
                    Some(li),
                    f.code.clone(),
                    phase_of(v["phase"].as_str().expect("phase")),
                    v["year"].as_i64().expect("year") as i32,
                );
                let r = &reference[&key];
                let what = format!("/api/areas {key:?}");
                near(v["capacity"].as_f64().expect("capacity"), r.sufficiency.capacity, 1e-9, &what);
                near(v["pupils"].as_f64().expect("pupils"), r.sufficiency.pupils, 1e-9, &what);
                near(v["shortfall"].as_f64().expect("shortfall"), r.sufficiency.shortfall, 1e-9, &what);
                compared += 3;
            }
        }
    }

    // A served tile, decoded: the ward layer at a zoom where one tile covers the area.
    if let Some(ml) = state
        .map
        .layers
        .iter()
        .find(|l| matches!(l.kind, MapKind::Area(placeplan::model::LayerKind::Ward)))
    {
        use geozero::mvt::{Message, Tile};
        let [w, s, e, n] = ml.bounds;
        let (lon, lat) = ((w + e) / 2.0, (s + n) / 2.0);
        let z = 9u32;
        let scale = f64::from(1u32 << z);
        let x = ((lon + 180.0) / 360.0 * scale).floor() as u32;
        let r = lat.to_radians();
        let y = ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * scale).floor() as u32;
        let (status, body) = get(&rt, &state, &format!("/tiles/{}/{z}/{x}/{y}.pbf", ml.id));
        assert_eq!(status, StatusCode::OK);
        let tile = Tile::decode(body.as_slice()).expect("MVT");
        let layer = &tile.layers[0];
        let li = ml.boundary.expect("boundary layer");
        let before = compared;
        for f in &layer.features {
            let tags: HashMap<&str, &geozero::mvt::tile::Value> = f
                .tags
                .chunks(2)
                .map(|kv| (layer.keys[kv[0] as usize].as_str(), &layer.values[kv[1] as usize]))
                .collect();
            let code = tags["code"].string_value.clone().expect("code");
            let year = ds.years(Phase::Primary).last().copied().expect("a year");
            let key = (Some(li), code, Phase::Primary, year);
            if let (Some(r), Some(v)) = (reference.get(&key), tags.get(format!("pupils_primary_{year}").as_str())) {
                near(
                    v.double_value.expect("double"),
                    r.sufficiency.pupils,
                    ROUNDED,
                    &format!("decoded tile {key:?}"),
                );
                compared += 1;
            }
        }
        assert!(compared > before, "the decoded tile was compared");
    }

    // /api/wards: every headline figure of every ward (the /ward page renders the same facts).
    let before_wards = compared;
    for ml in state
        .map
        .layers
        .iter()
        .filter(|l| matches!(l.kind, MapKind::Area(placeplan::model::LayerKind::Ward)))
    {
        let layer_index: HashMap<&str, usize> = state.map.layers.iter().filter_map(|l| Some((l.id.as_str(), l.boundary?))).collect();
        for f in &ml.features {
            let facts = json(&rt, &state, &format!("/api/wards/{}?layer={}", f.code, ml.id));
            for h in facts["headline"].as_array().expect("headline") {
                let phase = phase_of(h["phase"].as_str().expect("phase"));
                let areas = std::iter::once(&h["ward"]).chain(h["planning_areas"].as_array().expect("pas"));
                for a in areas {
                    let li = layer_index[a["layer"].as_str().expect("layer")];
                    for y in a["years"].as_array().expect("years") {
                        let Some(row) = y["row"].as_object() else { continue };
                        let key = (
                            Some(li),
                            a["code"].as_str().expect("code").to_owned(),
                            phase,
                            y["year"].as_i64().expect("year") as i32,
                        );
                        let r = &reference[&key];
                        let what = format!("/api/wards {key:?}");
                        near(row["capacity"].as_f64().expect("capacity"), r.sufficiency.capacity, 1e-9, &what);
                        near(row["pupils"].as_f64().expect("pupils"), r.sufficiency.pupils, 1e-9, &what);
                        near(row["shortfall"].as_f64().expect("shortfall"), r.sufficiency.shortfall, 1e-9, &what);
                        compared += 3;
                    }
                }
            }
            let (status, page) = get(&rt, &state, &format!("/ward/{}?layer={}", f.code, ml.id));
            assert_eq!(status, StatusCode::OK);
            let page = String::from_utf8(page).expect("utf-8");
            let li = ml.boundary.expect("boundary");
            let now = &reference[&(Some(li), f.code.clone(), Phase::Primary, ds.census_year)];
            let places = placeplan::text::thousands(now.sufficiency.capacity);
            assert!(page.contains(&places), "/ward/{} shows {places} primary places", f.code);
        }
    }

    assert!(compared > before_wards, "ward figures were compared");

    // CSV downloads (full precision) for every level with areas, and the authority.
    let layer_index: HashMap<String, usize> = ds.layers.iter().enumerate().map(|(i, l)| (l.id.to_string(), i)).collect();
    for level in ["ward", "planning_area", "la"] {
        let (status, body) = get(&rt, &state, &format!("/api/export?level={level}&format=csv"));
        assert_eq!(status, StatusCode::OK, "{level} csv");
        // Written for Excel: the byte-order mark is not part of the first column's name.
        let mut rd = csv::Reader::from_reader(body.strip_prefix(placeplan::export::csv_out::BOM).expect("byte-order mark"));
        let hdr = rd.headers().expect("header").clone();
        let col = |n: &str| hdr.iter().position(|h| h == n).unwrap_or_else(|| panic!("{level} csv has {n}"));
        let (c_layer, c_code, c_phase, c_year) = (col("layer"), col("code"), col("phase"), col("year"));
        let (c_cap, c_pup, c_short) = (col("capacity"), col("pupils"), col("shortfall"));
        let (c_lo, c_hi) = (col("pupils_low"), col("pupils_high"));
        let mut n = 0;
        for rec in rd.records() {
            let rec = rec.expect("record");
            let li = (level != "la").then(|| layer_index[&rec[c_layer]]);
            let key = (
                li,
                rec[c_code].to_owned(),
                phase_of(&rec[c_phase]),
                rec[c_year].parse().expect("year"),
            );
            let r = &reference[&key];
            let f = |c: usize| rec[c].parse::<f64>().expect("number");
            let what = format!("{level} csv {key:?}");
            near(f(c_cap), r.sufficiency.capacity, 1e-9, &what);
            near(f(c_pup), r.sufficiency.pupils, 1e-9, &what);
            near(f(c_short), r.sufficiency.shortfall, 1e-9, &what);
            if !rec[c_lo].is_empty() {
                assert!(
                    f(c_lo) <= r.sufficiency.pupils + 1e-9 && r.sufficiency.pupils <= f(c_hi) + 1e-9,
                    "{what}: low ≤ central ≤ high"
                );
            }
            compared += 3;
            n += 1;
        }
        let expected = reference
            .keys()
            .filter(|k| match level {
                "la" => k.0.is_none(),
                _ => k.0.is_some_and(|li| {
                    let kind = ds.layers[li].kind;
                    placeplan::export::layer_for(
                        ds,
                        if level == "ward" {
                            placeplan::export::Level::Ward
                        } else {
                            placeplan::export::Level::PlanningArea
                        },
                        None,
                    )
                    .is_ok_and(|v| v.contains(&li))
                        && kind != placeplan::model::LayerKind::Lsoa
                }),
            })
            .count();
        assert_eq!(n, expected, "{level} csv has every row");
    }

    // XLSX (planning areas): one sheet per phase, cells rounded for display only.
    {
        use calamine::{Reader, Xlsx};
        let (status, body) = get(&rt, &state, "/api/export?level=planning_area&format=xlsx");
        assert_eq!(status, StatusCode::OK);
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(body)).expect("xlsx");
        let pa_layers = placeplan::export::layer_for(ds, placeplan::export::Level::PlanningArea, None).expect("pa");
        let mut cells = 0;
        for phase in Phase::ALL {
            let Ok(range) = wb.worksheet_range(phase.title()) else { continue };
            let mut rows = range.rows();
            let hdr: Vec<String> = rows.next().expect("header").iter().map(ToString::to_string).collect();
            let col = |n: &str| hdr.iter().position(|h| h == n).unwrap_or_else(|| panic!("xlsx has {n}: {hdr:?}"));
            let (c_code, c_year, c_cap, c_pup, c_short) = (col("Code"), col("Year"), col("Places"), col("Pupils"), col("Short by"));
            for row in rows {
                let code = row[c_code].to_string();
                let year: i32 = row[c_year].to_string().get(..4).and_then(|y| y.parse().ok()).expect("year");
                let li = pa_layers
                    .iter()
                    .copied()
                    .find(|&li| ds.layers[li].serves(phase))
                    .expect("a PA layer for the phase");
                let r = &reference[&(Some(li), code.clone(), phase, year)];
                let f = |c: usize| match &row[c] {
                    calamine::Data::Float(v) => *v,
                    calamine::Data::Int(v) => *v as f64,
                    other => panic!("{code} {year}: {other:?} is not a number"),
                };
                let what = format!("xlsx {} {code} {year}", phase.as_str());
                near(f(c_cap), r.sufficiency.capacity, ROUNDED, &what);
                near(f(c_pup), r.sufficiency.pupils, ROUNDED, &what);
                near(f(c_short), r.sufficiency.shortfall, ROUNDED, &what);
                compared += 3;
                cells += 1;
            }
        }
        let expected = reference.keys().filter(|k| k.0.is_some_and(|li| pa_layers.contains(&li))).count();
        assert_eq!(cells, expected, "the XLSX has every planning-area row");
    }

    // SCAP-style table: year groups sum to the planning area's pupils whenever every school there
    // has year groups.
    {
        let (status, body) = get(&rt, &state, "/api/export?level=la&format=scap_csv");
        assert_eq!(status, StatusCode::OK);
        if !body.is_empty() {
            let mut sums: HashMap<(String, Phase, i32), f64> = HashMap::new();
            let mut rd = csv::Reader::from_reader(body.strip_prefix(placeplan::export::csv_out::BOM).expect("byte-order mark"));
            let hdr = rd.headers().expect("header").clone();
            let col = |n: &str| hdr.iter().position(|h| h == n).unwrap_or_else(|| panic!("scap has {n}: {hdr:?}"));
            let (c_pa, c_phase, c_year, c_pupils) = (col("planning_area"), col("phase"), col("year"), col("pupils"));
            for rec in rd.records() {
                let rec = rec.expect("record");
                *sums
                    .entry((rec[c_pa].to_owned(), phase_of(&rec[c_phase]), rec[c_year].parse().expect("year")))
                    .or_default() += rec[c_pupils].parse::<f64>().expect("pupils");
            }
            assert!(!sums.is_empty(), "a SCAP table with rows");
            let mut checked = 0;
            for ((pa, phase, year), sum) in &sums {
                let li = ds.planning_area_layer(*phase).expect("PA layer");
                let members = &placeplan::analysis::membership::schools_by_area(ds, li, *phase)
                    [ds.layers[li].areas.iter().position(|a| a.code.as_str() == pa).expect("area")];
                let all_ncy = members
                    .iter()
                    .filter(|&&si| ds.schools[si].open_in(*year))
                    .all(|&si| ds.pupils(si, *phase, *year).is_some_and(|v| v.ncy.is_some()));
                if all_ncy {
                    let r = &reference[&(Some(li), pa.clone(), *phase, *year)];
                    near(*sum, r.sufficiency.pupils, 1e-6, &format!("scap {pa} {} {year}", phase.as_str()));
                    compared += 1;
                    checked += 1;
                }
            }
            assert!(checked > 0, "some SCAP area had year groups for every school");
        }
    }
    compared
}

/// `placeplan summary --json` on the embedded demo gives the catalogue's rows.
#[test]
fn summary_json_is_the_catalogue() {
    let ds = common::demo();
    let out = common::placeplan()
        .args(["summary", "--layer", "localities", "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rows = v.as_array().or_else(|| v["rows"].as_array()).expect("rows");
    let reference = reference(ds);
    let li = ds.layers.iter().position(|l| l.id.as_str() == "localities").expect("localities");
    assert_eq!(rows.len(), reference.keys().filter(|k| k.0 == Some(li)).count());
    for r in rows {
        let key = (
            Some(li),
            r["code"].as_str().expect("code").to_owned(),
            phase_of(r["phase"].as_str().expect("phase")),
            r["year"].as_i64().expect("year") as i32,
        );
        let want = &reference[&key];
        near(
            r["capacity"].as_f64().expect("capacity"),
            want.sufficiency.capacity,
            1e-9,
            "summary --json",
        );
        near(
            r["pupils"].as_f64().expect("pupils"),
            want.sufficiency.pupils,
            1e-9,
            "summary --json",
        );
        near(
            r["shortfall"].as_f64().expect("shortfall"),
            want.sufficiency.shortfall,
            1e-9,
            "summary --json",
        );
    }
}

fn demo_scenario() -> Scenario {
    Scenario::read(&std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("boundaries/demo/scenario-inner-east.toml"))
        .expect("scenario")
}

#[test]
fn every_view_agrees_on_the_demo_and_its_scenario() {
    let base = common::demo();
    let n = every_view_agrees(base.clone());
    assert!(n > 1000, "{n} figures compared");
    let sc = base.with_plan(&demo_scenario()).expect("scenario applies");
    // The scenario changes figures (so the comparison is not of two copies of the base).
    assert!(placeplan::analysis::diff::diff(base, &sc).len() > 10);
    every_view_agrees(sc);
}

#[test]
fn every_view_agrees_on_leeds() {
    let Some(ds) = common::leeds() else { return };
    let n = every_view_agrees(ds.clone());
    assert!(n > 1000, "{n} figures compared");
}

/// A closed school has no places from its closing year in any view; before it, it keeps them.
#[test]
fn a_closed_schools_places_vanish_from_its_closing_year() {
    let base = common::demo();
    let sc = base.with_plan(&demo_scenario()).expect("applies");
    let si = sc.schools.iter().position(|s| s.urn.0 == 190_014).expect("Holy Trinity");
    let state = Arc::new(AppState::new(sc, ServeOptions::default()));
    let ds = &state.ds;
    for &y in ds.years(Phase::Primary) {
        let places = placeplan::analysis::summary::school_places(ds, si, Phase::Primary, y);
        let pupils = placeplan::analysis::summary::school_pupils(ds, si, Phase::Primary, y).0;
        if y >= 2028 {
            assert_eq!((places, pupils), (0.0, 0.0), "{y}");
        } else {
            assert!(places > 0.0 && pupils > 0.0, "{y}");
        }
    }
    let schools = state.map.layers.iter().find(|l| l.kind == MapKind::Schools).expect("schools layer");
    let f = schools.features.iter().find(|f| f.code == "190014").expect("on the map");
    let has = |k: &str| f.props.iter().any(|(p, _)| p == k);
    assert!(has("pupils_2027") && !has("pupils_2028") && has("closes"));
    let rt = rt();
    let p = json(&rt, &state, "/api/areas/schools/190014");
    assert!(
        p["school_years"]
            .as_array()
            .expect("years")
            .iter()
            .all(|y| y["year"].as_i64() < Some(2028))
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 6, ..Default::default() })]

    /// Random plans: every view agrees, an opened school counts only from its opening year (map,
    /// panel, totals, access supply) and a closed one only before its closing year.
    #[test]
    fn random_plans_agree_everywhere(
        expand in proptest::collection::vec((0usize..66, 30.0f64..210.0, 1i32..5), 0..3),
        close in proptest::collection::vec((0usize..66, 1i32..5), 0..2),
        open in proptest::collection::vec((0usize..150, 0usize..2, 1i32..5), 0..2),
        housing in proptest::collection::vec((0usize..6, 20.0f64..400.0, 1i32..5), 0..2),
    ) {
        let base = common::demo();
        let census = base.census_year;
        let counted: Vec<&placeplan::model::School> = base.schools.iter().filter(|s| s.in_totals(Phase::Primary) || s.in_totals(Phase::Secondary)).collect();
        let mut toml = String::from("name = \"random\"\n");
        for (i, places, y) in &expand {
            toml += &format!("[[expand]]\nurn = {}\nplaces = {places:.0}\nfrom = {}\n", counted[i % counted.len()].urn, census + y);
        }
        let mut closed = std::collections::BTreeSet::new();
        for (i, y) in &close {
            let s = counted[(i * 7 + 3) % counted.len()];
            if closed.insert(s.urn.0) {
                toml += &format!("[[close]]\nurn = {}\nfrom = {}\n", s.urn, census + y);
            }
        }
        let lsoa = base.lsoa_layer.expect("LSOAs");
        for (k, (i, phase, y)) in open.iter().enumerate() {
            let c = base.lsoas[i % base.lsoas.len()].centroid.expect("centroid");
            let phase = ["primary", "secondary"][*phase];
            toml += &format!("[[open]]\nname = \"New {k}\"\nphase = \"{phase}\"\ncapacity = 420\nfrom = {}\neasting = {}\nnorthing = {}\nurn = {}\n", census + y, c.x, c.y, 995_000 + k);
        }
        let _ = lsoa;
        let pas: Vec<String> = base.layers[base.planning_area_layer(Phase::Primary).expect("PAs")].areas.iter().map(|a| a.code.to_string()).collect();
        for (k, (a, homes, y)) in housing.iter().enumerate() {
            toml += &format!("[[housing]]\nsite = \"Site {k}\"\narea = \"{}\"\ncompletions = [[{}, {homes:.0}]]\n", pas[a % pas.len()], census + y);
        }
        let plan: Scenario = toml::from_str(&toml).expect("plan parses");
        let ds = base.with_plan(&plan).expect("plan applies");
        // The base is shared, never copied.
        proptest::prop_assert!(Arc::ptr_eq(&ds.base, &base.base));
        for (k, (_, phase, y)) in open.iter().enumerate() {
            let si = ds.schools.iter().position(|s| s.urn.0 == 995_000 + u32::try_from(k).expect("k")).expect("opened");
            let phase = [Phase::Primary, Phase::Secondary][*phase];
            let from = census + y;
            for &yr in ds.years(phase) {
                let places = placeplan::analysis::summary::school_places(&ds, si, phase, yr);
                proptest::prop_assert_eq!(places > 0.0, yr >= from, "places of an opened school in {}", yr);
            }
            // Access supply is measured in the census year: the new school is not in it.
            let o = placeplan::analysis::school_access::AccessOptions::defaults(phase);
            let with = placeplan::analysis::school_access::access(&ds, &o).expect("access");
            let without = placeplan::analysis::school_access::access(base, &o).expect("access");
            // (closures start after the census year, so none leaves it either).
            proptest::prop_assert_eq!(with.schools, without.schools);
            proptest::prop_assert_eq!(with.places, without.places);
        }
        for (i, _) in &close {
            let urn = counted[(i * 7 + 3) % counted.len()].urn.0;
            let si = ds.schools.iter().position(|s| s.urn.0 == urn).expect("closed school");
            let from = plan.close.iter().filter(|c| c.urn == urn).map(|c| c.from).min().expect("closure");
            for phase in Phase::ALL.into_iter().filter(|&p| ds.schools[si].in_totals(p)) {
                for &yr in ds.years(phase) {
                    let places = placeplan::analysis::summary::school_places(&ds, si, phase, yr);
                    let pupils = placeplan::analysis::summary::school_pupils(&ds, si, phase, yr).0;
                    if yr >= from {
                        proptest::prop_assert_eq!((places, pupils), (0.0, 0.0), "closed school in {}", yr);
                    } else {
                        proptest::prop_assert!(places > 0.0, "a school keeps its places before it closes ({})", yr);
                    }
                }
            }
        }
        // Closures alone move pupils and lose none (unless a whole planning area closes).
        let closes_only = Scenario { name: "closures".into(), close: plan.close.clone(), ..Scenario::default() };
        let c = base.with_plan(&closes_only).expect("closures apply");
        if !c.projection.notes.iter().any(|n| n.contains("dropped")) {
            let la = |d: &Dataset, p: Phase, y: i32| {
                placeplan::analysis::summary::la_rows(d).iter().find(|r| r.phase == p && r.year == y).map(|r| r.sufficiency.pupils)
            };
            for phase in Phase::ALL {
                for &y in c.years(phase) {
                    if let (Some(a), Some(b)) = (la(&c, phase, y), la(base, phase, y)) {
                        proptest::prop_assert!((a - b).abs() < 1e-6, "pupils conserved in {} {}: {} vs {}", phase.as_str(), y, a, b);
                    }
                }
            }
        }
        every_view_agrees(ds);
    }
}

/// `hotspots` and `access` read only the inputs they use (`Manifest::only`): their figures are
/// the whole manifest's to the last digit, on every layer and metric they take.
#[test]
fn commands_that_read_less_give_the_same_figures() {
    use placeplan::analysis::equity::{HotspotOptions, WeightSpec, hotspots};
    use placeplan::analysis::school_access::{AccessOptions, access};
    use placeplan::manifest::Needs;
    use placeplan::model::Phase;
    let (m, src) = placeplan::demo::embedded::demo().expect("the demo");
    let full = placeplan::dataset::Dataset::load(&m, &src, &|_| {});
    // A layer the manifest does not list (derived planning areas, a typing mistake) reads it all.
    for layer in ["planning_areas_primary", "wardz"] {
        let (mm, left) = m.only(Needs {
            layer: Some(layer),
            schools: false,
            centroids: false,
        });
        assert!(
            left.is_empty() && mm.boundaries.len() == m.boundaries.len() && mm.schools.is_some(),
            "{layer}: {left:?}"
        );
    }
    for layer in ["lsoa", "wards", "localities"] {
        for weights in [WeightSpec::Queen, WeightSpec::Knn(5)] {
            let needs = Needs {
                layer: Some(layer),
                schools: false,
                centroids: matches!(weights, WeightSpec::Knn(_)),
            };
            let (mm, left) = m.only(needs);
            assert!(left.iter().any(|l| l == "schools"), "{left:?}");
            let part = placeplan::dataset::Dataset::load(&mm, &src, &|_| {});
            // The LSOAs alone under contiguity weights need no centroids: none is worked out.
            let no_centroids = layer == "lsoa" && matches!(weights, WeightSpec::Queen);
            assert_eq!(left.iter().any(|l| l == "LSOA centroids"), no_centroids, "{layer} {left:?}");
            assert_eq!(part.lsoas.iter().all(|r| r.centroid.is_none()), no_centroids, "{layer}");
            let li_full = full.layers.iter().position(|l| l.id.as_str() == layer).expect("layer");
            let li_part = part.layers.iter().position(|l| l.id.as_str() == layer).expect("layer kept");
            assert!(part.layers.len() < full.layers.len() || layer == "lsoa");
            let mut o = HotspotOptions::map_default();
            o.weights = weights;
            for metric in ["imd_reverse_rank", "imd_score", "pct_pop_most_deprived_decile"] {
                let a = hotspots(&full, li_full, metric, Phase::Primary, &o).expect("full");
                let b = hotspots(&part, li_part, metric, Phase::Primary, &o).expect("part");
                assert_eq!(
                    serde_json::to_string(&a).expect("json"),
                    serde_json::to_string(&b).expect("json"),
                    "{layer} {metric} {weights:?}"
                );
            }
        }
    }
    let (mm, left) = m.only(Needs {
        layer: None,
        schools: true,
        centroids: true,
    });
    assert!(
        left.iter().any(|l| l == "layer wards") && left.iter().any(|l| l == "housing"),
        "{left:?}"
    );
    let part = placeplan::dataset::Dataset::load(&mm, &src, &|_| {});
    for phase in [Phase::Primary, Phase::Secondary] {
        let o = AccessOptions::defaults(phase);
        assert_eq!(
            serde_json::to_string(&access(&full, &o).expect("full")).expect("json"),
            serde_json::to_string(&access(&part, &o).expect("part")).expect("json"),
            "{phase:?}"
        );
    }
}
