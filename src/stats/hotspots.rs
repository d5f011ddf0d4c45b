//! Local spatial statistics for disadvantage hot spots (methods.md §2): Getis-Ord Gi and Gi*,
//! Local Moran's I, conditional-permutation pseudo p-values (seeded, parallel), and
//! Benjamini–Hochberg false discovery rate.

use super::rng::SplitMix;
use super::weights::{Transform, Weights};
use rayon::prelude::*;
use serde::Serialize;

/// Which Gi z-score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GiZ {
    /// Ord & Getis (1995): `z = (Σ_j w_ij x_j − x̄ W_i) / (S √((N S1_i − W_i²)/(N − 1)))`, the same
    /// for binary and row-standardised weights (it is invariant to scaling a row).
    OrdGetis,
    /// PySAL esda `G_Local`: `VG = W_i (N − W_i)/(N − 1)/N² · s²/ȳ²`, which equals Ord & Getis for
    /// binary weights but not for row-standardised ones (it ignores `S1_i`). For comparison only.
    Esda,
}

/// One observation's Gi or Gi*.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct GiValue {
    /// `G_i = Σ_j w_ij x_j / Σ_j x_j` (sums over the N values used).
    pub g: f64,
    /// `E[G_i] = W_i / N`.
    pub eg: f64,
    /// `Var[G_i]` of the chosen z.
    pub vg: f64,
    /// `(G_i − E[G_i]) / √Var[G_i]`.
    pub z: f64,
}

/// The weights of row `i` as used by Gi (`star = false`, self excluded) or Gi* (`star = true`,
/// self weight 1 before the transform), transformed.
fn gi_row(w: &Weights, i: usize, star: bool, t: Transform) -> Vec<(usize, f64)> {
    let mut row: Vec<(usize, f64)> = w.rows[i].iter().map(|&(j, _)| (j, 1.0)).collect();
    if star {
        row.push((i, 1.0));
    }
    if t == Transform::Row && !row.is_empty() {
        let k = row.len() as f64;
        for x in &mut row {
            x.1 /= k;
        }
    }
    row
}

/// Getis-Ord local G for every observation of `x` (x ≥ 0, e.g. rates or scores).
///
/// With `N` values used (`n` for Gi*, the `n − 1` others for Gi), `x̄` and population `S` over them,
/// `W_i = Σ_j w_ij` and `S1_i = Σ_j w_ij²`:
/// `G_i = Σ_j w_ij x_j / Σ_j x_j`, `E[G_i] = W_i / N`, and
/// `z_i = (Σ_j w_ij x_j − x̄ W_i) / (S √((N S1_i − W_i²)/(N − 1)))` (Ord & Getis 1995).
#[must_use]
pub fn getis_ord(x: &[f64], w: &Weights, star: bool, t: Transform, which: GiZ) -> Vec<GiValue> {
    let n = x.len();
    let sum: f64 = x.iter().sum();
    let sum2: f64 = x.iter().map(|v| v * v).sum();
    (0..n)
        .into_par_iter()
        .map(|i| {
            let row = gi_row(w, i, star, t);
            let (sx, sx2, nn) = if star {
                (sum, sum2, n as f64)
            } else {
                (sum - x[i], sum2 - x[i] * x[i], (n - 1) as f64)
            };
            let mean = sx / nn;
            let var = sx2 / nn - mean * mean;
            let wi: f64 = row.iter().map(|r| r.1).sum();
            let s1: f64 = row.iter().map(|r| r.1 * r.1).sum();
            let lag: f64 = row.iter().map(|&(j, wij)| wij * x[j]).sum();
            let g = lag / sx;
            let eg = wi / nn;
            let vg = match which {
                GiZ::OrdGetis => var * (nn * s1 - wi * wi) / (nn - 1.0) / (sx * sx),
                GiZ::Esda => wi * (nn - wi) / (nn - 1.0) / (nn * nn) * var / (mean * mean),
            };
            GiValue {
                g,
                eg,
                vg,
                z: (g - eg) / vg.sqrt(),
            }
        })
        .collect()
}

