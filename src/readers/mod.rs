//! Readers: each turns one published file format into typed records plus a list of problems.

/// Admissions allocations (places allocated per school for one year's entry).
pub mod admissions;
/// Live births by year for the authority.
pub mod births;
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

/// The bytes of an input, or a fatal problem naming the file.
pub(crate) fn read_bytes(rel: &str, src: &crate::source::FileSource, problems: &mut Vec<crate::problem::Problem>) -> Option<Vec<u8>> {
    match src.read(rel) {
        Ok(b) => Some(b),
        Err(e) => {
            problems.push(crate::problem::Problem::fatal(src.display(rel), format!("cannot read: {e}")));
            None
        }
    }
}

/// The text of an input (decoded as [`crate::text::decode`] does), or a fatal problem naming the file.
pub(crate) fn read_text(rel: &str, src: &crate::source::FileSource, problems: &mut Vec<crate::problem::Problem>) -> Option<String> {
    let bytes = read_bytes(rel, src, problems)?;
    match crate::text::decode(bytes, &src.display(rel), problems) {
        Ok(t) => Some(t),
        Err(p) => {
            problems.push(p);
            None
        }
    }
}

/// Whether `rel` names a workbook (Excel `.xlsx`, `.xlsm`, `.xlsb`, `.xls`, or OpenDocument `.ods`).
#[must_use]
pub fn is_workbook(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    [".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"].iter().any(|e| lower.ends_with(e))
}

/// Reads, decodes and parses a table input: a CSV file (`skip_lines` title lines before the
/// header), or one sheet of a workbook (`sheet`, which may be left out when there is only one).
/// Any failure is recorded as a fatal problem naming the file, and `None` is returned.
pub(crate) fn read_table(
    rel: &str,
    skip_lines: usize,
    sheet: Option<&str>,
    src: &crate::source::FileSource,
    problems: &mut Vec<crate::problem::Problem>,
) -> Option<Table> {
    use crate::problem::{Problem, Severity};
    let file = src.display(rel);
    let bytes = read_bytes(rel, src, problems)?;
    let table = if is_workbook(rel) {
        read_sheet(bytes, &file, sheet, skip_lines, problems)
    } else {
        if let Some(name) = sheet {
            problems.push(Problem::new(
                Severity::Warning,
                &file,
                "file",
                "sheet",
                format!("sheet = {name:?} is for workbooks (.xlsx, .xls, .ods); this file is read as CSV"),
            ));
        }
        crate::text::decode(bytes, &file, problems).and_then(|t| Table::parse(&t, &file, skip_lines, problems))
    };
    match table {
        Ok(t) => Some(t),
        Err(p) => {
            problems.push(p);
            None
        }
    }
}

/// The most cells a sheet's grid may hold (the England-wide IoD File 3 has about 400,000).
pub const MAX_SHEET_CELLS: u64 = 5_000_000;

/// Streams the cells of an Excel sheet, without holding them, and refuses one whose grid (first to
/// last used row and column) is larger than [`MAX_SHEET_CELLS`].
fn sheet_extent<RS: std::io::Read + std::io::Seek>(x: &mut calamine::Xlsx<RS>, name: &str) -> Result<(), String> {
    let mut cells = x.worksheet_cells_reader(name).map_err(|e| format!("cannot be read: {e}"))?;
    let (mut r0, mut r1, mut c0, mut c1) = (u32::MAX, 0u32, u32::MAX, 0u32);
    while let Some(cell) = cells.next_cell().map_err(|e| format!("cannot be read: {e}"))? {
        let (r, c) = cell.get_position();
        (r0, r1, c0, c1) = (r0.min(r), r1.max(r), c0.min(c), c1.max(c));
    }
    if r0 == u32::MAX {
        return Ok(());
    }
    let grid = (u64::from(r1 - r0) + 1) * (u64::from(c1 - c0) + 1);
    if grid > MAX_SHEET_CELLS {
        return Err(format!(
            "spans {} rows × {} columns ({grid} cells, the limit is {MAX_SHEET_CELLS}); save the table alone in a sheet, or as CSV",
            r1 - r0 + 1,
            c1 - c0 + 1
        ));
    }
    Ok(())
}

