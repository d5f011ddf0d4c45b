//! Joining schools to every boundary layer by point-in-polygon — spatially, never by the codes
//! in the register (a register may carry 2023 ward codes while the boundaries are 2013).

use super::index::AreaIndex;
use crate::model::{BoundaryLayer, School};
use rayon::prelude::*;

/// Where one school fell in one layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Placement {
    /// The school has no location.
    NotLocated,
    /// Inside area `index`.
    Inside(usize),
    /// Outside every area but within the snap distance of area `index`, `metres` away.
    Snapped(usize, f64),
    /// Outside every area, further than the snap distance.
    Outside,
}

impl Placement {
    /// The area index, if the school is inside or snapped to one.
    #[must_use]
    pub fn area(self) -> Option<usize> {
        match self {
            Placement::Inside(i) | Placement::Snapped(i, _) => Some(i),
            _ => None,
        }
    }
}

/// Places every school in `layer`, in parallel.
#[must_use]
pub fn place_schools(schools: &[School], layer: &BoundaryLayer, index: &AreaIndex, snap_m: f64) -> Vec<Placement> {
    schools
        .par_iter()
        .map(|s| match s.location {
            None => Placement::NotLocated,
            Some(p) => match index.locate(layer, p, snap_m) {
                Some((i, 0.0)) => Placement::Inside(i),
                Some((i, d)) => Placement::Snapped(i, d),
                None => Placement::Outside,
            },
        })
        .collect()
}

impl crate::codec::Codec for Placement {
    fn encode(&self, out: &mut Vec<u8>) {
        match *self {
            Placement::NotLocated => out.push(0),
            Placement::Inside(i) => {
                out.push(1);
                i.encode(out);
            }
            Placement::Snapped(i, m) => {
                out.push(2);
                i.encode(out);
                m.encode(out);
            }
            Placement::Outside => out.push(3),
        }
    }
    fn decode(r: &mut crate::codec::Reader<'_>) -> Result<Self, crate::codec::DecodeError> {
        match u8::decode(r)? {
            0 => Ok(Placement::NotLocated),
            1 => usize::decode(r).map(Placement::Inside),
            2 => Ok(Placement::Snapped(usize::decode(r)?, f64::decode(r)?)),
            3 => Ok(Placement::Outside),
            _ => Err(crate::codec::DecodeError::Invalid("placement")),
        }
    }
}
