//! The DfE school census "pupils by stage" school-level table: headcounts by URN for nursery,
//! reception and key stages 1–5 (*Schools, pupils and their characteristics*, school-level data).
//!
//! Columns, as the Open Innovations Leeds compilation of the DfE table names them (no mapping
//! needed): `urn`, `total_early_years_E1_and_E2`, `total_nursery_N1_and_N2`, `total_reception`,
//! `KS1_total` (Y1–Y2), `KS2_total` (Y3–Y6), `KS3_total` (Y7–Y9), `KS4_total` (Y10–Y11),
//! `KS5_total` (Y12–Y13), `total_pupils`. The DfE's own school-level file renames its columns
//! between releases, so map them with `[pupils_by_stage.columns]` (keys `urn`, `early_years`,
//! `nursery`, `reception`, `ks1` … `ks5`, `total`). `x`, `z`, `c` and `low` cells (not applicable,
//! unknown, suppressed) are "no data". The table has no date column: the manifest's `year` says
//! which January census it is (default: `census_year`).

use super::{find_col, text};
use crate::manifest::StageInput;
use crate::problem::{Problem, ProblemSink, Severity};
use crate::source::FileSource;
use std::collections::BTreeMap;

/// Headcounts of one school by stage. `None`: the cell was blank or suppressed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StageCounts {
    /// Early years (E1, E2) and nursery (N1, N2): read only to say they were left out.
    pub nursery: Option<f64>,
    /// Reception.
    pub reception: Option<f64>,
    /// Key stage 1 (Y1–Y2).
    pub ks1: Option<f64>,
    /// Key stage 2 (Y3–Y6).
    pub ks2: Option<f64>,
    /// Key stage 3 (Y7–Y9).
    pub ks3: Option<f64>,
    /// Key stage 4 (Y10–Y11).
    pub ks4: Option<f64>,
    /// Key stage 5 (Y12–Y13).
    pub ks5: Option<f64>,
    /// Line in the file.
    pub line: usize,
}

impl StageCounts {
    /// Reception and each key stage with the year groups it covers, as Ncy indexes `(first,
    /// last, pupils)`: R = 0, KS1 = Years 1–2, KS2 = 3–6, KS3 = 7–9, KS4 = 10–11, KS5 = 12–13.
    #[must_use]
    pub fn by_year_groups(&self) -> [(usize, usize, Option<f64>); 6] {
        [
            (0, 0, self.reception),
            (1, 2, self.ks1),
            (3, 6, self.ks2),
            (7, 9, self.ks3),
            (10, 11, self.ks4),
            (12, 13, self.ks5),
        ]
    }

    /// Pupils of a phase's year groups: primary = R + KS1 + KS2, secondary = KS3 + KS4, post16 = KS5.
    /// `None` when any stage of the phase is missing.
    #[must_use]
    pub fn phase(&self, phase: crate::model::Phase) -> Option<f64> {
        use crate::model::Phase;
        let parts: &[Option<f64>] = match phase {
            Phase::Primary => &[self.reception, self.ks1, self.ks2],
            Phase::Secondary => &[self.ks3, self.ks4],
            Phase::Post16 => &[self.ks5],
        };
        parts.iter().copied().sum()
    }
}

/// The table, by URN.
pub type StageTable = BTreeMap<u32, StageCounts>;

/// One cell: `Ok(None)` for blank or suppressed, `Err(raw)` for text that is not a count.
fn cell(cells: &crate::table::Row, col: Option<usize>) -> Result<Option<f64>, String> {
    let Some(raw) = text(cells, col) else { return Ok(None) };
    if ["x", "z", "c", "low", ":"].iter().any(|m| raw.eq_ignore_ascii_case(m)) {
        return Ok(None);
    }
    match crate::text::parse_number(&raw) {
        Ok(Some(v)) if v >= 0.0 => Ok(Some(v)),
        Ok(None) => Ok(None),
        _ => Err(raw),
    }
}

/// Reads the table. Bad cells are problems naming row and column; a row without a URN is left out.
pub fn read(input: &StageInput, src: &FileSource, problems: &mut Vec<Problem>) -> StageTable {
    let file = src.display(&input.path);
    let Some(table) = super::read_table(&input.path, input.skip_lines, input.sheet.as_deref(), src, problems) else {
        return StageTable::new();
    };
    let c = &input.columns;
    let col = |key: &str, names: &[&str]| find_col(&table, c, key, names, &[]);
    let Some(urn_c) = col("urn", &["urn", "URN"]) else {
        problems.push(Problem::fatal(
            &file,
            "no URN column; map it with [pupils_by_stage.columns] urn = \"…\"",
        ));
        return StageTable::new();
    };
    let ey_c = col("early_years", &["total_early_years_E1_and_E2"]);
    let nur_c = col("nursery", &["total_nursery_N1_and_N2"]);
    let rec_c = col("reception", &["total_reception"]);
    let ks: Vec<Option<usize>> = (1..=5).map(|k| col(&format!("ks{k}"), &[&format!("KS{k}_total")])).collect();
    let needed = [
        ("reception", rec_c),
        ("ks1", ks[0]),
        ("ks2", ks[1]),
        ("ks3", ks[2]),
        ("ks4", ks[3]),
        ("ks5", ks[4]),
    ];
    let missing: Vec<&str> = needed.iter().filter(|(_, c)| c.is_none()).map(|(k, _)| *k).collect();
    if !missing.is_empty() {
        problems.push(Problem::fatal(
            &file,
            format!(
                "no column for {}; map them with [pupils_by_stage.columns] (keys reception, ks1 … ks5)",
                missing.join(", ")
            ),
        ));
        return StageTable::new();
    }
    let mut sink = ProblemSink::new(file, problems);
    let mut out = StageTable::new();
    for (line, cells) in &table.rows {
        let line = *line;
        let Some(urn) = text(cells, Some(urn_c)).and_then(|u| u.parse::<u32>().ok()).filter(|u| *u > 0) else {
            sink.push(Severity::Error, format!("row {line}"), "urn", "no URN; row left out");
            continue;
        };
        // Bad cells of a row are gathered into one problem naming each field.
        let mut bad: Vec<(String, String)> = Vec::new();
        let mut n = |col: Option<usize>, f: &str| {
            cell(cells, col).unwrap_or_else(|raw| {
                bad.push((f.to_owned(), raw));
                None
            })
        };
        let nursery = match (n(ey_c, "early years"), n(nur_c, "nursery")) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
        let row = StageCounts {
            nursery,
            reception: n(rec_c, "reception"),
            ks1: n(ks[0], "KS1"),
            ks2: n(ks[1], "KS2"),
            ks3: n(ks[2], "KS3"),
            ks4: n(ks[3], "KS4"),
            ks5: n(ks[4], "KS5"),
            line,
        };
        if !bad.is_empty() {
            let fields: Vec<&str> = bad.iter().map(|(f, _)| f.as_str()).collect();
            let mut values: Vec<&str> = bad.iter().map(|(_, v)| v.as_str()).collect();
            values.dedup();
            sink.push(
                Severity::Warning,
                format!("row {line} (URN {urn})"),
                &fields.join(", "),
                format!(
                    "{} is not a count (a negative number or a spreadsheet error); those stages are no data",
                    values.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ")
                ),
            );
        }
        if out.insert(urn, row).is_some() {
            sink.push(
                Severity::Error,
                format!("row {line}"),
                "urn",
                format!("URN {urn} appears twice; the later row is used"),
            );
        }
    }
    out
}

crate::record!(StageCounts {
    nursery,
    reception,
    ks1,
    ks2,
    ks3,
    ks4,
    ks5,
    line
});
