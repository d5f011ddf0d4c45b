//! Planning-area names: a CSV of `code` and `name` (any other columns ignored), for planning
//! areas whose boundary files or capacity tables give only a code. A name given here replaces a
//! derived planning area's ward-based name, and a read one's name only where that is blank or
//! the code itself.

use super::{find_col, read_table};
use crate::manifest::TableInput;
use crate::problem::{Problem, ProblemSink, Severity};
use crate::source::FileSource;
use std::collections::BTreeMap;

/// Reads the names table: code (upper-cased, trimmed, as area codes are) → name. Rows without a
/// code or a name are reported and left out; a code named twice keeps its first name.
#[must_use]
pub fn read(input: &TableInput, src: &FileSource, problems: &mut Vec<Problem>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(t) = read_table(&input.path, input.skip_lines, input.sheet.as_deref(), src, problems) else {
        return out;
    };
    let file = src.display(&input.path);
    let code_c = find_col(
        &t,
        &input.columns,
        "code",
        &["code", "pa_code", "PA code", "Planning area code", "planning_area"],
        &[&["code"]],
    );
    let name_c = find_col(
        &t,
        &input.columns,
        "name",
        &["name", "pa_name", "PA name", "Planning area name"],
        &[&["name"]],
    );
    let (Some(code_c), Some(name_c)) = (code_c, name_c) else {
        problems.push(Problem::new(
            Severity::Fatal,
            file,
            "header",
            if code_c.is_none() { "code" } else { "name" },
            format!(
                "no {} column (columns are {}); name them in the manifest, e.g. columns = {{ code = \"PA code\", name = \"PA name\" }}",
                if code_c.is_none() { "code" } else { "name" },
                t.headers.join(", ")
            ),
        ));
        return out;
    };
    let mut sink = ProblemSink::new(file, problems);
    for (line, cells) in &t.rows {
        let code = cells.get(code_c).map(|c| c.trim().to_uppercase()).unwrap_or_default();
        let name = cells.get(name_c).map(|c| c.trim().to_owned()).unwrap_or_default();
        if code.is_empty() || name.is_empty() {
            let field = if code.is_empty() { "code" } else { "name" };
            sink.push(Severity::Error, format!("row {line}"), field, format!("no {field}; row left out"));
            continue;
        }
        match out.get(&code) {
            Some(first) if *first != name => sink.push(
                Severity::Warning,
                format!("row {line}"),
                "code",
                format!("{code} is named again ({name:?}); its first name {first:?} is kept"),
            ),
            Some(_) => {}
            None => {
                out.insert(code, name);
            }
        }
    }
    out
}
