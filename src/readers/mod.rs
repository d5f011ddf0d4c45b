//! Readers: each turns one published file format into typed records plus a list of problems.

/// Boundary layers: GeoJSON (CRS84 or declared CRS) and Shapefile.
pub mod boundaries;
/// Capacity / roll tables with planning-area codes (SCAP).
pub mod capacity;
/// IoD 2019 deprivation tables.
pub mod deprivation;
/// Pupil forecasts by school or planning area.
pub mod forecasts;
/// The housing trajectory (dwellings per site and year).
pub mod housing;
/// Planning-area names by code.
pub mod names;
/// Point files (postcode centroids, address points) used for population weighting.
pub mod points;
/// Population by LSOA (single year of age, or IoD File 6).
pub mod population;
/// School census pupils by stage (nursery, reception, KS1–KS5) by URN.
pub mod pupils_by_stage;
/// Historic rolls by school × NCY × year.
pub mod rolls;
/// The GIAS establishment register.
pub mod schools;

use crate::problem::ProblemSink;
use crate::table::Table;
use std::collections::BTreeMap;

/// Reads, decodes and parses a CSV input (`skip_lines` title lines before the header). Any failure
/// is recorded as a fatal problem naming the file, and `None` is returned.
pub(crate) fn read_table(
    rel: &str,
    skip_lines: usize,
    src: &crate::source::FileSource,
    problems: &mut Vec<crate::problem::Problem>,
) -> Option<Table> {
    let file = src.display(rel);
    let bytes = match src.read(rel) {
        Ok(b) => b,
        Err(e) => {
            problems.push(crate::problem::Problem::fatal(&file, format!("cannot read: {e}")));
            return None;
        }
    };
    match crate::text::decode(&bytes, &file, problems).and_then(|t| Table::parse(&t, &file, skip_lines, problems)) {
        Ok(t) => Some(t),
        Err(p) => {
            problems.push(p);
            None
        }
    }
}

/// Looks up a column: a manifest override first, then each default name, then `contains` patterns.
pub(crate) fn find_col(t: &Table, overrides: &BTreeMap<String, String>, key: &str, names: &[&str], contains: &[&[&str]]) -> Option<usize> {
    if let Some(name) = overrides.get(key) {
        return t.col(name);
    }
    names
        .iter()
        .find_map(|n| t.col(n))
        .or_else(|| contains.iter().find_map(|c| t.col_containing(c)))
}

/// Parses an optional numeric cell, reporting text that is not a number.
pub(crate) fn num(cells: &[String], col: Option<usize>, sink: &mut ProblemSink<'_>, line: usize, field: &str) -> Option<f64> {
    let cell = cells.get(col?)?;
    match crate::text::parse_number(cell) {
        Ok(v) => v,
        Err(()) => {
            sink.push(
                crate::problem::Severity::Error,
                format!("row {line}"),
                field,
                format!("{cell:?} is not a number; value ignored"),
            );
            None
        }
    }
}

/// Returns a trimmed, non-empty text cell.
pub(crate) fn text(cells: &[String], col: Option<usize>) -> Option<String> {
    let s = cells.get(col?)?.trim();
    if s.is_empty() { None } else { Some(s.to_owned()) }
}
