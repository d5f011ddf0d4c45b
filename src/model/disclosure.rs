//! Statistical disclosure control for what is published from confidential inputs: **the** rule,
//! applied once per plan to its school × phase × year pupils ([`crate::dataset::Dataset::disclosed`])
//! so that every figure made from them — area and authority totals, spare places, shortfalls,
//! statuses, tiles, pages and downloads — is made from controlled counts.
//!
//! The rule, as DfE statistical disclosure control does it: a count is rounded to a whole pupil;
//! 0 stays 0 (a true zero discloses nobody); 1 to 4 is suppressed (shown as `c`); the rest is
//! rounded to the nearest 5. A forecast is rounded the same way (it is made from the counts).
//!
//! Totals are sums of the rounded school counts, so an area's figure always equals the sum of the
//! schools a page lists. A school whose count is suppressed is shown as `c` and counted as 5 in
//! every total and every figure made from it ([`Disclosure::counted`]): it stays in its area with
//! its places (so its area's spare places and status are about right, not a false deficit), it is
//! never 0 and never "no data", and 5 tells no more than `c` does.

use serde::{Serialize, Serializer};

/// The symbol shown for a suppressed count (DfE's).
pub const SUPPRESSED: &str = "c";

/// The disclosure-control rule: suppress counts from 1 to `suppress_below − 1`, round the rest to
/// the nearest `round_to`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Disclosure {
    /// Counts of at least 1 and under this are suppressed (5).
    pub suppress_below: f64,
    /// The rest are rounded to the nearest multiple of this (5).
    pub round_to: f64,
}

impl Default for Disclosure {
    fn default() -> Self {
        Self {
            suppress_below: 5.0,
            round_to: 5.0,
        }
    }
}

/// A controlled count: a value to show, or suppressed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Count {
    /// The rounded value.
    Value(f64),
    /// Suppressed: shown as [`SUPPRESSED`].
    Suppressed,
}

impl Count {
    /// The value, `None` when suppressed.
    #[must_use]
    pub fn value(self) -> Option<f64> {
        match self {
            Count::Value(v) => Some(v),
            Count::Suppressed => None,
        }
    }
}

/// A number, or the string `"c"` when suppressed (as DfE's own tables write it).
impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Count::Value(v) => s.serialize_f64(*v),
            Count::Suppressed => s.serialize_str(SUPPRESSED),
        }
    }
}

impl Disclosure {
    /// Controls count `v`: rounded to a whole pupil, 0 kept, 1 to 4 suppressed, the rest rounded
    /// to the nearest 5. A negative count (pupils moved out) is controlled by its size.
    #[must_use]
    pub fn count(&self, v: f64) -> Count {
        if !v.is_finite() {
            return Count::Suppressed;
        }
        let whole = v.abs().round();
        if whole == 0.0 {
            Count::Value(0.0)
        } else if whole < self.suppress_below {
            Count::Suppressed
        } else {
            Count::Value(v.signum() * (whole / self.round_to).round() * self.round_to)
        }
    }

    /// `v` as totals count it: the rounded value, or 5 (`suppress_below`) for a suppressed count.
    #[must_use]
    pub fn counted(&self, v: f64) -> f64 {
        self.count(v).value().unwrap_or(v.signum() * self.suppress_below)
    }

    /// True when `v` is what the rule shows: 0, or a multiple of `round_to` of at least
    /// `suppress_below` (what a test of published files checks every count against).
    #[must_use]
    pub fn is_controlled(&self, v: f64) -> bool {
        v == 0.0 || (v.abs() >= self.suppress_below && (v / self.round_to).fract() == 0.0)
    }

    /// The note every published page and file carries.
    #[must_use]
    pub fn note(&self) -> String {
        format!(
            "Disclosure control: some inputs are confidential, so every pupil count is rounded to the nearest {r} and counts of 1 to {s} are shown as \"{SUPPRESSED}\" (suppressed), as in DfE statistics. Totals are sums of the rounded school counts, a suppressed one counted as {r}; spare places, shortfalls and statuses are worked out from them.",
            r = self.round_to,
            s = self.suppress_below - 1.0
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_suppressed_and_the_rest_rounded_to_five() {
        let d = Disclosure::default();
        assert_eq!(d.count(0.0), Count::Value(0.0));
        assert_eq!(d.count(0.4), Count::Value(0.0), "rounds to no pupil");
        for v in [0.6, 1.0, 3.0, 4.0, 4.49] {
            assert_eq!(d.count(v), Count::Suppressed, "{v}");
        }
        assert_eq!(d.count(4.5), Count::Value(5.0));
        assert_eq!(d.count(7.0), Count::Value(5.0));
        assert_eq!(d.count(7.5), Count::Value(10.0), "7.5 is 8 pupils, nearer 10");
        assert_eq!(d.count(412.0), Count::Value(410.0));
        assert_eq!(d.count(413.0), Count::Value(415.0));
        assert_eq!(d.count(-13.0), Count::Value(-15.0));
        assert_eq!(d.count(-2.0), Count::Suppressed);
        assert_eq!(d.count(f64::NAN), Count::Suppressed);
    }

    #[test]
    fn what_the_rule_shows_passes_its_own_check() {
        let d = Disclosure::default();
        for v in 0..2000 {
            if let Count::Value(x) = d.count(f64::from(v) / 3.0) {
                assert!(d.is_controlled(x), "{v} → {x}");
            }
        }
        assert!(!d.is_controlled(3.0));
        assert!(!d.is_controlled(412.0));
        assert!(d.is_controlled(-15.0));
    }

    #[test]
    fn suppressed_counts_are_written_as_c() {
        let j = serde_json::to_string(&[Count::Value(10.0), Count::Suppressed]).expect("serialises");
        assert_eq!(j, r#"[10.0,"c"]"#);
    }
}
