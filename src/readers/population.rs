//! Population by LSOA: ONS single-year-of-age tables (`0`…`89`, `90+`, optionally several years
//! in a `year` column) or IoD 2019 File 6 denominators (total and 0–15).

use super::{find_col, num};
use crate::ids::AreaCode;
use crate::manifest::{PopulationFormat, PopulationInput};
use crate::problem::{Problem, ProblemSink, Severity};
use crate::source::FileSource;
use std::collections::HashMap;

/// Population of one LSOA.
#[derive(Clone, Debug, PartialEq)]
pub struct LsoaPopulation {
    /// All ages.
    pub total: f64,
    /// Aged 0–15.
    pub children_0_15: f64,
    /// By single year of age 0..=90 (90 = 90+), when the table has them.
    pub ages: Option<Vec<f64>>,
}

/// What a population table holds.
#[derive(Clone, Debug, Default)]
pub struct Population {
    /// The year used (the latest of a multi-year table, or the manifest's `year`).
    pub year: Option<i32>,
    /// Each LSOA's population in that year.
    pub areas: HashMap<AreaCode, LsoaPopulation>,
    /// Every year's single years of age by LSOA (that year included), for projections
    /// ([`crate::forecast::population`]); empty for a table without single ages or years.
    pub years: std::collections::BTreeMap<i32, HashMap<AreaCode, Vec<f64>>>,
}

/// The columns of ages 0 … 89 and of 90+ (headed `90+` or `90`).
fn age_columns(table: &crate::table::Table) -> Vec<Option<usize>> {
    (0..=90)
        .map(|a| {
            if a == 90 {
                table.col("90+").or_else(|| table.col("90"))
            } else {
                table.col(&a.to_string())
            }
        })
        .collect()
}

