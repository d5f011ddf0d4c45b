//! A school's places and pupils by phase for the census year, each with where it came from.
//!
//! The loader ([`crate::join::figures`]) fills these once from the inputs, best source first;
//! every view reads them through [`PhaseFigures::places`] and [`PhaseFigures::pupils`], so a
//! figure has one value and one provenance everywhere. A phase with no figure is "no data",
//! never 0.

use super::phase::Phase;
use crate::ids::Urn;
use serde::Serialize;

/// Where a figure came from, best first for pupils: `[rolls]`, the DfE pupils-by-stage table, the
/// register's headcount; for places: the capacity table's phase split, then the register's capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureSource {
    /// The `[rolls]` table: headcount by national curriculum year in the census year.
    Rolls,
    /// The DfE school census "pupils by stage" table (reception, KS1 … KS5 headcounts).
    PupilsByStage,
    /// The register (GIAS `NumberOfPupils` or `SchoolCapacity`).
    Register,
    /// A capacity table (SCAP `PrimaryCapacity` / `SecondaryCapacity`, or its net capacity).
    CapacityTable,
    /// A what-if scenario.
    Scenario,
}

impl FigureSource {
    /// In words, for provenance lines.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            FigureSource::Rolls => "rolls by year group",
            FigureSource::PupilsByStage => "school census pupils by stage",
            FigureSource::Register => "GIAS register",
            FigureSource::CapacityTable => "capacity table",
            FigureSource::Scenario => "scenario",
        }
    }
}

/// One figure with its provenance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Figure {
    /// The value (places or pupils).
    pub value: f64,
    /// Where it came from.
    pub source: FigureSource,
    /// When the value is an estimate, the rule that made it, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<String>,
    /// When the value is a closed predecessor's (an academy conversion's first census), its URN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_predecessor: Option<Urn>,
    /// Under disclosure control, a count of 1 to 4 that is shown as `c` ([`Figure::shown`]); its
    /// `value` is then 5, as totals count it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub suppressed: bool,
}

impl Figure {
    /// An exact figure from `source`.
    #[must_use]
    pub fn exact(value: f64, source: FigureSource) -> Self {
        Self {
            value,
            source,
            estimate: None,
            from_predecessor: None,
            suppressed: false,
        }
    }

    /// An estimated figure from `source`, with the rule in words.
    #[must_use]
    pub fn estimated(value: f64, source: FigureSource, rule: impl Into<String>) -> Self {
        Self {
            value,
            source,
            estimate: Some(rule.into()),
            from_predecessor: None,
            suppressed: false,
        }
    }

    /// The value in words: "1,240", or `c` when suppressed.
    #[must_use]
    pub fn shown(&self) -> String {
        if self.suppressed {
            crate::model::disclosure::SUPPRESSED.to_owned()
        } else {
            crate::text::thousands(self.value)
        }
    }

    /// "school census pupils by stage", "GIAS register (estimate: …)", "… of predecessor URN 107868".
    #[must_use]
    pub fn provenance(&self) -> String {
        let mut s = self.source.label().to_owned();
        if let Some(u) = self.from_predecessor {
            s.push_str(&format!(", of predecessor URN {u}"));
        }
        if let Some(e) = &self.estimate {
            s.push_str(&format!(" (estimate: {e})"));
        }
        s
    }
}

/// What the rule of places split in proportion to the pupils says before the counts
/// ([`crate::join::figures`] writes it; disclosure control rewrites the counts).
pub const ROLL_SPLIT: &str = " split in proportion to its pupils, ";

/// Places and pupils of one school in each phase, census year. `None`: no data.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PhaseFigures {
    places: [Option<Figure>; 3],
    pupils: [Option<Figure>; 3],
}

fn slot(p: Phase) -> usize {
    match p {
        Phase::Primary => 0,
        Phase::Secondary => 1,
        Phase::Post16 => 2,
    }
}

impl PhaseFigures {
    /// Places in `phase`, census year.
    #[must_use]
    pub fn places(&self, phase: Phase) -> Option<&Figure> {
        self.places[slot(phase)].as_ref()
    }

    /// Pupils of the phase's year groups, census year.
    #[must_use]
    pub fn pupils(&self, phase: Phase) -> Option<&Figure> {
        self.pupils[slot(phase)].as_ref()
    }

    /// Sets the places of `phase`.
    pub fn set_places(&mut self, phase: Phase, f: Option<Figure>) {
        self.places[slot(phase)] = f;
    }

    /// Sets the pupils of `phase`.
    pub fn set_pupils(&mut self, phase: Phase, f: Option<Figure>) {
        self.pupils[slot(phase)] = f;
    }

    /// Applies disclosure control to every phase's pupils: rounded, or suppressed (counted as 5).
    /// Places split between Years 7–11 and 12–13 in proportion to the pupils are split again in
    /// proportion to the controlled counts, so that neither the places nor their rule can give
    /// the unrounded counts back.
    pub fn control_pupils(&mut self, d: &crate::model::disclosure::Disclosure) {
        for f in self.pupils.iter_mut().flatten() {
            f.suppressed = d.count(f.value).value().is_none();
            f.value = d.counted(f.value);
        }
        let (s, p) = (slot(Phase::Secondary), slot(Phase::Post16));
        let (Some(a), Some(c)) = (self.pupils[s].clone(), self.pupils[p].clone()) else {
            return;
        };
        let [_, sec, six] = &mut self.places;
        let (Some(fs), Some(f6)) = (sec.as_mut(), six.as_mut()) else {
            return;
        };
        let Some(at) = fs.estimate.as_deref().and_then(|e| e.find(ROLL_SPLIT)) else {
            return;
        };
        let block = fs.value + f6.value;
        let k = a.value / (a.value + c.value);
        (fs.value, f6.value) = (block * k, block * (1.0 - k));
        let text = format!(
            "{}{ROLL_SPLIT}{} in Years 7–11 : {} in Years 12–13 (rounded counts)",
            &fs.estimate.as_deref().unwrap_or_default()[..at],
            a.shown(),
            c.shown()
        );
        fs.estimate = Some(text.clone());
        if f6.estimate.as_deref().is_some_and(|e| e.contains(ROLL_SPLIT)) {
            f6.estimate = Some(text);
        }
    }

    /// True when `phase` has both places and pupils, so the school counts in its totals.
    #[must_use]
    pub fn complete(&self, phase: Phase) -> bool {
        self.places(phase).is_some() && self.pupils(phase).is_some()
    }

    /// Total places over every phase (for spreading a changed total capacity over phases).
    #[must_use]
    pub fn total_places(&self) -> f64 {
        self.places.iter().flatten().map(|f| f.value).sum()
    }
}

crate::unit_enum!(FigureSource {
    Rolls,
    PupilsByStage,
    Register,
    CapacityTable,
    Scenario
});
crate::record!(Figure {
    value,
    source,
    estimate,
    from_predecessor,
    suppressed
});
crate::record!(PhaseFigures { places, pupils });
