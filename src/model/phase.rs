//! The phases places are planned for, and the national curriculum year groups each one counts.
//!
//! This is the one place that says which year groups a phase holds (DfE SCAP guide; methods.md §1.6):
//!
//! | phase       | year groups     | ages at 31 August |
//! |-------------|-----------------|-------------------|
//! | `primary`   | Reception – Y6  | 4 – 10            |
//! | `secondary` | Y7 – Y11        | 11 – 15           |
//! | `post16`    | Y12 – Y13       | 16 – 17           |
//!
//! Nursery and early-years children (ages 2–3) belong to no phase and never count. Sixth forms
//! are their own phase, never mixed into secondary: SCAP collects sixth-form forecasts apart and
//! the DfE scorecard's secondary accuracy is Years 7–11.

use super::ncy::Ncy;
use serde::{Deserialize, Serialize};

/// A school phase for sufficiency: places are planned separately for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Reception to Year 6 (ages 4–10 at the start of the year).
    Primary,
    /// Years 7 to 11 (ages 11–15 at the start of the year).
    Secondary,
    /// Years 12 and 13, the sixth form (ages 16–17 at the start of the year).
    #[serde(rename = "post16", alias = "post_16", alias = "sixth_form")]
    Post16,
}

impl Phase {
    /// Every phase, youngest first.
    pub const ALL: [Phase; 3] = [Phase::Primary, Phase::Secondary, Phase::Post16];

    /// The first and last year group of the phase, inclusive.
    ///
    /// ```
    /// use placeplan::model::{Phase, ncy::Ncy};
    /// assert_eq!(Phase::Secondary.year_groups(), (Ncy::Y7, Ncy::Y11));
    /// ```
    #[must_use]
    pub fn year_groups(self) -> (Ncy, Ncy) {
        match self {
            Phase::Primary => (Ncy::R, Ncy::Y6),
            Phase::Secondary => (Ncy::Y7, Ncy::Y11),
            Phase::Post16 => (Ncy::Y12, Ncy::Y13),
        }
    }

    /// How many year groups the phase holds (7, 5, 2).
    #[must_use]
    pub fn year_group_count(self) -> usize {
        let (a, b) = self.year_groups();
        b.index() - a.index() + 1
    }

    /// True when year group `n` belongs to this phase.
    #[must_use]
    pub fn holds(self, n: Ncy) -> bool {
        let (a, b) = self.year_groups();
        (a..=b).contains(&n)
    }

    /// The phase of year group `n`.
    #[must_use]
    pub fn of(n: Ncy) -> Phase {
        Phase::ALL.into_iter().find(|p| p.holds(n)).unwrap_or(Phase::Post16)
    }

    /// The ages (at 31 August) whose year groups belong to this phase: `[start, end)`.
    #[must_use]
    pub fn ages(self) -> (u8, u8) {
        let (a, b) = self.year_groups();
        (a.age(), b.age() + 1)
    }

    /// The phase whose planning areas this phase is planned in: sixth forms sit in the secondary
    /// planning areas (SCAP has primary and secondary planning areas only).
    #[must_use]
    pub fn planning_phase(self) -> Phase {
        match self {
            Phase::Post16 => Phase::Secondary,
            p => p,
        }
    }

    /// Lower-case name, as in URLs, tile attributes and `--phase`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Primary => "primary",
            Phase::Secondary => "secondary",
            Phase::Post16 => "post16",
        }
    }

    /// Capitalised name for headings: "Primary", "Secondary", "Post-16".
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Phase::Primary => "Primary",
            Phase::Secondary => "Secondary",
            Phase::Post16 => "Post-16",
        }
    }

    /// What serves the phase, in words: "primary school", "secondary school", "sixth form".
    #[must_use]
    pub fn school_noun(self) -> &'static str {
        match self {
            Phase::Primary => "primary school",
            Phase::Secondary => "secondary school",
            Phase::Post16 => "sixth form or 16–19 school",
        }
    }

    /// The children of the phase, in words: "primary-age children (4–10)".
    #[must_use]
    pub fn children_label(self) -> &'static str {
        match self {
            Phase::Primary => "primary-age children (aged 4–10)",
            Phase::Secondary => "secondary-age children (aged 11–15)",
            Phase::Post16 => "young people aged 16–17",
        }
    }

    /// The year groups in words: "Reception–Year 6".
    #[must_use]
    pub fn year_groups_label(self) -> &'static str {
        match self {
            Phase::Primary => "Reception–Year 6",
            Phase::Secondary => "Years 7–11",
            Phase::Post16 => "Years 12–13",
        }
    }

    /// Parses `primary`/`secondary`/`post16` (and the SCAP codes `PS`/`SS`, `PRI`/`SEC`; `sixth form`, `16 plus`).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
            "primary" | "ps" | "pri" | "p" => Some(Phase::Primary),
            "secondary" | "ss" | "sec" | "s" => Some(Phase::Secondary),
            "post16" | "sixthform" | "16plus" | "ks5" => Some(Phase::Post16),
            _ => None,
        }
    }

    /// The message for a value [`Phase::parse`] refused.
    #[must_use]
    pub fn parse_error(s: &str) -> String {
        format!("{s:?} is not a phase: use primary, secondary or post16")
    }
}

crate::unit_enum!(Phase {
    Primary,
    Secondary,
    Post16
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_year_group_belongs_to_exactly_one_phase() {
        for i in 0..crate::model::ncy::NCY_COUNT {
            let n = Ncy::from_index(i).expect("in range");
            assert_eq!(Phase::ALL.iter().filter(|p| p.holds(n)).count(), 1, "{n:?}");
        }
        let total: usize = Phase::ALL.iter().map(|p| p.year_group_count()).sum();
        assert_eq!(total, crate::model::ncy::NCY_COUNT);
    }

    #[test]
    fn ages_follow_the_year_groups() {
        assert_eq!(Phase::Primary.ages(), (4, 11));
        assert_eq!(Phase::Secondary.ages(), (11, 16));
        assert_eq!(Phase::Post16.ages(), (16, 18));
    }

    #[test]
    fn parses_the_usual_spellings() {
        assert_eq!(Phase::parse("Post-16"), Some(Phase::Post16));
        assert_eq!(Phase::parse("SS"), Some(Phase::Secondary));
        assert_eq!(Phase::parse("nursery"), None);
    }
}
