//! Point files used as a population proxy for apportionment: OS Code-Point Open postcode
//! centroids (`Eastings`, `Northings`) or any CSV of address points in EPSG:27700.

use super::num;
use crate::manifest::PointsInput;
use crate::problem::{Problem, ProblemSink};
use crate::source::FileSource;
use geo::Coord;

/// A postcode and where it is (EPSG:27700), for search.
#[derive(Clone, Debug, PartialEq)]
pub struct Postcode {
    /// Upper case without spaces (`LS85BQ`): the key searches compare.
    pub key: String,
    /// As published (`LS8 5BQ`).
    pub label: String,
    /// The postcode's centroid.
    pub at: Coord,
}

/// A postcode typed by a user, as a key: upper case, letters and digits only.
#[must_use]
pub fn postcode_key(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Reads the points (EPSG:27700), and the postcodes when the file has a `Postcode` column (OS
/// Code-Point Open, ONSPD's `pcds`), sorted by key.
pub fn read(input: &PointsInput, src: &FileSource, problems: &mut Vec<Problem>) -> (Vec<Coord>, Vec<Postcode>) {
    let file = src.display(&input.path);
    let Some(table) = super::read_table(&input.path, 0, input.sheet.as_deref(), src, problems) else {
        return (Vec::new(), Vec::new());
    };
    let (xn, yn) = (input.x.as_deref().unwrap_or("Eastings"), input.y.as_deref().unwrap_or("Northings"));
    let (Some(xc), Some(yc)) = (table.col(xn), table.col(yn)) else {
        problems.push(Problem::fatal(
            &file,
            format!("needs columns {xn:?} and {yn:?} (set x and y in the manifest)"),
        ));
        return (Vec::new(), Vec::new());
    };
    let pc = table.col("Postcode").or_else(|| table.col("pcds")).or_else(|| table.col("pcd"));
    let mut sink = ProblemSink::new(file, problems);
    let mut postcodes = Vec::new();
    let coords = table
        .rows
        .iter()
        .filter_map(|(line, cells)| {
            let x = num(cells, Some(xc), &mut sink, *line, xn)?;
            let y = num(cells, Some(yc), &mut sink, *line, yn)?;
            let at = (x > 0.0 && y > 0.0).then_some(Coord { x, y })?;
            if let Some(label) = pc.and_then(|c| cells.get(c)).map(|l| l.trim()).filter(|l| !l.is_empty()) {
                postcodes.push(Postcode {
                    key: postcode_key(label),
                    label: label.to_owned(),
                    at,
                });
            }
            Some(at)
        })
        .collect();
    postcodes.sort_by(|a, b| a.key.cmp(&b.key));
    (coords, postcodes)
}

crate::record!(Postcode { key, label, at });