/// Local Moran quadrant (PySAL numbering).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Quadrant {
    /// High value, high neighbours (1).
    HH = 1,
    /// Low value, high neighbours (2).
    LH = 2,
    /// Low value, low neighbours (3).
    LL = 3,
    /// High value, low neighbours (4).
    HL = 4,
}

/// One observation's Local Moran's I.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MoranValue {
    /// `I_i`.
    pub i: f64,
    /// Quadrant of `(z_i, lag z_i)`.
    pub quadrant: Quadrant,
    /// `E[I_i]` under total randomisation, `−W_i/(n − 1)`.
    pub ei: f64,
    /// `Var[I_i]` under total randomisation.
    pub vi: f64,
    /// `(I_i − E[I_i]) / √Var[I_i]`.
    pub z: f64,
    /// `E[I_i]` under conditional randomisation, `−z_i² W_i / ((n − 1) m2)`.
    pub eic: f64,
    /// `Var[I_i]` under conditional randomisation (Sokal et al. 1998, A7–A8).
    pub vic: f64,
}

/// Local Moran's I (Anselin 1995) with weights `w` used as given (row-standardise them first for
/// the usual form): `z_i = (y_i − ȳ)/σ` (population σ), `I_i = (n − 1) z_i Σ_j w_ij z_j / Σ_k z_k²`;
/// moments with `m2 = Σz²/n`, `b2 = (Σz⁴/n)/m2²`, `W_i = Σ_j w_ij`, `W_i⁽²⁾ = Σ_j w_ij²`:
/// `Var_total = W⁽²⁾(n − b2)/(n − 1) + (W² − W⁽²⁾)(2b2 − n)/((n − 1)(n − 2)) − (W/(n − 1))²`,
/// `Var_cond = (z_i/m2)² · n/(n − 2) · (W⁽²⁾ − W²/(n − 1)) · (m2 − z_i²/(n − 1))`.
#[must_use]
pub fn local_moran(y: &[f64], w: &Weights) -> Vec<MoranValue> {
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let sd = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    let z: Vec<f64> = y.iter().map(|v| (v - mean) / sd).collect();
    let sz2: f64 = z.iter().map(|v| v * v).sum();
    let m2 = sz2 / n;
    let b2 = (z.iter().map(|v| v.powi(4)).sum::<f64>() / n) / (m2 * m2);
    (0..y.len())
        .into_par_iter()
        .map(|i| {
            let row = &w.rows[i];
            let lag: f64 = row.iter().map(|&(j, wij)| wij * z[j]).sum();
            let wi: f64 = row.iter().map(|r| r.1).sum();
            let wi2: f64 = row.iter().map(|r| r.1 * r.1).sum();
            let ii = (n - 1.0) * z[i] * lag / sz2;
            let ei = -wi / (n - 1.0);
            let vi = wi2 * (n - b2) / (n - 1.0) + (wi * wi - wi2) * (2.0 * b2 - n) / ((n - 1.0) * (n - 2.0)) - (wi / (n - 1.0)).powi(2);
            let quadrant = match (z[i] > 0.0, lag > 0.0) {
                (true, true) => Quadrant::HH,
                (false, true) => Quadrant::LH,
                (false, false) => Quadrant::LL,
                (true, false) => Quadrant::HL,
            };
            MoranValue {
                i: ii,
                quadrant,
                ei,
                vi,
                z: (ii - ei) / vi.sqrt(),
                eic: -(z[i] * z[i] * wi) / ((n - 1.0) * m2),
                vic: (z[i] / m2).powi(2) * (n / (n - 2.0)) * (wi2 - wi * wi / (n - 1.0)) * (m2 - z[i] * z[i] / (n - 1.0)),
            }
        })
        .collect()
}

