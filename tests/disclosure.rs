//! Disclosure control: when the manifest marks pupil inputs confidential, what is published —
//! every JSON answer, tile, ward page and download of the static site — holds no pupil count
//! that is not rounded to 5 (0 and `c` aside), a school of 1 to 4 pupils is `c` and out of its
//! area's totals (never 0, never "no data"), and every page says so. The same scan over the site
//! of the unrounded data finds counts it would flag, so the scan can fail.

use geozero::mvt::{Message, Tile};
use placeplan::dataset::Dataset;
use placeplan::model::Phase;
use placeplan::model::disclosure::Disclosure;
use placeplan::publish::{ARCHIVE, PublishOptions, publish};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn demo(confidential: bool) -> Dataset {
    let (mut m, src) = placeplan::demo::embedded::demo().expect("embedded demo manifest parses");
    m.rolls.as_mut().expect("the demo has rolls").confidential = confidential;
    Dataset::load(&m, &src, &|_| {})
}

/// Makes the first primary-only school in the totals a school of 3 pupils in the census year (its
/// projection and its census figure, as if its roll said so); returns its index.
fn tiny_school(ds: &mut Dataset) -> usize {
    let si = (0..ds.schools.len())
        .find(|&i| ds.schools[i].in_totals(Phase::Primary) && ds.schools[i].phases == [Phase::Primary])
        .expect("a primary school");
    let key = (ds.schools[si].urn, Phase::Primary, ds.census_year);
    let v = ds.projection.pupils.get_mut(&key).expect("its census pupils");
    (v.central, v.low, v.high) = (3.0, 3.0, 3.0);
    let mut f = ds.schools[si].figures.pupils(Phase::Primary).cloned().expect("a census figure");
    f.value = 3.0;
    ds.schools[si].figures.set_pupils(Phase::Primary, Some(f));
    si
}

/// A key that holds a count of pupils (JSON members, tile properties, CSV and database columns).
fn is_pupil_key(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    k == "pupils" || k.starts_with("pupils_") || k.starts_with("pupils (") || k == "roll" || k == "actual"
}

/// What a scan found: how many counts it checked, and those not as the rule shows them.
#[derive(Default)]
struct Scan {
    checked: usize,
    bad: Vec<String>,
}

impl Scan {
    fn number(&mut self, d: &Disclosure, v: f64, at: &str) {
        self.checked += 1;
        if !d.is_controlled(v) {
            self.bad.push(format!("{at}: {v}"));
        }
    }

    fn text(&mut self, d: &Disclosure, t: &str, at: &str) {
        let t = t.trim();
        if t.is_empty() || t == "c" || t == "—" {
            self.checked += usize::from(t == "c");
            return;
        }
        match t.replace([',', '+'], "").replace('−', "-").parse::<f64>() {
            Ok(v) => self.number(d, v, at),
            Err(_) => self.bad.push(format!("{at}: {t:?} is neither a count nor c")),
        }
    }

    /// Counts of pupils inside words: "865 pupils", "pupils 412 from …", the counts of a split in
    /// proportion to the pupils ("1,247 in Years 7–11 : 303 in Years 12–13"), and every number of
    /// the steps that add up a pupils figure (`pupils` true).
    fn words(&mut self, d: &Disclosure, text: &str, at: &str, pupils: bool) {
        let tokens: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ';'))
            .filter(|t| !t.is_empty())
            .collect();
        let split = text.contains(placeplan::model::figures::ROLL_SPLIT);
        for (i, t) in tokens.iter().enumerate() {
            let t = t.trim_end_matches([',', '.', ':']);
            let Ok(v) = t.replace(',', "").parse::<f64>() else { continue };
            let next = tokens.get(i + 1).copied().unwrap_or_default();
            let prev = if i > 0 { tokens[i - 1] } else { "" };
            let prev2 = if i > 1 { tokens[i - 2] } else { "" };
            // "412 pupils", the provenance's "pupils 412 from …", an explanation's "pupils = 412".
            let counts = (next.starts_with("pupil") && !tokens[i].ends_with([',', ':', '.']))
                || (prev == "pupils" && next == "from")
                || (prev == "=" && prev2.starts_with("pupils"))
                || (split && next == "in" && tokens.get(i + 2).is_some_and(|w| w.starts_with("Year")))
                || pupils;
            if counts {
                let around = tokens[i.saturating_sub(6)..(i + 6).min(tokens.len())].join(" ");
                self.number(d, v, &format!("{at}: …{around}…"));
            }
        }
    }

    fn json(&mut self, d: &Disclosure, v: &Value, key: &str, at: &str) {
        match v {
            Value::Object(m) => {
                // An explanation of a pupils figure: every number of its steps is a count.
                if m.get("metric").and_then(Value::as_str) == Some("pupils") {
                    for step in m.get("steps").and_then(Value::as_array).into_iter().flatten() {
                        self.words(d, step.as_str().unwrap_or_default(), at, true);
                    }
                }
                for (k, x) in m {
                    self.json(d, x, k, at);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| self.json(d, x, key, at)),
            Value::Number(n) if is_pupil_key(key) => self.number(d, n.as_f64().unwrap_or(f64::NAN), &format!("{at} {key}")),
            Value::String(s) if is_pupil_key(key) && s != "c" => self.bad.push(format!("{at} {key}: {s:?}")),
            Value::String(s) => self.words(d, s, at, false),
            _ => {}
        }
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("readable").flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Every cell after `marker` up to the next `<`, in `html`.
fn cells_after<'a>(html: &'a str, marker: &str) -> Vec<&'a str> {
    html.match_indices(marker)
        .filter_map(|(i, _)| {
            let rest = &html[i + marker.len()..];
            let start = rest.find('>')? + 1;
            let end = rest[start..].find('<')?;
            Some(&rest[start..start + end])
        })
        .collect()
}

