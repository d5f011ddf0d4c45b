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
    let mut mp = mp;
    orient_in_place(&mut mp);
    // The sufficient test first: a sweep over the segments sorted by easting, so it costs about
    // a sort of the ring; geo's test, quadratic in a ring's length, decides only where it cannot
    // (reading England's LSOAs and wards: 1.6 s, against 2.9 s with an R-tree of segments).
    if surely_valid(&mp) || mp.is_valid() {
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
    sink.push(
        Severity::Warning,
        location,
        "geometry",
        format!("invalid polygon ({reason}); repaired by re-noding, {}", area_change(before, after)),
    );
    Some(fixed.orient(Direction::Default))
}

/// A repair's change of area in words, without a signed zero: "area change under 1 m²",
/// "area change +2,431 m² (+0.012%)", "area change -40 m² (under 0.001%)".
fn area_change(before: f64, after: f64) -> String {
    let d = after - before;
    if d.abs() < 0.5 {
        return "area change under 1 m²".to_owned();
    }
    let pct = 100.0 * d / before;
    let share = if before <= 0.0 {
        "from no area".to_owned()
    } else if pct.abs() < 0.0005 {
        "under 0.001%".to_owned()
    } else {
        format!("{pct:+.3}%")
    };
    let sign = if d > 0.0 { "+" } else { "-" };
    format!("area change {sign}{} m² ({share})", crate::text::thousands(d.abs()))
}

/// Whether two of `segs` meet (ends and touches included) and `counts` says the pair counts:
/// a sweep over the segments sorted by least easting, comparing each only with those whose
/// eastings overlap its own (a ring crosses any vertical line a few times, so that is a
/// handful). Sorts `segs`.
fn any_meeting<T>(segs: &mut [(geo::Line<f64>, T)], counts: impl Fn(&(geo::Line<f64>, T), &(geo::Line<f64>, T)) -> bool) -> bool {
    use geo::Intersects;
    segs.sort_unstable_by(|a, b| west(&a.0).total_cmp(&west(&b.0)));
    segs.iter().enumerate().any(|(i, a)| {
        let l = &a.0;
        let east = l.start.x.max(l.end.x);
        let (south, north) = (l.start.y.min(l.end.y), l.start.y.max(l.end.y));
        segs[i + 1..].iter().take_while(|b| west(&b.0) <= east).any(|b| {
            let m = &b.0;
            m.start.y.max(m.end.y) >= south && m.start.y.min(m.end.y) <= north && l.intersects(m) && counts(a, b)
        })
    })
}

/// Exteriors counter-clockwise, holes clockwise, where they lie: what geo's `orient(Direction::Default)`
/// gives (a ring reversed only when its winding is the other), without a copy of every ring.
fn orient_in_place(mp: &mut MultiPolygon<f64>) {
    use geo::Winding;
    for p in &mut mp.0 {
        p.exterior_mut(Winding::make_ccw_winding);
        p.interiors_mut(|holes| holes.iter_mut().for_each(Winding::make_cw_winding));
    }
}

/// A fast, exact sufficient test of validity, for the common case of rings that meet nowhere:
/// `true` only when every ring is closed with 4 or more finite positions, no two segments meet
/// (in one ring: apart from neighbours at their shared end, the rule geo's validation uses),
/// every hole lies inside its exterior and no polygon of the multipolygon lies inside another.
/// `false` means "not known": geo's validation, which compares every pair of a ring's segments
/// (quadratic in the ring's length), decides then.
#[must_use]
pub fn surely_valid(mp: &MultiPolygon<f64>) -> bool {
    use geo::{BoundingRect, Contains, Intersects, Line};
    let rings: Vec<&LineString<f64>> =
        mp.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .collect();
    // Every segment with its ring, sorted by its least easting; a sweep then compares each only
    // with those whose eastings overlap its own (a ring crosses any vertical line a few times, so
    // that is a handful, where an R-tree of segments cost more to build than the whole test).
    let mut segs: Vec<(Line<f64>, usize)> = Vec::new();
    for (r, ring) in rings.iter().enumerate() {
        let c = &ring.0;
        // Four positions after repeated ones are merged, as geo counts them.
        let distinct = c.len().min(1) + c.windows(2).filter(|w| w[0] != w[1]).count();
        if distinct < 4 || c.first() != c.last() || c.iter().any(|p| !p.x.is_finite() || !p.y.is_finite()) {
            return false;
        }
        segs.extend(c.windows(2).map(|w| (Line::new(w[0], w[1]), r)));
    }
    // Neighbours along one ring meet at their shared end, as geo's rule allows.
    if any_meeting(&mut segs, |(l, r), (m, q)| !(r == q && (l.start == m.end || l.end == m.start))) {
        return false;
    }
    // Rings that meet nowhere: a hole is inside its exterior, and one polygon inside another,
    // exactly when one of its positions is.
    for p in &mp.0 {
        let shell = Polygon::new(p.exterior().clone(), Vec::new());
        if p.interiors().iter().any(|h| !shell.contains(&h.0[0])) {
            return false;
        }
        // Nor may a hole lie inside another (many holes: left to geo).
        if p.interiors().len() > 64 {
            return false;
        }
        let holes: Vec<Polygon<f64>> = p.interiors().iter().map(|h| Polygon::new(h.clone(), Vec::new())).collect();
        for (i, h) in holes.iter().enumerate() {
            if holes.iter().enumerate().any(|(j, o)| i != j && h.contains(&o.exterior().0[0])) {
                return false;
            }
        }
    }
    let boxes: Vec<Option<geo::Rect<f64>>> = mp.0.iter().map(BoundingRect::bounding_rect).collect();
    for (i, a) in mp.0.iter().enumerate() {
        for (j, b) in mp.0.iter().enumerate() {
            if i == j || !matches!((boxes[i], boxes[j]), (Some(x), Some(y)) if x.intersects(&y)) {
                continue;
            }
            if a.contains(&b.exterior().0[0]) {
                return false;
            }
        }
    }
    true
}

