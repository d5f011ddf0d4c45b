//! Planning-grade figures (issue 12): an independent count from the raw Leeds files, written here
//! with the published rules and none of placeplan's analysis, equals `placeplan summary --json`
//! for every 2023 ward × phase; and the rules' edge cases hold.
//!
//! The rules (README, "What counts"): state-funded mainstream schools by GIAS type (16–19 free
//! schools post-16 only); pupils of the phase's year groups from the pupils-by-stage table
//! (primary R + KS1 + KS2, secondary KS3 + KS4, post-16 KS5), else the closed predecessor's row
//! (same LAESTAB); places from SCAP's primary / secondary split for all-through schools, else GIAS
//! `SchoolCapacity`, the Years 7–13 part split between secondary and sixth form by the school's
//! pupils; a sixth form with no pupils is not counted; schools without both figures are left out.

use crate::common;

use geo::{Contains, Distance, Euclidean, Point};
use std::collections::{BTreeMap, HashMap};

const MAINSTREAM: [&str; 10] = [
    "Community school",
    "Voluntary aided school",
    "Voluntary controlled school",
    "Foundation school",
    "Academy converter",
    "Academy sponsor led",
    "Free schools",
    "University technical college",
    "Studio schools",
    "City technology college",
];
const POST16_ONLY: [&str; 3] = ["Free schools 16 to 19", "Academy 16-19 converter", "Academy 16 to 19 sponsor led"];

fn rows(path: &std::path::Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).expect("csv");
    let h: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(|s| s.trim_start_matches('\u{feff}').to_owned())
        .collect();
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            h.iter().cloned().zip(rec.iter().map(str::to_owned)).collect()
        })
        .collect()
}

fn num(s: Option<&String>) -> Option<f64> {
    s.and_then(|v| v.trim().parse::<f64>().ok())
}

/// Places and pupils by phase (0 primary, 1 secondary, 2 post16) of one school, census year.
type Figures = [Option<(f64, f64)>; 3];

