//! An exact coordinate transform sampled on a grid and interpolated between the samples where
//! the interpolation is shown to agree with it: GDAL's approximate transformer, in two
//! dimensions, with every cell checked.
//!
//! The bounding box of the points to transform is cut into square cells. Each cell's nine nodes
//! (corners, edge midpoints, centre) are transformed exactly, and a point inside the cell is
//! interpolated from them (biquadratic Lagrange). Every cell is then checked at the four points
//! where the error of that interpolation peaks for a smooth transform (u, v = ½ ± √3⁄6 of the
//! cell): a cell where any check misses the exact transform by more than the tolerance, or where
//! the exact transform refuses a node, is not interpolated, and its points take the exact
//! transform. Neighbouring cells share their edge nodes, so the interpolation is continuous across
//! cell edges, and a point's result depends on nothing but the point: a vertex two polygons share
//! lands in one place in both.

use super::CrsError;
use geo::{Coord, Rect};
use rayon::prelude::*;

/// Where in a cell (as a fraction of its side) the interpolation error peaks: ½ ± √3⁄6.
const CHECKS: [f64; 2] = [0.5 - 0.288_675_134_594_812_9, 0.5 + 0.288_675_134_594_812_9];

/// The three quadratic Lagrange weights for the nodes at 0, ½ and 1 of a cell's side.
fn weights(u: f64) -> [f64; 3] {
    [(2.0 * u - 1.0) * (u - 1.0), 4.0 * u * (1.0 - u), u * (2.0 * u - 1.0)]
}

/// A transform sampled on a grid; see the module documentation.
pub struct Grid {
    x0: f64,
    y0: f64,
    step: f64,
    nx: usize,
    ny: usize,
    /// `(2 nx + 1) × (2 ny + 1)` exact results, row by row from `y0`; NaN where refused.
    nodes: Vec<Coord>,
    /// `nx × ny`: whether the cell passed its checks.
    usable: Vec<bool>,
}

impl Grid {
    /// Samples `exact` over `bounds` in cells of side `step` (input units), keeping the cells
    /// whose checks agree with `exact` to within `tolerance` (output units, as a distance).
    #[must_use]
    pub fn new<F>(exact: &F, bounds: Rect<f64>, step: f64, tolerance: f64) -> Self
    where
        F: Fn(f64, f64) -> Result<Coord, CrsError> + Sync,
    {
        let cells = |extent: f64| ((extent / step).ceil() as usize).max(1);
        let (nx, ny) = (cells(bounds.width()), cells(bounds.height()));
        let (x0, y0) = (bounds.min().x, bounds.min().y);
        let row = 2 * nx + 1;
        let half = step / 2.0;
        let nodes: Vec<Coord> = (0..row * (2 * ny + 1))
            .into_par_iter()
            .map(|k| {
                let (i, j) = (k % row, k / row);
                exact(x0 + i as f64 * half, y0 + j as f64 * half).unwrap_or(Coord { x: f64::NAN, y: f64::NAN })
            })
            .collect();
        let mut grid = Self {
            x0,
            y0,
            step,
            nx,
            ny,
            nodes,
            usable: Vec::new(),
        };
        let usable: Vec<bool> = (0..nx * ny)
            .into_par_iter()
            .map(|c| {
                let (ci, cj) = (c % nx, c / nx);
                let all_nodes = (0..3).all(|b| (0..3).all(|a| grid.node(2 * ci + a, 2 * cj + b).x.is_finite()));
                all_nodes
                    && CHECKS.iter().all(|&u| {
                        CHECKS.iter().all(|&v| {
                            let (x, y) = (x0 + (ci as f64 + u) * step, y0 + (cj as f64 + v) * step);
                            exact(x, y).is_ok_and(|e| {
                                let g = grid.interpolate(ci, cj, u, v);
                                (g.x - e.x).hypot(g.y - e.y) <= tolerance
                            })
                        })
                    })
            })
            .collect();
        grid.usable = usable;
        grid
    }

    fn node(&self, i: usize, j: usize) -> Coord {
        self.nodes[j * (2 * self.nx + 1) + i]
    }

    fn interpolate(&self, ci: usize, cj: usize, u: f64, v: f64) -> Coord {
        let (wu, wv) = (weights(u), weights(v));
        let mut out = Coord { x: 0.0, y: 0.0 };
        for (b, wb) in wv.iter().enumerate() {
            for (a, wa) in wu.iter().enumerate() {
                let n = self.node(2 * ci + a, 2 * cj + b);
                out.x += wa * wb * n.x;
                out.y += wa * wb * n.y;
            }
        }
        out
    }

