//! Input problems as data: every bad row, feature or file is a [`Problem`], never a panic.

use serde::Serialize;
use std::fmt;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
}

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
        }
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

/// A collector of problems for one file.
#[derive(Debug)]
pub struct ProblemSink<'a> {
    file: String,
    out: &'a mut Vec<Problem>,
}

impl<'a> ProblemSink<'a> {
    /// Collect problems about `file` into `out`.
    pub fn new(file: impl Into<String>, out: &'a mut Vec<Problem>) -> Self {
        Self { file: file.into(), out }
    }
    /// Records a problem at `location` / `field`.
    pub fn push(&mut self, severity: Severity, location: impl Into<String>, field: &str, message: impl Into<String>) {
        self.out.push(Problem::new(severity, self.file.clone(), location, field, message));
    }
    /// The file these problems are about.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }
}