/// The rings of `mp` clipped to the rectangle `r` (Sutherland–Hodgman, ring by ring): the same
/// points inside `r` as `mp`, but a ring that leaves the rectangle comes back along its edge, so
/// the result can hold edges that run along each other. Good for areas and as an overlay operand
/// (which re-nodes such edges); not a clean geometry to keep. Rings left with under 3 points
/// are dropped, and a polygon whose exterior is dropped goes with its holes.
#[must_use]
pub fn clip_to_rect(mp: &MultiPolygon<f64>, r: geo::Rect<f64>) -> MultiPolygon<f64> {
    let (lo, hi) = (r.min(), r.max());
    // The four half-planes: inside(c), and where the segment a→b crosses the edge.
    let cut = |pts: Vec<Coord>, inside: &dyn Fn(Coord) -> bool, cross: &dyn Fn(Coord, Coord) -> Coord| -> Vec<Coord> {
        let mut out = Vec::with_capacity(pts.len());
        for (i, &b) in pts.iter().enumerate() {
            let a = pts[(i + pts.len() - 1) % pts.len()];
            match (inside(a), inside(b)) {
                (true, true) => out.push(b),
                (true, false) => out.push(cross(a, b)),
                (false, true) => {
                    out.push(cross(a, b));
                    out.push(b);
                }
                (false, false) => {}
            }
        }
        out
    };
    let at_x = |x: f64| {
        move |a: Coord, b: Coord| Coord {
            x,
            y: a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x),
        }
    };
    let at_y = |y: f64| {
        move |a: Coord, b: Coord| Coord {
            x: a.x + (b.x - a.x) * (y - a.y) / (b.y - a.y),
            y,
        }
    };
    let ring = |ls: &LineString<f64>| -> Option<LineString<f64>> {
        let c = &ls.0;
        // Open ring; a ring inside the rectangle is kept as it is.
        if c.iter().all(|p| p.x >= lo.x && p.x <= hi.x && p.y >= lo.y && p.y <= hi.y) {
            return Some(ls.clone());
        }
        let mut pts: Vec<Coord> = c[..c.len().saturating_sub(1)].to_vec();
        pts = cut(pts, &|p| p.x >= lo.x, &at_x(lo.x));
        pts = cut(pts, &|p| p.x <= hi.x, &at_x(hi.x));
        pts = cut(pts, &|p| p.y >= lo.y, &at_y(lo.y));
        pts = cut(pts, &|p| p.y <= hi.y, &at_y(hi.y));
        if pts.len() < 3 {
            return None;
        }
        pts.push(pts[0]);
        Some(LineString::new(pts))
    };
    MultiPolygon::new(
        mp.0.iter()
            .filter_map(|p| Some(Polygon::new(ring(p.exterior())?, p.interiors().iter().filter_map(ring).collect())))
            .collect(),
    )
}

/// The area of `inner ∩ outer`: [`Overlaps`] of `inner` asked once, `outer`'s own point test
/// deciding sides. For one pair; the apportionment prepares each LSOA once for all its wards.
#[must_use]
pub fn overlap_in_box(inner: &MultiPolygon<f64>, outer: &MultiPolygon<f64>) -> f64 {
    use geo::coordinate_position::{CoordPos, CoordinatePosition};
    Overlaps::new(inner).with(&Outline::new(outer), |c| outer.coordinate_position(&c) == CoordPos::Inside)
}

/// A multipolygon (`outer`, a ward) prepared to be met with many small boxes (its LSOAs): its
/// rings cut into runs of consecutive segments, each run with its box, so that the segments
/// near a box are found by testing the runs' boxes first, not every segment.
pub struct Outline<'a> {
    mp: &'a MultiPolygon<f64>,
    rings: Vec<&'a LineString<f64>>,
    /// In ring order: the ring's number in `rings`, its first and one-past-last segment, and the
    /// run's box (least and greatest corner).
    runs: Vec<(u32, u32, u32, Coord, Coord)>,
}

impl<'a> Outline<'a> {
    /// Segments per run: a ward boundary of 1,000 segments is met with an LSOA's box in about
    /// 30 box tests and the segments of the few runs near it.
    const RUN: usize = 32;

    /// Prepares `mp`.
    #[must_use]
    pub fn new(mp: &'a MultiPolygon<f64>) -> Self {
        Self::with_runs_of(mp, Self::RUN)
    }

    /// [`Outline::new`] with runs of `run` segments (at least one).
    #[must_use]
    pub fn with_runs_of(mp: &'a MultiPolygon<f64>, run: usize) -> Self {
        let run = run.max(1);
        let rings: Vec<&LineString<f64>> = rings_of(mp).collect();
        let mut runs = Vec::new();
        for (r, ring) in rings.iter().enumerate() {
            let segments = ring.0.len().saturating_sub(1);
            for start in (0..segments).step_by(run) {
                let end = (start + run).min(segments);
                let (mut lo, mut hi) = (ring.0[start], ring.0[start]);
                for c in &ring.0[start + 1..=end] {
                    (lo.x, lo.y, hi.x, hi.y) = (lo.x.min(c.x), lo.y.min(c.y), hi.x.max(c.x), hi.y.max(c.y));
                }
                runs.push((r as u32, start as u32, end as u32, lo, hi));
            }
        }
        Self { mp, rings, runs }
    }
}

