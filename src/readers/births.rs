//! Live births by year for the authority: ONS *Births in England and Wales* by local authority of
//! usual residence (calendar years), or the births component of the ONS mid-year estimates
//! (the twelve months to 30 June). The projection from population takes age 0 from them
//! ([`crate::forecast::population`]) where the single-year estimates end.

use super::{find_col, missing_column, read_table, text};
use crate::manifest::{BirthsInput, BirthsPeriod};
use crate::problem::{Problem, ProblemSink, Severity};
use crate::source::FileSource;
use std::collections::BTreeMap;

/// The births series, read.
#[derive(Clone, Debug, PartialEq)]
pub struct Births {
    /// The file, as shown to users.
    pub file: String,
    /// How the file counts a year.
    pub period: BirthsPeriod,
    /// Births in the twelve months to mid-year `y` (for a calendar-year file, the mean of
    /// calendar years `y − 1` and `y`: half of each falls in those twelve months).
    pub mid_year: BTreeMap<i32, f64>,
}

/// Reads the series. Rows of other areas (when `area` is set), and rows without a year or a
/// count, are reported and left out; a year given twice keeps the first.
#[must_use]
pub fn read(input: &BirthsInput, src: &FileSource, problems: &mut Vec<Problem>) -> Option<Births> {
    let t = read_table(&input.path, input.skip_lines, input.sheet.as_deref(), src, problems)?;
    let file = src.display(&input.path);
    let c = &input.columns;
    let year_c = find_col(&t, c, "year", &["year", "Year", "mid_year"], &[&["year"]]);
    let births_c = find_col(&t, c, "births", &["births", "Births", "live_births"], &[&["births"]]);
    let (Some(year_c), Some(births_c)) = (year_c, births_c) else {
        let field = if year_c.is_none() { "year" } else { "births" };
        problems.push(missing_column(&t, &file, field, "year = \"Year\", births = \"Live births\""));
        return None;
    };
    let area_c = find_col(&t, c, "area", &["area", "code", "area_code", "ladcode"], &[&["code"]]);
    if input.area.is_some() && area_c.is_none() {
        problems.push(Problem::new(
            Severity::Fatal,
            &file,
            "header",
            "area",
            "area is set but the file has no area code column; name it with columns = { area = \"…\" }",
        ));
        return None;
    }
    // A file of several areas without `area` would mix them: say which to take.
    if input.area.is_none()
        && let Some(ac) = area_c
    {
        let codes: std::collections::BTreeSet<String> = t.rows.iter().filter_map(|(_, c)| text(c, Some(ac))).collect();
        if codes.len() > 1 {
            problems.push(Problem::new(
                Severity::Fatal,
                &file,
                "header",
                "area",
                format!(
                    "the file lists {} areas ({}…); set area = \"…\" to the authority's code",
                    codes.len(),
                    codes.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
                ),
            ));
            return None;
        }
    }
    let mut sink = ProblemSink::new(file.clone(), problems);
    let mut by_year: BTreeMap<i32, f64> = BTreeMap::new();
    for (line, cells) in &t.rows {
        let line = *line;
        if let Some(want) = &input.area
            && text(cells, area_c).is_none_or(|a| !a.eq_ignore_ascii_case(want))
        {
            continue;
        }
        let raw = text(cells, Some(year_c)).unwrap_or_default();
        let year = crate::text::parse_number(&raw)
            .ok()
            .flatten()
            .filter(|y| y.fract() == 0.0 && (1900.0..=2200.0).contains(y));
        let Some(year) = year.map(|y| y as i32) else {
            sink.push(
                Severity::Error,
                format!("row {line}"),
                "year",
                format!("{raw:?} is not a year; row left out"),
            );
            continue;
        };
        let raw_births = text(cells, Some(births_c)).unwrap_or_default();
        let Some(births) = crate::text::parse_number(&raw_births).ok().flatten().filter(|b| *b >= 0.0) else {
            sink.push(
                Severity::Error,
                format!("row {line}"),
                "births",
                format!("{raw_births:?} is not a count of births; row left out"),
            );
            continue;
        };
        if by_year.contains_key(&year) {
            sink.push(
                Severity::Warning,
                format!("row {line}"),
                "year",
                format!("{year} given again; the first kept"),
            );
            continue;
        }
        by_year.insert(year, births);
    }
    if by_year.is_empty() {
        sink.push(
            Severity::Error,
            "file",
            "births",
            match &input.area {
                Some(a) => format!("no births for area {a}; births not used"),
                None => "no births read; births not used".to_owned(),
            },
        );
        return None;
    }
    let mid_year = match input.period {
        BirthsPeriod::MidYear => by_year,
        BirthsPeriod::Calendar => by_year
            .iter()
            .filter_map(|(&y, &b)| Some((y, (by_year.get(&(y - 1))? + b) / 2.0)))
            .collect(),
    };
    Some(Births {
        file,
        period: input.period,
        mid_year,
    })
}

crate::record!(Births { file, period, mid_year });
