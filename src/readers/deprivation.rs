//! IoD 2019 tables as published by MHCLG (File 1 IMD, File 2 domains, File 3 IDACI, File 5/7 scores,
//! File 6 denominators, and column extracts of them): columns are found by their published names,
//! ranks may carry thousands separators, files may be gzipped and start with a BOM.
//! Several files are merged by LSOA code.

use super::{find_col, num};
use crate::ids::AreaCode;
use crate::manifest::TableInput;
use crate::model::LsoaRecord;
use crate::problem::{Problem, ProblemSink, Severity};
use crate::source::FileSource;
use std::collections::HashMap;

/// Reads one deprivation table and merges it into `into` (keyed by LSOA code).
/// Values already present from an earlier file are kept unless this file has a value.
pub fn read_into(input: &TableInput, src: &FileSource, into: &mut HashMap<AreaCode, LsoaRecord>, problems: &mut Vec<Problem>) {
    let file = src.display(&input.path);
    let Some(table) = super::read_table(&input.path, input.skip_lines, input.sheet.as_deref(), src, problems) else {
        return;
    };
    let c = &input.columns;
    let code_c = find_col(
        &table,
        c,
        "code",
        &["LSOA code (2011)", "lsoa11cd", "LSOA11CD", "lsoa_code"],
        &[&["lsoa", "code"]],
    );
    let Some(code_c) = code_c else {
        problems.push(Problem::fatal(
            &file,
            "no LSOA code column (expected \"LSOA code (2011)\"); map it with columns.code",
        ));
        return;
    };
    let imd_rank = find_col(&table, c, "imd_rank", &[], &[&["index of multiple deprivation", "rank"]]);
    let imd_decile = find_col(&table, c, "imd_decile", &[], &[&["index of multiple deprivation", "decile"]]);
    let imd_score = find_col(&table, c, "imd_score", &[], &[&["index of multiple deprivation", "score"]]);
    let idaci_rank = find_col(&table, c, "idaci_rank", &["idaci_rank_official"], &[&["(idaci)", "rank"]]);
    let idaci_decile = find_col(&table, c, "idaci_decile", &["idaci_decile_official"], &[&["(idaci)", "decile"]]);
    let idaci_score = find_col(&table, c, "idaci_score", &[], &[&["(idaci)", "score"]]);
    let pop = find_col(&table, c, "population", &[], &[&["total population"]]);
    let lad = find_col(&table, c, "lad_code", &[], &[&["local authority district code"]]);
    let kids = find_col(&table, c, "children_0_15", &[], &[&["children aged 0-15"]]);
    if [imd_rank, imd_decile, imd_score, idaci_rank, idaci_decile, idaci_score, pop, kids]
        .iter()
        .all(Option::is_none)
    {
        problems.push(Problem::fatal(
            &file,
            "no recognised IoD 2019 columns (IMD/IDACI rank, decile or score, or population); map them with columns.*",
        ));
        return;
    }
    let mut sink = ProblemSink::new(file.clone(), problems);
    let mut seen = std::collections::HashSet::new();
    for (line, cells) in &table.rows {
        let line = *line;
        let Some(Ok(code)) = cells.get(code_c).map(|s| AreaCode::new(s)) else {
            sink.push(Severity::Error, format!("row {line}"), "LSOA code", "blank LSOA code; row left out");
            continue;
        };
        if let Some(note) = cells.get(code_c).and_then(|raw| code.changed_from(raw)) {
            sink.push(Severity::Warning, format!("row {line}"), "LSOA code", note);
        }
        if !seen.insert(code.clone()) {
            sink.push(
                Severity::Error,
                format!("row {line}"),
                "LSOA code",
                format!("duplicate LSOA {code}; row left out"),
            );
            continue;
        }
        // A column this file has, with no value in this row (empty, `N/A`, `-`): said, so that a
        // full join never hides a missing figure; the LSOA has no figure there ("no data").
        let value = |col: Option<usize>, f: &str, sink: &mut ProblemSink<'_>| {
            let cell = col.and_then(|c| cells.get(c))?;
            if crate::text::parse_number(cell).is_ok_and(|v| v.is_none()) {
                sink.push(
                    Severity::Warning,
                    format!("row {line}"),
                    f,
                    format!("no value ({:?}); this LSOA has no {f} (no data)", cell.trim()),
                );
                return None;
            }
            num(cells, col, sink, line, f)
        };
        let rank = |col, f: &str, sink: &mut ProblemSink<'_>| {
            value(col, f, sink).and_then(|v| {
                if v >= 1.0 && v <= f64::from(crate::model::IOD2019_LSOAS) * 1.1 {
                    Some(v as u32)
                } else {
                    sink.push(
                        Severity::Error,
                        format!("row {line}"),
                        f,
                        format!("rank {v} is out of range; ignored"),
                    );
                    None
                }
            })
        };
        let decile = |col, f: &str, sink: &mut ProblemSink<'_>| {
            value(col, f, sink).and_then(|v| {
                if (1.0..=10.0).contains(&v) && v.fract() == 0.0 {
                    Some(v as u8)
                } else {
                    sink.push(
                        Severity::Error,
                        format!("row {line}"),
                        f,
                        format!("decile {v} is not 1 to 10; ignored"),
                    );
                    None
                }
            })
        };
        let rec = into.entry(code).or_default();
        if let Some(l) = lad.and_then(|c| cells.get(c)).map(|l| l.trim()).filter(|l| !l.is_empty()) {
            rec.lad.get_or_insert_with(|| l.to_ascii_uppercase());
        }
        if let Some(v) = rank(imd_rank, "IMD rank", &mut sink) {
            rec.imd_rank = Some(v);
        }
        if let Some(v) = decile(imd_decile, "IMD decile", &mut sink) {
            rec.imd_decile = Some(v);
        }
        if let Some(v) = value(imd_score, "IMD score", &mut sink) {
            rec.imd_score = Some(v);
        }
        if let Some(v) = rank(idaci_rank, "IDACI rank", &mut sink) {
            rec.idaci_rank = Some(v);
        }
        if let Some(v) = decile(idaci_decile, "IDACI decile", &mut sink) {
            rec.idaci_decile = Some(v);
        }
        if let Some(v) = value(idaci_score, "IDACI score", &mut sink) {
            rec.idaci_score = Some(v);
        }
        if let Some(v) = num(cells, pop, &mut sink, line, "population") {
            rec.population.get_or_insert(v);
        }
        if let Some(v) = num(cells, kids, &mut sink, line, "children 0-15") {
            rec.children_0_15.get_or_insert(v);
        }
    }
}
