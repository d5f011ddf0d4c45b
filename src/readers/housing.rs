//! The housing trajectory: dwellings completed per site and academic year.
//!
//! | column      | meaning |
//! |-------------|---------|
//! | `site`      | site name |
//! | `year`      | academic year the homes are occupied (2026 = 2026/27) |
//! | `dwellings` | homes completed that year |
//! | `area`      | planning-area code — or `easting` and `northing` (EPSG:27700) |
//! | `type`      | optional: `flat`, `house`, … (matched to `[settings.yields.by_type]`) |
//! | `tenure`, `bedrooms` | optional, kept for reference |

use super::{find_col, num, text};
use crate::manifest::TableInput;
use crate::model::Completion;
use crate::problem::{Problem, ProblemSink, Severity};
use crate::source::FileSource;

/// Reads the trajectory; bad rows are reported and left out.
pub fn read(input: &TableInput, src: &FileSource, problems: &mut Vec<Problem>) -> Vec<Completion> {
    let file = src.display(&input.path);
    let mut out = Vec::new();
    let Some(table) = super::read_table(&input.path, input.skip_lines, input.sheet.as_deref(), src, problems) else {
        return out;
    };
    let c = &input.columns;
    let col = |k: &str| find_col(&table, c, k, &[k], &[]);
    let (Some(site_c), Some(year_c), Some(dw_c)) = (col("site"), col("year"), col("dwellings")) else {
        problems.push(Problem::fatal(
            &file,
            "housing needs columns site, year, dwellings and area or easting/northing (see README)",
        ));
        return out;
    };
    let (area_c, x_c, y_c, type_c) = (col("area"), col("easting"), col("northing"), col("type"));
    let mut sink = ProblemSink::new(file, problems);
    for (line, cells) in &table.rows {
        let line = *line;
        let loc = format!("row {line}");
        let Some(site) = text(cells, Some(site_c)) else {
            sink.push(Severity::Error, &loc, "site", "blank site name; row left out");
            continue;
        };
        let Some(year) = num(cells, Some(year_c), &mut sink, line, "year").filter(|y| (1990.0..2100.0).contains(y) && y.fract() == 0.0)
        else {
            sink.push(Severity::Error, &loc, "year", "missing or implausible academic year; row left out");
            continue;
        };
        let Some(dwellings) = num(cells, Some(dw_c), &mut sink, line, "dwellings").filter(|d| *d >= 0.0) else {
            sink.push(
                Severity::Error,
                &loc,
                "dwellings",
                "missing or negative number of homes; row left out",
            );
            continue;
        };
        let area = text(cells, area_c);
        let at = match (
            num(cells, x_c, &mut sink, line, "easting"),
            num(cells, y_c, &mut sink, line, "northing"),
        ) {
            (Some(x), Some(y)) => Some(geo::Coord { x, y }),
            _ => None,
        };
        if area.is_none() && at.is_none() {
            sink.push(
                Severity::Error,
                &loc,
                "area",
                "no planning-area code and no easting/northing; row left out",
            );
            continue;
        }
        #[allow(clippy::cast_possible_truncation)]
        out.push(Completion {
            site,
            year: year as i32,
            dwellings,
            area,
            at,
            kind: text(cells, type_c),
        });
    }
    out
}