#[allow(clippy::too_many_lines)]
fn independent_count(
    dir: &std::path::Path,
) -> (
    Vec<(String, String)>,
    BTreeMap<(String, usize), (f64, f64)>,
    HashMap<String, Figures>,
) {
    let gias = rows(&dir.join("schools_leeds/edubase-leeds.csv"));
    let stages: HashMap<String, HashMap<String, String>> = rows(&dir.join("schools_leeds/leeds_schools_public.csv"))
        .into_iter()
        .map(|r| (r["urn"].clone(), r))
        .collect();
    let scap: HashMap<String, HashMap<String, String>> = rows(&dir.join("scap_2015/leeds_383_scap2015_school_capacity.csv"))
        .into_iter()
        .map(|r| (r["LAEstab"].clone(), r))
        .collect();
    let laestab = |r: &HashMap<String, String>| format!("{}{:0>4}", r["LA (code)"], r["EstablishmentNumber"]);
    let is_open = |r: &HashMap<String, String>| r["EstablishmentStatus (name)"].starts_with("Open");
    let closed: HashMap<String, &HashMap<String, String>> = gias.iter().filter(|r| !is_open(r)).map(|r| (laestab(r), r)).collect();
    let stage = |urn: &str, ph: usize| -> Option<f64> {
        let s = stages.get(urn)?;
        let cols: &[&str] = match ph {
            0 => &["total_reception", "KS1_total", "KS2_total"],
            1 => &["KS3_total", "KS4_total"],
            _ => &["KS5_total"],
        };
        cols.iter().map(|c| num(s.get(*c))).sum()
    };
    let mut figures: HashMap<String, Figures> = HashMap::new();
    let mut located: Vec<(String, Point)> = Vec::new();
    for r in gias.iter().filter(|r| is_open(r)) {
        let ty = r["TypeOfEstablishment (name)"].as_str();
        let post16_only = POST16_ONLY.contains(&ty);
        if !MAINSTREAM.contains(&ty) && !post16_only {
            continue;
        }
        let (Some(lo), Some(hi)) = (num(r.get("StatutoryLowAge")), num(r.get("StatutoryHighAge"))) else {
            continue;
        };
        // Year groups: Reception = age 4 … Year 13 = age 17; no sixth form stops at Year 11.
        let mut last = (hi - 1.0).min(17.0) - 4.0;
        if r["OfficialSixthForm (name)"] == "Does not have a sixth form" {
            last = last.min(11.0);
        }
        let first = lo.max(4.0) - 4.0;
        let in_phase = |a: f64, b: f64| (last.min(b) - first.max(a) + 1.0).max(0.0);
        let mut ygs = [in_phase(0.0, 6.0), in_phase(7.0, 11.0), in_phase(12.0, 13.0)];
        if post16_only {
            ygs = [0.0, 0.0, ygs[2]];
        }
        let urn = r["URN"].clone();
        let pred = closed.get(&laestab(r));
        let mut pupils = [None; 3];
        for ph in 0..3 {
            if ygs[ph] > 0.0 {
                pupils[ph] = stage(&urn, ph).or_else(|| pred.and_then(|p| stage(&p["URN"], ph)));
            }
        }
        // Places: SCAP's split for all-through schools, else the register's capacity by year groups.
        let (prim, block) = match scap.get(&laestab(r)).filter(|s| num(s.get("PrimaryCapacity (2)")).is_some()) {
            Some(s) => (num(s.get("PrimaryCapacity (2)")), num(s.get("SecondaryCapacity (2)"))),
            None => {
                let cap = num(r.get("SchoolCapacity")).or_else(|| pred.and_then(|p| num(p.get("SchoolCapacity"))));
                let all: f64 = ygs.iter().sum();
                (cap.map(|c| c * ygs[0] / all), cap.map(|c| c * (ygs[1] + ygs[2]) / all))
            }
        };
        let mut places = [prim.filter(|_| ygs[0] > 0.0), None, None];
        if let Some(b) = block {
            match (ygs[1] > 0.0, ygs[2] > 0.0, pupils[1], pupils[2]) {
                (true, true, _, Some(six)) if six <= 0.0 => {
                    places[1] = Some(b);
                    pupils[2] = None;
                }
                (true, true, Some(a), Some(c)) => {
                    places[1] = Some(b * a / (a + c));
                    places[2] = Some(b * c / (a + c));
                }
                (true, true, _, _) => {
                    places[1] = Some(b * 5.0 / 7.0);
                    places[2] = Some(b * 2.0 / 7.0);
                }
                (true, false, _, _) => places[1] = Some(b),
                (false, true, _, _) => places[2] = Some(b),
                _ => {}
            }
        }
        let f: Figures = [0, 1, 2].map(|ph| places[ph].zip(pupils[ph]));
        figures.insert(urn.clone(), f);
        if let (Some(e), Some(n)) = (num(r.get("Easting")), num(r.get("Northing"))) {
            let w = placeplan::crs::bng_to_wgs84(e, n).expect("reprojects");
            located.push((urn, Point::new(w.x, w.y)));
        }
    }
    // Schools → 2023 wards by point in polygon (the nearest ward for a school just outside).
    let text = std::fs::read_to_string(dir.join("wards_leeds_2023/E08000035_WD23.geojson")).expect("wards");
    let fc: geojson::FeatureCollection = text.parse().expect("geojson");
    let wards: Vec<(String, String, geo::Geometry<f64>)> = fc
        .features
        .iter()
        .map(|f| {
            let p = f.properties.as_ref().expect("props");
            let g: geo::Geometry<f64> = f.geometry.clone().expect("geometry").try_into().expect("geo");
            (
                p["WD23CD"].as_str().expect("code").to_owned(),
                p["WD23NM"].as_str().expect("name").to_owned(),
                g,
            )
        })
        .collect();
    let mut totals: BTreeMap<(String, usize), (f64, f64)> = BTreeMap::new();
    for (urn, pt) in &located {
        let ward = wards.iter().find(|w| w.2.contains(pt)).or_else(|| {
            wards.iter().min_by(|a, b| {
                let d = |g: &geo::Geometry<f64>| match g {
                    geo::Geometry::Polygon(p) => Euclidean.distance(pt, p),
                    geo::Geometry::MultiPolygon(m) => m.0.iter().map(|p| Euclidean.distance(pt, p)).fold(f64::INFINITY, f64::min),
                    _ => f64::INFINITY,
                };
                d(&a.2).total_cmp(&d(&b.2))
            })
        });
        let code = &ward.expect("a ward").0;
        for (ph, f) in figures[urn].iter().enumerate() {
            if let Some((c, p)) = f {
                let t = totals.entry((code.clone(), ph)).or_default();
                t.0 += c;
                t.1 += p;
            }
        }
    }
    (wards.into_iter().map(|w| (w.0, w.1)).collect(), totals, figures)
}

