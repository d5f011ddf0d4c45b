//! School capacity / roll tables keyed by URN or LAESTAB, carrying planning-area codes:
//! the DfE SCAP school-level table (`LAEstab`, `MAYNOR`, `Netcapacity (1)`,
//! `Primary PA code (2)`, `Secondary PA code (2)`) needs no mapping.

use super::{find_col, num, text};
use crate::ids::AreaCode;
use crate::manifest::CapacityInput;
use crate::problem::{Problem, ProblemSink, Severity};
use crate::source::FileSource;

/// One row of a capacity table.
#[derive(Clone, Debug, PartialEq)]
pub struct CapacityRow {
    /// URN or LAESTAB, per the manifest's `key`.
    pub key: u32,
    /// Number on roll.
    pub pupils: Option<f64>,
    /// Net capacity.
    pub capacity: Option<f64>,
    /// Primary capacity of an all-through or middle school (SCAP `PrimaryCapacity (2)`).
    pub primary_capacity: Option<f64>,
    /// Secondary capacity (Years 7–13) of an all-through or middle school (SCAP `SecondaryCapacity (2)`).
    pub secondary_capacity: Option<f64>,
    /// Primary planning area.
    pub pa_primary: Option<AreaCode>,
    /// Secondary planning area.
    pub pa_secondary: Option<AreaCode>,
    /// Line in the file.
    pub line: usize,
}

/// Reads a capacity table.
pub fn read(input: &CapacityInput, src: &FileSource, problems: &mut Vec<Problem>) -> Vec<CapacityRow> {
    let file = src.display(&input.path);
    let Some(table) = super::read_table(&input.path, 0, input.sheet.as_deref(), src, problems) else {
        return Vec::new();
    };
    let c = &input.columns;
    let key_names: &[&str] = match input.key {
        crate::manifest::CapacityKey::Laestab => &["LAEstab", "LAESTAB"],
        crate::manifest::CapacityKey::Urn => &["URN"],
    };
    let Some(key_c) = find_col(&table, c, "key", key_names, &[]) else {
        problems.push(Problem::fatal(
            &file,
            format!("no key column ({}); map it with columns.key", key_names.join(" or ")),
        ));
        return Vec::new();
    };
    let pupils_c = find_col(&table, c, "pupils", &["MAYNOR", "NOR"], &[]);
    let cap_c = find_col(&table, c, "capacity", &["Netcapacity (1)", "Net capacity"], &[&["netcapacity"]]);
    let pcap_c = find_col(&table, c, "primary_capacity", &["PrimaryCapacity (2)", "PrimaryCapacity"], &[]);
    let scap_c = find_col(
        &table,
        c,
        "secondary_capacity",
        &["SecondaryCapacity (2)", "SecondaryCapacity"],
        &[],
    );
    let pap_c = find_col(&table, c, "pa_primary", &["Primary PA code (2)"], &[&["primary pa code"]]);
    let pas_c = find_col(&table, c, "pa_secondary", &["Secondary PA code (2)"], &[&["secondary pa code"]]);
    let mut sink = ProblemSink::new(file.clone(), problems);
    let mut out = Vec::new();
    for (line, cells) in &table.rows {
        let line = *line;
        let Some(key) = num(cells, Some(key_c), &mut sink, line, "key").filter(|k| *k >= 1.0) else {
            sink.push(Severity::Error, format!("row {line}"), "key", "no key; row left out");
            continue;
        };
        let code = |col| text(cells, col).and_then(|s| AreaCode::new(&s).ok());
        out.push(CapacityRow {
            key: key as u32,
            pupils: num(cells, pupils_c, &mut sink, line, "pupils"),
            capacity: num(cells, cap_c, &mut sink, line, "capacity"),
            primary_capacity: num(cells, pcap_c, &mut sink, line, "PrimaryCapacity").filter(|v| *v > 0.0),
            secondary_capacity: num(cells, scap_c, &mut sink, line, "SecondaryCapacity").filter(|v| *v > 0.0),
            pa_primary: code(pap_c),
            pa_secondary: code(pas_c),
            line,
        });
    }
    out
}
