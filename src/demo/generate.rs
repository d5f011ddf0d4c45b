//! Generates the synthetic demo borough ("Ashcombe", a made-up authority with fictional
//! `E019…`/`E059…` codes that no real area uses).
//!
//! Shape and scale follow a mid-sized English district: 150 LSOAs (about 1,500 people each)
//! on a jittered lattice, 20 wards dissolved from them, 6 localities (planning areas) cut as
//! a Voronoi diagram that does **not** follow LSOA edges (so apportionment has work to do),
//! 80 schools plus 4 closed ones, deprivation clustered in an inner-east pocket and a
//! smaller western estate, and faster child-population growth in the east so that some
//! localities head into deficit in the forecast years.
//!
//! The output is deterministic for a seed: `tests/demo.rs` regenerates it and compares bytes
//! with the committed copy in `boundaries/demo/`.

use super::rng::SplitMix;
use crate::crs::bng_to_wgs84;
use crate::geometry::dissolve;
use geo::{Area, BooleanOps, BoundingRect, Centroid, Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::path::Path;

/// Why the demo could not be written.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// Writing a file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The shapefile writer failed.
    #[error("cannot write the LSOA shapefile: {0}")]
    Shapefile(String),
    /// Reprojection failed (a bug in the generator's extent).
    #[error("reprojection failed: {0}")]
    Crs(#[from] crate::crs::CrsError),
}

/// The seed of the committed demo.
pub const SEED: u64 = 20_261_122;
/// Academic year of the demo's rolls (2024 = 2024/25).
pub const CENSUS_YEAR: i32 = 2024;
const COLS: usize = 15;
const ROWS: usize = 10;
const CELL: f64 = 800.0;
const E0: f64 = 452_000.0;
const N0: f64 = 262_000.0;
const WIDTH: f64 = COLS as f64 * CELL;
const HEIGHT: f64 = ROWS as f64 * CELL;

const WARD_NAMES: [&str; 20] = [
    "Ashcombe Moor",
    "Bramwell",
    "Castlegate",
    "Dunmore",
    "Elmstead",
    "Fairholme",
    "Greyfield",
    "Hollins",
    "Ironbridge East",
    "Juniper Vale",
    "Kingsmead",
    "Larkfield",
    "Millbrook",
    "Netherby",
    "Oakhurst",
    "Pennyfold",
    "Queensway",
    "Riverside",
    "Stonecross",
    "Thornbury Park",
];
const LOCALITY_NAMES: [&str; 6] = ["North", "North East", "Inner East", "South East", "South West", "West"];

struct Lsoa {
    code: String,
    name: String,
    poly: Polygon<f64>,
    dep: f64,
    ages: Vec<u32>,
}

/// Writes the demo borough into `out` and returns the file names written.
///
/// # Errors
/// [`GenerateError`] when a file cannot be written.
#[allow(clippy::too_many_lines)]
pub fn generate(out: &Path, seed: u64) -> Result<Vec<String>, GenerateError> {
    let mut rng = SplitMix::new(seed);
    std::fs::create_dir_all(out).map_err(|source| GenerateError::Io {
        path: out.display().to_string(),
        source,
    })?;
    let round = |v: f64| (v * 10.0).round() / 10.0;

    // 1. A jittered lattice with jittered edge midpoints: shared vertices give a clean tiling.
    let mut v = vec![vec![Coord::zero(); ROWS + 1]; COLS + 1];
    for (i, col) in v.iter_mut().enumerate() {
        for (j, c) in col.iter_mut().enumerate() {
            *c = Coord {
                x: round(E0 + i as f64 * CELL + rng.range(-0.22, 0.22) * CELL),
                y: round(N0 + j as f64 * CELL + rng.range(-0.22, 0.22) * CELL),
            };
        }
    }
    let mid = |a: Coord, b: Coord, rng: &mut SplitMix| {
        let m = (a + b) / 2.0;
        let d = b - a;
        let len = (d.x * d.x + d.y * d.y).sqrt().max(1.0);
        let k = rng.range(-0.14, 0.14) * CELL;
        Coord {
            x: round(m.x - d.y / len * k),
            y: round(m.y + d.x / len * k),
        }
    };
    let mut h = vec![vec![Coord::zero(); ROWS + 1]; COLS];
    for i in 0..COLS {
        for j in 0..=ROWS {
            h[i][j] = mid(v[i][j], v[i + 1][j], &mut rng);
        }
    }
    let mut vm = vec![vec![Coord::zero(); ROWS]; COLS + 1];
    for i in 0..=COLS {
        for j in 0..ROWS {
            vm[i][j] = mid(v[i][j], v[i][j + 1], &mut rng);
        }
    }

    // 2. Deprivation field and population.
    let frac = |p: Coord| ((p.x - E0) / WIDTH, (p.y - N0) / HEIGHT);
    let field = |p: Coord| {
        let (fx, fy) = frac(p);
        let g =
            |cx: f64, cy: f64, s: f64| (-((fx - cx).powi(2) * WIDTH * WIDTH + (fy - cy).powi(2) * HEIGHT * HEIGHT) / (2.0 * s * s)).exp();
        g(0.68, 0.45, 2300.0) + 0.65 * g(0.18, 0.72, 1300.0)
    };
    let mut lsoas = Vec::with_capacity(COLS * ROWS);
    for r in 0..ROWS {
        for c in 0..COLS {
            let ring = vec![
                v[c][r],
                h[c][r],
                v[c + 1][r],
                vm[c + 1][r],
                v[c + 1][r + 1],
                h[c][r + 1],
                v[c][r + 1],
                vm[c][r],
                v[c][r],
            ];
            let poly = Polygon::new(LineString::new(ring), vec![]);
            let centre = poly.centroid().map_or(v[c][r], |p| p.0);
            let dep = (field(centre) + 0.12 * rng.normal()).max(0.0);
            let (fx, _) = frac(centre);
            let total = (1500.0 + 260.0 * rng.normal() + 450.0 * dep).max(900.0);
            // Younger, growing populations in the east: more 0–4s than 5–10s there.
            let young = 0.85 + 0.45 * fx + 0.25 * dep;
            let weights: Vec<f64> = (0..=90)
                .map(|a: u32| {
                    let base = match a {
                        0..=4 => 1.15 * young,
                        5..=10 => 1.15 * (0.9 + 0.25 * dep + 0.15 * fx),
                        11..=15 => 1.1 * (0.95 + 0.2 * dep),
                        16..=24 => 1.25,
                        25..=44 => 1.4,
                        45..=64 => 1.25,
                        65..=89 => 1.0 - f64::from(a - 65) * 0.035,
                        _ => 0.35,
                    };
                    base * rng.range(0.85, 1.15)
                })
                .collect();
            let wsum: f64 = weights.iter().sum();
            let ages: Vec<u32> = weights.iter().map(|w| (total * w / wsum).round() as u32).collect();
            let n = r * COLS + c + 1;
            lsoas.push(Lsoa {
                code: format!("E0190{n:04}"),
                name: String::new(),
                poly,
                dep,
                ages,
            });
        }
    }

    // 3. Wards: LSOAs to the nearest of 20 jittered seeds, dissolved.
    let ward_seeds: Vec<Coord> = (0..20)
        .map(|k| Coord {
            x: E0 + ((k % 5) as f64 + 0.5 + rng.range(-0.25, 0.25)) * WIDTH / 5.0,
            y: N0 + ((k / 5) as f64 + 0.5 + rng.range(-0.25, 0.25)) * HEIGHT / 4.0,
        })
        .collect();
    let nearest = |p: Coord, seeds: &[Coord]| {
        seeds
            .iter()
            .enumerate()
            .min_by(|a, b| dist2(*a.1, p).total_cmp(&dist2(*b.1, p)))
            .map_or(0, |(i, _)| i)
    };
    let ward_of: Vec<usize> = lsoas
        .iter()
        .map(|l| nearest(l.poly.centroid().map_or(Coord::zero(), |p| p.0), &ward_seeds))
        .collect();
    let mut counters = [0u8; 20];
    for (l, &w) in lsoas.iter_mut().zip(&ward_of) {
        let letter = char::from(b'A' + counters[w] % 26);
        counters[w] += 1;
        l.name = format!("{} {:03}{letter}", "Ashcombe", w + 1);
    }
    let lsoa_mps: Vec<MultiPolygon<f64>> = lsoas.iter().map(|l| MultiPolygon::new(vec![l.poly.clone()])).collect();
    let wards: Vec<(String, String, MultiPolygon<f64>)> = (0..20)
        .filter(|w| ward_of.contains(w))
        .map(|w| {
            let members = ward_of.iter().enumerate().filter(|(_, x)| **x == w).map(|(i, _)| &lsoa_mps[i]);
            (format!("E0590{:04}", w + 1), WARD_NAMES[w].to_owned(), dissolve(members))
        })
        .collect();
    let borough = dissolve(lsoa_mps.iter());

    // 4. Localities: a Voronoi diagram of 6 seeds clipped to the borough (cuts across LSOAs).
    let loc_seeds = [(0.3, 0.82), (0.75, 0.8), (0.62, 0.45), (0.8, 0.15), (0.35, 0.2), (0.12, 0.55)].map(|(fx, fy)| Coord {
        x: E0 + fx * WIDTH + rng.range(-300.0, 300.0),
        y: N0 + fy * HEIGHT + rng.range(-300.0, 300.0),
    });
    let localities: Vec<(String, String, MultiPolygon<f64>)> = loc_seeds
        .iter()
        .enumerate()
        .map(|(i, &a)| {
            let mut cell = borough.clone();
            for (j, &b) in loc_seeds.iter().enumerate() {
                if i != j {
                    cell = cell.intersection(&half_plane(a, b));
                }
            }
            (
                format!("PA{:02}", i + 1),
                format!("{} locality", LOCALITY_NAMES[i]),
                round_mp(&cell, 0.1),
            )
        })
        .collect();

    // 5. Schools.
    let mut schools: Vec<DemoSchool> = Vec::new();
    let mut order: Vec<usize> = (0..lsoas.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let site = |l: &Lsoa, rng: &mut SplitMix| {
        let c = l.poly.centroid().map_or(Coord::zero(), |p| p.0);
        let p = Coord {
            x: (c.x + rng.range(-150.0, 150.0)).round(),
            y: (c.y + rng.range(-150.0, 150.0)).round(),
        };
        if l.poly.contains(&Point::from(p)) {
            p
        } else {
            Coord {
                x: c.x.round(),
                y: c.y.round(),
            }
        }
    };
    let place = |kind: Kind, count: usize, min_d: f64, schools: &mut Vec<DemoSchool>, rng: &mut SplitMix| {
        let mut placed = 0;
        for pass in 0..3 {
            for &li in &order {
                if placed == count {
                    return;
                }
                let p = site(&lsoas[li], rng);
                let d = min_d * [1.0, 0.8, 0.6][pass];
                if schools.iter().filter(|s| s.kind.same_family(kind)).all(|s| dist2(s.at, p) >= d * d) {
                    schools.push(DemoSchool { kind, at: p, lsoa: li });
                    placed += 1;
                }
            }
        }
    };
    place(Kind::Primary, 64, 1150.0, &mut schools, &mut rng);
    place(Kind::Secondary, 12, 2600.0, &mut schools, &mut rng);
    place(Kind::AllThrough, 2, 2000.0, &mut schools, &mut rng);
    place(Kind::Special, 2, 3000.0, &mut schools, &mut rng);
    place(Kind::ClosedPrimary, 4, 1500.0, &mut schools, &mut rng);

    let mut gias = String::from(
        "URN,LA (code),EstablishmentNumber,EstablishmentName,TypeOfEstablishment (name),EstablishmentStatus (name),PhaseOfEducation (name),StatutoryLowAge,StatutoryHighAge,SchoolCapacity,NumberOfPupils,PercentageFSM,OfstedRating (name),Easting,Northing,LSOA (code)\n",
    );
    let mut pending: Vec<Pending> = Vec::new();
    let ofsted = ["Outstanding", "Good", "Good", "Good", "Good", "Requires improvement", "Inadequate"];
    let prefixes = [
        "St Aidan's",
        "Holy Trinity",
        "Meadow",
        "Brook",
        "Fernlea",
        "Hillside",
        "Willow",
        "Moorside",
        "Beech",
        "Cedar",
        "Foxhill",
        "Highfield",
    ];
    for (k, s) in schools.iter().enumerate() {
        let l = &lsoas[s.lsoa];
        let (fx, _) = frac(s.at);
        let urn = 190_001 + k as u32;
        let place_name = WARD_NAMES[ward_of[s.lsoa]].split(' ').next().unwrap_or("Ashcombe");
        let prefix = prefixes[k % prefixes.len()];
        let (name, ty, status, phase, lo, hi, cap, estab) = match s.kind {
            Kind::Primary | Kind::ClosedPrimary => {
                let fe = [1.0, 1.5, 2.0, 2.0, 3.0][rng.below(5)];
                let open = s.kind == Kind::Primary;
                let n = if open {
                    format!("{place_name} {prefix} Primary School")
                } else {
                    format!("{place_name} {prefix} Infant School (closed)")
                };
                (
                    n,
                    if k % 3 == 0 { "Academy converter" } else { "Community school" },
                    if open { "Open" } else { "Closed" },
                    "Primary",
                    4,
                    11,
                    fe * 210.0,
                    2000 + k,
                )
            }
            Kind::Secondary => {
                let fe = [6.0, 7.0, 8.0, 9.0, 10.0][rng.below(5)];
                let sixth = k % 3 != 0;
                let cap = fe * 150.0 + if sixth { fe * 40.0 } else { 0.0 };
                (
                    format!("{place_name} {} Academy", ["High", "Community", "Park", "Valley"][k % 4]),
                    "Academy sponsor led",
                    "Open",
                    "Secondary",
                    11,
                    if sixth { 18 } else { 16 },
                    cap,
                    4000 + k,
                )
            }
            Kind::AllThrough => (
                format!("{place_name} All-Through School"),
                "Free schools",
                "Open",
                "All-through",
                4,
                18,
                420.0 + 900.0 + 200.0,
                4500 + k,
            ),
            Kind::Special => (
                format!("{place_name} Special School"),
                "Community special school",
                "Open",
                "Not applicable",
                2,
                19,
                120.0,
                7000 + k,
            ),
        };
        // Occupancy: higher in the east and in deprived areas; cohorts grow faster in the east.
        let occupancy = (0.84 + 0.13 * fx + 0.05 * l.dep + 0.04 * rng.normal()).clamp(0.62, 1.04);
        let fsm = (4.0 + 38.0 * l.dep + 3.0 * rng.normal()).clamp(1.0, 70.0);
        let rating = ofsted[rng.below(ofsted.len())];
        let open = status == "Open";
        pending.push(Pending {
            urn,
            line: format!("{urn},999,{estab},{},{ty},{status},{phase},{lo},{hi},{cap}", csv_quote(&name)),
            tail: format!("{:.1},{},{},{},{}", fsm, if open { rating } else { "" }, s.at.x, s.at.y, l.code),
            open,
            rolls: open && s.kind != Kind::Special,
            first: u8::saturating_sub(lo, 4).min(13),
            last: (u8::min(hi, 18) - 5).min(13),
            places: cap * occupancy,
            drift: -0.012 + 0.022 * fx + 0.004 * rng.normal(),
        });
    }

    // 5b. Six years of rolls by national curriculum year (2019/20 to the census year), built
    // forward with each school's own intake share and progression drift, so that placeplan's
    // cohort-survival forecasts have a history to learn from. The census roll is their last year.
    let first_year = CENSUS_YEAR - 5;
    let pool = |t: i32| -> f64 {
        let age = usize::try_from(4 + CENSUS_YEAR - t).unwrap_or(0);
        lsoas.iter().map(|l| f64::from(l.ages.get(age).copied().unwrap_or(0))).sum()
    };
    let mut history: Vec<Vec<[f64; 14]>> = vec![Vec::new(); pending.len()];
    let mut la_y6: Vec<f64> = vec![0.0; 6];
    // Reception-entry schools first, then Y7-entry schools fed by the authority's Y6.
    for pass in [true, false] {
        for (k, p) in pending.iter().enumerate() {
            if !p.rolls || (p.first == 0) != pass {
                continue;
            }
            let n = f64::from(p.last - p.first + 1);
            let per = p.places / n;
            let mut row = [0.0; 14];
            for g in p.first..=p.last {
                row[usize::from(g)] = per * if g >= 12 { 0.6 } else { 1.0 } * rng.range(0.96, 1.04);
            }
            let share = if pass { per / pool(first_year) } else { per / la_y6[0].max(1.0) };
            let mut rows = vec![row];
            for y in 1..6 {
                let prev = rows[y - 1];
                let t = first_year + i32::try_from(y).unwrap_or(0);
                let mut r = [0.0; 14];
                for g in p.first..=p.last {
                    let g = usize::from(g);
                    r[g] = if g == usize::from(p.first) {
                        let b = if pass { pool(t) } else { la_y6[y - 1] };
                        b * share * rng.range(0.985, 1.015)
                    } else if g == 12 {
                        prev[11] * 0.6 * rng.range(0.98, 1.02)
                    } else {
                        prev[g - 1] * (1.0 + p.drift + 0.004 * rng.normal())
                    };
                }
                rows.push(r);
            }
            for r in &mut rows {
                for v in r.iter_mut() {
                    *v = v.round();
                }
            }
            if pass && p.last >= 6 {
                for (y, r) in rows.iter().enumerate() {
                    la_y6[y] += r[6];
                }
            }
            history[k] = rows;
        }
    }
    let mut rolls_csv = String::from("urn,year,ncy,pupils\n");
    for (p, rows) in pending.iter().zip(&history) {
        for (y, r) in rows.iter().enumerate() {
            for g in p.first..=p.last {
                let label = if g == 0 { "R".to_owned() } else { format!("Y{g}") };
                let _ = writeln!(
                    rolls_csv,
                    "{},{},{label},{}",
                    p.urn,
                    first_year + i32::try_from(y).unwrap_or(0),
                    r[usize::from(g)]
                );
            }
        }
        let roll = match rows.last() {
            Some(last) => last.iter().sum::<f64>(),
            None => p.places.round(),
        };
        let _ = writeln!(
            gias,
            "{},{},{}",
            p.line,
            if p.open { roll.to_string() } else { String::new() },
            p.tail
        );
    }

    // 6. Deprivation (IoD 2019 File 1 layout plus score and IDACI), population, points.
    let n_eng = f64::from(crate::model::IOD2019_LSOAS);
    let mut dep_csv = String::from(
        "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Score,Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs),Income Deprivation Affecting Children Index (IDACI) Score (rate),Income Deprivation Affecting Children Index (IDACI) Rank (where 1 is most deprived),Income Deprivation Affecting Children Index (IDACI) Decile (where 1 is most deprived 10% of LSOAs)\n",
    );
    let mut pop_csv = String::from("year,lsoa11_code,lsoa11_name,total_population");
    for a in 0..90 {
        let _ = write!(pop_csv, ",{a}");
    }
    pop_csv.push_str(",90+\n");
    let mut points_csv = String::from("Eastings,Northings\n");
    for l in &lsoas {
        let rank = (n_eng * (-2.3 * l.dep).exp() * rng.range(0.8, 1.2)).round().clamp(1.0, n_eng);
        let idaci = (rank * rng.range(0.6, 1.4)).round().clamp(1.0, n_eng);
        let decile = |r: f64| (10.0 * r / n_eng).ceil().clamp(1.0, 10.0);
        let score = (4.0 + 52.0 * l.dep + 3.0 * rng.normal()).max(0.8);
        let _ = writeln!(
            dep_csv,
            "{},{},E09999999,Ashcombe (synthetic),{score:.3},\"{}\",{},{:.3},{},{}",
            l.code,
            l.name,
            crate::text::thousands(rank),
            decile(rank),
            (0.04 + 0.42 * l.dep).min(0.9),
            idaci,
            decile(idaci)
        );
        let total: u32 = l.ages.iter().sum();
        let _ = write!(pop_csv, "{CENSUS_YEAR},{},{},{total}", l.code, l.name);
        for a in &l.ages {
            let _ = write!(pop_csv, ",{a}");
        }
        pop_csv.push('\n');
        // Population-proxy points (like postcode centroids): one per ~35 residents, inside the LSOA.
        let n_pts = (f64::from(total) / 35.0).round() as usize;
        if let Some(bb) = l.poly.bounding_rect() {
            let mut got = 0;
            let mut tries = 0;
            while got < n_pts && tries < n_pts * 50 {
                tries += 1;
                let p = Coord {
                    x: rng.range(bb.min().x, bb.max().x).round(),
                    y: rng.range(bb.min().y, bb.max().y).round(),
                };
                if l.poly.contains(&Point::from(p)) {
                    let _ = writeln!(points_csv, "{},{}", p.x, p.y);
                    got += 1;
                }
            }
        }
    }

    // 7. Write everything.
    let mut written = Vec::new();
    let mut put = |name: &str, body: &str| -> Result<(), GenerateError> {
        let path = out.join(name);
        std::fs::write(&path, body).map_err(|source| GenerateError::Io {
            path: path.display().to_string(),
            source,
        })?;
        written.push(name.to_owned());
        Ok(())
    };
    let ward_fc = feature_collection(&wards, "WD24CD", "WD24NM", Some("urn:ogc:def:crs:EPSG::27700"), |c| {
        Ok(Coord {
            x: round(c.x),
            y: round(c.y),
        })
    })?;
    put("wards.geojson", &ward_fc)?;
    let loc_fc = feature_collection(&localities, "code", "name", None, |c| {
        let w = bng_to_wgs84(c.x, c.y)?;
        Ok(Coord {
            x: (w.x * 1e6).round() / 1e6,
            y: (w.y * 1e6).round() / 1e6,
        })
    })?;
    put("localities.geojson", &loc_fc)?;
    put("schools.csv", &gias)?;
    put("deprivation.csv", &dep_csv)?;
    put("population.csv", &pop_csv)?;
    put("points.csv", &points_csv)?;
    put("rolls.csv", &rolls_csv)?;
    put(
        "housing.csv",
        &format!(
            "site,area,year,dwellings,type\nEastfield Meadows,PA02,{a},60,house\nEastfield Meadows,PA02,{b},90,house\nEastfield Meadows,PA02,{c},90,house\nRiverside Quarter,PA04,{b},80,flat\nRiverside Quarter,PA04,{c},120,flat\n",
            a = CENSUS_YEAR + 3,
            b = CENSUS_YEAR + 4,
            c = CENSUS_YEAR + 5
        ),
    )?;
    put("lsoas.prj", BNG_WKT)?;
    put("manifest.toml", &manifest_text())?;
    put("README.md", README)?;
    write_shapefile(&out.join("lsoas.shp"), &lsoas)?;
    written.extend(["lsoas.shp", "lsoas.shx", "lsoas.dbf"].map(String::from));
    written.sort();
    let _ = borough.unsigned_area();
    Ok(written)
}

/// A school waiting for its roll history before its register line is written.
struct Pending {
    urn: u32,
    line: String,
    tail: String,
    open: bool,
    rolls: bool,
    first: u8,
    last: u8,
    places: f64,
    drift: f64,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Primary,
    Secondary,
    AllThrough,
    Special,
    ClosedPrimary,
}

impl Kind {
    fn same_family(self, other: Kind) -> bool {
        let fam = |k: Kind| match k {
            Kind::Primary | Kind::ClosedPrimary => 0,
            Kind::Secondary | Kind::AllThrough => 1,
            Kind::Special => 2,
        };
        fam(self) == fam(other)
    }
}

struct DemoSchool {
    kind: Kind,
    at: Coord,
    lsoa: usize,
}

fn dist2(a: Coord, b: Coord) -> f64 {
    (a.x - b.x).powi(2) + (a.y - b.y).powi(2)
}

/// The half-plane of points nearer `a` than `b`, as a large polygon.
fn half_plane(a: Coord, b: Coord) -> MultiPolygon<f64> {
    let m = (a + b) / 2.0;
    let d = b - a;
    let len = (d.x * d.x + d.y * d.y).sqrt().max(1e-9);
    let (ux, uy) = (d.x / len, d.y / len);
    let big = 1.0e5;
    let p = |s: f64, t: f64| Coord {
        x: m.x + ux * s - uy * t,
        y: m.y + uy * s + ux * t,
    };
    MultiPolygon::new(vec![Polygon::new(
        LineString::new(vec![p(0.0, -big), p(0.0, big), p(-big, big), p(-big, -big), p(0.0, -big)]),
        vec![],
    )])
}

fn round_mp(mp: &MultiPolygon<f64>, step: f64) -> MultiPolygon<f64> {
    use geo::MapCoords;
    mp.map_coords(|c| Coord {
        x: (c.x / step).round() * step,
        y: (c.y / step).round() * step,
    })
}

fn csv_quote(s: &str) -> String {
    if s.contains([',', '"', '\'']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn feature_collection(
    areas: &[(String, String, MultiPolygon<f64>)],
    code_key: &str,
    name_key: &str,
    crs: Option<&str>,
    f: impl Fn(Coord) -> Result<Coord, crate::crs::CrsError>,
) -> Result<String, GenerateError> {
    let mut features = Vec::new();
    for (code, name, mp) in areas {
        let mut polys = Vec::new();
        for p in &mp.0 {
            let mut rings = Vec::new();
            for r in std::iter::once(p.exterior()).chain(p.interiors()) {
                let pts: Result<Vec<Value>, _> = r.0.iter().map(|c| f(*c).map(|c| json!([c.x, c.y]))).collect();
                rings.push(Value::Array(pts?));
            }
            polys.push(Value::Array(rings));
        }
        let geometry = if polys.len() == 1 {
            json!({"type": "Polygon", "coordinates": polys[0]})
        } else {
            json!({"type": "MultiPolygon", "coordinates": polys})
        };
        features.push(json!({"type": "Feature", "properties": {code_key: code, name_key: name}, "geometry": geometry}));
    }
    let mut fc = json!({"type": "FeatureCollection", "name": "synthetic demo borough - not real data", "features": features});
    if let Some(c) = crs {
        fc["crs"] = json!({"type": "name", "properties": {"name": c}});
    }
    Ok(serde_json::to_string(&fc).unwrap_or_default() + "\n")
}

fn write_shapefile(path: &Path, lsoas: &[Lsoa]) -> Result<(), GenerateError> {
    use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
    let e = |x: &dyn std::fmt::Display| GenerateError::Shapefile(x.to_string());
    let cd = FieldName::try_from("LSOA11CD").map_err(|x| e(&format!("{x:?}")))?;
    let nm = FieldName::try_from("LSOA11NM").map_err(|x| e(&format!("{x:?}")))?;
    let builder = TableWriterBuilder::new().add_character_field(cd, 12).add_character_field(nm, 40);
    let mut w = shapefile::Writer::from_path(path, builder).map_err(|x| e(&x))?;
    for l in lsoas {
        let pts: Vec<shapefile::Point> = l.poly.exterior().0.iter().map(|c| shapefile::Point::new(c.x, c.y)).collect();
        let shape = shapefile::Polygon::new(shapefile::PolygonRing::Outer(pts));
        let mut rec = Record::default();
        rec.insert("LSOA11CD".to_owned(), FieldValue::Character(Some(l.code.clone())));
        rec.insert("LSOA11NM".to_owned(), FieldValue::Character(Some(l.name.clone())));
        w.write_shape_and_record(&shape, &rec).map_err(|x| e(&x))?;
    }
    drop(w);
    stamp_dbf_date(&path.with_extension("dbf"), DBF_DATE).map_err(|x| e(&x))
}

/// The "last update" date written into the demo's `.dbf` header: the day the demo's seed names.
///
/// The dBase writer stamps today's date into header bytes 1–3 (years since 1900, month, day), so
/// without this the generator's output — and the byte-for-byte test of `boundaries/demo` — would
/// change every day. The demo is a fixed artefact, so its header carries a fixed date.
pub const DBF_DATE: (u16, u8, u8) = (2026, 11, 22);

/// Overwrites the last-update date in a dBase III header (bytes 1–3) with `(year, month, day)`.
fn stamp_dbf_date(path: &Path, (year, month, day): (u16, u8, u8)) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    let since_1900 = u8::try_from(year.saturating_sub(1900))
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "dBase dates run from 1900 to 2155"))?;
    let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
    f.seek(SeekFrom::Start(1))?;
    f.write_all(&[since_1900, month, day])
}

pub use crate::crs::BNG_WKT;

fn manifest_text() -> String {
    format!(
        r#"# The embedded demo borough. SYNTHETIC: generated by `placeplan generate-demo`; not real data.
name = "Ashcombe (synthetic demo borough)"
synthetic = true
census_year = {CENSUS_YEAR}

[[boundaries]]
id = "wards"
kind = "ward"
title = "Wards"
path = "wards.geojson"

[[boundaries]]
id = "localities"
kind = "planning_area"
title = "Localities (planning areas)"
path = "localities.geojson"
code_field = "code"
name_field = "name"

[[boundaries]]
id = "lsoa"
kind = "lsoa"
title = "LSOAs"
path = "lsoas.shp"

[schools]
path = "schools.csv"

[[deprivation]]
path = "deprivation.csv"

[population]
path = "population.csv"
format = "syoa"

[weighting_points]
path = "points.csv"

# Six years of rolls by year group: placeplan makes its own cohort-survival forecasts from them.
[rolls]
path = "rolls.csv"

# Two housing sites in the growing east; their pupils are added to the forecasts.
[housing]
path = "housing.csv"

[settings.yields]   # pupils per dwelling: illustrative for the demo; use your authority's figures
primary = 0.25
secondary = 0.12
"#
    )
}

const README: &str = "# Ashcombe — SYNTHETIC demo borough\n\n\
Everything in this folder is **synthetic**, generated by placeplan's own code \
(`placeplan generate-demo --out boundaries/demo`, source `src/demo/generate.rs`, seed 20261122). \
No real place, school, child or statistic is described. Codes (`E0190…`, `E0590…`, URN `19xxxx`, LA 999) are \
deliberately outside the ranges real areas use.\n\n\
| file | what | format |\n|---|---|---|\n\
| wards.geojson | 20 wards | GeoJSON, EPSG:27700 declared in `crs` |\n\
| localities.geojson | 6 localities (planning areas), a Voronoi diagram that cuts across LSOAs | GeoJSON, CRS84 |\n\
| lsoas.shp/.shx/.dbf/.prj | 150 LSOAs | ESRI Shapefile, EPSG:27700 |\n\
| schools.csv | 80 open + 4 closed schools | GIAS column names |\n\
| deprivation.csv | IMD / IDACI score, rank, decile | IoD 2019 column names, ranks with thousands separators |\n\
| population.csv | population by single year of age | ONS SAPE layout |\n\
| points.csv | population-proxy points (~1 per 35 residents) | Eastings, Northings |\n\
| housing.csv | two housing sites, dwellings per year (2027/28 on) | placeplan housing CSV (site, area, year, dwellings, type) |\n\
| rolls.csv | rolls by school × year group (R–Y13) × academic year, 2019/20 to 2024/25 | placeplan rolls CSV (urn, year, ncy, pupils) |\n\n\
Licence: CC0 — it is generated data. Simplification: none (generated at full resolution, coordinates rounded to 0.1 m or 1e-6°).\n";
