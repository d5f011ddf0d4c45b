//! Pupil forecasts: a CSV with one row per school or planning area × phase × academic year
//! (optionally × national curriculum year). Columns:
//!
//! | column  | meaning |
//! |---------|---------|
//! | `level` | `school` (code = URN) or `planning_area` (code = planning-area code) |
//! | `code`  | URN or planning-area code |
//! | `phase` | `primary` or `secondary` |
//! | `year`  | academic year by its starting calendar year (2025 = 2025/26) |
//! | `ncy`   | optional: `R`, `1` … `13`; rows are summed over NCY when present |
//! | `pupils`| forecast number on roll |

use super::{find_col, num, text};
use crate::ids::AreaCode;
use crate::manifest::TableInput;
use crate::model::Phase;
use crate::problem::{Problem, ProblemSink, Severity};
use crate::source::FileSource;
use serde::Serialize;
use std::collections::BTreeMap;

/// What a forecast row is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ForecastLevel {
    /// A school, by URN.
    School,
    /// A planning area, by code.
    PlanningArea,
}

/// Forecast pupils keyed by (level, code, phase, year), summed over NCY.
pub type Forecasts = BTreeMap<(ForecastLevel, AreaCode, Phase, i32), f64>;

/// Reads the forecasts.
pub fn read(input: &TableInput, src: &FileSource, problems: &mut Vec<Problem>) -> Forecasts {
    let file = src.display(&input.path);
    let mut out = Forecasts::new();
    let Some(table) = super::read_table(&input.path, input.skip_lines, input.sheet.as_deref(), src, problems) else {
        return out;
    };
    let c = &input.columns;
    let cols = ["level", "code", "phase", "year", "pupils"].map(|k| find_col(&table, c, k, &[k], &[]));
    let [Some(level_c), Some(code_c), Some(phase_c), Some(year_c), Some(pupils_c)] = cols else {
        problems.push(Problem::fatal(
            &file,
            "forecasts need columns level, code, phase, year, pupils (see README)",
        ));
        return out;
    };
    let mut sink = ProblemSink::new(file, problems);
    for (line, cells) in &table.rows {
        let line = *line;
        let loc = format!("row {line}");
        let level = match text(cells, Some(level_c)).map(|s| s.to_ascii_lowercase()).as_deref() {
            Some("school") => ForecastLevel::School,
            Some("planning_area" | "planning area" | "pa") => ForecastLevel::PlanningArea,
            other => {
                sink.push(
                    Severity::Error,
                    &loc,
                    "level",
                    format!("{other:?} is not school or planning_area; row left out"),
                );
                continue;
            }
        };
        let Some(Ok(code)) = text(cells, Some(code_c)).map(|s| AreaCode::new(&s)) else {
            sink.push(Severity::Error, &loc, "code", "blank code; row left out");
            continue;
        };
        let Some(phase) = text(cells, Some(phase_c)).and_then(|s| Phase::parse(&s)) else {
            sink.push(
                Severity::Error,
                &loc,
                "phase",
                "phase must be primary, secondary or post16; row left out",
            );
            continue;
        };
        let Some(year) = num(cells, Some(year_c), &mut sink, line, "year").filter(|y| (1990.0..2100.0).contains(y)) else {
            sink.push(Severity::Error, &loc, "year", "missing or implausible year; row left out");
            continue;
        };
        let Some(pupils) = num(cells, Some(pupils_c), &mut sink, line, "pupils").filter(|p| *p >= 0.0) else {
            sink.push(Severity::Error, &loc, "pupils", "missing or negative; row left out");
            continue;
        };
        *out.entry((level, code, phase, year as i32)).or_insert(0.0) += pupils;
    }
    out
}

crate::unit_enum!(ForecastLevel { School, PlanningArea });
