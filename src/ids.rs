//! Typed identifiers: a layer id, an area code and a school URN cannot be mixed up.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a string was refused as an identifier.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdError {
    /// Layer ids are short slugs so that they can appear in URLs and file names.
    #[error("layer id {0:?} must be 1–64 characters of a–z, 0–9, '_' or '-'")]
    BadLayerId(String),
    /// Area codes may not be blank.
    #[error("area code is blank")]
    BlankCode,
    /// URNs are positive whole numbers.
    #[error("URN {0:?} is not a positive whole number")]
    BadUrn(String),
}

/// The id of a boundary layer as named in the manifest (`wards_2023`, `lsoa`, …).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LayerId(String);

impl LayerId {
    /// Validates a layer id: lower-case ASCII letters, digits, `_` and `-`, 1–64 characters.
    ///
    /// # Errors
    /// [`IdError::BadLayerId`] when the id has other characters or a bad length.
    pub fn new(s: &str) -> Result<Self, IdError> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(IdError::BadLayerId(s.to_owned()))
        }
    }
    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LayerId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}
impl From<LayerId> for String {
    fn from(id: LayerId) -> Self {
        id.0
    }
}
impl fmt::Display for LayerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A GSS or local area code (`E05011394`, `E01011698`, a planning-area code `3830052`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AreaCode(String);

impl AreaCode {
    /// Trims the code, and writes an ONS (GSS) code — a letter and eight digits, `E01011394` —
    /// in upper case, as ONS publishes it; refuses a blank code. Other codes (a council's own
    /// planning-area codes) are kept as written. Readers report a code that was changed
    /// ([`AreaCode::changed_from`]).
    ///
    /// # Errors
    /// [`IdError::BlankCode`] for an empty or all-space code.
    pub fn new(s: &str) -> Result<Self, IdError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(IdError::BlankCode);
        }
        let b = t.as_bytes();
        let gss = b.len() == 9 && b[0].is_ascii_alphabetic() && b[1..].iter().all(u8::is_ascii_digit);
        Ok(Self(if gss { t.to_ascii_uppercase() } else { t.to_owned() }))
    }
    /// When `raw` (as read) was written differently from this code (spaces, lower case): a
    /// note saying how it was read, for the readers' warnings.
    #[must_use]
    pub fn changed_from(&self, raw: &str) -> Option<String> {
        (raw != self.0).then(|| format!("code {raw:?} read as {:?} (ONS codes are upper case, without spaces)", self.0))
    }
    /// The code as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for AreaCode {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}
impl From<AreaCode> for String {
    fn from(c: AreaCode) -> Self {
        c.0
    }
}
impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A DfE Unique Reference Number of an establishment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Urn(pub u32);

impl Urn {
    /// Parses a URN (digits only, leading/trailing spaces allowed).
    ///
    /// # Errors
    /// [`IdError::BadUrn`] when the text is not a positive whole number.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        match s.trim().parse::<u32>() {
            Ok(n) if n > 0 => Ok(Self(n)),
            _ => Err(IdError::BadUrn(s.to_owned())),
        }
    }
}
impl fmt::Display for Urn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Codes and layer ids come back through their constructors, so a damaged snapshot cannot make
/// one that reading a file could not.
macro_rules! text_id_codec {
    ($t:ident) => {
        impl crate::codec::Codec for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                self.0.encode(out);
            }
            fn decode(r: &mut crate::codec::Reader<'_>) -> Result<Self, crate::codec::DecodeError> {
                Self::new(&String::decode(r)?).map_err(|_| crate::codec::DecodeError::Invalid(stringify!($t)))
            }
        }
    };
}
text_id_codec!(AreaCode);
text_id_codec!(LayerId);

impl crate::codec::Codec for Urn {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }
    fn decode(r: &mut crate::codec::Reader<'_>) -> Result<Self, crate::codec::DecodeError> {
        u32::decode(r).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_ids_are_slugs() {
        assert!(LayerId::new("wards_2023").is_ok());
        assert!(LayerId::new("../etc").is_err());
        assert!(LayerId::new("").is_err());
        assert!(LayerId::new("Wards").is_err());
    }

    #[test]
    fn urns_must_be_positive_numbers() {
        assert_eq!(Urn::parse(" 107881 "), Ok(Urn(107_881)));
        assert!(Urn::parse("0").is_err());
        assert!(Urn::parse("abc").is_err());
    }
}
