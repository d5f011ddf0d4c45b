//! Provenance in words: where a school's places and pupils came from, and the rule of any estimate.

use crate::model::{Phase, School};

/// "places 420 from the GIAS register; pupils 398 from school census pupils by stage", or the
/// missing figure named ("no pupils: no data").
#[must_use]
pub fn school_provenance(s: &School, phase: Phase) -> String {
    let one = |what: &str, f: Option<&crate::model::Figure>| match f {
        Some(f) => format!("{what} {} from {}", f.shown(), f.provenance()),
        None => format!("{what}: no data"),
    };
    format!(
        "{}; {}",
        one("places", s.figures.places(phase)),
        one("pupils", s.figures.pupils(phase))
    )
}