/// The smallest box holding both `a` and `b`.
#[must_use]
pub fn rect_union(a: geo::Rect<f64>, b: geo::Rect<f64>) -> geo::Rect<f64> {
    geo::Rect::new(
        Coord {
            x: a.min().x.min(b.min().x),
            y: a.min().y.min(b.min().y),
        },
        Coord {
            x: a.max().x.max(b.max().x),
            y: a.max().y.max(b.max().y),
        },
    )
}

/// Every ring of `mp`, each exterior before its holes.
fn rings_of(mp: &MultiPolygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    mp.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
}

/// Where a segment of one boundary properly crosses one of the other: which boundary (`false`
/// for the inner one), which segment, how far along it (0–1), and the point, the same for both.
type Crossing = (bool, u32, f64, Coord);

/// One multipolygon (`inner`, an LSOA) prepared for the areas of its overlaps with many others
/// (its wards): its box, its area and its segments, ring by ring and sorted by least easting, are
/// worked out once.
///
/// Most pairs need no overlay: where the two boundaries cross only properly (at single points,
/// away from every vertex, as boundaries generalised separately do) the area comes from the
/// boundaries alone (Green's theorem, [`Overlaps::by_boundaries`]). Otherwise — boundaries that
/// touch, share a vertex or run along each other — `inner` is overlaid with only the part of
/// `outer` inside `inner`'s box (1 m wider, [`clip_to_rect`]): a few hundred edges instead of a
/// whole ward's.
pub struct Overlaps<'a> {
    inner: &'a MultiPolygon<f64>,
    bb: Option<geo::Rect<f64>>,
    area: f64,
    /// Segments ring by ring; `starts[i]`: segment `i` begins a ring.
    segs: Vec<geo::Line<f64>>,
    starts: Vec<bool>,
    /// Segment indices by least easting, and those eastings.
    by_west: Vec<u32>,
    wests: Vec<f64>,
}

fn west(l: &geo::Line<f64>) -> f64 {
    l.start.x.min(l.end.x)
}

impl<'a> Overlaps<'a> {
    /// Prepares `inner` (wound as [`repair`] leaves it: exteriors counter-clockwise, holes clockwise).
    #[must_use]
    pub fn new(inner: &'a MultiPolygon<f64>) -> Self {
        use geo::BoundingRect;
        let (mut segs, mut starts) = (Vec::new(), Vec::new());
        for ring in rings_of(inner) {
            for (i, w) in ring.0.windows(2).enumerate() {
                segs.push(geo::Line::new(w[0], w[1]));
                starts.push(i == 0);
            }
        }
        let mut by_west: Vec<u32> = (0..segs.len() as u32).collect();
        by_west.sort_unstable_by(|&a, &b| west(&segs[a as usize]).total_cmp(&west(&segs[b as usize])));
        let wests = by_west.iter().map(|&i| west(&segs[i as usize])).collect();
        Self {
            inner,
            bb: inner.bounding_rect(),
            area: inner.unsigned_area(),
            segs,
            starts,
            by_west,
            wests,
        }
    }

    /// `inner`'s bounding box (`None` when it has no positions).
    #[must_use]
    pub fn bbox(&self) -> Option<geo::Rect<f64>> {
        self.bb
    }

    /// `inner`'s own area.
    #[must_use]
    pub fn area(&self) -> f64 {
        self.area
    }

    /// The area of `inner ∩ outer`. `outer_holds(c)`: whether `c` lies strictly inside `outer` (an
    /// index's point test, or `outer`'s own); it is asked only of `inner`'s vertices once no vertex
    /// of either is found on the other's boundary.
    pub fn with(&self, outer: &Outline<'_>, outer_holds: impl Fn(Coord) -> bool) -> f64 {
        let Some(bb) = self.bb else { return 0.0 };
        if let Some(area) = self.by_boundaries(outer, &outer_holds) {
            return area;
        }
        let pad = Coord { x: 1.0, y: 1.0 };
        let part = clip_to_rect(outer.mp, geo::Rect::new(bb.min() - pad, bb.max() + pad));
        if part.0.is_empty() {
            0.0
        } else {
            self.inner.intersection(&part).unsigned_area()
        }
    }