#[test]
fn leeds_ward_figures_equal_an_independent_count_from_the_raw_files() {
    let Some(dir) = common::real_data() else { return };
    let (wards, totals, schools) = independent_count(&dir);
    assert_eq!(wards.len(), 33);
    // `placeplan summary --json` on the Leeds manifest, pointed at the same folder.
    let tmp = tempfile::tempdir().expect("tmp");
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/leeds/manifest.toml"))
        .expect("manifest")
        .replace("../../../shared/data", &dir.display().to_string().replace('\\', "/"));
    let manifest = tmp.path().join("manifest.toml");
    std::fs::write(&manifest, text).expect("write");
    let out = common::placeplan()
        .args(["summary", "--layer", "wards_2023", "--json", "--manifest"])
        .arg(&manifest)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let rows = v.as_array().expect("rows");
    let phases = ["primary", "secondary", "post16"];
    let mut checked = 0;
    for (code, name) in &wards {
        for (ph, phase) in phases.iter().enumerate() {
            let r = rows
                .iter()
                .find(|r| r["code"] == code.as_str() && r["phase"] == *phase)
                .unwrap_or_else(|| panic!("{name} {phase} in summary"));
            let (c, p) = totals.get(&(code.clone(), ph)).copied().unwrap_or_default();
            let got = (r["capacity"].as_f64().expect("capacity"), r["pupils"].as_f64().expect("pupils"));
            assert!(
                (got.0 - c).abs() < 1e-6 && (got.1 - p).abs() < 1e-6,
                "{name} {phase}: placeplan {got:?}, independent ({c}, {p})"
            );
            let short = (p - c).max(0.0);
            assert!(
                (r["shortfall"].as_f64().expect("shortfall") - short).abs() < 1e-6,
                "{name} {phase} short by"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 33 * 3);
    // The headline cases of the issue: Gipton & Harehills primary has room on Reception–Year 6
    // pupils; Moortown is in deficit once its new academies' predecessors' rolls count.
    // The authority: every counted school's figures.
    let out = common::placeplan()
        .args(["summary", "--layer", "la", "--json", "--manifest"])
        .arg(&manifest)
        .output()
        .expect("runs");
    let la: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    for (ph, phase) in phases.iter().enumerate() {
        let (c, p) = schools
            .values()
            .filter_map(|f| f[ph])
            .fold((0.0, 0.0), |a, (c, p)| (a.0 + c, a.1 + p));
        let r = la.as_array().expect("rows").iter().find(|r| r["phase"] == *phase).expect("LA row");
        assert!((r["capacity"].as_f64().expect("capacity") - c).abs() < 1e-6, "LA {phase} places");
        assert!((r["pupils"].as_f64().expect("pupils") - p).abs() < 1e-6, "LA {phase} pupils");
    }
    let row = |code: &str, phase: &str| rows.iter().find(|r| r["code"] == code && r["phase"] == phase).expect("row");
    assert_eq!(row("E05011394", "primary")["status"], "healthy");
    let moortown = row("E05011405", "primary");
    assert!(moortown["spare_pct"].as_f64().expect("spare %") < -5.0, "{moortown}");
}

#[test]
fn leeds_converters_take_their_predecessors_rolls_and_colleges_add_no_secondary_places() {
    use placeplan::model::Phase;
    let Some(ds) = common::leeds() else { return };
    // Every open counted school whose LAESTAB a closed school had reads pupils, never 0 or none.
    for s in ds.schools.iter().filter(|s| s.open && s.counts()) {
        let has_pred = ds.schools.iter().any(|o| !o.open && o.laestab.is_some() && o.laestab == s.laestab);
        if !has_pred {
            continue;
        }
        for &p in &s.phases {
            let n = s.pupils_now(p);
            assert!(n.is_some_and(|n| n > 0.0), "{} ({}) {}: {n:?}", s.name, s.urn, p.as_str());
        }
    }
    for urn in [148_739, 149_025, 149_546, 149_547] {
        let s = ds.schools.iter().find(|s| s.urn.0 == urn).expect("school");
        assert!(s.in_totals(Phase::Primary), "{} has primary figures", s.name);
    }
    // Elliott Hudson College (a 16–19 free school) counts in post-16 only.
    let eh = ds.schools.iter().find(|s| s.urn.0 == 141_940).expect("Elliott Hudson College");
    assert_eq!(eh.phases, vec![Phase::Post16]);
    assert_eq!(eh.places_in(Phase::Secondary, ds.census_year), None);
    assert_eq!(eh.figures.places(Phase::Post16).map(|f| f.value), Some(1200.0));
    // FE colleges, universities and independent schools count for nothing.
    for s in ds.schools.iter().filter(|s| s.open) {
        let t = s.establishment_type.as_str();
        if t.contains("ndependent") || t == "Further education" || t == "Higher education institutions" {
            assert!(s.phases.is_empty(), "{} counts", s.name);
        }
    }
    // `check` lists every excluded school with its reason.
    let r = placeplan::check::CheckReport::new(ds);
    let excluded = r
        .schools_counted
        .iter()
        .filter(|n| n.kind == placeplan::join::figures::NoteKind::Excluded)
        .count();
    assert_eq!(excluded, ds.schools.iter().filter(|s| s.open && !s.counts()).count());
    assert!(
        r.vintages
            .iter()
            .any(|v| v.input.contains("pupils by stage") && v.year == Some(2022))
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

    /// Adding a school with no figures (no capacity, no roll) anywhere changes no total.
    #[test]
    fn a_school_with_no_figures_changes_no_total(host in 0usize..80, phase in 0usize..3, ages in 0usize..3) {
        use placeplan::analysis::summary::summary;
        let base = common::demo();
        let mut ds = base.clone();
        let open: Vec<usize> = (0..ds.schools.len()).filter(|&i| ds.schools[i].open).collect();
        let h = open[host % open.len()];
        let mut s = ds.schools[h].clone();
        s.urn = placeplan::ids::Urn(999_000 + u32::try_from(host).unwrap_or(0));
        s.name = "No figures school".into();
        s.capacity = None;
        s.pupils = None;
        s.table_split = None;
        s.laestab = None;
        let (lo, hi) = [(4, 11), (11, 16), (11, 18)][ages];
        s.low_age = Some(lo);
        s.high_age = Some(hi);
        let p = placeplan::model::Phase::ALL[phase];
        s.phases = if s.year_groups_in(p) > 0 { vec![p] } else { vec![placeplan::model::Phase::Secondary] };
        s.figures = placeplan::model::PhaseFigures::default();
        ds.schools.push(s);
        for pl in &mut ds.placements {
            let here = pl[h].clone();
            pl.push(here);
        }
        for li in 0..ds.layers.len() {
            let a = summary(base, Some(li), None, None);
            let b = summary(&ds, Some(li), None, None);
            proptest::prop_assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(&b) {
                proptest::prop_assert_eq!(&x.sufficiency, &y.sufficiency);
                proptest::prop_assert_eq!(x.schools, y.schools);
            }
            // … and it is counted as a school with no data where it stands.
            let gaps_a: usize = a.iter().map(|r| r.schools_no_data).sum();
            let gaps_b: usize = b.iter().map(|r| r.schools_no_data).sum();
            proptest::prop_assert!(gaps_b > gaps_a);
        }
        let la_a = summary(base, None, None, None);
        let la_b = summary(&ds, None, None, None);
        for (x, y) in la_a.iter().zip(&la_b) {
            proptest::prop_assert_eq!(&x.sufficiency, &y.sufficiency);
        }
    }
}