/// Conditional-permutation pseudo p-values: for each `i`, `x_i` stays and its `k_i` neighbour
/// values are drawn without replacement from the other `n − 1`; `stat(i, values)` recomputes
/// the local statistic. `p = (min(#{sim ≥ obs}, perms − #{sim ≥ obs}) + 1) / (perms + 1)`
/// (folded, one-sided). Each observation has its own generator seeded from `seed` and `i`, so
/// results do not depend on the number of threads.
pub fn permutation_p<F>(x: &[f64], w: &Weights, observed: &[f64], permutations: usize, seed: u64, stat: F) -> Vec<f64>
where
    F: Fn(usize, &[(usize, f64)], &[f64]) -> f64 + Sync,
{
    let n = x.len();
    // "The others" of `i`: every value but `x_i`, in order.
    let other = |i: usize, j: usize| x[if j < i { j } else { j + 1 }];
    // Each worker keeps one pool of the others and moves it from one `i` to the next by the
    // few positions that differ, undoing what its draws swapped: linear in n, not quadratic.
    (0..n)
        .into_par_iter()
        .with_min_len(256)
        .map_init(
            || (None::<usize>, Vec::<f64>::new(), Vec::<usize>::new()),
            |(at, pool, touched), i| {
                let k = w.rows[i].len();
                if k == 0 || n < 2 || permutations == 0 {
                    return f64::NAN;
                }
                match *at {
                    Some(c) if pool.len() == n - 1 => {
                        let lo = c.min(i);
                        for (j, v) in pool.iter_mut().enumerate().take(c.max(i)).skip(lo) {
                            *v = other(i, j);
                        }
                    }
                    _ => *pool = (0..n - 1).map(|j| other(i, j)).collect(),
                }
                *at = Some(i);
                let mut rng = SplitMix::new(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                let mut drawn = vec![0.0; k];
                let mut larger = 0usize;
                for _ in 0..permutations {
                    // Partial Fisher–Yates: the first k of a random permutation of the others.
                    for (d, slot) in drawn.iter_mut().enumerate() {
                        let r = d + rng.below(pool.len() - d);
                        pool.swap(d, r);
                        touched.push(r);
                        *slot = pool[d];
                    }
                    if stat(i, &w.rows[i], &drawn) >= observed[i] {
                        larger += 1;
                    }
                }
                // Back to the others in order, for the next `i`.
                if touched.len() + k > n / 2 {
                    *at = None;
                } else {
                    for &j in touched.iter() {
                        pool[j] = other(i, j);
                    }
                    for (j, v) in pool.iter_mut().enumerate().take(k) {
                        *v = other(i, j);
                    }
                }
                touched.clear();
                let folded = larger.min(permutations - larger);
                (folded + 1) as f64 / (permutations + 1) as f64
            },
        )
        .collect()
}

/// Benjamini–Hochberg: the largest `p_(k)` with `p_(k) ≤ k α / m` is the cut-off (`None` when no
/// test passes). Also returns the BH-adjusted p-values `min_{j ≥ k} (m p_(j) / j)`, capped at 1.
#[must_use]
pub fn benjamini_hochberg(p: &[f64], alpha: f64) -> (Option<f64>, Vec<f64>) {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).filter(|&i| p[i].is_finite()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mf = order.len() as f64;
    let mut cutoff = None;
    for (rank, &i) in order.iter().enumerate() {
        if p[i] <= (rank + 1) as f64 * alpha / mf {
            cutoff = Some((rank + 1) as f64 * alpha / mf);
        }
    }
    let mut adj = vec![f64::NAN; m];
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i] * mf / (rank + 1) as f64);
        adj[i] = running.min(1.0);
    }
    (cutoff, adj)
}

/// Hot/cold class from a z-score and its two-sided p-value: `hot_99`, `hot_95`, `hot_90`,
/// `cold_…`, or `not_significant`.
#[must_use]
pub fn class(z: f64, p: f64) -> &'static str {
    let level = if p <= 0.01 {
        3
    } else if p <= 0.05 {
        2
    } else if p <= 0.10 {
        1
    } else {
        0
    };
    match (z > 0.0, level) {
        (_, 0) => "not_significant",
        (true, 3) => "hot_99",
        (true, 2) => "hot_95",
        (true, _) => "hot_90",
        (false, 3) => "cold_99",
        (false, 2) => "cold_95",
        (false, _) => "cold_90",
    }
}

