//! Which establishments count in place planning (methods.md §1.6; DfE *School capacity*
//! methodology, "Coverage"; SCAP guide, "Schools to include").
//!
//! State-funded mainstream schools count: LA-maintained (community, voluntary aided and
//! controlled, foundation), academies and free schools, studio schools, UTCs and city technology
//! colleges. 16–19 academies and free schools count for `post16` only. Independent schools,
//! special schools, pupil referral units and alternative provision, nursery schools, FE and
//! sixth-form colleges, universities and secure units count for nothing. The rule goes by the GIAS
//! `TypeOfEstablishment (name)`; a manifest's `[counting]` table can move any type either way.
//!
//! ```
//! use placeplan::model::{CountingRule, Scope};
//! let rule = CountingRule::default();
//! assert_eq!(rule.scope("Academy converter", "Primary"), Scope::Mainstream);
//! assert_eq!(rule.scope("Free schools 16 to 19", "16 plus"), Scope::Post16Only);
//! assert!(matches!(rule.scope("Other independent school", "Primary"), Scope::Excluded(_)));
//! ```

use serde::{Deserialize, Serialize};

/// Whether, and for which phases, an establishment's places and pupils count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "scope", content = "reason", rename_all = "snake_case")]
pub enum Scope {
    /// A state-funded mainstream school: counts in every phase its year groups cover.
    Mainstream,
    /// A 16–19 academy or free school: counts in `post16` only.
    Post16Only,
    /// Outside primary, secondary and post-16 sufficiency, with the reason in words.
    Excluded(String),
}

impl Scope {
    /// True unless excluded.
    #[must_use]
    pub fn counts(&self) -> bool {
        !matches!(self, Scope::Excluded(_))
    }
}

/// The counting rule: the default classification by establishment type, with the manifest's
/// overrides (`[counting] include_types = […]`, `post16_types = […]`, `exclude_types = […]`;
/// names as GIAS spells them, case-insensitive).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct CountingRule {
    /// Types counted as state-funded mainstream whatever the default says.
    pub include_types: Vec<String>,
    /// Types counted for post-16 only.
    pub post16_types: Vec<String>,
    /// Types left out whatever the default says.
    pub exclude_types: Vec<String>,
}

/// The default classification of a GIAS establishment type (lower-cased).
fn default_scope(t: &str) -> Scope {
    let has = |w: &str| t.contains(w);
    let out = |why: &str| Scope::Excluded(why.to_owned());
    if has("independent") {
        out("independent school (not state-funded)")
    } else if has("special") {
        out("special school (planned apart from mainstream places)")
    } else if has("pupil referral") || has("alternative provision") {
        out("pupil referral unit or alternative provision")
    } else if has("nursery") {
        out("nursery school (early years never count)")
    } else if has("16 to 19") || has("16-19") {
        Scope::Post16Only
    } else if has("further education") || has("sixth form centre") || has("sixth form college") {
        out("further education or sixth-form college (outside school place planning)")
    } else if has("higher education") || has("universit") && !has("technical college") {
        out("higher education institution")
    } else if has("secure unit") {
        out("secure unit")
    } else if has("post 16 institution") {
        out("special post-16 institution")
    } else if [
        "community school",
        "voluntary aided",
        "voluntary controlled",
        "foundation school",
        "academy converter",
        "academy sponsor led",
        "free schools",
        "university technical college",
        "studio school",
        "city technology college",
    ]
    .iter()
    .any(|k| has(k))
    {
        Scope::Mainstream
    } else {
        out("not a state-funded mainstream school type")
    }
}

impl CountingRule {
    /// The scope of an establishment from its type and phase of education as published. A school
    /// whose phase is "Nursery" is out whatever its type. An empty type (a register without the
    /// column) counts as mainstream; the loader reports that assumption.
    #[must_use]
    pub fn scope(&self, establishment_type: &str, phase_of_education: &str) -> Scope {
        let t = establishment_type.trim().to_ascii_lowercase();
        let listed = |list: &[String]| list.iter().any(|x| x.trim().eq_ignore_ascii_case(&t));
        if listed(&self.exclude_types) {
            return Scope::Excluded("excluded by the manifest's [counting] exclude_types".into());
        }
        if listed(&self.post16_types) {
            return Scope::Post16Only;
        }
        if listed(&self.include_types) {
            return Scope::Mainstream;
        }
        if phase_of_education.trim().eq_ignore_ascii_case("nursery") {
            return Scope::Excluded("nursery phase (early years never count)".into());
        }
        if t.is_empty() {
            return Scope::Mainstream;
        }
        default_scope(&t)
    }
}

impl crate::codec::Codec for Scope {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Scope::Mainstream => out.push(0),
            Scope::Post16Only => out.push(1),
            Scope::Excluded(why) => {
                out.push(2);
                why.encode(out);
            }
        }
    }
    fn decode(r: &mut crate::codec::Reader<'_>) -> Result<Self, crate::codec::DecodeError> {
        match u8::decode(r)? {
            0 => Ok(Scope::Mainstream),
            1 => Ok(Scope::Post16Only),
            2 => String::decode(r).map(Scope::Excluded),
            _ => Err(crate::codec::DecodeError::Invalid("scope")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gias_types_fall_where_the_dfe_counts_them() {
        let r = CountingRule::default();
        for t in [
            "Community school",
            "Voluntary aided school",
            "Voluntary controlled school",
            "Foundation school",
            "Academy converter",
            "Academy sponsor led",
            "Free schools",
            "University technical college",
            "Studio schools",
        ] {
            assert_eq!(r.scope(t, "Secondary"), Scope::Mainstream, "{t}");
        }
        for t in ["Free schools 16 to 19", "Academy 16-19 converter", "Academy 16 to 19 sponsor led"] {
            assert_eq!(r.scope(t, "16 plus"), Scope::Post16Only, "{t}");
        }
        for t in [
            "Other independent school",
            "Other independent special school",
            "Community special school",
            "Academy special sponsor led",
            "Free schools special",
            "Non-maintained special school",
            "Pupil referral unit",
            "Free schools alternative provision",
            "Local authority nursery school",
            "Further education",
            "Sixth form centres",
            "Higher education institutions",
            "Secure units",
            "Special post 16 institution",
            "Miscellaneous",
        ] {
            assert!(!r.scope(t, "Not applicable").counts(), "{t}");
        }
        assert!(!r.scope("Community school", "Nursery").counts());
    }

    #[test]
    fn the_manifest_moves_a_type_either_way() {
        let r = CountingRule {
            include_types: vec!["further education".into()],
            exclude_types: vec!["Studio schools".into()],
            post16_types: Vec::new(),
        };
        assert_eq!(r.scope("Further education", "16 plus"), Scope::Mainstream);
        assert!(!r.scope("Studio schools", "Secondary").counts());
    }
}