    /// The area of `inner ∩ outer` by Green's theorem: the boundary of the intersection is the part
    /// of `inner`'s boundary inside `outer` and the part of `outer`'s inside `inner`, and its area
    /// is the sum of `(x₁y₂ − x₂y₁)/2` over those pieces (both wound as [`repair`] leaves them).
    /// Each ring is followed from one point whose side is known — by a point test, or outside `inner`'s
    /// box — and changes side at each crossing; only `outer`'s segments whose box meets that box can
    /// cross.
    ///
    /// `None` when the boundaries meet other than by proper crossings (a touch, a shared vertex, an
    /// overlapping edge: the orientation tests, exact, say so), or when a check of the walk fails;
    /// the caller then overlays. A vertex of either on the other's boundary meets a segment there
    /// with a zero orientation, so the point tests of the walk never land on a boundary.
    fn by_boundaries(&self, outer: &Outline<'_>, outer_holds: &dyn Fn(Coord) -> bool) -> Option<f64> {
        use geo::Line;
        use geo::coordinate_position::{CoordPos, CoordinatePosition};
        let bb = self.bb?;
        let (lo, hi) = (bb.min(), bb.max());
        let in_box = |c: Coord| c.x >= lo.x && c.x <= hi.x && c.y >= lo.y && c.y <= hi.y;
        // `outer`'s segments near the box, ring by ring, from the runs whose box meets it; `run`
        // marks where a stretch of consecutive segments of one ring begins. `close_to`: the ring
        // and segment that continue a stretch, when the last segment looked at was near.
        let mut near: Vec<Line<f64>> = Vec::new();
        let mut run: Vec<bool> = Vec::new();
        let mut close_to: Option<(u32, u32)> = None;
        for &(r, start, end, rlo, rhi) in &outer.runs {
            if rhi.x < lo.x || rlo.x > hi.x || rhi.y < lo.y || rlo.y > hi.y {
                continue;
            }
            let ring = &outer.rings[r as usize].0;
            let mut follows = close_to == Some((r, start));
            for s in start..end {
                let (a, b) = (ring[s as usize], ring[s as usize + 1]);
                let close = a.x.max(b.x) >= lo.x && a.x.min(b.x) <= hi.x && a.y.max(b.y) >= lo.y && a.y.min(b.y) <= hi.y;
                if close {
                    near.push(Line::new(a, b));
                    run.push(!follows);
                }
                follows = close;
            }
            close_to = follows.then_some((r, end));
        }
        // Every meeting of a segment of one with a segment of the other: both lists by least
        // easting, each pair met from whichever of the two starts further west (ties: from `inner`).
        let o = |p: Coord, q: Coord, r: Coord| {
            let rc = |c: Coord| robust::Coord { x: c.x, y: c.y };
            robust::orient2d(rc(p), rc(q), rc(r))
        };
        let mut crossings: Vec<Crossing> = Vec::new();
        let mut meet = |i: u32, j: u32| -> Option<()> {
            let (l, m) = (self.segs[i as usize], near[j as usize]);
            if m.start.y.max(m.end.y) < l.start.y.min(l.end.y) || m.start.y.min(m.end.y) > l.start.y.max(l.end.y) {
                return Some(());
            }
            let (o1, o2) = (o(m.start, m.end, l.start), o(m.start, m.end, l.end));
            let (o3, o4) = (o(l.start, l.end, m.start), o(l.start, l.end, m.end));
            if o1 * o2 > 0.0 || o3 * o4 > 0.0 {
                return Some(());
            }
            if o1 == 0.0 || o2 == 0.0 || o3 == 0.0 || o4 == 0.0 {
                return None;
            }
            let (t, u) = (o1 / (o1 - o2), o3 / (o3 - o4));
            let at = l.start + (l.end - l.start) * t;
            crossings.push((false, i, t, at));
            crossings.push((true, j, u, at));
            Some(())
        };
        if !near.is_empty() {
            let mut near_west: Vec<u32> = (0..near.len() as u32).collect();
            near_west.sort_unstable_by(|&a, &b| west(&near[a as usize]).total_cmp(&west(&near[b as usize])));
            let mut first = 0; // the first of `near_west` not west of the current inner segment
            for (k, &i) in self.by_west.iter().enumerate() {
                let l = &self.segs[i as usize];
                let east = l.start.x.max(l.end.x);
                while first < near_west.len() && west(&near[near_west[first] as usize]) < self.wests[k] {
                    first += 1;
                }
                for &j in near_west[first..].iter().take_while(|&&j| west(&near[j as usize]) <= east) {
                    meet(i, j)?;
                }
            }
            for &j in &near_west {
                let m = &near[j as usize];
                let (w, east) = (west(m), m.start.x.max(m.end.x));
                let from = self.wests.partition_point(|&x| x <= w);
                for &i in self.by_west[from..].iter().take_while(|&&i| west(&self.segs[i as usize]) <= east) {
                    meet(i, j)?;
                }
            }
        }
        crossings.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.total_cmp(&b.2)));
        let split = crossings.partition_point(|c| !c.0);
        let cross = |p: Coord, q: Coord| ((p.x - lo.x) * (q.y - lo.y) - (q.x - lo.x) * (p.y - lo.y)) / 2.0;
        // Follow `inner`'s rings, adding the pieces inside `outer`.
        let mut sum = 0.0;
        let (mut c, mut inside, mut ring_start) = (0, false, false);
        for (i, l) in self.segs.iter().enumerate() {
            if self.starts[i] {
                if i > 0 && inside != ring_start {
                    return None; // a ring came back on the other side it started
                }
                inside = outer_holds(l.start);
                ring_start = inside;
            }
            let mut from = l.start;
            while c < split && crossings[c].1 as usize == i {
                if inside {
                    sum += cross(from, crossings[c].3);
                }
                (from, inside, c) = (crossings[c].3, !inside, c + 1);
            }
            if inside {
                sum += cross(from, l.end);
            }
        }
        if inside != ring_start {
            return None;
        }
        // Follow `outer`'s stretches near the box, adding the pieces inside `inner`.
        let mut c = split;
        for (j, m) in near.iter().enumerate() {
            if run[j] {
                inside = if in_box(m.start) {
                    match self.inner.coordinate_position(&m.start) {
                        CoordPos::Inside => true,
                        CoordPos::Outside => false,
                        CoordPos::OnBoundary => return None,
                    }
                } else {
                    false
                };
            }
            let mut from = m.start;
            while c < crossings.len() && crossings[c].1 as usize == j {
                if inside {
                    sum += cross(from, crossings[c].3);
                }
                (from, inside, c) = (crossings[c].3, !inside, c + 1);
            }
            if inside {
                sum += cross(from, m.end);
            }
            if inside && !in_box(m.end) {
                return None; // left `inner`'s box on its inside
            }
        }
        let slack = 1e-9 * self.area.max(1.0);
        (sum >= -slack && sum <= self.area + slack).then(|| sum.clamp(0.0, self.area))
    }
}

