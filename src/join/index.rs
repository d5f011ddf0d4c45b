//! An R-tree (rstar 0.12) of area bounding boxes, with exact point-in-polygon refinement on
//! each area's edges held in an interval tree (geo's [`IntervalTreeMultiPolygon`]: a point test
//! visits only the edges level with the point, not the whole boundary). Built once per layer;
//! queries only search and refine.

use crate::model::BoundaryLayer;
use geo::indexed::IntervalTreeMultiPolygon;
use geo::{BoundingRect, Contains, Coord, Distance, Euclidean, Point};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use std::sync::Arc;

/// Index of one layer's areas.
#[derive(Clone)]
pub struct AreaIndex {
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    /// Each area's edges, for point tests.
    edges: Arc<Vec<IntervalTreeMultiPolygon<f64>>>,
}

impl AreaIndex {
    /// Bulk-loads the bounding boxes of `layer`'s areas.
    #[must_use]
    pub fn new(layer: &BoundaryLayer) -> Self {
        let items = layer
            .areas
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let r = a.geometry.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        Self {
            tree: RTree::bulk_load(items),
            edges: Arc::new(layer.areas.par_iter().map(|a| IntervalTreeMultiPolygon::new(&a.geometry)).collect()),
        }
    }

    /// Whether area `i` holds `c` strictly inside (not on its boundary), as geo's `Contains`.
    #[must_use]
    pub fn contains(&self, i: usize, c: Coord) -> bool {
        self.edges.get(i).is_some_and(|e| e.contains(&c))
    }

    /// Indices of areas whose bounding box meets the box `[min, max]`.
    pub fn candidates(&self, min: Coord, max: Coord) -> impl Iterator<Item = usize> + '_ {
        self.tree
            .locate_in_envelope_intersecting(&AABB::from_corners([min.x, min.y], [max.x, max.y]))
            .map(|g| g.data)
    }

    /// The area containing `p`, or (when none does) the nearest within `snap_m` metres with its distance.
    #[must_use]
    pub fn locate(&self, layer: &BoundaryLayer, p: Coord, snap_m: f64) -> Option<(usize, f64)> {
        let pt = Point::from(p);
        let mut inside: Vec<usize> = self.candidates(p, p).filter(|&i| self.contains(i, p)).collect();
        inside.sort_unstable();
        if let Some(&i) = inside.first() {
            return Some((i, 0.0));
        }
        if snap_m <= 0.0 {
            return None;
        }
        let d = Coord { x: snap_m, y: snap_m };
        self.candidates(p - d, p + d)
            .map(|i| (i, Euclidean.distance(&pt, &layer.areas[i].geometry)))
            .filter(|(_, dist)| *dist <= snap_m)
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }
}
