//! Floating-catchment accessibility of school places (methods.md §3): FCA ratio, 2SFCA, E2SFCA
//! (step weights) and Gaussian 2SFCA, on a demand × supply cost matrix (metres or minutes).

use rayon::prelude::*;
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

/// Two-step floating catchment (Luo & Wang 2003; Luo & Qi 2009) with catchment `max_cost`
/// (inclusive) and decay `w`:
/// `R_j = S_j / Σ_{i: c_ij ≤ d0} w(c_ij) P_i`, `A_i = Σ_{j: c_ij ≤ d0} w(c_ij) R_j`.
/// `cost[i][j]` is the cost from demand `i` to supply `j`.
#[must_use]
pub fn two_stage(demand: &[f64], supply: &[f64], cost: &[Vec<f64>], max_cost: f64, decay: &Decay) -> Fca {
    let wt = |i: usize, j: usize| {
        let c = cost[i][j];
        if c <= max_cost { decay.weight(c) } else { 0.0 }
    };
    let ratio: Vec<Option<f64>> = (0..supply.len())
        .into_par_iter()
        .map(|j| {
            let d: f64 = (0..demand.len()).map(|i| wt(i, j) * demand[i]).sum();
            (d > 0.0).then(|| supply[j] / d)
        })
        .collect();
    let access = (0..demand.len())
        .into_par_iter()
        .map(|i| (0..supply.len()).filter_map(|j| ratio[j].map(|r| wt(i, j) * r)).sum())
        .collect();
    Fca { ratio, access }
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
}
