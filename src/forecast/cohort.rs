//! Cohort-survival (grade progression ratio) forecasting, methods.md §1.2.
//!
//! Notation: `N[g][t]` is the January-census roll in national curriculum year `g` (R = 0, Y1 = 1,
//! … Y13 = 13) in academic year `t`; `B[t]` is the pool a year group enters from in year `t`
//! (births five years before for Reception, resident four-year-olds, or last year's Y6 of the
//! feeder area for Y7).
//!
//! * Intake ratio: `IR[t] = N[e][t] / B[t]` for the entry year group `e`.
//! * Grade progression ratio: `GPR[g→g+1][t] = N[g+1][t] / N[g][t−1]`.
//! * Ratios are averaged over the last `k` observed years (default 3), optionally weighted.
//! * Forecast: `N̂[e][t+h] = B[t+h] × mean(IR)`, `N̂[g+1][t+h] = N̂[g][t+h−1] × mean(GPR[g→g+1])`,
//!   rolled forward from the latest census; nothing is rounded until output.
//! * Low and high variants use the smallest and largest ratio in the window for every step.

use super::ncy::{NCY_COUNT, Ncy};
use serde::Serialize;
use std::collections::BTreeMap;

pub use crate::model::ncy::History;

/// A ratio averaged over the window, with the spread it came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ratio {
    /// The observed ratios in the window, oldest first, with their years.
    pub observed: Vec<(i32, f64)>,
    /// (Weighted) mean.
    pub mean: f64,
    /// Smallest observed.
    pub min: f64,
    /// Largest observed.
    pub max: f64,
}

/// Which ratio of the window a projection uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// Smallest ratios: the low forecast.
    Low,
    /// Mean ratios: the central forecast.
    Central,
    /// Largest ratios: the high forecast.
    High,
}

impl Ratio {
    /// The ratio of a variant.
    #[must_use]
    pub fn pick(&self, v: Variant) -> f64 {
        match v {
            Variant::Low => self.min,
            Variant::Central => self.mean,
            Variant::High => self.max,
        }
    }
}

/// Averaging rule: the last `k` observed ratios, simple mean or with `weights` (latest first,
/// normalised to sum 1 over the ratios available).
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    /// Years of ratios to average (1–10).
    pub k: usize,
    /// Optional weights, latest first (e.g. 0.5, 0.3, 0.2).
    pub weights: Option<Vec<f64>>,
}

impl Default for Window {
    fn default() -> Self {
        Self { k: 3, weights: None }
    }
}

/// Averages `(year, ratio)` pairs (any order) over the window: the `k` latest years.
#[must_use]
pub fn average(mut obs: Vec<(i32, f64)>, w: &Window) -> Option<Ratio> {
    obs.retain(|(_, r)| r.is_finite());
    obs.sort_by_key(|o| o.0);
    let start = obs.len().saturating_sub(w.k.max(1));
    let obs: Vec<(i32, f64)> = obs[start..].to_vec();
    if obs.is_empty() {
        return None;
    }
    let mean = match &w.weights {
        Some(ws) if !ws.is_empty() => {
            // Latest first.
            let pairs: Vec<(f64, f64)> = obs.iter().rev().zip(ws.iter()).map(|(o, w)| (o.1, *w)).collect();
            let total: f64 = pairs.iter().map(|p| p.1).sum();
            if total > 0.0 {
                pairs.iter().map(|(r, w)| r * w).sum::<f64>() / total
            } else {
                obs.iter().map(|o| o.1).sum::<f64>() / obs.len() as f64
            }
        }
        _ => obs.iter().map(|o| o.1).sum::<f64>() / obs.len() as f64,
    };
    let min = obs.iter().map(|o| o.1).fold(f64::INFINITY, f64::min);
    let max = obs.iter().map(|o| o.1).fold(f64::NEG_INFINITY, f64::max);
    Some(Ratio {
        observed: obs,
        mean,
        min,
        max,
    })
}

/// Intake ratios `IR[t] = N[e][t] / B[t]` for every year with both figures and `B > 0`.
#[must_use]
pub fn intake_ratios(history: &History, entry: Ncy, pool: &BTreeMap<i32, f64>) -> Vec<(i32, f64)> {
    history
        .iter()
        .filter_map(|(&t, row)| {
            let n = row[entry.index()]?;
            let b = *pool.get(&t)?;
            (b > 0.0).then(|| (t, n / b))
        })
        .collect()
}

