//! Point files used as a population proxy for apportionment: OS Code-Point Open postcode
//! centroids (`Eastings`, `Northings`) or any CSV of address points in EPSG:27700.

use super::num;
use crate::manifest::PointsInput;
use crate::problem::{Problem, ProblemSink};
use crate::source::FileSource;
use geo::Coord;

/// Reads the points (EPSG:27700).
pub fn read(input: &PointsInput, src: &FileSource, problems: &mut Vec<Problem>) -> Vec<Coord> {
    let file = src.display(&input.path);
    let Some(table) = super::read_table(&input.path, 0, src, problems) else {
        return Vec::new();
    };
    let (xn, yn) = (input.x.as_deref().unwrap_or("Eastings"), input.y.as_deref().unwrap_or("Northings"));
    let (Some(xc), Some(yc)) = (table.col(xn), table.col(yn)) else {
        problems.push(Problem::fatal(
            &file,
            format!("needs columns {xn:?} and {yn:?} (set x and y in the manifest)"),
        ));
        return Vec::new();
    };
    let mut sink = ProblemSink::new(file, problems);
    table
        .rows
        .iter()
        .filter_map(|(line, cells)| {
            let x = num(cells, Some(xc), &mut sink, *line, xn)?;
            let y = num(cells, Some(yc), &mut sink, *line, yn)?;
            (x > 0.0 && y > 0.0).then_some(Coord { x, y })
        })
        .collect()
}
