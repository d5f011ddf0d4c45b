//! CSV exports (UTF-8, one header row, `.` decimals, empty cells for missing values).

use super::{ExportError, ExportRow, ScapRow};
use serde::Serialize;
use std::path::Path;

fn write<T: Serialize>(path: &Path, rows: &[T]) -> Result<(), ExportError> {
    let io = |e: std::io::Error| ExportError::Io {
        path: path.display().to_string(),
        source: e,
    };
    let mut w = csv::Writer::from_path(path).map_err(|e| io(e.into()))?;
    for r in rows {
        w.serialize(r).map_err(|e| io(e.into()))?;
    }
    w.flush().map_err(io)
}

/// Writes the rows of a level.
///
/// # Errors
/// The file cannot be written.
pub fn write_rows(path: &Path, rows: &[ExportRow]) -> Result<(), ExportError> {
    write(path, rows)
}

/// Writes the SCAP-style table.
///
/// # Errors
/// The file cannot be written.
pub fn write_scap(path: &Path, rows: &[ScapRow]) -> Result<(), ExportError> {
    write(path, rows)
}
