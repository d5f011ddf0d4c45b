//! Spatial weights from geometry (methods.md §2.1): queen and rook contiguity between polygons,
//! k-nearest neighbours and distance bands between points, all in metres (EPSG:27700), found
//! through R-trees. Islands (observations without neighbours) are kept and listed.

use geo::{Coord, MultiPolygon};
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::GeomWithData;
use serde::Serialize;

/// Contiguity rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Contiguity {
    /// Neighbours share at least one vertex.
    Queen,
    /// Neighbours share at least one edge (two consecutive vertices).
    Rook,
}

/// How the weights of each row are scaled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Transform {
    /// `w_ij ∈ {0, 1}` ("B").
    Binary,
    /// Each row sums to 1 ("R").
    Row,
}

/// Sparse spatial weights: `rows[i]` = `(j, w_ij)` for each neighbour `j ≠ i`, sorted by `j`.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    /// The neighbours of each observation with their weights.
    pub rows: Vec<Vec<(usize, f64)>>,
    /// A short description (`queen contiguity, 0.01 m tolerance`).
    pub description: String,
}

impl Weights {
    /// Number of observations.
    #[must_use]
    pub fn n(&self) -> usize {
        self.rows.len()
    }

    /// Observations without neighbours.
    #[must_use]
    pub fn islands(&self) -> Vec<usize> {
        (0..self.n()).filter(|&i| self.rows[i].is_empty()).collect()
    }

    /// Number of neighbours of each observation.
    #[must_use]
    pub fn cardinalities(&self) -> Vec<usize> {
        self.rows.iter().map(Vec::len).collect()
    }

    /// Binary (`1`) or row-standardised (`1 / k_i`) weights on the same neighbours.
    #[must_use]
    pub fn transformed(&self, t: Transform) -> Self {
        let rows = self
            .rows
            .iter()
            .map(|r| {
                let k = r.len() as f64;
                r.iter()
                    .map(|&(j, _)| {
                        (
                            j,
                            match t {
                                Transform::Binary => 1.0,
                                Transform::Row => 1.0 / k,
                            },
                        )
                    })
                    .collect()
            })
            .collect();
        Self {
            rows,
            description: format!(
                "{}, {}",
                self.description,
                match t {
                    Transform::Binary => "binary",
                    Transform::Row => "row-standardised",
                }
            ),
        }
    }

    fn from_sets(sets: Vec<Vec<usize>>, description: String) -> Self {
        let rows = sets
            .into_iter()
            .map(|mut s| {
                s.sort_unstable();
                s.dedup();
                s.into_iter().map(|j| (j, 1.0)).collect()
            })
            .collect();
        Self { rows, description }
    }
}

/// Contiguity weights between polygons: vertices of all polygons go into one R-tree; two
/// polygons are queen neighbours when a vertex of one lies within `tolerance` metres of a vertex
/// of the other, and rook neighbours when both ends of an edge of one do.
#[must_use]
pub fn contiguity(polygons: &[MultiPolygon<f64>], rule: Contiguity, tolerance: f64) -> Weights {
    let mut pts = Vec::new();
    for (i, mp) in polygons.iter().enumerate() {
        for p in &mp.0 {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                pts.extend(ring.0.iter().map(|c| GeomWithData::new([c.x, c.y], i)));
            }
        }
    }
    let tree = RTree::bulk_load(pts);
    let tol2 = tolerance * tolerance;
    let near = |c: &Coord, i: usize| -> Vec<usize> {
        let mut v: Vec<usize> = tree
            .locate_within_distance([c.x, c.y], tol2)
            .map(|g| g.data)
            .filter(|&j| j != i)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let sets: Vec<Vec<usize>> = polygons
        .par_iter()
        .enumerate()
        .map(|(i, mp)| {
            let mut out = Vec::new();
            for p in &mp.0 {
                for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                    let shared: Vec<Vec<usize>> = ring.0.iter().map(|c| near(c, i)).collect();
                    match rule {
                        Contiguity::Queen => out.extend(shared.into_iter().flatten()),
                        Contiguity::Rook => {
                            for pair in shared.windows(2) {
                                out.extend(pair[0].iter().filter(|j| pair[1].binary_search(j).is_ok()));
                            }
                        }
                    }
                }
            }
            out
        })
        .collect();
    let name = match rule {
        Contiguity::Queen => "queen",
        Contiguity::Rook => "rook",
    };
    Weights::from_sets(sets, format!("{name} contiguity, {tolerance} m tolerance"))
}

/// The `k` nearest other points of each point (asymmetric), in metres.
#[must_use]
pub fn knn(points: &[Coord], k: usize) -> Weights {
    let tree = RTree::bulk_load(points.iter().enumerate().map(|(i, c)| GeomWithData::new([c.x, c.y], i)).collect());
    let sets = points
        .par_iter()
        .enumerate()
        .map(|(i, c)| {
            tree.nearest_neighbor_iter(&[c.x, c.y])
                .map(|g| g.data)
                .filter(|&j| j != i)
                .take(k)
                .collect()
        })
        .collect();
    Weights::from_sets(sets, format!("{k} nearest neighbours"))
}

/// Every other point within `metres` (inclusive) of each point.
#[must_use]
pub fn distance_band(points: &[Coord], metres: f64) -> Weights {
    let tree = RTree::bulk_load(points.iter().enumerate().map(|(i, c)| GeomWithData::new([c.x, c.y], i)).collect());
    let sets = points
        .par_iter()
        .enumerate()
        .map(|(i, c)| {
            tree.locate_within_distance([c.x, c.y], metres * metres)
                .map(|g| g.data)
                .filter(|&j| j != i)
                .collect()
        })
        .collect();
    Weights::from_sets(sets, format!("distance band {metres} m"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn lattice(n: usize) -> Vec<MultiPolygon<f64>> {
        (0..n * n)
            .map(|id| {
                let (r, c) = ((id / n) as f64, (id % n) as f64);
                let top = n as f64 - r;
                MultiPolygon(vec![polygon![
                    (x: c, y: top - 1.0), (x: c + 1.0, y: top - 1.0), (x: c + 1.0, y: top), (x: c, y: top), (x: c, y: top - 1.0)
                ]])
            })
            .collect()
    }

    #[test]
    fn lattice_contiguity_cardinalities() {
        let q = contiguity(&lattice(5), Contiguity::Queen, 1e-9);
        let r = contiguity(&lattice(5), Contiguity::Rook, 1e-9);
        assert_eq!(q.cardinalities()[0], 3);
        assert_eq!(q.cardinalities()[12], 8);
        assert_eq!(r.cardinalities()[0], 2);
        assert_eq!(r.cardinalities()[12], 4);
        assert!(q.islands().is_empty());
        assert_eq!(r.rows[0].iter().map(|x| x.0).collect::<Vec<_>>(), vec![1, 5]);
    }

    #[test]
    fn knn_and_band_with_an_island() {
        let pts = [
            Coord { x: 0.0, y: 0.0 },
            Coord { x: 100.0, y: 0.0 },
            Coord { x: 250.0, y: 0.0 },
            Coord { x: 5000.0, y: 0.0 },
        ];
        let b = distance_band(&pts, 150.0);
        assert_eq!(b.islands(), vec![3]);
        assert_eq!(b.cardinalities(), vec![1, 2, 1, 0]);
        let k = knn(&pts, 2);
        assert_eq!(k.rows[3].iter().map(|x| x.0).collect::<Vec<_>>(), vec![1, 2]);
        let r = k.transformed(Transform::Row);
        assert!((r.rows[0].iter().map(|x| x.1).sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
