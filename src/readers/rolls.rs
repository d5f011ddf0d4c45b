//! Historic rolls: a CSV with one row per school × national curriculum year × academic year.
//!
//! | column  | meaning |
//! |---------|---------|
//! | `urn`   | school URN |
//! | `year`  | academic year by its starting calendar year (2023 = 2023/24; January census) |
//! | `ncy`   | `R`, `Y1` … `Y13` (or `0` … `13`) |
//! | `pupils`| number on roll |

use super::{find_col, num, text};
use crate::manifest::TableInput;
use crate::model::ncy::History;
use crate::model::ncy::{NCY_COUNT, Ncy};
use crate::problem::{Problem, ProblemSink, Severity};
use crate::source::FileSource;
use std::collections::BTreeMap;

/// Roll history per school URN.
pub type Rolls = BTreeMap<u32, History>;

/// Reads the rolls; bad rows are reported and left out.
pub fn read(input: &TableInput, src: &FileSource, problems: &mut Vec<Problem>) -> Rolls {
    let file = src.display(&input.path);
    let mut out = Rolls::new();
    let Some(table) = super::read_table(&input.path, input.skip_lines, input.sheet.as_deref(), src, problems) else {
        return out;
    };
    let c = &input.columns;
    let cols = ["urn", "year", "ncy", "pupils"].map(|k| find_col(&table, c, k, &[k], &[]));
    let [Some(urn_c), Some(year_c), Some(ncy_c), Some(pupils_c)] = cols else {
        problems.push(Problem::fatal(&file, "rolls need columns urn, year, ncy, pupils (see README)"));
        return out;
    };
    let mut sink = ProblemSink::new(file, problems);
    for (line, cells) in &table.rows {
        let line = *line;
        let loc = format!("row {line}");
        let Some(urn) = text(cells, Some(urn_c)).and_then(|s| s.parse::<u32>().ok()) else {
            sink.push(Severity::Error, &loc, "urn", "not a URN (a whole number); row left out");
            continue;
        };
        let Some(ncy) = text(cells, Some(ncy_c)).and_then(|s| Ncy::parse(&s)) else {
            sink.push(Severity::Error, &loc, "ncy", "not a year group (R, Y1 … Y13); row left out");
            continue;
        };
        let Some(year) = num(cells, Some(year_c), &mut sink, line, "year").filter(|y| (1990.0..2100.0).contains(y) && y.fract() == 0.0)
        else {
            sink.push(Severity::Error, &loc, "year", "missing or implausible academic year; row left out");
            continue;
        };
        let Some(pupils) = num(cells, Some(pupils_c), &mut sink, line, "pupils").filter(|p| *p >= 0.0) else {
            sink.push(Severity::Error, &loc, "pupils", "missing or negative roll; row left out");
            continue;
        };
        #[allow(clippy::cast_possible_truncation)]
        let row = out.entry(urn).or_default().entry(year as i32).or_insert([None; NCY_COUNT]);
        let cell = &mut row[ncy.index()];
        if cell.is_some() {
            sink.push(
                Severity::Warning,
                &loc,
                "ncy",
                format!("a second {} roll for URN {urn} in {year}; the two are added", ncy.label()),
            );
        }
        *cell = Some(cell.unwrap_or(0.0) + pupils);
    }
    out
}
