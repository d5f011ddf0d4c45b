//! Floating-catchment accessibility of school places (methods.md §3): FCA ratio, 2SFCA, E2SFCA
//! (step weights) and Gaussian 2SFCA, on a demand × supply cost matrix (metres or minutes).

use geo::Coord;
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::GeomWithData;
use serde::Serialize;

/// Distance-decay weight `w(c)` inside the catchment.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decay {
    /// `w = 1` (2SFCA).
    None,
    /// `w = weight of the first step with c ≤ limit`, 0 beyond the last (E2SFCA).
    Steps {
        /// `(limit, weight)` in increasing limit order.
        steps: Vec<(f64, f64)>,
    },
    /// `w = exp(−c² / (2σ²))` (PySAL access `weights.gaussian`).
    Gaussian {
        /// σ, in the cost unit.
        sigma: f64,
    },
}

impl Decay {
    /// The E2SFCA steps of Luo & Qi (2009) scaled to a catchment `d0`: 1.00 to d0/3, 0.68 to
    /// 2d0/3, 0.22 to d0.
    #[must_use]
    pub fn luo_qi(d0: f64) -> Self {
        Decay::Steps {
            steps: vec![(d0 / 3.0, 1.0), (2.0 * d0 / 3.0, 0.68), (d0, 0.22)],
        }
    }

    /// `w(c)`.
    #[must_use]
    pub fn weight(&self, c: f64) -> f64 {
        match self {
            Decay::None => 1.0,
            Decay::Steps { steps } => steps.iter().find(|(limit, _)| c <= *limit).map_or(0.0, |s| s.1),
            Decay::Gaussian { sigma } => (-c * c / (2.0 * sigma * sigma)).exp(),
        }
    }
}

/// Result of a two-step floating catchment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fca {
    /// Supply-to-demand ratio of each supply, `R_j` (`None` with no demand in reach).
    pub ratio: Vec<Option<f64>>,
    /// Accessibility of each demand zone, `A_i` (0 with no supply in reach).
    pub access: Vec<f64>,
}

/// Demand × supply pairs inside a catchment: `reach[i]` lists `(j, c_ij)` for every supply `j`
/// with `c_ij ≤ d0`, in increasing `j`. The sparse form lets the method run on every LSOA in England.
pub type Reach = Vec<Vec<(usize, f64)>>;

/// The pairs of a dense cost matrix (`cost[i][j]`, demand `i` to supply `j`) with `c_ij ≤ max_cost`.
#[must_use]
pub fn reach_from_matrix(cost: &[Vec<f64>], max_cost: f64) -> Reach {
    cost.iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .filter(|(_, c)| **c <= max_cost)
                .map(|(j, c)| (j, *c))
                .collect()
        })
        .collect()
}

/// The pairs within straight-line distance `d0` (metres, inclusive) between demand points and
/// supply points, found through an R-tree of the supply points: `c_ij = ‖d_i − s_j‖`.
#[must_use]
pub fn reach_within(demand: &[Coord], supply: &[Coord], d0: f64) -> Reach {
    let tree = RTree::bulk_load(supply.iter().enumerate().map(|(j, c)| GeomWithData::new([c.x, c.y], j)).collect());
    demand
        .par_iter()
        .map(|p| {
            let mut row: Vec<(usize, f64)> = tree
                .locate_within_distance([p.x, p.y], d0 * d0)
                .map(|s| (s.data, (s.geom()[0] - p.x).hypot(s.geom()[1] - p.y)))
                .filter(|(_, c)| *c <= d0)
                .collect();
            row.sort_unstable_by_key(|x| x.0);
            row
        })
        .collect()
}

/// Two-step floating catchment (Luo & Wang 2003; Luo & Qi 2009) over the pairs in reach
/// (`c_ij ≤ d0`, inclusive) with decay `w`:
/// `R_j = S_j / Σ_{i: c_ij ≤ d0} w(c_ij) P_i`, `A_i = Σ_{j: c_ij ≤ d0} w(c_ij) R_j`.
/// Sums run in index order, so the result does not depend on the thread count.
#[must_use]
pub fn two_stage_reach(demand: &[f64], supply: &[f64], reach: &Reach, decay: &Decay) -> Fca {
    let mut by_supply: Vec<Vec<(usize, f64)>> = vec![Vec::new(); supply.len()];
    for (i, row) in reach.iter().enumerate() {
        for &(j, c) in row {
            by_supply[j].push((i, decay.weight(c)));
        }
    }
    let ratio: Vec<Option<f64>> = by_supply
        .par_iter()
        .zip(supply.par_iter())
        .map(|(col, s)| {
            let d: f64 = col.iter().map(|(i, w)| w * demand[*i]).sum();
            (d > 0.0).then(|| s / d)
        })
        .collect();
    let access = reach
        .par_iter()
        .map(|row| row.iter().filter_map(|&(j, c)| ratio[j].map(|r| decay.weight(c) * r)).sum())
        .collect();
    Fca { ratio, access }
}