/// One sheet of a workbook as a table, its rows numbered as in the spreadsheet and `skip_lines`
/// counted from row 1. Cells are read as stored: numbers in full (a cell shown as 12.5% is 0.125),
/// dates as Excel serial numbers; an Excel error cell (`#N/A`) is read as empty and reported.
fn read_sheet(
    bytes: Vec<u8>,
    file: &str,
    sheet: Option<&str>,
    skip_lines: usize,
    problems: &mut Vec<crate::problem::Problem>,
) -> Result<Table, crate::problem::Problem> {
    use crate::problem::{Problem, Severity};
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| Problem::fatal(file, format!("not a readable workbook: {e}")))?;
    let names = book.sheet_names();
    let list = || names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .or_else(|| names.iter().find(|n| n.trim().eq_ignore_ascii_case(s.trim())))
            .cloned()
            .ok_or_else(|| Problem::fatal(file, format!("has no sheet {s:?}; its sheets are {}", list())))?,
        None => match names.as_slice() {
            [only] => only.clone(),
            [] => return Err(Problem::fatal(file, "the workbook has no sheets")),
            _ => {
                return Err(Problem::fatal(
                    file,
                    format!(
                        "the workbook has several sheets ({}); say which with sheet = \"…\" in the manifest",
                        list()
                    ),
                ));
            }
        },
    };
    // calamine holds a sheet as a full grid from its first used cell to its last, so two cells far
    // apart in a tiny file would ask for billions: an Excel sheet's extent is measured first.
    if let calamine::Sheets::Xlsx(x) = &mut book {
        sheet_extent(x, &name).map_err(|why| Problem::fatal(file, format!("sheet {name:?} {why}")))?;
    }
    let range = book
        .worksheet_range(&name)
        .map_err(|e| Problem::fatal(file, format!("sheet {name:?} cannot be read: {e}")))?;
    let where_ = format!("{file} [sheet {name}]");
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut errors = Vec::new();
    // The range starts at the first row with a cell in it; title lines are counted from row 1.
    let mut rows = range
        .rows()
        .enumerate()
        .skip(skip_lines.saturating_sub(first_row))
        .map(|(i, cells)| {
            let line = first_row + i + 1;
            let cells = cells
                .iter()
                .enumerate()
                .map(|(c, d)| match d {
                    Data::Error(e) => {
                        errors.push((line, c + 1, e.to_string()));
                        String::new()
                    }
                    other => other.to_string(),
                })
                .collect::<Vec<String>>();
            (line, cells)
        });
    let headers = match rows.next() {
        Some((_, h)) => h,
        None => return Err(Problem::fatal(&where_, "the sheet is empty")),
    };
    let body: Vec<(usize, Vec<String>)> = rows.collect();
    let table = Table::from_rows(
        headers,
        body.into_iter().map(|(l, r)| (l, crate::table::Row::from(r))),
        &where_,
        problems,
    );
    let mut sink = ProblemSink::new(&where_, problems);
    for (line, col, e) in errors {
        sink.push(
            Severity::Warning,
            format!("row {line}"),
            &format!("column {col}"),
            format!("Excel error {e}; read as empty"),
        );
    }
    table
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

/// The fatal problem of a table without a column it needs: which columns it has, and how to
/// name the one it lacks in the manifest (`example`: `code = "School Code"`).
pub(crate) fn missing_column(t: &Table, file: &str, field: &str, example: &str) -> crate::problem::Problem {
    crate::problem::Problem::new(
        crate::problem::Severity::Fatal,
        file,
        "header",
        field,
        format!(
            "no {field} column (columns are {}); name it in the manifest, e.g. columns = {{ {example} }}",
            t.headers.join(", ")
        ),
    )
}

/// Parses an optional numeric cell, reporting text that is not a number.
pub(crate) fn num(cells: &crate::table::Row, col: Option<usize>, sink: &mut ProblemSink<'_>, line: usize, field: &str) -> Option<f64> {
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
pub(crate) fn text(cells: &crate::table::Row, col: Option<usize>) -> Option<String> {
    let s = cells.get(col?)?.trim();
    if s.is_empty() { None } else { Some(s.to_owned()) }
}