/// Grade progression ratios `GPR[g→g+1][t] = N[g+1][t] / N[g][t−1]` for every year with both
/// figures and `N[g][t−1] > 0`.
#[must_use]
pub fn progression_ratios(history: &History, from: Ncy) -> Vec<(i32, f64)> {
    let Some(to) = from.next() else { return Vec::new() };
    history
        .iter()
        .filter_map(|(&t, row)| {
            let n = row[to.index()]?;
            let prev = history.get(&(t - 1))?[from.index()]?;
            (prev > 0.0).then(|| (t, n / prev))
        })
        .collect()
}

/// A fitted cohort model for one school or area.
#[derive(Clone, Debug, Serialize)]
pub struct CohortModel {
    /// Entry year group (R for a primary, Y7 for a secondary, Y3 for a junior school).
    pub entry: Ncy,
    /// Last year group taught.
    pub last: Ncy,
    /// Intake ratio against the pool.
    pub intake: Option<Ratio>,
    /// `gpr[g]`: progression from `g` to `g+1`, for entry ≤ g < last.
    pub gpr: BTreeMap<Ncy, Ratio>,
    /// The latest census year of the history.
    pub base_year: i32,
}

/// The year groups a history has rolls in (any year), as `(first, last)`.
#[must_use]
pub fn span(history: &History) -> Option<(Ncy, Ncy)> {
    let mut have = [false; NCY_COUNT];
    for row in history.values() {
        for (g, v) in row.iter().enumerate() {
            if v.is_some_and(|x| x > 0.0) {
                have[g] = true;
            }
        }
    }
    let first = have.iter().position(|h| *h)?;
    let last = have.iter().rposition(|h| *h)?;
    Some((Ncy::from_index(first)?, Ncy::from_index(last)?))
}

/// Fits intake and progression ratios on `history` up to and including `upto` (for back-tests),
/// averaging over `w`.
#[must_use]
pub fn fit(history: &History, pool: &BTreeMap<i32, f64>, upto: i32, w: &Window) -> Option<CohortModel> {
    let h: History = history.range(..=upto).map(|(k, v)| (*k, *v)).collect();
    let (entry, last) = span(&h)?;
    let base_year = *h.keys().next_back()?;
    let intake = average(intake_ratios(&h, entry, pool), w);
    let mut gpr = BTreeMap::new();
    let mut g = entry;
    while g < last {
        if let Some(r) = average(progression_ratios(&h, g), w) {
            gpr.insert(g, r);
        }
        match g.next() {
            Some(n) => g = n,
            None => break,
        }
    }
    Some(CohortModel {
        entry,
        last,
        intake,
        gpr,
        base_year,
    })
}

/// Projects `horizon` years past the model's base year: `N̂[e][t] = B[t] × IR`,
/// `N̂[g+1][t] = N̂[g][t−1] × GPR[g→g+1]`, from the base year's census. A year group whose ratio
/// or pool is unknown is carried forward unchanged (`N̂[g+1][t] = N̂[g][t−1]`; entry: last intake).
#[must_use]
pub fn project(history: &History, m: &CohortModel, pool: &BTreeMap<i32, f64>, horizon: usize, v: Variant) -> History {
    let mut out = History::new();
    let Some(base) = history.get(&m.base_year) else { return out };
    let mut prev: [Option<f64>; NCY_COUNT] = *base;
    for h in 1..=horizon {
        let t = m.base_year + i32::try_from(h).unwrap_or(i32::MAX);
        let mut row = [None; NCY_COUNT];
        for g in m.entry.index()..=m.last.index() {
            let Some(ncy) = Ncy::from_index(g) else { continue };
            row[g] = if ncy == m.entry {
                match (&m.intake, pool.get(&t)) {
                    (Some(ir), Some(b)) => Some(b * ir.pick(v)),
                    _ => prev[g],
                }
            } else {
                let below = Ncy::from_index(g - 1);
                let from = below.and_then(|b| prev[b.index()]);
                match (below.and_then(|b| m.gpr.get(&b)), from) {
                    (Some(r), Some(n)) => Some(n * r.pick(v)),
                    (None, Some(n)) => Some(n),
                    _ => None,
                }
            };
        }
        out.insert(t, row);
        prev = row;
    }
    out
}

/// Sum of a row over year groups `[a, b]`.
#[must_use]
pub fn total(row: &[Option<f64>; NCY_COUNT], a: Ncy, b: Ncy) -> f64 {
    row[a.index()..=b.index()].iter().flatten().sum()
}

/// DfE forecast accuracy: `100 × (forecast − actual) / actual`; positive = over-forecast.
#[must_use]
pub fn accuracy_pct(forecast: f64, actual: f64) -> Option<f64> {
    (actual != 0.0).then(|| 100.0 * (forecast - actual) / actual)
}