    /// The interpolated result at `(x, y)`, or `None` where the point is outside the grid or
    /// in a cell that failed its checks (the caller then transforms it exactly).
    #[must_use]
    pub fn get(&self, x: f64, y: f64) -> Option<Coord> {
        let (fx, fy) = ((x - self.x0) / self.step, (y - self.y0) / self.step);
        if !(0.0..=self.nx as f64).contains(&fx) || !(0.0..=self.ny as f64).contains(&fy) {
            return None;
        }
        // A point on the far edge belongs to the last cell.
        let (ci, cj) = ((fx as usize).min(self.nx - 1), (fy as usize).min(self.ny - 1));
        self.usable[cj * self.nx + ci].then(|| self.interpolate(ci, cj, fx - ci as f64, fy - cj as f64))
    }

    /// How many cells the grid has, and how many of them interpolate.
    #[must_use]
    pub fn cells(&self) -> (usize, usize) {
        (self.usable.len(), self.usable.iter().filter(|&&u| u).count())
    }

    /// How many exact transforms building a grid over `bounds` in cells of `step` costs.
    #[must_use]
    pub fn cost(bounds: Rect<f64>, step: f64) -> usize {
        let cells = |extent: f64| ((extent / step).ceil() as usize).max(1);
        let (nx, ny) = (cells(bounds.width()), cells(bounds.height()));
        let side = |n: usize| n.saturating_mul(2).saturating_add(1);
        let nodes = side(nx).saturating_mul(side(ny));
        nodes.saturating_add(nx.saturating_mul(ny).saturating_mul(4))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::wgs84_to_bng;

    /// Deterministic points spread over `b` (a Weyl sequence, no randomness).
    fn spread(b: Rect<f64>, n: usize) -> impl Iterator<Item = (f64, f64)> {
        (0..n).map(move |k| {
            let (u, v) = (
                (k as f64 * 0.618_033_988_749_895).fract(),
                (k as f64 * 0.754_877_666_246_693).fract(),
            );
            (b.min().x + u * b.width(), b.min().y + v * b.height())
        })
    }

    #[test]
    fn interpolation_over_england_stays_within_the_tolerance() {
        use crate::crs::{GRID_STEP_DEG, GRID_TOLERANCE_M};
        let england = Rect::new(Coord { x: -6.5, y: 49.8 }, Coord { x: 2.0, y: 56.0 });
        let g = Grid::new(&wgs84_to_bng, england, GRID_STEP_DEG, GRID_TOLERANCE_M);
        let (cells, usable) = g.cells();
        assert_eq!((cells, usable), (170 * 125, 170 * 125), "every cell over England interpolates");
        let mut worst: f64 = 0.0;
        for (x, y) in spread(england, 200_000) {
            let e = wgs84_to_bng(x, y).expect("in England");
            let c = g.get(x, y).expect("inside the grid");
            worst = worst.max((c.x - e.x).hypot(c.y - e.y));
        }
        // Measured 9.5 µm; the error grows with the cube of the cell side.
        assert!(worst < GRID_TOLERANCE_M / 5.0, "worst miss {worst:e} m");
        // The nodes themselves are exact.
        let e = wgs84_to_bng(-6.5, 49.8).expect("in range");
        assert_eq!(g.get(-6.5, 49.8), Some(e));
    }

    #[test]
    fn cells_that_fail_their_checks_are_left_to_the_exact_transform() {
        let england = Rect::new(Coord { x: -6.5, y: 49.8 }, Coord { x: 2.0, y: 56.0 });
        // Cells of 0.2° miss by more than 0.1 mm: none may interpolate.
        let coarse = Grid::new(&wgs84_to_bng, england, 0.2, 1e-4);
        assert_eq!(coarse.cells().1, 0);
        assert_eq!(coarse.get(-1.55, 53.8), None);
        // Outside the grid, or where the exact transform refuses a node (beyond the pole), no answer.
        let polar = Rect::new(Coord { x: -1.0, y: 89.9 }, Coord { x: 1.0, y: 90.1 });
        let g = Grid::new(&wgs84_to_bng, polar, 0.05, 1e-4);
        assert_eq!(g.get(0.01, 90.05), None);
        assert_eq!(g.get(5.0, 53.0), None);
        assert_eq!(g.get(f64::NAN, 53.0), None);
    }

    #[test]
    fn the_cost_of_a_world_sized_grid_does_not_overflow() {
        let world = Rect::new(Coord { x: -1e300, y: -1e300 }, Coord { x: 1e300, y: 1e300 });
        assert_eq!(Grid::cost(world, 0.05), usize::MAX);
    }
}
