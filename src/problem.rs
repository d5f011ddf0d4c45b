//! Input problems as data: every bad row, feature or file is a [`Problem`], never a panic.

use serde::Serialize;
use std::fmt;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Noted, and handled (for example a geometry repaired, a school snapped to a boundary).
    Warning,
    /// A row or feature was left out; the rest of the file loaded.
    Error,
    /// A whole input could not be used; commands other than `check` stop.
    Fatal,
}

/// One problem with one input: which file, where in it, which field, and what is wrong.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Problem {
    /// How bad it is.
    pub severity: Severity,
    /// The file, as named in the manifest.
    pub file: String,
    /// Row (1-based line of the file, header = line 1) or feature (`feature 12`), or `file`.
    pub location: String,
    /// The column or property concerned, or `-`.
    pub field: String,
    /// What is wrong, in plain English, and what was done about it.
    pub message: String,
    /// How many more problems of this kind (same file, severity and field) there are that are
    /// not listed one by one ([`PER_KIND`]); counts of problems include them.
    #[serde(skip_serializing_if = "is_zero")]
    pub more: usize,
}

/// For `skip_serializing_if`: a count of none.
#[expect(clippy::trivially_copy_pass_by_ref, reason = "serde's skip_serializing_if passes a reference")]
pub(crate) fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Problems of one kind (file, severity, field) listed one by one; the rest are counted in one
/// "… and N more like this" entry, so a garbage file gives a readable list with exact counts.
pub const PER_KIND: usize = 20;

impl Problem {
    /// Builds a problem.
    pub fn new(
        severity: Severity,
        file: impl Into<String>,
        location: impl Into<String>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity,
            file: file.into(),
            location: location.into(),
            field: field.into(),
            message: message.into(),
            more: 0,
        }
    }
    /// This problem and the ones it stands for ([`Problem::more`]).
    #[must_use]
    pub fn count(&self) -> usize {
        1 + self.more
    }
    /// A problem with a whole file.
    pub fn fatal(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Fatal, file, "file", "-", message)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Fatal => "FATAL",
        };
        write!(f, "{sev}: {}: {}", self.file, self.location)?;
        if self.field != "-" {
            write!(f, ", field {:?}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A collector of problems for one file: the first [`PER_KIND`] of each kind (severity and
/// field) are kept, the rest only counted, and one "… and N more" entry is added when the sink
/// is dropped.
#[derive(Debug)]
pub struct ProblemSink<'a> {
    file: String,
    out: &'a mut Vec<Problem>,
    seen: std::collections::HashMap<(Severity, String), usize>,
}

impl<'a> ProblemSink<'a> {
    /// Collect problems about `file` into `out`.
    pub fn new(file: impl Into<String>, out: &'a mut Vec<Problem>) -> Self {
        Self {
            file: file.into(),
            out,
            seen: std::collections::HashMap::new(),
        }
    }
    /// Records a problem at `location` / `field`.
    pub fn push(&mut self, severity: Severity, location: impl Into<String>, field: &str, message: impl Into<String>) {
        let n = self.seen.entry((severity, field.to_owned())).or_insert(0);
        *n += 1;
        if *n <= PER_KIND || severity == Severity::Fatal {
            self.out.push(Problem::new(severity, self.file.clone(), location, field, message));
        }
    }
    /// The file these problems are about.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }
}

impl Drop for ProblemSink<'_> {
    fn drop(&mut self) {
        let mut over: Vec<(&(Severity, String), &usize)> =
            self.seen.iter().filter(|(k, n)| **n > PER_KIND && k.0 != Severity::Fatal).collect();
        over.sort();
        for ((severity, field), n) in over {
            let mut p = Problem::new(*severity, self.file.clone(), "…", field.clone(), more_words(n - PER_KIND));
            p.more = n - PER_KIND - 1;
            self.out.push(p);
        }
    }
}

fn more_words(n: usize) -> String {
    format!("… and {} more like this, not listed one by one", crate::text::thousands(n as f64))
}

/// Caps a whole list the way [`ProblemSink`] caps one file: per file, severity and field, the
/// first [`PER_KIND`] are kept in order and the rest folded into one entry whose
/// [`Problem::more`] keeps the count exact. Fatal problems are all kept.
#[must_use]
pub fn cap(problems: Vec<Problem>) -> Vec<Problem> {
    use std::collections::HashMap;
    let mut kept_of: HashMap<(String, Severity, String), usize> = HashMap::new();
    let mut folded: Vec<((String, Severity, String), usize)> = Vec::new();
    let mut fold_at: HashMap<(String, Severity, String), usize> = HashMap::new();
    let mut out = Vec::with_capacity(problems.len().min(4096));
    for p in problems {
        let key = (p.file.clone(), p.severity, p.field.clone());
        let kept = kept_of.entry(key.clone()).or_insert(0);
        if p.severity == Severity::Fatal || (p.more == 0 && *kept < PER_KIND) {
            *kept += usize::from(p.more == 0);
            out.push(p);
            continue;
        }
        let at = *fold_at.entry(key.clone()).or_insert_with(|| {
            folded.push((key, 0));
            folded.len() - 1
        });
        folded[at].1 += p.count();
    }
    for ((file, severity, field), n) in folded {
        let mut p = Problem::new(severity, file, "…", field, more_words(n));
        p.more = n - 1;
        out.push(p);
    }
    out
}

crate::unit_enum!(Severity { Warning, Error, Fatal });
crate::record!(Problem {
    severity,
    file,
    location,
    field,
    message,
    more
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sink_lists_the_first_of_each_kind_and_counts_the_rest() {
        let mut out = Vec::new();
        {
            let mut sink = ProblemSink::new("big.csv", &mut out);
            for i in 0..1000 {
                sink.push(Severity::Error, format!("row {i}"), "URN", "not a number");
            }
            sink.push(Severity::Warning, "row 3", "Name", "blank");
        }
        assert_eq!(out.len(), PER_KIND + 2);
        assert_eq!(out.iter().map(Problem::count).sum::<usize>(), 1001);
        let more = out.last().expect("summary");
        assert_eq!((more.field.as_str(), more.count()), ("URN", 1000 - PER_KIND));
        assert!(more.message.contains("980 more"), "{}", more.message);
    }

    #[test]
    fn cap_keeps_fatal_problems_order_and_exact_counts() {
        let mut all = vec![Problem::fatal("a.csv", "cannot read")];
        for i in 0..50 {
            all.push(Problem::new(Severity::Warning, "a.csv", format!("row {i}"), "x", "odd"));
            all.push(Problem::new(Severity::Warning, "b.csv", format!("row {i}"), "x", "odd"));
        }
        let capped = cap(all);
        assert_eq!(capped.len(), 1 + 2 * PER_KIND + 2);
        assert_eq!(capped[0].severity, Severity::Fatal);
        assert_eq!(capped.iter().map(Problem::count).sum::<usize>(), 101);
        assert_eq!(capped.iter().filter(|p| p.file == "b.csv").map(Problem::count).sum::<usize>(), 50);
        // Capping twice changes nothing.
        assert_eq!(cap(capped.clone()), capped);
    }
}
