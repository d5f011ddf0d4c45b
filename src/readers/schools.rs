//! The DfE "Get Information About Schools" (GIAS) establishment CSV, as downloaded: 137 columns,
//! `Easting`/`Northing` in EPSG:27700. Other registers work through `[schools.columns]` renames,
//! including latitude/longitude instead of easting/northing.

use super::{find_col, num, text};
use crate::crs::wgs84_to_bng;
use crate::ids::{AreaCode, Urn};
use crate::manifest::SchoolsInput;
use crate::model::School;
use crate::problem::{Problem, ProblemSink, Severity};
use crate::source::FileSource;
use geo::Coord;
use std::collections::HashSet;

/// Reads the register. Returns an empty list (with a fatal problem) when the file is unusable.
pub fn read(input: &SchoolsInput, src: &FileSource, problems: &mut Vec<Problem>) -> Vec<School> {
    let file = src.display(&input.path);
    let Some(table) = super::read_table(&input.path, 0, input.sheet.as_deref(), src, problems) else {
        return Vec::new();
    };
    let c = &input.columns;
    let col = |key: &str, names: &[&str]| find_col(&table, c, key, names, &[]);
    let urn_c = col("urn", &["URN"]);
    let Some(urn_c) = urn_c else {
        problems.push(Problem::fatal(&file, "no URN column; map it with [schools.columns] urn = \"…\""));
        return Vec::new();
    };
    let la_c = col("la_code", &["LA (code)", "LA code"]);
    let estab_c = col("establishment_number", &["EstablishmentNumber"]);
    let laestab_c = col("laestab", &["LAESTAB", "LAEstab"]);
    let name_c = col("name", &["EstablishmentName", "School name", "Name"]);
    let status_c = col("status", &["EstablishmentStatus (name)", "Status"]);
    let phase_c = col("phase", &["PhaseOfEducation (name)", "Phase"]);
    let type_c = col("type", &["TypeOfEstablishment (name)", "Type"]);
    let lo_c = col("low_age", &["StatutoryLowAge"]);
    let hi_c = col("high_age", &["StatutoryHighAge"]);
    let cap_c = col("capacity", &["SchoolCapacity"]);
    let pup_c = col("pupils", &["NumberOfPupils"]);
    let fsm_c = col("fsm_pct", &["PercentageFSM"]);
    let ofsted_c = col("ofsted", &["OfstedRating (name)"]);
    let e_c = col("easting", &["Easting"]);
    let n_c = col("northing", &["Northing"]);
    let lat_c = col("latitude", &["Latitude", "lat"]);
    let lon_c = col("longitude", &["Longitude", "lon", "lng"]);
    let lsoa_c = col("lsoa", &["LSOA (code)"]);
    let nursery_c = col("nursery", &["NurseryProvision (name)"]);
    let census_c = col("census_date", &["CensusDate"]);
    let sixth_c = col("sixth_form", &["OfficialSixthForm (name)"]);
    let prev_la_c = col("previous_la", &["PreviousLA (code)"]);
    let prev_estab_c = col("previous_establishment_number", &["PreviousEstablishmentNumber"]);
    let has_bng = e_c.is_some() && n_c.is_some();
    let has_ll = lat_c.is_some() && lon_c.is_some();
    if !has_bng && !has_ll {
        problems.push(Problem::fatal(
            &file,
            "no Easting/Northing (or Latitude/Longitude) columns, so no school can be placed on the map; map them with [schools.columns] easting = \"…\", northing = \"…\"",
        ));
    }
    let mut sink = ProblemSink::new(file.clone(), problems);
    // A key column that is missing is an assumption, and said so.
    if status_c.is_none() {
        sink.push(
            Severity::Warning,
            "row 1",
            "EstablishmentStatus (name)",
            "no status column: every school is taken as open (map one with [schools.columns] status = \"…\")",
        );
    }
    if phase_c.is_none() {
        sink.push(
            Severity::Warning,
            "row 1",
            "PhaseOfEducation (name)",
            "no phase column: each school's phase is told from its statutory ages",
        );
    }
    if lo_c.is_none() || hi_c.is_none() {
        sink.push(
            Severity::Warning,
            "row 1",
            "StatutoryLowAge",
            "no statutory age columns: year groups served are taken from the phase alone",
        );
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for (line, cells) in &table.rows {
        let line = *line;
        let loc = format!("row {line}");
        let urn = match cells.get(urn_c).map(|s| Urn::parse(s)) {
            Some(Ok(u)) => u,
            _ => {
                sink.push(
                    Severity::Error,
                    &loc,
                    "URN",
                    format!("{:?} is not a URN; row left out", cells.get(urn_c).unwrap_or("")),
                );
                continue;
            }
        };
        if !seen.insert(urn) {
            sink.push(
                Severity::Error,
                &loc,
                "URN",
                format!("duplicate URN {urn}; this row left out (the first one is kept)"),
            );
            continue;
        }
        let status = text(cells, status_c).unwrap_or_else(|| "Open".to_owned());
        let open = status.to_ascii_lowercase().starts_with("open");
        let age = |c: Option<usize>, f: &str, sink: &mut ProblemSink<'_>| {
            num(cells, c, sink, line, f).and_then(|v| if (0.0..=25.0).contains(&v) { Some(v as u8) } else { None })
        };
        let low_age = age(lo_c, "StatutoryLowAge", &mut sink);
        let high_age = age(hi_c, "StatutoryHighAge", &mut sink);
        let nonneg = |c: Option<usize>, f: &str, sink: &mut ProblemSink<'_>| match num(cells, c, sink, line, f) {
            Some(v) if v < 0.0 => {
                sink.push(Severity::Error, &loc, f, format!("{v} is negative; value ignored"));
                None
            }
            v => v,
        };
        let capacity = nonneg(cap_c, "SchoolCapacity", &mut sink);
        let pupils = nonneg(pup_c, "NumberOfPupils", &mut sink);
        let fsm_pct = nonneg(fsm_c, "PercentageFSM", &mut sink).filter(|v| *v <= 100.0);
        let mut location = None;
        if has_bng {
            let e = num(cells, e_c, &mut sink, line, "Easting");
            let n = num(cells, n_c, &mut sink, line, "Northing");
            if let (Some(e), Some(n)) = (e, n) {
                if (0.0..=700_000.0).contains(&e) && (0.0..=1_300_000.0).contains(&n) && (e, n) != (0.0, 0.0) {
                    location = Some(Coord { x: e, y: n });
                } else {
                    sink.push(
                        Severity::Error,
                        &loc,
                        "Easting",
                        format!("({e}, {n}) is not a British National Grid position; school not located"),
                    );
                }
            }
        }
        if location.is_none() && has_ll {
            let lat = num(cells, lat_c, &mut sink, line, "Latitude");
            let lon = num(cells, lon_c, &mut sink, line, "Longitude");
            if let (Some(lat), Some(lon)) = (lat, lon) {
                if lat.abs() > 90.0 || lon.abs() > 180.0 {
                    sink.push(
                        Severity::Error,
                        &loc,
                        "Latitude",
                        format!("({lat}, {lon}) is not a latitude/longitude — it looks like British National Grid metres; map those columns to easting/northing instead; school not located"),
                    );
                } else {
                    match wgs84_to_bng(lon, lat) {
                        Ok(c) => location = Some(c),
                        Err(e) => sink.push(Severity::Error, &loc, "Latitude", format!("{e}; school not located")),
                    }
                }
            }
        }
        let laestab = match (laestab_c, la_c, estab_c) {
            (Some(c), _, _) => num(cells, Some(c), &mut sink, line, "LAESTAB").and_then(|v| {
                let ok = v.fract() == 0.0 && (1_000_000.0..=9_999_999.0).contains(&v);
                if !ok {
                    sink.push(
                        Severity::Error,
                        &loc,
                        "LAESTAB",
                        format!("{v} is not a 7-digit LAESTAB; value ignored"),
                    );
                }
                ok.then_some(v as u32)
            }),
            (None, Some(_), Some(_)) => {
                let la = num(cells, la_c, &mut sink, line, "LA (code)");
                let es = num(cells, estab_c, &mut sink, line, "EstablishmentNumber");
                la.zip(es).and_then(|(a, b)| {
                    let laestab = laestab_of(a, b);
                    if laestab.is_none() {
                        sink.push(
                            Severity::Error,
                            &loc,
                            "EstablishmentNumber",
                            format!("LA {a} and establishment {b} do not make a LAESTAB (3 and 4 digits); value ignored"),
                        );
                    }
                    laestab
                })
            }
            _ => None,
        };
        let census_year = text(cells, census_c).and_then(|d| match census_academic_year(&d) {
            Some(y) => Some(y),
            None => {
                sink.push(
                    Severity::Error,
                    &loc,
                    "CensusDate",
                    format!("{d:?} is not a date (dd-mm-yyyy); census year of this school unknown"),
                );
                None
            }
        });
        let previous_laestab = match (text(cells, prev_la_c), text(cells, prev_estab_c)) {
            (Some(la), Some(es)) if la != "999" => la
                .parse::<f64>()
                .ok()
                .zip(es.parse::<f64>().ok())
                .and_then(|(a, b)| laestab_of(a, b)),
            _ => None,
        };
        out.push(School {
            urn,
            laestab,
            name: text(cells, name_c).unwrap_or_else(|| format!("URN {urn}")),
            open,
            phase_of_education: text(cells, phase_c).unwrap_or_default(),
            establishment_type: text(cells, type_c).unwrap_or_default(),
            low_age,
            high_age,
            capacity,
            pupils,
            fsm_pct,
            ofsted: text(cells, ofsted_c).filter(|s| !s.eq_ignore_ascii_case("null")),
            location,
            lsoa_in_file: text(cells, lsoa_c).and_then(|s| AreaCode::new(&s).ok()),
            planning_area_primary: None,
            planning_area_secondary: None,
            row: line,
            capacity_from: Vec::new(),
            opens: None,
            closes: None,
            nursery_classes: yes_no(text(cells, nursery_c), "has nursery", "no nursery"),
            sixth_form: yes_no(text(cells, sixth_c), "has a sixth", "does not"),
            census_year,
            previous_laestab,
            table_split: None,
            scope: crate::model::Scope::Mainstream,
            phases: Vec::new(),
            figures: crate::model::PhaseFigures::default(),
        });
    }
    if out.is_empty() {
        sink.push(Severity::Fatal, "file", "-", "no schools could be read");
    }
    out
}