/// Two-sided normal p-value `2 (1 − Φ(|z|))`, via the complementary error function.
#[must_use]
pub fn p_two_sided(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0)
}

/// Complementary error function: the Chebyshev-fitted `erfcc` form (Press et al., *Numerical
/// Recipes*, §6.2), fractional error below 1.2e-7 — ample for classing p-values.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07 + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

#[cfg(test)]
mod tests {
    /// The plain form: a fresh copy of the others for every observation.
    fn permutation_p_plain<F>(x: &[f64], w: &Weights, observed: &[f64], permutations: usize, seed: u64, stat: F) -> Vec<f64>
    where
        F: Fn(usize, &[(usize, f64)], &[f64]) -> f64,
    {
        let n = x.len();
        (0..n)
            .map(|i| {
                let k = w.rows[i].len();
                if k == 0 || n < 2 || permutations == 0 {
                    return f64::NAN;
                }
                let mut rng = SplitMix::new(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                let mut pool: Vec<f64> = (0..n).filter(|&j| j != i).map(|j| x[j]).collect();
                let mut drawn = vec![0.0; k];
                let mut larger = 0usize;
                for _ in 0..permutations {
                    for (d, slot) in drawn.iter_mut().enumerate() {
                        let r = d + rng.below(pool.len() - d);
                        pool.swap(d, r);
                        *slot = pool[d];
                    }
                    if stat(i, &w.rows[i], &drawn) >= observed[i] {
                        larger += 1;
                    }
                }
                let folded = larger.min(permutations - larger);
                (folded + 1) as f64 / (permutations + 1) as f64
            })
            .collect()
    }

    #[test]
    fn permutations_equal_the_plain_form_exactly() {
        // A ring of n with 2-4 neighbours, an island, values from a fixed generator.
        for n in [3_usize, 40, 3000] {
            let mut g = SplitMix::new(n as u64);
            let x: Vec<f64> = (0..n).map(|_| g.below(1000) as f64).collect();
            let rows: Vec<Vec<(usize, f64)>> = (0..n)
                .map(|i| {
                    if i == 1 {
                        return Vec::new();
                    }
                    let k = 2 + i % 3;
                    let mut r: Vec<(usize, f64)> = (1..=k).map(|d| ((i + d) % n, 1.0)).filter(|&(j, _)| j != i && j != 1).collect();
                    r.sort_by_key(|p| p.0);
                    r.dedup_by_key(|p| p.0);
                    r
                })
                .collect();
            let w = Weights {
                rows,
                description: String::new(),
            };
            let stat = |_: usize, _: &[(usize, f64)], v: &[f64]| v.iter().sum::<f64>();
            let obs: Vec<f64> = (0..n).map(|i| w.rows[i].iter().map(|&(j, _)| x[j]).sum()).collect();
            let fast = permutation_p(&x, &w, &obs, 99, 7, stat);
            let plain = permutation_p_plain(&x, &w, &obs, 99, 7, stat);
            assert_eq!(fast.len(), plain.len());
            for (a, b) in fast.iter().zip(&plain) {
                assert!(a == b || (a.is_nan() && b.is_nan()), "n {n}: {a} vs {b}");
            }
        }
    }

    use super::*;

    #[test]
    fn normal_tail_matches_known_values() {
        assert!((p_two_sided(1.959_964) - 0.05).abs() < 1e-6);
        assert!((p_two_sided(2.575_829) - 0.01).abs() < 1e-6);
        assert!((p_two_sided(0.0) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn bh_finds_the_largest_passing_rank() {
        let p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216];
        let (cut, adj) = benjamini_hochberg(&p, 0.05);
        assert_eq!(cut, Some(0.01));
        assert!((adj[0] - 0.01).abs() < 1e-12);
        assert!(adj.iter().zip(&p).all(|(a, q)| a >= q));
    }

    #[test]
    fn classes_follow_confidence_levels() {
        assert_eq!(class(3.0, 0.003), "hot_99");
        assert_eq!(class(-2.0, 0.04), "cold_95");
        assert_eq!(class(1.7, 0.09), "hot_90");
        assert_eq!(class(1.0, 0.3), "not_significant");
    }
}
