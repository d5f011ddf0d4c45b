//! LSOA → area deprivation measures, following the IoD 2019 area summaries (methods.md §4).
//!
//! Each input is an LSOA piece: the LSOA's rank/score/decile and the population of the piece,
//! `p_lw = a_lw × p_l` (apportionment weight × LSOA population). Scores and ranks are intensive and
//! stay attached to the LSOA; populations are extensive and split by the weight.

use crate::model::IOD2019_LSOAS;
use serde::Serialize;

/// One LSOA piece going into an area.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Piece {
    /// Apportionment weight `a_lw`.
    pub weight: f64,
    /// Population of the piece, `a_lw × p_l`.
    pub population: f64,
    /// Children 0–15 in the piece.
    pub children: f64,
    /// IMD rank of the LSOA (1 = most deprived).
    pub imd_rank: Option<u32>,
    /// IMD score of the LSOA.
    pub imd_score: Option<f64>,
    /// IDACI rank of the LSOA.
    pub idaci_rank: Option<u32>,
    /// IDACI decile of the LSOA, when the rank is not known.
    pub idaci_decile: Option<u8>,
}

/// Deprivation of one area.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DeprivationSummary {
    /// Population (sum of pieces).
    pub population: f64,
    /// Children aged 0–15.
    pub children_0_15: f64,
    /// `Σ p r / Σ p` — population-weighted mean IMD rank, 1 = most deprived.
    pub imd_rank_popweighted: Option<f64>,
    /// `Σ p (N + 1 − r) / Σ p` — the IoD "average rank" (reversed: higher = more deprived).
    pub imd_avg_reverse_rank: Option<f64>,
    /// `Σ p s / Σ p` — population-weighted mean IMD score.
    pub imd_score_popweighted: Option<f64>,
    /// `100 Σ_{decile 1} p / Σ p`.
    pub pct_pop_most_deprived_decile: Option<f64>,
    /// `100 Σ_{decile ≤ 2} p / Σ p`.
    pub pct_pop_most_deprived_quintile: Option<f64>,
    /// `100 Σ_{decile 1} a / Σ a` — share of LSOAs (weighted by apportionment) in decile 1.
    pub pct_lsoas_most_deprived_decile: Option<f64>,
    /// `100 Σ_{decile ≤ 2} a / Σ a` — share of LSOAs (weighted by apportionment) in the most deprived quintile.
    pub pct_lsoas_most_deprived_quintile: Option<f64>,
    /// IoD extent, `100 Σ p e(r) / Σ p`.
    pub extent_pct: Option<f64>,
    /// IoD local concentration: mean reversed rank of the most deprived 10% of the population.
    pub local_concentration: Option<f64>,
    /// `Σ c r_idaci / Σ c` — children-weighted mean IDACI rank.
    pub idaci_rank_childweighted: Option<f64>,
    /// `100 Σ_{IDACI decile 1} c / Σ c` — % of children in the nationally most deprived IDACI decile.
    pub pct_children_idaci_decile1: Option<f64>,
}

/// Share of the population (%) in each national IMD decile: `100 Σ_{decile(r_l) = d} p_l / Σ p_l`
/// for d = 1 (most deprived) … 10, over the pieces with a rank.
#[must_use]
pub fn decile_distribution(pieces: &[Piece]) -> [f64; 10] {
    let mut out = [0.0; 10];
    let mut total = 0.0;
    for p in pieces {
        if let Some(r) = p.imd_rank {
            out[usize::from(decile(r).clamp(1, 10)) - 1] += p.population;
            total += p.population;
        }
    }
    if total > 0.0 {
        for v in &mut out {
            *v *= 100.0 / total;
        }
    }
    out
}

/// National decile of a rank: `ceil(10 r / N)`, N = 32,844.
#[must_use]
pub fn decile(rank: u32) -> u8 {
    let n = f64::from(IOD2019_LSOAS);
    (10.0 * f64::from(rank) / n).ceil().clamp(1.0, 10.0) as u8
}

/// IoD extent weight of a rank: with percentile `q = ceil(100 r / N)`, `e = 1` for `q ≤ 10`,
/// `e = 0.95 − (0.9/19)(q − 11)` for `11 ≤ q ≤ 30`, `e = 0` otherwise.
#[must_use]
pub fn extent_weight(rank: u32) -> f64 {
    let q = (100.0 * f64::from(rank) / f64::from(IOD2019_LSOAS)).ceil();
    if q <= 10.0 {
        1.0
    } else if q <= 30.0 {
        0.95 - (0.9 / 19.0) * (q - 11.0)
    } else {
        0.0
    }
}

