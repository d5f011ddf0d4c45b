//! A compact binary encoding of the joined base, for the snapshot cache (`crate::snapshot`).
//!
//! The JSON that views write is shaped for readers (`skip_serializing_if`, fields left out,
//! labels instead of values), so it cannot carry the base back into memory; this encoding is
//! lossless and only for placeplan's own files. Every value is written in a fixed order, numbers
//! little-endian at fixed width, lengths as `u64`. Each record implements [`Codec`] beside its
//! type with [`record!`](crate::record) (or [`unit_enum!`](crate::unit_enum)), which names every
//! field: a field added to a type and not to its codec does not compile.
//!
//! Decoding checks every length against the bytes left and every tag and text, so a damaged file
//! is an error ([`DecodeError`]), never a panic or a huge allocation.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use std::collections::{BTreeMap, HashMap};

/// Why bytes could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes end before the value does.
    #[error("the data ends early")]
    Truncated,
    /// A tag, a length or a text is not one this encoding writes.
    #[error("bad {0}")]
    Invalid(&'static str),
}

/// Bytes being decoded, front to back.
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `bytes`.
    #[must_use]
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// How many bytes are left.
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.bytes.len()
    }

    /// The next `n` bytes.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] when fewer are left.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.bytes.len() {
            return Err(DecodeError::Truncated);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    /// A length that at least `len × min_bytes` of the bytes left can hold.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] when they cannot.
    pub fn len(&mut self, min_bytes: usize) -> Result<usize, DecodeError> {
        let n = usize::try_from(u64::decode(self)?).map_err(|_| DecodeError::Invalid("length"))?;
        if n.saturating_mul(min_bytes.max(1)) > self.bytes.len() {
            return Err(DecodeError::Truncated);
        }
        Ok(n)
    }
}

/// A value that can be written to bytes and read back exactly.
pub trait Codec: Sized {
    /// Appends the value to `out`.
    fn encode(&self, out: &mut Vec<u8>);
    /// Reads one value.
    ///
    /// # Errors
    /// [`DecodeError`] when the bytes are not a value of this type.
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError>;
}

/// Writes a length.
pub fn encode_len(n: usize, out: &mut Vec<u8>) {
    (n as u64).encode(out);
}

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl Codec for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok(<$t>::from_le_bytes(r.array()?))
            }
        }
    )*};
}
numbers!(u8, u16, u32, u64, i32, i64, f64);

impl Codec for usize {
    fn encode(&self, out: &mut Vec<u8>) {
        (*self as u64).encode(out);
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        usize::try_from(u64::decode(r)?).map_err(|_| DecodeError::Invalid("count"))
    }
}

impl Codec for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match u8::decode(r)? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(DecodeError::Invalid("flag")),
        }
    }
}

impl Codec for String {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_len(self.len(), out);
        out.extend_from_slice(self.as_bytes());
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.len(1)?;
        let bytes = r.take(n)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| DecodeError::Invalid("text"))
    }
}

impl<T: Codec> Codec for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.encode(out);
            }
        }
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match u8::decode(r)? {
            0 => Ok(None),
            1 => T::decode(r).map(Some),
            _ => Err(DecodeError::Invalid("option")),
        }
    }
}

impl<T: Codec> Codec for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_len(self.len(), out);
        for v in self {
            v.encode(out);
        }
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.len(1)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(T::decode(r)?);
        }
        Ok(out)
    }
}

impl<T: Codec, const N: usize> Codec for [T; N] {
    fn encode(&self, out: &mut Vec<u8>) {
        for v in self {
            v.encode(out);
        }
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut items = Vec::with_capacity(N);
        for _ in 0..N {
            items.push(T::decode(r)?);
        }
        items.try_into().map_err(|_| DecodeError::Invalid("array"))
    }
}

macro_rules! tuples {
    ($(($($n:tt $t:ident),+)),*) => {$(
        impl<$($t: Codec),+> Codec for ($($t,)+) {
            fn encode(&self, out: &mut Vec<u8>) {
                $(self.$n.encode(out);)+
            }
            fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok(($($t::decode(r)?,)+))
            }
        }
    )*};
}
tuples!((0 A, 1 B), (0 A, 1 B, 2 C), (0 A, 1 B, 2 C, 3 D));

impl<K: Codec + Ord, V: Codec> Codec for BTreeMap<K, V> {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_len(self.len(), out);
        for (k, v) in self {
            k.encode(out);
            v.encode(out);
        }
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.len(2)?;
        let mut out = BTreeMap::new();
        for _ in 0..n {
            let k = K::decode(r)?;
            out.insert(k, V::decode(r)?);
        }
        Ok(out)
    }
}

impl<K: Codec + Eq + std::hash::Hash, V: Codec> Codec for HashMap<K, V> {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_len(self.len(), out);
        for (k, v) in self {
            k.encode(out);
            v.encode(out);
        }
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.len(2)?;
        let mut out = HashMap::with_capacity(n);
        for _ in 0..n {
            let k = K::decode(r)?;
            out.insert(k, V::decode(r)?);
        }
        Ok(out)
    }
}

