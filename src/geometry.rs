//! Geometry checks and safe repair. Invalid polygons are repaired and reported, never dropped
//! silently: a self-intersecting ring is re-noded by a boolean union (the `buffer(0)` idiom),
//! rings with fewer than three distinct points are removed, and the area change is reported.

use crate::problem::{ProblemSink, Severity};
use geo::orient::{Direction, Orient};
use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon, Validation};

/// The largest coordinate placeplan accepts, in either CRS it reads (10,000 km of BNG metres;
/// degrees are far smaller): beyond it a number is a typing or export error, not a place.
pub const MAX_COORDINATE: f64 = 1e7;

/// Why a ring was not built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingFault {
    /// The ring is degenerate (fewer than 3 distinct points): the ring is left out.
    Ring,
    /// The feature cannot be trusted (too few positions, a coordinate that is not a finite
    /// number or is out of range): the whole feature is left out.
    Feature,
}

/// Builds a polygon ring from raw positions, closing it if needed (reported).
///
/// # Errors
/// [`RingFault::Feature`] (reported) for fewer than 4 positions (GeoJSON's minimum: three
/// corners and the first repeated), or a coordinate that is not finite or beyond
/// [`MAX_COORDINATE`]; [`RingFault::Ring`] (reported) for fewer than 3 distinct points.
pub fn ring(coords: Vec<Coord>, sink: &mut ProblemSink<'_>, location: &str) -> Result<LineString<f64>, RingFault> {
    if let Some(c) = coords.iter().find(|c| !c.x.is_finite() || !c.y.is_finite()) {
        sink.push(
            Severity::Error,
            location,
            "geometry",
            format!("a ring has a coordinate that is not a number ({}, {}); feature left out", c.x, c.y),
        );
        return Err(RingFault::Feature);
    }
    if let Some(c) = coords.iter().find(|c| c.x.abs() > MAX_COORDINATE || c.y.abs() > MAX_COORDINATE) {
        sink.push(
            Severity::Error,
            location,
            "geometry",
            format!(
                "coordinate ({:e}, {:e}) is out of range for any map of England; feature left out",
                c.x, c.y
            ),
        );
        return Err(RingFault::Feature);
    }
    if coords.len() < 4 {
        sink.push(
            Severity::Error,
            location,
            "geometry",
            format!(
                "a ring has {} positions; a polygon ring needs at least 4 (three corners and the first again), so the shape cannot be trusted; feature left out",
                coords.len()
            ),
        );
        return Err(RingFault::Feature);
    }
    let mut coords = coords;
    let mut distinct = coords.clone();
    distinct.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    distinct.dedup();
    if distinct.len() < 3 {
        sink.push(
            Severity::Error,
            location,
            "geometry",
            format!("a ring has {} distinct points (needs 3); ring left out", distinct.len()),
        );
        return Err(RingFault::Ring);
    }
    if coords.first() != coords.last() {
        sink.push(
            Severity::Warning,
            location,
            "geometry",
            "a ring is not closed (first point ≠ last point); closed it",
        );
        if let Some(first) = coords.first().copied() {
            coords.push(first);
        }
    }
    Ok(LineString::new(coords))
}