/// Reads the table: the year used and its populations, and every year's single ages.
pub fn read(input: &PopulationInput, src: &FileSource, problems: &mut Vec<Problem>) -> Population {
    let file = src.display(&input.path);
    let mut out = HashMap::new();
    let mut years: std::collections::BTreeMap<i32, HashMap<AreaCode, Vec<f64>>> = std::collections::BTreeMap::new();
    let Some(table) = super::read_table(&input.path, 0, input.sheet.as_deref(), src, problems) else {
        return Population::default();
    };
    let c = &input.columns;
    let Some(code_c) = find_col(
        &table,
        c,
        "code",
        &["lsoa11_code", "LSOA code (2011)", "LSOA11CD", "lsoa_code", "code"],
        &[&["lsoa", "code"]],
    ) else {
        problems.push(Problem::fatal(&file, "no LSOA code column; map it with columns.code"));
        return Population::default();
    };
    let year_c = find_col(&table, c, "year", &["year"], &[]);
    let ages_c = age_columns(&table);
    let total_c = find_col(
        &table,
        c,
        "total",
        &["total_population", "All Ages", "AllAges"],
        &[&["total population"]],
    );
    let kids_c = find_col(&table, c, "children_0_15", &[], &[&["children aged 0-15"]]);
    if input.format == PopulationFormat::Syoa && ages_c.iter().take(16).any(Option::is_none) {
        problems.push(Problem::fatal(
            &file,
            "format = \"syoa\" needs columns 0 … 89 and 90+ (single year of age); use format = \"iod_file6\" for IoD denominators",
        ));
        return Population::default();
    }
    let mut sink = ProblemSink::new(file.clone(), problems);
    let year = match (input.year, year_c) {
        (Some(y), _) => Some(y),
        (None, Some(yc)) => table.rows.iter().filter_map(|(_, r)| r.get(yc)?.trim().parse::<i32>().ok()).max(),
        (None, None) => None,
    };
    for (line, cells) in &table.rows {
        let line = *line;
        // A row of another year of a multi-year table is kept for projections only.
        let row_year = year_c.and_then(|yc| cells.get(yc)?.trim().parse::<i32>().ok());
        let other_year = year.is_some() && year_c.is_some() && row_year != year;
        if other_year && (input.format != PopulationFormat::Syoa || row_year.is_none()) {
            continue;
        }
        let Some(Ok(code)) = cells.get(code_c).map(|s| AreaCode::new(s)) else {
            sink.push(Severity::Error, format!("row {line}"), "code", "blank LSOA code; row left out");
            continue;
        };
        if let Some(note) = cells.get(code_c).and_then(|raw| code.changed_from(raw)) {
            sink.push(Severity::Warning, format!("row {line}"), "code", note);
        }
        let rec = match input.format {
            PopulationFormat::Syoa => {
                let ages: Vec<f64> = ages_c
                    .iter()
                    .enumerate()
                    .map(|(a, col)| num(cells, *col, &mut sink, line, &a.to_string()).unwrap_or(0.0))
                    .collect();
                if let Some(a) = ages.iter().position(|v| *v < 0.0) {
                    sink.push(
                        Severity::Error,
                        format!("row {line}"),
                        &a.to_string(),
                        format!(
                            "{} people aged {a} is negative; row left out (this LSOA has no population figure)",
                            ages[a]
                        ),
                    );
                    continue;
                }
                let sum: f64 = ages.iter().sum();
                let total = num(cells, total_c, &mut sink, line, "total_population").unwrap_or(sum);
                if (total - sum).abs() > 0.5 {
                    sink.push(
                        Severity::Warning,
                        format!("row {line}"),
                        "total_population",
                        format!("total {total} differs from the sum of single ages {sum}; using the sum"),
                    );
                }
                LsoaPopulation {
                    total: sum,
                    children_0_15: ages.iter().take(16).sum(),
                    ages: Some(ages),
                }
            }
            PopulationFormat::IodFile6 => {
                let Some(total) = num(cells, total_c, &mut sink, line, "total population").filter(|t| *t >= 0.0) else {
                    sink.push(
                        Severity::Error,
                        format!("row {line}"),
                        "total population",
                        "missing or negative; row left out",
                    );
                    continue;
                };
                LsoaPopulation {
                    total,
                    children_0_15: num(cells, kids_c, &mut sink, line, "children 0-15").unwrap_or(0.0),
                    ages: None,
                }
            }
        };
        if let (Some(y), Some(ages)) = (row_year.or(year), &rec.ages) {
            years.entry(y).or_default().insert(code.clone(), ages.clone());
        }
        if other_year {
            continue;
        }
        if out.insert(code.clone(), rec).is_some() {
            sink.push(
                Severity::Error,
                format!("row {line}"),
                "code",
                format!("duplicate LSOA {code}; the later row is used"),
            );
        }
    }
    Population { year, areas: out, years }
}

/// Reads an earlier estimate ([`crate::manifest::PopulationHistoryInput`]) as the authority's
/// people by single year of age 0..=90 (90 = 90+): every row summed. `None` (with a problem) when
/// the file cannot be read or has no single-age columns; a row with a cell that is not a number
/// is reported and left out of the sums.
#[must_use]
pub fn read_sums(input: &crate::manifest::PopulationHistoryInput, src: &FileSource, problems: &mut Vec<Problem>) -> Option<Vec<f64>> {
    let file = src.display(&input.path);
    let table = super::read_table(&input.path, 0, input.sheet.as_deref(), src, problems)?;
    let cols = age_columns(&table);
    if cols.iter().any(Option::is_none) {
        problems.push(Problem::fatal(
            &file,
            "an earlier population estimate needs columns 0 … 89 and 90+ (single year of age)",
        ));
        return None;
    }
    let mut sink = ProblemSink::new(file, problems);
    let mut out = vec![0.0; 91];
    for (line, cells) in &table.rows {
        let ages: Option<Vec<f64>> = cols
            .iter()
            .enumerate()
            .map(|(a, c)| num(cells, *c, &mut sink, *line, &a.to_string()).filter(|v| *v >= 0.0))
            .collect();
        match ages {
            Some(ages) => out.iter_mut().zip(ages).for_each(|(o, v)| *o += v),
            None => sink.push(
                Severity::Error,
                format!("row {line}"),
                "ages",
                "a missing or negative count; row left out of the sums",
            ),
        }
    }
    Some(out)
}