impl Codec for Coord<f64> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.x.encode(out);
        self.y.encode(out);
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Coord {
            x: f64::decode(r)?,
            y: f64::decode(r)?,
        })
    }
}

impl Codec for LineString<f64> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Vec::decode(r).map(LineString)
    }
}

impl Codec for Polygon<f64> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.exterior().encode(out);
        encode_len(self.interiors().len(), out);
        for ring in self.interiors() {
            ring.encode(out);
        }
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        // `Polygon::new` closes an open ring; these were closed when written, so they come back as they were.
        let exterior = LineString::decode(r)?;
        let interiors = Vec::decode(r)?;
        Ok(Polygon::new(exterior, interiors))
    }
}

impl Codec for MultiPolygon<f64> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Vec::decode(r).map(MultiPolygon)
    }
}

/// Implements [`Codec`] for a struct, field by field in the order given. Every field must be
/// named (the struct is destructured and built whole), so the codec cannot fall behind its type.
#[macro_export]
macro_rules! record {
    ($t:ident { $($f:ident),* $(,)? }) => {
        impl $crate::codec::Codec for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                let Self { $($f),* } = self;
                $($crate::codec::Codec::encode($f, out);)*
            }
            fn decode(r: &mut $crate::codec::Reader<'_>) -> Result<Self, $crate::codec::DecodeError> {
                Ok(Self { $($f: $crate::codec::Codec::decode(r)?),* })
            }
        }
    };
}

/// Implements [`Codec`] for an enum of unit variants, as the variant's position in the list
/// (every variant must be listed: the match is exhaustive).
#[macro_export]
macro_rules! unit_enum {
    ($t:ident { $($v:ident),+ $(,)? }) => {
        impl $crate::codec::Codec for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                match self { $($t::$v => {}),+ }
                let mut i: u8 = 0;
                $(
                    if matches!(self, $t::$v) {
                        out.push(i);
                    }
                    i = i.wrapping_add(1);
                )+
                let _ = i;
            }
            fn decode(r: &mut $crate::codec::Reader<'_>) -> Result<Self, $crate::codec::DecodeError> {
                let all = [$($t::$v),+];
                let i = usize::from(<u8 as $crate::codec::Codec>::decode(r)?);
                all.into_iter().nth(i).ok_or($crate::codec::DecodeError::Invalid(stringify!($t)))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Codec + PartialEq + std::fmt::Debug>(v: &T) {
        let mut out = Vec::new();
        v.encode(&mut out);
        let mut r = Reader::new(&out);
        assert_eq!(&T::decode(&mut r).expect("decodes"), v);
        assert_eq!(r.remaining(), 0, "every byte read");
        // Every shorter prefix is an error, not a panic or a wrong value.
        for cut in 0..out.len() {
            assert!(T::decode(&mut Reader::new(&out[..cut])).is_err(), "prefix of {cut} bytes");
        }
    }

    #[test]
    fn values_come_back_exactly() {
        round_trip(&(7u8, -3i32, 1.0e-300f64, u64::MAX));
        round_trip(&(f64::NAN.to_bits(), (-0.0f64).to_bits()));
        round_trip(&Some("Leeds — Beeston & Holbeck".to_owned()));
        round_trip(&vec![Some(1.5), None, Some(f64::INFINITY)]);
        round_trip(&[Some(1u32), None, Some(3)]);
        round_trip(&BTreeMap::from([(2019, vec![1.0, 2.0]), (2020, vec![])]));
        let poly = Polygon::new(
            LineString::from(vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 0.0)]),
            vec![LineString::from(vec![(1.0, 1.0), (2.0, 1.0), (2.0, 2.0), (1.0, 1.0)])],
        );
        round_trip(&MultiPolygon(vec![poly.clone(), poly]));
    }

    #[test]
    fn damaged_bytes_are_errors() {
        // A length far beyond the bytes left is refused before anything is allocated.
        let mut out = Vec::new();
        encode_len(usize::MAX / 2, &mut out);
        assert_eq!(Vec::<f64>::decode(&mut Reader::new(&out)), Err(DecodeError::Truncated));
        assert_eq!(bool::decode(&mut Reader::new(&[2])), Err(DecodeError::Invalid("flag")));
        assert_eq!(Option::<u8>::decode(&mut Reader::new(&[9])), Err(DecodeError::Invalid("option")));
        let mut bad = Vec::new();
        encode_len(2, &mut bad);
        bad.extend_from_slice(&[0xff, 0xfe]);
        assert_eq!(String::decode(&mut Reader::new(&bad)), Err(DecodeError::Invalid("text")));
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Colour {
        Red,
        Green,
    }
    unit_enum!(Colour { Red, Green });

    #[derive(Debug, PartialEq)]
    struct Pair {
        a: Colour,
        b: Option<String>,
    }
    record!(Pair { a, b });

    #[test]
    fn records_and_enums() {
        round_trip(&Pair {
            a: Colour::Green,
            b: Some("x".into()),
        });
        round_trip(&vec![Colour::Red, Colour::Green]);
        assert_eq!(Colour::decode(&mut Reader::new(&[2])), Err(DecodeError::Invalid("Colour")));
    }
}