/// Checks validity and repairs when needed. Returns `None` only when nothing with area is left,
/// which is reported as an error.
pub fn repair(mp: MultiPolygon<f64>, sink: &mut ProblemSink<'_>, location: &str) -> Option<MultiPolygon<f64>> {
    if mp.0.is_empty() {
        sink.push(Severity::Error, location, "geometry", "has no polygon with area; feature left out");
        return None;
    }
    // One winding everywhere (exterior counter-clockwise): boolean ops take their fill rule
    // from the first ring, so mixed windings would make some polygons cancel others.
    let mp = mp.orient(Direction::Default);
    if mp.is_valid() {
        return Some(mp);
    }
    let reason = mp
        .validation_errors()
        .first()
        .map_or_else(|| "invalid".to_owned(), ToString::to_string);
    let before = mp.unsigned_area();
    // Non-zero fill keeps every lobe of a figure-of-eight (what `make_valid` does); holes are
    // clockwise after orienting, so they stay holes.
    let fixed = mp.union_with_fill_rule(&MultiPolygon::<f64>::new(vec![]), geo::algorithm::bool_ops::FillRule::NonZero);
    let after = fixed.unsigned_area();
    if fixed.0.is_empty() || after <= 0.0 {
        sink.push(
            Severity::Error,
            location,
            "geometry",
            format!("invalid ({reason}) and could not be repaired; feature left out"),
        );
        return None;
    }
    let change = if before > 0.0 { 100.0 * (after - before) / before } else { 0.0 };
    sink.push(
        Severity::Warning,
        location,
        "geometry",
        format!("invalid polygon ({reason}); repaired by re-noding, area change {change:+.3}%"),
    );
    Some(fixed.orient(Direction::Default))
}

/// Dissolves polygons into one multipolygon (used for derived territories and the demo).
#[must_use]
pub fn dissolve<'a>(parts: impl IntoIterator<Item = &'a MultiPolygon<f64>>) -> MultiPolygon<f64> {
    let polys: Vec<Polygon<f64>> = parts
        .into_iter()
        .flat_map(|m| m.0.iter().map(|p| p.orient(Direction::Default)))
        .collect();
    geo::unary_union(polys.iter()).orient(Direction::Default)
}

/// Intersection area of two multipolygons in square metres.
#[must_use]
pub fn overlap_area(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    a.intersection(b).unsigned_area()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn a_bowtie_is_repaired_and_reported() {
        let bowtie = polygon![(x: 0., y: 0.), (x: 2., y: 2.), (x: 2., y: 0.), (x: 0., y: 2.), (x: 0., y: 0.)];
        let mut out = Vec::new();
        let mut sink = ProblemSink::new("t.geojson", &mut out);
        let fixed = repair(MultiPolygon::new(vec![bowtie]), &mut sink, "feature 1").expect("repairable");
        drop(sink);
        assert!(fixed.is_valid());
        assert!((fixed.unsigned_area() - 2.0).abs() < 1e-9, "{fixed:?}");
        assert_eq!(out.len(), 1);
        assert!(out[0].message.contains("repaired"));
    }

    #[test]
    fn unclosed_rings_are_closed_with_a_warning() {
        let mut out = Vec::new();
        let mut sink = ProblemSink::new("t", &mut out);
        let r = ring(
            vec![
                Coord { x: 0., y: 0. },
                Coord { x: 1., y: 0. },
                Coord { x: 1., y: 1. },
                Coord { x: 0., y: 1. },
            ],
            &mut sink,
            "f",
        )
        .expect("ring");
        drop(sink);
        assert!(r.is_closed());
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn short_rings_and_wild_coordinates_leave_the_feature_out() {
        let c = |x, y| Coord { x, y };
        let mut out = Vec::new();
        let mut sink = ProblemSink::new("t", &mut out);
        let three = vec![c(0., 0.), c(1., 0.), c(1., 1.)];
        assert_eq!(ring(three, &mut sink, "f1"), Err(RingFault::Feature));
        let huge = vec![c(0., 0.), c(1e308, 0.), c(1., 1.), c(0., 0.)];
        assert_eq!(ring(huge, &mut sink, "f2"), Err(RingFault::Feature));
        let nan = vec![c(0., 0.), c(f64::NAN, 0.), c(1., 1.), c(0., 0.)];
        assert_eq!(ring(nan, &mut sink, "f3"), Err(RingFault::Feature));
        let flat = vec![c(0., 0.), c(1., 0.), c(0., 0.), c(1., 0.)];
        assert_eq!(ring(flat, &mut sink, "f4"), Err(RingFault::Ring));
        drop(sink);
        assert_eq!(out.len(), 4);
        assert!(out[0].message.contains("3 positions"), "{}", out[0].message);
        assert!(
            out[1].message.contains("out of range") && out[1].message.len() < 200,
            "{}",
            out[1].message
        );
    }
}
