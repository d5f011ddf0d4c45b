//! Admissions allocations: a council's published places allocated per school for one year's
//! entry (Leeds: "Allocation for Reception and Junior School places", 2024), keyed by the
//! school's LA establishment number. Only Reception entry is read — rows of schools whose age
//! range starts at 4 or under (a junior school's entry is Year 3) — as a check on the forecast
//! Reception intakes ([`crate::analysis::admissions`]).

use super::{find_col, missing_column, num, read_table};
use crate::manifest::AdmissionsInput;
use crate::problem::{Problem, ProblemSink, Severity};
use crate::source::FileSource;

/// One school's allocation.
#[derive(Clone, Debug, PartialEq)]
pub struct Allocation {
    /// Its row in the file.
    pub row: usize,
    /// The LA establishment number (the last four digits of the LAESTAB).
    pub estab: u32,
    /// The school's name as the file gives it.
    pub name: String,
    /// Places allocated.
    pub allocated: f64,
    /// The published admission number, when given.
    pub pan: Option<f64>,
}

/// Reads the allocations. Rows without a code or an allocation are reported and left out; rows of
/// schools whose entry is not Reception (an age range starting above 4) are skipped silently.
#[must_use]
pub fn read(input: &AdmissionsInput, src: &FileSource, problems: &mut Vec<Problem>) -> Vec<Allocation> {
    let mut out = Vec::new();
    let Some(t) = read_table(&input.path, input.skip_lines, input.sheet.as_deref(), src, problems) else {
        return out;
    };
    let file = src.display(&input.path);
    let c = &input.columns;
    let code_c = find_col(
        &t,
        c,
        "code",
        &["School Code", "estab", "EstablishmentNumber"],
        &[&["school", "code"]],
    );
    let alloc_c = find_col(&t, c, "allocated", &["Places Allocated", "allocated"], &[&["allocated"]]);
    let (Some(code_c), Some(alloc_c)) = (code_c, alloc_c) else {
        let field = if code_c.is_none() { "code" } else { "allocated" };
        problems.push(missing_column(
            &t,
            &file,
            field,
            "code = \"School Code\", allocated = \"Places Allocated\"",
        ));
        return out;
    };
    let name_c = find_col(&t, c, "name", &["School", "name"], &[]);
    let pan_c = find_col(&t, c, "pan", &["Published Admission Number", "PAN"], &[&["admission", "number"]]);
    let min_age_c = find_col(&t, c, "min_age", &["AgeRange Minimum", "StatutoryLowAge"], &[&["age", "minimum"]]);
    let mut sink = ProblemSink::new(file, problems);
    let mut blank = 0;
    for (line, cells) in &t.rows {
        let line = *line;
        let Some(estab) = cells.get(code_c).and_then(|s| s.trim().parse::<u32>().ok()) else {
            sink.push(
                Severity::Error,
                format!("row {line}"),
                "code",
                "no establishment number; row left out",
            );
            continue;
        };
        if num(cells, min_age_c, &mut sink, line, "min_age").is_some_and(|a| a > 4.0) {
            continue;
        }
        // A blank allocation is a school the council does not admit for (an academy, a voluntary
        // aided school): counted, and said once.
        if cells.get(alloc_c).is_none_or(|c| c.trim().is_empty()) {
            blank += 1;
            continue;
        }
        let Some(allocated) = num(cells, Some(alloc_c), &mut sink, line, "allocated").filter(|v| *v >= 0.0) else {
            sink.push(
                Severity::Error,
                format!("row {line}"),
                "allocated",
                "not a number of places; row left out",
            );
            continue;
        };
        out.push(Allocation {
            row: line,
            estab,
            name: name_c.and_then(|n| cells.get(n)).map(|s| s.trim().to_owned()).unwrap_or_default(),
            allocated,
            pan: num(cells, pan_c, &mut sink, line, "pan"),
        });
    }
    if blank > 0 {
        sink.push(
            Severity::Warning,
            "file",
            "allocated",
            format!("{blank} row(s) give no places allocated (schools the council does not admit for, such as academies); left out"),
        );
    }
    out
}

crate::record!(Allocation {
    row,
    estab,
    name,
    allocated,
    pan
});