/// A point inside `mp`, by geo's `InteriorPoint` rule: in each polygon, the midpoint of the
/// longest stretch inside it of a horizontal line through the middle of its box (moved off any
/// vertex there), and of the polygons the one with the longest stretch. Geo finds where that
/// line crosses the edges by a sweep for every crossing among all the edges, and tests each
/// midpoint with a full `relate`; here each edge is met with the line on its own and the
/// midpoint tested by its position alone — the same point (the test below), in a twentieth of
/// the time (the apportionment asks it of every LSOA).
#[must_use]
pub fn interior_point(mp: &MultiPolygon<f64>) -> Option<Coord> {
    let mut best: Option<(Coord, f64)> = None;
    for p in &mp.0 {
        if let Some((c, len)) = polygon_interior_point(p)
            && best.is_none_or(|(_, b)| len > b)
        {
            best = Some((c, len));
        }
    }
    best.map(|(c, _)| c)
}

fn polygon_interior_point(polygon: &Polygon<f64>) -> Option<(Coord, f64)> {
    use geo::coordinate_position::{CoordPos, CoordinatePosition};
    use geo::line_intersection::{LineIntersection, line_intersection};
    use geo::{BoundingRect, CoordsIter, Line};
    if polygon.exterior().0.len() == 1 {
        return Some((polygon.exterior().0[0], 0.0));
    }
    let bounds = polygon.bounding_rect()?;
    let mut y_mid = (bounds.min().y + bounds.max().y) / 2.0;
    if polygon.coords_iter().any(|c| c.y == y_mid) {
        let closest = polygon
            .coords_iter()
            .filter(|c| c.y != y_mid)
            .map(|c| (c.y, (c.y - y_mid).abs()))
            .min_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Less));
        if let Some((y, _)) = closest {
            y_mid = (y_mid + y) / 2.0;
        }
    }
    let scan = Line::new(
        Coord {
            x: bounds.min().x,
            y: y_mid,
        },
        Coord {
            x: bounds.max().x,
            y: y_mid,
        },
    );
    let mut xs: Vec<f64> = Vec::new();
    let rings = std::iter::once(polygon.exterior()).chain(polygon.interiors());
    for w in rings.flat_map(|r| r.0.windows(2)) {
        if w[0].y.min(w[1].y) > y_mid || w[0].y.max(w[1].y) < y_mid {
            continue;
        }
        match line_intersection(Line::new(w[0], w[1]), scan) {
            Some(LineIntersection::Collinear { intersection }) => xs.extend([intersection.start.x, intersection.end.x]),
            Some(LineIntersection::SinglePoint { intersection, .. }) => xs.push(intersection.x),
            None => {}
        }
    }
    xs.sort_by(f64::total_cmp);
    let mut stretches: Vec<(Coord, f64)> = xs
        .windows(2)
        .map(|w| {
            (
                Coord {
                    x: (w[0] + w[1]) / 2.0,
                    y: y_mid,
                },
                w[1] - w[0],
            )
        })
        .collect();
    stretches.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (mid, len) in stretches {
        match polygon.coordinate_position(&mid) {
            CoordPos::Inside => return Some((mid, len)),
            // On the boundary only when the polygon has no area there.
            CoordPos::OnBoundary => return Some((mid, 0.0)),
            CoordPos::Outside => {}
        }
    }
    polygon.coords_iter().next().map(|c| (c, 0.0))
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

/// A multipolygon ready to be simplified at any tolerance: each vertex carries the largest
/// Douglas–Peucker tolerance that still keeps it, found by running the recursion once to the
/// end. [`Ranked::at`] then filters the vertices, and gives exactly what geo's `Simplify` gives
/// at that tolerance (the test below) — fifteen zooms of tiles cost one simplification, not
/// fifteen.
///
/// Why it is exact: the recursion's split points depend only on the geometry, never on the
/// tolerance, which decides only where it stops; a vertex is kept when its own distance and that
/// of every split above it exceed the tolerance, so its rank is the smallest of them. geo keeps
/// a ring's vertices rather than leave it under four; that happens only where the filter would
/// leave fewer than four, and there `at` asks geo itself.
pub struct Ranked {
    polygons: Vec<Vec<(LineString<f64>, Vec<f64>)>>,
}

impl Ranked {
    /// Ranks every vertex of `mp`.
    #[must_use]
    pub fn new(mp: &MultiPolygon<f64>) -> Self {
        let rank = |ring: &LineString<f64>| (ring.clone(), rdp_ranks(&ring.0));
        Self {
            polygons: mp
                .0
                .iter()
                .map(|p| std::iter::once(p.exterior()).chain(p.interiors()).map(rank).collect())
                .collect(),
        }
    }

    /// The multipolygon simplified at `epsilon`, as `geo::Simplify` would give it.
    #[must_use]
    pub fn at(&self, epsilon: f64) -> MultiPolygon<f64> {
        use geo::Simplify;
        let ring = |(line, ranks): &(LineString<f64>, Vec<f64>)| -> LineString<f64> {
            if epsilon <= 0.0 {
                return line.clone();
            }
            let kept: Vec<Coord> = line.0.iter().zip(ranks).filter(|(_, r)| **r > epsilon).map(|(c, _)| *c).collect();
            if kept.len() < 4 && line.0.len() > 2 {
                // As a polygon's ring: geo's floor of four vertices applies.
                return Polygon::new(line.clone(), vec![]).simplify(epsilon).into_inner().0;
            }
            LineString(kept)
        };
        MultiPolygon(
            self.polygons
                .iter()
                .map(|rings| {
                    let mut it = rings.iter().map(ring);
                    let exterior = it.next().unwrap_or_else(|| LineString(Vec::new()));
                    Polygon::new(exterior, it.collect())
                })
                .collect(),
        )
    }
}