/// Scans every file of the site at `dir` for pupil counts, by format.
fn scan(dir: &Path, d: &Disclosure) -> Scan {
    let mut s = Scan::default();
    let mut all = Vec::new();
    files(dir, &mut all);
    for p in &all {
        let at = p.strip_prefix(dir).expect("in the site").display().to_string();
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default();
        match ext {
            "json" | "geojson" => {
                let v: Value = serde_json::from_slice(&std::fs::read(p).expect("read")).expect("every JSON file of the site parses");
                s.json(d, &v, "", &at);
            }
            "csv" => {
                let mut r = csv::Reader::from_path(p).expect("CSV");
                let head: Vec<String> = r
                    .headers()
                    .expect("header")
                    .iter()
                    .map(|h| h.trim_start_matches('\u{feff}').to_owned())
                    .collect();
                for row in r.records() {
                    let row = row.expect("row");
                    for (h, cell) in head.iter().zip(row.iter()) {
                        if is_pupil_key(h) {
                            s.text(d, cell, &format!("{at} {h}"));
                        }
                    }
                }
            }
            "html" => {
                let html = std::fs::read_to_string(p).expect("read");
                let text: String = html
                    .split('<')
                    .map(|part| part.split_once('>').map_or(part, |(_, t)| t))
                    .collect::<Vec<_>>()
                    .join(" ");
                s.words(d, &text, &at, false);
                for c in cells_after(&html, r#"data-field="pupils""#) {
                    s.text(d, c, &format!("{at} pupils"));
                }
                // The schools table: places, roll, spare, FSM in its number cells.
                for row in html.split(r"<tr data-urn=").skip(1) {
                    let row = row.split("</tr>").next().unwrap_or_default();
                    let nums = cells_after(row, r#"<td class="num""#);
                    s.text(d, nums.get(1).copied().unwrap_or_default(), &format!("{at} roll"));
                }
            }
            "xlsx" => {
                use calamine::{Data, Reader, open_workbook_auto};
                let mut wb = open_workbook_auto(p).expect("XLSX");
                for name in wb.sheet_names() {
                    let range = wb.worksheet_range(&name).expect("sheet");
                    let mut rows = range.rows();
                    let Some(head) = rows.next() else { continue };
                    let cols: Vec<usize> = head
                        .iter()
                        .enumerate()
                        .filter(|(_, h)| is_pupil_key(&h.to_string()))
                        .map(|(i, _)| i)
                        .collect();
                    for row in rows {
                        for &c in &cols {
                            match &row[c] {
                                Data::Float(v) => s.number(d, *v, &format!("{at} {name}")),
                                Data::Int(v) => s.number(d, *v as f64, &format!("{at} {name}")),
                                Data::String(t) => s.text(d, t, &format!("{at} {name}")),
                                _ => {}
                            }
                        }
                    }
                }
            }
            "gpkg" => {
                let c = rusqlite::Connection::open(p).expect("GeoPackage");
                let tables: Vec<String> = c
                    .prepare("SELECT table_name FROM gpkg_contents")
                    .and_then(|mut q| q.query_map([], |r| r.get(0))?.collect())
                    .expect("contents");
                for t in tables {
                    let cols: Vec<String> = c
                        .prepare(&format!("SELECT name FROM pragma_table_info('{t}')"))
                        .and_then(|mut q| q.query_map([], |r| r.get(0))?.collect())
                        .expect("columns");
                    let mut queries: Vec<String> = cols
                        .iter()
                        .filter(|k| is_pupil_key(k))
                        .map(|k| format!("SELECT \"{k}\" FROM \"{t}\""))
                        .collect();
                    // The long-form table: a pupil measure's value.
                    if cols.iter().any(|k| k == "measure") && cols.iter().any(|k| k == "value") {
                        queries.push(format!("SELECT value FROM \"{t}\" WHERE measure LIKE 'pupils%'"));
                    }
                    for q in queries {
                        let vals: Vec<Option<f64>> = c
                            .prepare(&q)
                            .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
                            .expect("values");
                        for v in vals.into_iter().flatten() {
                            s.number(d, v, &format!("{at} {q}"));
                        }
                    }
                }
            }
            "pmtiles" => scan_archive(p, d, &mut s),
            _ => {}
        }
    }
    s
}

/// Every tile of the archive, decoded: the pupil properties of every feature of every layer.
fn scan_archive(path: &Path, d: &Disclosure, s: &mut Scan) {
    use pmtiles::{AsyncPmTilesReader, TileCoord};
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let reader = AsyncPmTilesReader::new_with_path(path).await.expect("a PMTiles archive");
        let h = reader.get_header();
        let bounds = [h.min_longitude, h.min_latitude, h.max_longitude, h.max_latitude];
        for z in h.min_zoom..=h.max_zoom {
            let (xs, ys) = placeplan::map::archive::tile_range(bounds, z);
            for x in xs {
                for y in ys.clone() {
                    let Some(bytes) = reader
                        .get_tile_decompressed(TileCoord::new(z, x, y).expect("coord"))
                        .await
                        .expect("read")
                    else {
                        continue;
                    };
                    let tile = Tile::decode(bytes.as_ref()).expect("MVT");
                    for layer in &tile.layers {
                        for f in &layer.features {
                            for kv in f.tags.chunks(2) {
                                let key = &layer.keys[kv[0] as usize];
                                let v = &layer.values[kv[1] as usize];
                                let n = v.double_value.or(v.float_value.map(f64::from)).or(v.int_value.map(|i| i as f64));
                                if let (true, Some(n)) = (is_pupil_key(key), n) {
                                    s.number(d, n, &format!("tile {z}/{x}/{y} {} {key}", layer.name));
                                }
                            }
                        }
                    }
                }
            }
        }
    });
}

