//! A decoded CSV table with named columns, so readers can look columns up by their published names.

use crate::problem::{Problem, ProblemSink, Severity};

/// One row's cells: `get(i)` gives the `i`th as text.
pub type Row = csv::StringRecord;

/// A CSV file held as header + rows of strings, with the file line of each row.
#[derive(Debug)]
pub struct Table {
    /// Column names, trimmed.
    pub headers: Vec<String>,
    /// `(line number in the file, cells)`; the header is line 1. A row's cells share one
    /// buffer (a million-row file is a million allocations, not one per cell).
    pub rows: Vec<(usize, Row)>,
}

impl Table {
    /// Parses CSV text (already decoded), skipping `skip_lines` title lines before the header.
    /// Rows with the wrong number of cells are reported and left out.
    ///
    /// # Errors
    /// A fatal problem when there is no header row.
    pub fn parse(text: &str, file: &str, skip_lines: usize, problems: &mut Vec<Problem>) -> Result<Self, Problem> {
        let mut body = text;
        for _ in 0..skip_lines {
            body = body.split_once('\n').map_or("", |(_, rest)| rest);
        }
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(body.as_bytes());
        let mut records = rdr.records();
        let headers: Vec<String> = match records.next() {
            Some(Ok(r)) => r.iter().map(str::to_owned).collect(),
            Some(Err(e)) => return Err(Problem::fatal(file, format!("cannot read the header row: {e}"))),
            None => return Err(Problem::fatal(file, "no header row")),
        };
        let mut unreadable = Vec::new();
        let body = records.filter_map(|rec| match rec {
            Ok(r) => Some((
                usize::try_from(r.position().map_or(0, csv::Position::line)).unwrap_or(0) + skip_lines,
                r,
            )),
            Err(e) => {
                unreadable.push(format!("unreadable CSV: {e}"));
                None
            }
        });
        let table = Self::from_rows(headers, body, file, problems);
        let mut sink = ProblemSink::new(file, problems);
        for why in unreadable {
            sink.push(Severity::Error, "row ?", "-", why);
        }
        table
    }

    /// A table from a header row and `(line, cells)` rows, as read from a CSV file or a workbook
    /// sheet. Blank rows are skipped; rows with more or fewer cells than the header are reported
    /// and left out.
    ///
    /// # Errors
    /// A fatal problem when the header row is blank.
    pub fn from_rows(
        headers: Vec<String>,
        body: impl Iterator<Item = (usize, Row)>,
        file: &str,
        problems: &mut Vec<Problem>,
    ) -> Result<Self, Problem> {
        let headers: Vec<String> = headers.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_owned()).collect();
        if headers.iter().all(String::is_empty) {
            return Err(Problem::fatal(file, "the header row is blank"));
        }
        let mut rows = Vec::new();
        let mut sink = ProblemSink::new(file, problems);
        for (i, h) in headers.iter().enumerate().filter(|(_, h)| !h.is_empty()) {
            if let Some(j) = headers[..i].iter().position(|x| x.eq_ignore_ascii_case(h)) {
                sink.push(
                    Severity::Warning,
                    "row 1",
                    h,
                    format!(
                        "the column {h:?} appears twice (columns {} and {}); the first is read",
                        j + 1,
                        i + 1
                    ),
                );
            }
        }
        for (line, r) in body {
            if r.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if r.len() != headers.len() {
                sink.push(
                    Severity::Error,
                    format!("row {line}"),
                    "-",
                    format!("has {} cells but the header has {}; row left out", r.len(), headers.len()),
                );
                continue;
            }
            rows.push((line, r));
        }
        Ok(Self { headers, rows })
    }

    /// Index of the column named exactly `name` (case-insensitive, trimmed).
    #[must_use]
    pub fn col(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h.eq_ignore_ascii_case(name.trim()))
    }

    /// Index of the first column whose lower-cased name contains every one of `needles`.
    #[must_use]
    pub fn col_containing(&self, needles: &[&str]) -> Option<usize> {
        self.headers.iter().position(|h| {
            let h = h.to_ascii_lowercase();
            needles.iter().all(|n| h.contains(&n.to_ascii_lowercase()))
        })
    }
}