/// A GIAS yes/no name ("Has Nursery Classes" / "No Nursery Classes"): `None` for "Not applicable"
/// and anything else.
fn yes_no(cell: Option<String>, yes: &str, no: &str) -> Option<bool> {
    let n = cell?.to_ascii_lowercase();
    if n.starts_with(yes) {
        Some(true)
    } else if n.starts_with(no) {
        Some(false)
    } else {
        None
    }
}

/// The academic year of a January census date: `20-01-2022` (or `2022-01-20`) → 2021 (2021/22).
/// A date from September to December belongs to the year starting then.
#[must_use]
pub fn census_academic_year(date: &str) -> Option<i32> {
    let parts: Vec<&str> = date.trim().split(['-', '/']).collect();
    let (y, m) = match parts.as_slice() {
        [d, m, y] if y.len() == 4 && d.len() <= 2 => (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?),
        [y, m, _d] if y.len() == 4 => (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?),
        _ => return None,
    };
    if !(1..=12).contains(&m) || !(1900..=2200).contains(&y) {
        return None;
    }
    Some(if m >= 9 { y } else { y - 1 })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_january_census_belongs_to_the_year_that_began_the_september_before() {
        assert_eq!(super::census_academic_year("20-01-2022"), Some(2021));
        assert_eq!(super::census_academic_year("2023-01-19"), Some(2022));
        assert_eq!(super::census_academic_year("07-10-2021"), Some(2021));
        assert_eq!(super::census_academic_year("January"), None);
    }
}

/// LAESTAB from an LA code (3 digits) and an establishment number (4 digits): `LA × 10,000 +
/// number`; `None` for anything else (so no overflow and no made-up number).
fn laestab_of(la: f64, estab: f64) -> Option<u32> {
    let whole = |v: f64, max: f64| (v.fract() == 0.0 && (0.0..=max).contains(&v)).then_some(v as u32);
    let la = whole(la, 999.0).filter(|&l| l >= 100)?;
    let estab = whole(estab, 9_999.0)?;
    Some(la * 10_000 + estab)
}