/// The Douglas–Peucker rank of each vertex of `c`: the two ends are always kept (infinite); each
/// other vertex has the smaller of its distance from the chord it split and its parent's rank.
/// The farthest vertex and the distance are found as geo's `Simplify` finds them (the last of
/// equals, distance to the segment), with a stack rather than recursion.
fn rdp_ranks(c: &[Coord]) -> Vec<f64> {
    use geo::{Distance, Euclidean, Line};
    let n = c.len();
    let mut rank = vec![f64::INFINITY; n];
    let mut stack = vec![(0usize, n.saturating_sub(1), f64::INFINITY)];
    while let Some((a, b, bound)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let chord = Line::new(c[a], c[b]);
        let (mut far, mut d) = (a, 0.0);
        for (k, p) in c.iter().enumerate().take(b).skip(a + 1) {
            let e = Euclidean.distance(*p, &chord);
            if e >= d {
                (far, d) = (k, e);
            }
        }
        let r = d.min(bound);
        rank[far] = r;
        stack.push((a, far, r));
        stack.push((far, b, r));
    }
    rank
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_repairs_area_change_reads_without_a_signed_zero() {
        use super::area_change;
        assert_eq!(area_change(1e6, 1e6 + 0.2), "area change under 1 m²");
        assert_eq!(area_change(1e6, 1e6 - 0.2), "area change under 1 m²");
        assert_eq!(area_change(1e6, 1e6 + 2431.0), "area change +2,431 m² (+0.243%)");
        assert_eq!(area_change(1e9, 1e9 - 40.0), "area change -40 m² (under 0.001%)");
        assert_eq!(area_change(0.0, 12.0), "area change +12 m² (from no area)");
    }

    use super::*;

    /// Ranked once, filtered at any tolerance: exactly geo's `Simplify`, on rings of many
    /// wiggles, with holes, at tolerances from none to more than the ring (where geo keeps four
    /// vertices rather than collapse it), and on rings with repeated and collinear points.
    #[test]
    fn ranked_simplification_is_geos_at_every_tolerance() {
        use geo::Simplify;
        let mut rng = crate::stats::rng::SplitMix::new(5);
        let mut wiggly = |cx: f64, cy: f64, r: f64, k: usize, rng: &mut crate::stats::rng::SplitMix| {
            let mut v: Vec<Coord> = (0..k)
                .map(|i| {
                    let t = i as f64 / k as f64 * std::f64::consts::TAU;
                    let rr = r * (1.0 + 0.3 * rng.range(-1.0, 1.0));
                    Coord {
                        x: cx + rr * t.cos(),
                        y: cy + rr * t.sin(),
                    }
                })
                .collect();
            // A repeated point and a run on one line, as real boundaries have.
            v.insert(3, v[3]);
            v.insert(
                8,
                Coord {
                    x: (v[7].x + v[8].x) / 2.0,
                    y: (v[7].y + v[8].y) / 2.0,
                },
            );
            v.push(v[0]);
            LineString(v)
        };
        let mut shapes = Vec::new();
        for k in [3usize, 5, 12, 60, 400] {
            let ext = wiggly(0.0, 0.0, 1000.0, k.max(12), &mut rng);
            let hole = wiggly(100.0, 0.0, 200.0, k.max(12) / 2 + 6, &mut rng);
            shapes.push(MultiPolygon(vec![
                Polygon::new(ext, vec![hole]),
                Polygon::new(wiggly(5000.0, 0.0, 50.0, k + 6, &mut rng), vec![]),
            ]));
        }
        let mut checked = 0;
        for mp in &shapes {
            let ranked = Ranked::new(mp);
            for eps in [0.0, 0.01, 1.0, 5.0, 17.0, 40.0, 120.0, 300.0, 900.0, 5000.0] {
                assert_eq!(ranked.at(eps), mp.simplify(eps), "{} vertices at {eps}", mp.0[0].exterior().0.len());
                checked += 1;
            }
        }
        assert_eq!(checked, 50);
        // At the coarsest, geo keeps rings whole rather than collapse them: the fallback ran.
        assert!(shapes.iter().any(|mp| {
            let ext = mp.0[0].exterior().0.len();
            ext > 4 && Ranked::new(mp).at(5000.0).0[0].exterior().0.len() == ext
        }));
    }
    use geo::polygon;

    fn square(x0: f64, y0: f64, side: f64) -> LineString<f64> {
        LineString::from(vec![(x0, y0), (x0 + side, y0), (x0 + side, y0 + side), (x0, y0 + side), (x0, y0)])
    }

    #[test]
    fn boundaries_that_only_cross_give_the_overlays_area_without_an_overlay() {
        let p = |ext: LineString<f64>, holes: Vec<LineString<f64>>| Polygon::new(ext, holes);
        let one = |ext, holes| MultiPolygon::new(vec![p(ext, holes)]).orient(Direction::Default);
        // (case, inner, outer, whether the boundaries answer without an overlay)
        let cases: Vec<(&str, MultiPolygon<f64>, MultiPolygon<f64>, bool)> = vec![
            ("inside", one(square(2., 2., 2.), vec![]), one(square(0., 0., 10.), vec![]), true),
            (
                "outside, boxes apart",
                one(square(20., 2., 2.), vec![]),
                one(square(0., 0., 10.), vec![]),
                true,
            ),
            (
                "outside, in a notch of the box",
                one(square(6., 6., 2.), vec![]),
                one(
                    LineString::from(vec![(0., 0.), (10., 0.), (10., 5.), (5., 5.), (5., 10.), (0., 10.), (0., 0.)]),
                    vec![],
                ),
                true,
            ),
            (
                "in the outer's hole",
                one(square(2., 2., 2.), vec![]),
                one(square(0., 0., 10.), vec![square(1., 1., 5.)]),
                true,
            ),
            (
                "one part in, one out",
                MultiPolygon::new(vec![p(square(1., 1., 2.), vec![]), p(square(12., 1., 2.), vec![])]).orient(Direction::Default),
                one(square(0., 0., 10.), vec![]),
                true,
            ),
            (
                "outer inside inner",
                one(square(0., 0., 10.), vec![]),
                one(square(2., 2., 2.), vec![]),
                true,
            ),
            (
                "outer's hole inside inner",
                one(square(1., 1., 8.), vec![]),
                one(square(0., 0., 10.), vec![square(4., 4., 2.)]),
                true,
            ),
            (
                "touching along an edge",
                one(square(0., 0., 5.), vec![]),
                one(square(5., 0., 5.), vec![]),
                false,
            ),
            (
                "touching at a corner",
                one(square(0., 0., 5.), vec![]),
                one(square(5., 5., 5.), vec![]),
                false,
            ),
            ("crossing", one(square(0., 0., 5.), vec![]), one(square(3., 3., 5.), vec![]), true),
            (
                "a comb crossing one edge many times, and a hole crossed",
                one(
                    LineString::from(vec![
                        (0.5, 0.5),
                        (9.5, 0.5),
                        (9.5, 12.),
                        (8., 12.),
                        (8., 3.),
                        (6., 3.),
                        (6., 12.),
                        (4., 12.),
                        (4., 3.),
                        (2., 3.),
                        (2., 12.),
                        (0.5, 12.),
                        (0.5, 0.5),
                    ]),
                    vec![square(1., 1., 1.5)],
                ),
                one(square(0., 0., 10.), vec![square(1.5, 1.5, 2.)]),
                true,
            ),
            (
                "outer in two parts, one leaving the box",
                one(square(0., 0., 6.), vec![]),
                MultiPolygon::new(vec![p(square(1., 1., 2.), vec![]), p(square(4., 4., 5.), vec![])]).orient(Direction::Default),
                true,
            ),
            (
                "a vertex on the other's edge",
                one(square(0., 0., 4.), vec![]),
                one(LineString::from(vec![(4., 2.), (6., 0.), (6., 4.), (4., 2.)]), vec![]),
                false,
            ),
            (
                "a vertex inside, its edges crossing",
                one(square(0., 0., 4.), vec![]),
                one(LineString::from(vec![(2., 2.), (6., 0.), (6., 4.), (2., 2.)]), vec![]),
                true,
            ),
            (
                "an edge through the other's corner",
                one(square(0., 0., 4.), vec![]),
                one(LineString::from(vec![(2., 6.), (6., 2.), (6., 6.), (2., 6.)]), vec![]),
                false,
            ),
        ];
        for (name, inner, outer, shortcut) in cases {
            let want = inner.intersection(&outer).unsigned_area();
            // Runs of one, two and the usual number of segments: the stretches near the box
            // are the same however the rings are cut.
            for run in [1, 2, Outline::RUN] {
                let quick = Overlaps::new(&inner).by_boundaries(&Outline::with_runs_of(&outer, run), &|c| {
                    use geo::coordinate_position::{CoordPos, CoordinatePosition};
                    outer.coordinate_position(&c) == CoordPos::Inside
                });
                assert_eq!(quick.is_some(), shortcut, "{name}, runs of {run}: {quick:?}");
                if let Some(a) = quick {
                    assert!((a - want).abs() < 1e-9, "{name}, runs of {run}: {a} vs {want}");
                }
            }
            assert!((overlap_in_box(&inner, &outer) - want).abs() < 1e-9, "{name}");
        }
    }

    #[test]
    fn interior_points_are_geos() {
        use geo::InteriorPoint;
        let (m, src) = crate::demo::embedded::demo().expect("demo");
        let base = crate::base::Base::load(&m, &src, &|_| {});
        let mut shapes: Vec<MultiPolygon<f64>> = base
            .layers
            .iter()
            .flat_map(|l| l.areas.iter().map(|a| a.geometry.clone()))
            .collect();
        let p = |ext: LineString<f64>, holes: Vec<LineString<f64>>| Polygon::new(ext, holes);
        shapes.extend([
            // A vertex on the middle line; a hole across it; the longer of two parts wins.
            MultiPolygon::new(vec![p(
                LineString::from(vec![(0., 0.), (4., 0.), (4., 4.), (2., 2.), (0., 4.), (0., 0.)]),
                vec![],
            )]),
            MultiPolygon::new(vec![p(square(0., 0., 10.), vec![square(2., 2., 6.)])]),
            MultiPolygon::new(vec![p(square(0., 0., 1.), vec![]), p(square(5., 0., 3.), vec![])]),
            MultiPolygon::new(vec![p(LineString::from(vec![(0., 0.), (1., 0.), (0., 0.)]), vec![])]),
        ]);
        for mp in &shapes {
            assert_eq!(interior_point(mp), mp.interior_point().map(|p| p.0), "{mp:?}");
        }
        assert!(shapes.len() > 100, "{}", shapes.len());
    }

    #[test]
    fn surely_valid_is_never_true_for_an_invalid_polygon() {
        let p = |ext: LineString<f64>, holes: Vec<LineString<f64>>| Polygon::new(ext, holes);
        let cases: Vec<(&str, MultiPolygon<f64>, bool)> = vec![
            ("square", MultiPolygon::new(vec![p(square(0., 0., 10.), vec![])]), true),
            (
                "square with a hole",
                MultiPolygon::new(vec![p(square(0., 0., 10.), vec![square(2., 2., 2.)])]),
                true,
            ),
            (
                "island in a lake",
                MultiPolygon::new(vec![
                    p(square(0., 0., 10.), vec![square(2., 2., 6.)]),
                    p(square(3., 3., 1.), vec![]),
                ]),
                true,
            ),
            (
                "two apart",
                MultiPolygon::new(vec![p(square(0., 0., 1.), vec![]), p(square(5., 5., 1.), vec![])]),
                true,
            ),
            (
                "bowtie",
                MultiPolygon::new(vec![p(
                    LineString::from(vec![(0., 0.), (2., 2.), (2., 0.), (0., 2.), (0., 0.)]),
                    vec![],
                )]),
                false,
            ),
            (
                // The crossing is between the first segment by easting and ones sorted far after it.
                "spike through a long edge",
                MultiPolygon::new(vec![p(
                    LineString::from(vec![
                        (0., 0.),
                        (10., 0.),
                        (10., 5.),
                        (6., 5.),
                        (5., -1.),
                        (4., 5.),
                        (0., 5.),
                        (0., 0.),
                    ]),
                    vec![],
                )]),
                false,
            ),
            (
                "hole outside",
                MultiPolygon::new(vec![p(square(0., 0., 10.), vec![square(20., 20., 2.)])]),
                false,
            ),
            (
                "hole in a hole",
                MultiPolygon::new(vec![p(square(0., 0., 10.), vec![square(1., 1., 8.), square(2., 2., 1.)])]),
                false,
            ),
            (
                "one inside another",
                MultiPolygon::new(vec![p(square(0., 0., 10.), vec![]), p(square(2., 2., 1.), vec![])]),
                false,
            ),
            (
                "overlapping",
                MultiPolygon::new(vec![p(square(0., 0., 10.), vec![]), p(square(5., 5., 10.), vec![])]),
                false,
            ),
            (
                "touching at an edge",
                MultiPolygon::new(vec![p(square(0., 0., 1.), vec![]), p(square(1., 0., 1.), vec![])]),
                false,
            ),
        ];
        for (name, mp, want) in cases {
            let mp = mp.orient(Direction::Default);
            assert_eq!(surely_valid(&mp), want, "{name}");
            if want {
                assert!(mp.is_valid(), "{name}: geo agrees");
            }
        }
    }

    #[test]
    fn surely_valid_agrees_with_geo_on_the_demo_boundaries() {
        let (m, src) = crate::demo::embedded::demo().expect("demo");
        let base = crate::base::Base::load(&m, &src, &|_| {});
        let mut checked = 0;
        for l in &base.layers {
            for a in &l.areas {
                if surely_valid(&a.geometry) {
                    assert!(a.geometry.is_valid(), "{} {}", l.id, a.code);
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "{checked}");
    }

    #[test]
    fn clipping_to_the_box_keeps_the_overlap_with_anything_inside_it() {
        use geo::BoundingRect;
        // A U whose arms leave the box and come back: the clipped ring runs along the box edge.
        let u = Polygon::new(
            LineString::from(vec![
                (0., 0.),
                (10., 0.),
                (10., 10.),
                (7., 10.),
                (7., 3.),
                (3., 3.),
                (3., 10.),
                (0., 10.),
                (0., 0.),
            ]),
            vec![square(8., 1., 1.)],
        );
        let inner = MultiPolygon::new(vec![Polygon::new(square(1., 1., 8.), vec![])]);
        let bx = geo::Rect::new(Coord { x: 0.5, y: 0.5 }, Coord { x: 9.5, y: 9.5 });
        let part = clip_to_rect(&MultiPolygon::new(vec![u.clone()]), bx);
        let want = inner.intersection(&MultiPolygon::new(vec![u])).unsigned_area();
        assert!((inner.intersection(&part).unsigned_area() - want).abs() < 1e-9, "{want}");
        // Every LSOA of the demo against every ward whose box meets it, as the apportionment does.
        let (m, src) = crate::demo::embedded::demo().expect("demo");
        let base = crate::base::Base::load(&m, &src, &|_| {});
        let li = base.lsoa_layer.expect("an LSOA layer");
        let mut compared = 0;
        for (wi, w) in base.layers.iter().enumerate().filter(|(i, _)| *i != li) {
            for l in &base.layers[li].areas {
                let bb = l.geometry.bounding_rect().expect("a box");
                for a in base.index(wi).candidates(bb.min(), bb.max()) {
                    let full = l.geometry.intersection(&w.areas[a].geometry).unsigned_area();
                    let clipped = overlap_in_box(&l.geometry, &w.areas[a].geometry);
                    assert!(
                        (full - clipped).abs() <= 1e-6 * l.geometry.unsigned_area(),
                        "{} {}: {full} vs {clipped}",
                        l.code,
                        w.areas[a].code
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 200, "{compared}");
    }

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