#[test]
fn a_published_site_holds_no_unrounded_pupil_count() {
    let d = Disclosure::default();
    let mut ds = demo(true);
    assert_eq!(ds.confidential.len(), 1, "{:?}", ds.confidential);
    let si = tiny_school(&mut ds);
    let (urn, name) = (ds.schools[si].urn, ds.schools[si].name.clone());
    let dir = tempfile::tempdir().expect("tmp");
    publish(ds, dir.path(), &PublishOptions::default(), &|_, _, _| {}).expect("published under disclosure control");
    let found = scan(dir.path(), &d);
    assert!(
        found.bad.is_empty(),
        "{} unrounded of {}: {:?}",
        found.bad.len(),
        found.checked,
        &found.bad[..found.bad.len().min(20)]
    );
    assert!(found.checked > 5_000, "the scan read the site's counts: {}", found.checked);

    // The tiny school: c in its panel, its tile and its ward page, and out of its ward's totals.
    let meta: Value = serde_json::from_slice(&std::fs::read(dir.path().join("api/layers.json")).expect("layers")).expect("JSON");
    assert!(
        meta["dataset"]["disclosure"]["note"]
            .as_str()
            .is_some_and(|n| n.contains("rounded to the nearest 5"))
    );
    let profile: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(format!("api/areas/schools/{urn}.json"))).expect("school profile"))
            .expect("JSON");
    let line = &profile["schools"][0][1][0];
    assert_eq!(
        (line["suppressed"].as_bool(), line["pupils"].is_null()),
        (Some(true), true),
        "{line}"
    );
    let census = meta["dataset"]["census_year"].as_i64().expect("census year");
    let (mut with, mut apart) = (0, 0);
    let mut ward_pages = 0;
    let mut all = Vec::new();
    files(dir.path(), &mut all);
    for p in all.iter().filter(|p| p.extension().is_some_and(|e| e == "html")) {
        let html = std::fs::read_to_string(p).expect("read");
        // Every page made from the figures says they are rounded.
        if p.parent().is_some_and(|d| d.ends_with("ward/wards")) {
            ward_pages += 1;
            assert!(html.contains(r#"data-field="disclosure""#), "{}", p.display());
            if html.contains(&format!(r#"<tr data-urn="{urn}">"#)) {
                let row = html
                    .split(&format!(r#"<tr data-urn="{urn}">"#))
                    .nth(1)
                    .and_then(|r| r.split("</tr>").next())
                    .expect("its row");
                assert_eq!(cells_after(row, r#"<td class="num""#).get(1).copied(), Some("c"), "{name}: {row}");
                with += 1;
            }
        }
    }
    assert!(ward_pages > 5 && with == 1, "{ward_pages} ward pages, {with} with the tiny school");
    for f in std::fs::read_dir(dir.path().join("api/areas/wards"))
        .expect("ward profiles")
        .flatten()
    {
        let v: Value = serde_json::from_slice(&std::fs::read(f.path()).expect("read")).expect("JSON");
        for r in v["figures"].as_array().into_iter().flatten() {
            if r["phase"] == "primary" && r["year"].as_i64() == Some(census) && r["schools_suppressed"].as_u64() == Some(1) {
                apart += 1;
            }
        }
    }
    assert_eq!(apart, 1, "one ward's census-year primary row counts the tiny school apart");
    let readme = std::fs::read_to_string(dir.path().join("README.txt")).expect("README");
    assert!(readme.contains("DISCLOSURE CONTROL"), "{readme}");
}

#[test]
fn the_scan_finds_the_unrounded_counts_of_a_site_without_control() {
    let ds = demo(false);
    assert!(ds.confidential.is_empty() && ds.disclosure.is_none());
    let dir = tempfile::tempdir().expect("tmp");
    publish(ds, dir.path(), &PublishOptions::default(), &|_, _, _| {}).expect("published");
    let found = scan(dir.path(), &Disclosure::default());
    assert!(
        found.bad.len() > 1_000,
        "the unrounded site has counts the rule would change: {}",
        found.bad.len()
    );
    // Counts in words too: sentences, provenance, the rule of a split by the roll, explanations.
    let in_words: Vec<&String> = found.bad.iter().filter(|b| b.contains('…')).collect();
    assert!(in_words.len() > 100, "{}", in_words.len());
    for what in [" from ", "in Years 7–11", "pupils in", "pupils = "] {
        assert!(in_words.iter().any(|b| b.contains(what)), "the scan reads counts in {what:?}");
    }
    assert!(dir.path().join(ARCHIVE).is_file());
}

#[test]
fn a_suppressed_school_is_c_and_counted_as_five() {
    let d = Disclosure::default();
    let mut raw = demo(true);
    let si = tiny_school(&mut raw);
    let (li, area) = raw
        .layers
        .iter()
        .position(|l| l.id.as_str() == "wards")
        .and_then(|li| Some((li, raw.placements[li][si].area()?)))
        .expect("the tiny school is in a ward");
    let code = raw.layers[li].areas[area].code.to_string();
    let census = raw.census_year;
    let before = placeplan::analysis::summary::layer_rows(&raw, li)
        .and_then(|l| l.get(&code, Phase::Primary, census))
        .cloned()
        .expect("its ward's row");
    let ds = raw.clone().disclosed();
    assert_eq!(ds.disclosure, Some(d));
    assert!(ds.suppressed(si, Phase::Primary, census));
    assert_eq!(ds.schools[si].pupils_now(Phase::Primary), None, "shown as c, never read as 0");
    assert_eq!(
        ds.schools[si].figures.pupils(Phase::Primary).map(|f| f.shown()).as_deref(),
        Some("c")
    );
    assert_eq!(placeplan::analysis::summary::school_pupils(&ds, si, Phase::Primary, census).0, 5.0);
    let after = placeplan::analysis::summary::layer_rows(&ds, li)
        .and_then(|l| l.get(&code, Phase::Primary, census))
        .expect("its ward's row");
    // It stays in its ward, places and all (no false deficit), and is counted apart as c.
    assert_eq!((after.schools, after.schools_suppressed), (before.schools, 1));
    assert!((after.sufficiency.capacity - before.sufficiency.capacity).abs() < 1e-9);
    assert!(d.is_controlled(after.sufficiency.pupils), "{}", after.sufficiency.pupils);
    // The area is the sum of its schools as counted, and spare is worked out from it.
    assert!((after.sufficiency.spare - (after.sufficiency.capacity - after.sufficiency.pupils)).abs() < 1e-9);
    let members = placeplan::analysis::membership::schools_by_area(&ds, li, Phase::Primary).swap_remove(area);
    let sum: f64 = members
        .iter()
        .map(|&s| placeplan::analysis::summary::school_pupils(&ds, s, Phase::Primary, census).0)
        .sum();
    assert_eq!(sum, after.sufficiency.pupils);
    // Its forecast years are not suppressed, and every plan of the rounded data is rounded too.
    let y = *ds.years(Phase::Primary).last().expect("a forecast year");
    assert!(y > census && !ds.suppressed(si, Phase::Primary, y));
    let plan = ds.with_plan(&placeplan::projection::Plan::default()).expect("the empty plan");
    assert_eq!(plan.disclosure, Some(d));
    assert!(
        plan.projection
            .pupils
            .values()
            .all(|v| d.is_controlled(v.central) && d.is_controlled(v.low) && d.is_controlled(v.high))
    );
    // The explanation of its ward's pupils shows it as c and counts it as 5.
    let e = placeplan::analysis::explain::explain(
        &ds,
        Some(li),
        &code,
        placeplan::analysis::explain::Metric::Pupils,
        Phase::Primary,
        Some(census),
    )
    .expect("explains");
    assert!(e.steps[0].contains("counted as 5"), "{:?}", e.steps);
    assert!(e.steps.iter().any(|s| s.contains("5 (c)")), "{:?}", e.steps);
    assert_eq!(e.value, Some(after.sufficiency.pupils));
}

/// Places of Years 7–13 split in proportion to the pupils are split again by the rounded counts,
/// so that neither the places nor the rule's words give the unrounded counts back.
#[test]
fn a_split_by_the_roll_is_redone_with_the_rounded_counts() {
    let d = Disclosure::default();
    let raw = demo(true);
    let split = |ds: &Dataset, si: usize| {
        let f = &ds.schools[si].figures;
        let (a, c) = (f.pupils(Phase::Secondary)?.value, f.pupils(Phase::Post16)?.value);
        let (ps, p6) = (f.places(Phase::Secondary)?, f.places(Phase::Post16)?);
        Some((a, c, ps.value, p6.value, ps.estimate.clone()?))
    };
    let found: Vec<usize> = (0..raw.schools.len())
        .filter(|&si| split(&raw, si).is_some_and(|s| s.4.contains(placeplan::model::figures::ROLL_SPLIT)))
        .collect();
    assert!(
        !found.is_empty(),
        "the demo has schools whose Years 7–13 places are split by the roll"
    );
    let ds = raw.clone().disclosed();
    for si in found {
        let (a0, c0, s0, x0, _) = split(&raw, si).expect("raw");
        let (a, c, s, x, rule) = split(&ds, si).expect("controlled");
        assert!((s + x - (s0 + x0)).abs() < 1e-9, "the block keeps its places");
        assert!((s / (s + x) - a / (a + c)).abs() < 1e-12, "split by the rounded counts");
        assert!(d.is_controlled(a) && d.is_controlled(c));
        assert!(!rule.contains(&placeplan::text::thousands(a0)) || d.is_controlled(a0), "{rule}");
        assert!(
            !rule.contains(&format!(": {} in", placeplan::text::thousands(c0))) || d.is_controlled(c0),
            "{rule}"
        );
        assert!(rule.ends_with("(rounded counts)"), "{rule}");
    }
}

#[test]
fn confidential_inputs_that_are_not_pupil_counts_are_not_published() {
    let (mut m, src) = placeplan::demo::embedded::demo().expect("demo");
    m.deprivation.first_mut().expect("the demo has deprivation").confidential = true;
    let ds = Dataset::load(&m, &src, &|_| {});
    assert_eq!((ds.confidential.len(), ds.confidential_other.len()), (0, 1));
    let dir = tempfile::tempdir().expect("tmp");
    let err = publish(ds, dir.path(), &PublishOptions::default(), &|_, _, _| {}).expect_err("refused");
    let why = err.to_string();
    assert!(why.contains("deprivation") && why.contains("nothing was published"), "{why}");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0, "nothing written");
}
