//! CSV exports: one header row, `.` decimals, empty cells for missing values. By default for
//! Excel: a UTF-8 byte-order mark (without it Excel on Windows reads the file as Windows-1252 and
//! shows "Ã©" for é and "Â£" for £), CRLF line ends and every text cell in quotes (LibreOffice splits
//! on semicolons too by default); `CsvStyle::Plain` is UTF-8 with LF, no mark and quotes only where
//! needed, for scripts.

use super::{ExportError, ExportRow, ScapRow};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How a CSV file is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CsvStyle {
    /// For Excel and LibreOffice: a UTF-8 byte-order mark and CRLF line ends (the default).
    #[default]
    Excel,
    /// For scripts: plain UTF-8 with LF line ends and no byte-order mark.
    Plain,
}

impl CsvStyle {
    /// `excel` or `plain`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "excel" => Some(Self::Excel),
            "plain" => Some(Self::Plain),
            _ => None,
        }
    }
}

fn write<T: Serialize>(path: &Path, rows: &[T], style: CsvStyle) -> Result<(), ExportError> {
    let io = |e: std::io::Error| ExportError::Io {
        path: path.display().to_string(),
        source: e,
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    let terminator = match style {
        // No rows, no header: an empty file, with no mark either.
        CsvStyle::Excel if !rows.is_empty() => {
            file.write_all(BOM).map_err(io)?;
            csv::Terminator::CRLF
        }
        CsvStyle::Excel => csv::Terminator::CRLF,
        CsvStyle::Plain => csv::Terminator::Any(b'\n'),
    };
    // For spreadsheets every text cell is quoted: LibreOffice's import splits on semicolons and
    // tabs as well as commas unless told otherwise, which would cut "Café quarter; £2.4m" in two.
    let quote = match style {
        CsvStyle::Excel => csv::QuoteStyle::NonNumeric,
        CsvStyle::Plain => csv::QuoteStyle::Necessary,
    };
    let mut w = csv::WriterBuilder::new()
        .terminator(terminator)
        .quote_style(quote)
        .from_writer(file);
    for r in rows {
        w.serialize(r).map_err(|e| io(e.into()))?;
    }
    w.flush().map_err(io)
}

/// Writes the rows of a level.
///
/// # Errors
/// The file cannot be written.
pub fn write_rows(path: &Path, rows: &[ExportRow], style: CsvStyle) -> Result<(), ExportError> {
    write(path, rows, style)
}

/// Writes the SCAP-style table.
///
/// # Errors
/// The file cannot be written.
pub fn write_scap(path: &Path, rows: &[ScapRow], style: CsvStyle) -> Result<(), ExportError> {
    write(path, rows, style)
}
