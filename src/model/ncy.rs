//! National curriculum year groups: Reception (R) to Year 13.

use serde::{Serialize, Serializer};

/// Number of year groups, R to Y13.
pub const NCY_COUNT: usize = 14;

/// A national curriculum year: 0 = Reception, 1 = Year 1, …, 13 = Year 13.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ncy(u8);

impl Ncy {
    /// Reception.
    pub const R: Ncy = Ncy(0);
    /// Year 6, the last primary year.
    pub const Y6: Ncy = Ncy(6);
    /// Year 7, the first secondary year.
    pub const Y7: Ncy = Ncy(7);
    /// Year 11, the last compulsory year.
    pub const Y11: Ncy = Ncy(11);
    /// Year 12, the first sixth-form year.
    pub const Y12: Ncy = Ncy(12);
    /// Year 13.
    pub const Y13: Ncy = Ncy(13);

    /// From an index 0–13.
    #[must_use]
    pub fn from_index(i: usize) -> Option<Self> {
        u8::try_from(i).ok().filter(|&i| usize::from(i) < NCY_COUNT).map(Ncy)
    }

    /// Index 0–13.
    #[must_use]
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// The next year group, if any.
    #[must_use]
    pub fn next(self) -> Option<Self> {
        Self::from_index(self.index() + 1)
    }

    /// Parses `R`, `Reception`, `0`, `1`…`13`, `Y1`…`Y13`, `Year 7`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim().to_ascii_lowercase();
        if t == "r" || t == "reception" || t == "rec" {
            return Some(Ncy::R);
        }
        let digits = t.trim_start_matches("year").trim_start_matches('y').trim();
        digits.parse::<usize>().ok().and_then(Self::from_index)
    }

    /// `R`, `Y1` … `Y13`.
    #[must_use]
    pub fn label(self) -> String {
        if self.0 == 0 { "R".into() } else { format!("Y{}", self.0) }
    }

    /// The age at 31 August before the year starts: R = 4, Y1 = 5, … Y13 = 17.
    #[must_use]
    pub fn age(self) -> u8 {
        self.0 + 4
    }

    /// The phase of this year group (see [`crate::model::phase`]).
    #[must_use]
    pub fn phase(self) -> crate::model::Phase {
        crate::model::Phase::of(self)
    }

    /// The year group of a child aged `age` at 31 August (4 = Reception), if it is R–Y13.
    #[must_use]
    pub fn from_age(age: u8) -> Option<Self> {
        age.checked_sub(4).and_then(|i| Self::from_index(usize::from(i)))
    }
}

impl Serialize for Ncy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.label())
    }
}

/// Rolls by NCY for each academic year.
pub type History = std::collections::BTreeMap<i32, [Option<f64>; NCY_COUNT]>;

impl crate::codec::Codec for Ncy {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }
    fn decode(r: &mut crate::codec::Reader<'_>) -> Result<Self, crate::codec::DecodeError> {
        Self::from_index(usize::from(u8::decode(r)?)).ok_or(crate::codec::DecodeError::Invalid("year group"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_spelling() {
        assert_eq!(Ncy::parse("R"), Some(Ncy::R));
        assert_eq!(Ncy::parse("Reception"), Some(Ncy::R));
        assert_eq!(Ncy::parse("Y7"), Some(Ncy::Y7));
        assert_eq!(Ncy::parse("Year 11"), Some(Ncy::Y11));
        assert_eq!(Ncy::parse("13"), Some(Ncy::Y13));
        assert_eq!(Ncy::parse("14"), None);
        assert_eq!(Ncy::parse("Y"), None);
        assert_eq!(Ncy::Y7.label(), "Y7");
        assert_eq!(Ncy::R.age(), 4);
    }
}