/// [`two_stage_reach`] on a dense cost matrix `cost[i][j]` with catchment `max_cost`.
#[must_use]
pub fn two_stage(demand: &[f64], supply: &[f64], cost: &[Vec<f64>], max_cost: f64, decay: &Decay) -> Fca {
    two_stage_reach(demand, supply, &reach_from_matrix(cost, max_cost), decay)
}

/// Simple buffer ratio: `A_i = Σ_{j: c_ij ≤ d0} S_j / Σ_{k: c_ik ≤ d0} P_k`, with `demand_cost`
/// the demand × demand cost (self pairs 0).
#[must_use]
pub fn fca_ratio(demand: &[f64], supply: &[f64], cost: &[Vec<f64>], demand_cost: &[Vec<f64>], max_cost: f64) -> Vec<f64> {
    (0..demand.len())
        .map(|i| {
            let s: f64 = (0..supply.len()).filter(|&j| cost[i][j] <= max_cost).map(|j| supply[j]).sum();
            let p: f64 = (0..demand.len())
                .filter(|&k| demand_cost[i][k] <= max_cost)
                .map(|k| demand[k])
                .sum();
            if p > 0.0 { s / p } else { 0.0 }
        })
        .collect()
}

/// Accessibility relative to the population-weighted mean: `A_i / (Σ_k P_k A_k / Σ_k P_k)`.
#[must_use]
pub fn normalise(access: &[f64], demand: &[f64]) -> Vec<f64> {
    let pa: f64 = access.iter().zip(demand).map(|(a, p)| a * p).sum();
    let p: f64 = demand.iter().sum();
    let mean = pa / p;
    access.iter().map(|a| a / mean).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_inclusive_at_the_boundary() {
        let d = Decay::Steps {
            steps: vec![(10.0, 1.0), (20.0, 0.68), (30.0, 0.22)],
        };
        assert_eq!(d.weight(10.0), 1.0);
        assert_eq!(d.weight(20.0), 0.68);
        assert_eq!(d.weight(30.5), 0.0);
        assert_eq!(Decay::luo_qi(3000.0).weight(1500.0), 0.68);
    }

    #[test]
    fn reach_by_distance_matches_the_dense_matrix() {
        let demand = [
            Coord { x: 0.0, y: 0.0 },
            Coord { x: 1000.0, y: 0.0 },
            Coord { x: 5000.0, y: 5000.0 },
        ];
        let supply = [
            Coord { x: 300.0, y: 400.0 },
            Coord { x: 1000.0, y: 1500.0 },
            Coord { x: 9000.0, y: 0.0 },
        ];
        let cost: Vec<Vec<f64>> = demand
            .iter()
            .map(|d| supply.iter().map(|s: &Coord| (s.x - d.x).hypot(s.y - d.y)).collect())
            .collect();
        let r = reach_within(&demand, &supply, 1500.0);
        assert_eq!(r, reach_from_matrix(&cost, 1500.0));
        assert_eq!(r[0], vec![(0, 500.0)]);
        assert_eq!(r[1].iter().map(|p| p.0).collect::<Vec<_>>(), vec![0, 1]);
        assert!(r[2].is_empty());
        // Conservation: Σ P_i A_i equals the supply of every school with demand in reach.
        let p = [100.0, 50.0, 10.0];
        let s = [60.0, 30.0, 999.0];
        let f = two_stage_reach(&p, &s, &r, &Decay::None);
        let pa: f64 = p.iter().zip(&f.access).map(|(p, a)| p * a).sum();
        assert!((pa - 90.0).abs() < 1e-9);
        assert_eq!(f.ratio[2], None);
        assert_eq!(f.access[2], 0.0);
    }
}