/// Aggregates LSOA pieces into one area's deprivation measures (formulas on each field of
/// [`DeprivationSummary`]). Local concentration: sort pieces by rank, most deprived first, take
/// population until 10% of the area's population is reached (the crossing piece only in part),
/// and average their reversed ranks `N + 1 − r` weighted by the population taken.
#[must_use]
pub fn aggregate(pieces: &[Piece]) -> DeprivationSummary {
    let n1 = f64::from(IOD2019_LSOAS) + 1.0;
    let population: f64 = pieces.iter().map(|p| p.population).sum();
    let children: f64 = pieces.iter().map(|p| p.children).sum();
    let ranked: Vec<(&Piece, u32)> = pieces.iter().filter_map(|p| p.imd_rank.map(|r| (p, r))).collect();
    let rp: f64 = ranked.iter().map(|(p, _)| p.population).sum();
    let share = |f: &dyn Fn(u32) -> f64| (rp > 0.0).then(|| ranked.iter().map(|(p, r)| p.population * f(*r)).sum::<f64>() / rp);
    let rw: f64 = ranked.iter().map(|(p, _)| p.weight).sum();
    let scored: Vec<(f64, f64)> = pieces.iter().filter_map(|p| p.imd_score.map(|s| (p.population, s))).collect();
    let sp: f64 = scored.iter().map(|x| x.0).sum();
    let local_concentration = (rp > 0.0).then(|| {
        let mut sorted = ranked.clone();
        sorted.sort_by_key(|(_, r)| *r);
        let target = 0.1 * rp;
        let (mut taken, mut acc) = (0.0, 0.0);
        for (p, r) in sorted {
            if taken >= target {
                break;
            }
            let take = p.population.min(target - taken);
            taken += take;
            acc += take * (n1 - f64::from(r));
        }
        if taken > 0.0 { acc / taken } else { 0.0 }
    });
    let idaci: Vec<(f64, Option<u32>, Option<u8>)> = pieces
        .iter()
        .filter(|p| p.idaci_rank.is_some() || p.idaci_decile.is_some())
        .map(|p| (p.children, p.idaci_rank, p.idaci_rank.map(decile).or(p.idaci_decile)))
        .collect();
    let ic: f64 = idaci.iter().map(|x| x.0).sum();
    let ir: Vec<(f64, u32)> = idaci.iter().filter_map(|x| x.1.map(|r| (x.0, r))).collect();
    let irc: f64 = ir.iter().map(|x| x.0).sum();
    DeprivationSummary {
        population,
        children_0_15: children,
        imd_rank_popweighted: share(&|r| f64::from(r)),
        imd_avg_reverse_rank: share(&|r| n1 - f64::from(r)),
        imd_score_popweighted: (sp > 0.0).then(|| scored.iter().map(|(p, s)| p * s).sum::<f64>() / sp),
        // Divide, then scale: Σ p·100 / Σ p can exceed 100 by an ulp.
        pct_pop_most_deprived_decile: share(&|r| if decile(r) == 1 { 1.0 } else { 0.0 }).map(|x| 100.0 * x),
        pct_pop_most_deprived_quintile: share(&|r| if decile(r) <= 2 { 1.0 } else { 0.0 }).map(|x| 100.0 * x),
        pct_lsoas_most_deprived_decile: (rw > 0.0)
            .then(|| 100.0 * ranked.iter().filter(|(_, r)| decile(*r) == 1).map(|(p, _)| p.weight).sum::<f64>() / rw),
        pct_lsoas_most_deprived_quintile: (rw > 0.0)
            .then(|| 100.0 * ranked.iter().filter(|(_, r)| decile(*r) <= 2).map(|(p, _)| p.weight).sum::<f64>() / rw),
        extent_pct: share(&|r| extent_weight(r)).map(|x| 100.0 * x),
        local_concentration,
        idaci_rank_childweighted: (irc > 0.0).then(|| ir.iter().map(|(c, r)| c * f64::from(*r)).sum::<f64>() / irc),
        pct_children_idaci_decile1: (ic > 0.0).then(|| 100.0 * idaci.iter().filter(|x| x.2 == Some(1)).map(|x| x.0).sum::<f64>() / ic),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deciles_and_extent_weights() {
        assert_eq!(decile(1), 1);
        assert_eq!(decile(3284), 1);
        assert_eq!(decile(3285), 2);
        assert_eq!(decile(32_844), 10);
        assert!((extent_weight(7400) - (0.95 - 0.9 / 19.0 * 12.0)).abs() < 1e-12);
        assert_eq!(extent_weight(20_000), 0.0);
    }
}
