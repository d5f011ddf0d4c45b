//! Place sufficiency arithmetic (methods.md §1.5).

use crate::manifest::Bands;
use serde::Serialize;

/// The status word for an area's spare places.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Fewer places than pupils.
    Deficit,
    /// Spare below the tight threshold (default 2%).
    Tight,
    /// Spare within the healthy operating margin (default 2–10%).
    Healthy,
    /// Spare above the healthy band (default over 10%).
    Surplus,
}

impl Status {
    /// Lower-case word.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Deficit => "deficit",
            Status::Tight => "tight",
            Status::Healthy => "healthy",
            Status::Surplus => "surplus",
        }
    }
}

/// Status from the spare fraction `s = (capacity − pupils) / capacity`:
/// deficit if `s < deficit_below`, tight if `s < tight_below`, healthy if `s ≤ healthy_below`, else surplus.
#[must_use]
pub fn status(spare_fraction: f64, bands: &Bands) -> Status {
    if spare_fraction < bands.deficit_below {
        Status::Deficit
    } else if spare_fraction < bands.tight_below {
        Status::Tight
    } else if spare_fraction <= bands.healthy_below {
        Status::Healthy
    } else {
        Status::Surplus
    }
}

/// The sufficiency figures for one area, phase and year.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sufficiency {
    /// Places `C`.
    pub capacity: f64,
    /// Pupils `P` (number on roll, or forecast).
    pub pupils: f64,
    /// `C − P`.
    pub spare: f64,
    /// `100 × (C − P) / C` (`None` when `C = 0`).
    pub spare_pct: Option<f64>,
    /// `P × (1 + m)` with operating margin `m`: places to seat every pupil and keep the margin.
    pub places_needed: f64,
    /// **The** shortfall, everywhere: `max(0, P − C)`, pupils without a place.
    pub shortfall: f64,
    /// `max(0, P × (1 + m) − C)`: places to add to keep the operating margin — a separate,
    /// labelled figure, never called "short by".
    pub margin_shortfall: f64,
    /// Status band of `(C − P) / C`.
    pub status: Option<Status>,
}

/// Sufficiency of `capacity` places for `pupils` pupils with operating margin `m`:
/// `spare = C − P`, `spare% = 100 (C − P)/C`, `shortfall = max(0, P − C)`, `needed = P(1 + m)`,
/// `margin shortfall = max(0, P(1 + m) − C)`.
#[must_use]
pub fn sufficiency(capacity: f64, pupils: f64, margin: f64, bands: &Bands) -> Sufficiency {
    let spare = capacity - pupils;
    let frac = (capacity > 0.0).then(|| spare / capacity);
    let places_needed = pupils * (1.0 + margin);
    Sufficiency {
        capacity,
        pupils,
        spare,
        spare_pct: frac.map(|f| 100.0 * f),
        places_needed,
        shortfall: (pupils - capacity).max(0.0),
        margin_shortfall: (places_needed - capacity).max(0.0),
        status: frac.map(|f| status(f, bands)),
    }
}

/// Authority shortfall without netting: `Σ_areas max(0, P_a(1 + m) − C_a)` — a surplus in one
/// planning area never offsets a shortfall in another (DfE basic-need logic, methods.md §1.5).
/// With `m = 0` it is the authority's shortfall; with the operating margin, its margin shortfall.
#[must_use]
pub fn authority_shortfall(areas: &[(f64, f64)], margin: f64) -> f64 {
    areas.iter().map(|&(c, p)| (p * (1.0 + margin) - c).max(0.0)).sum()
}

/// The 25% rule: a school is flagged when `(C − P)/C ≥ fraction` **and** `C − P ≥ places` (defaults 25%, 30).
#[must_use]
pub fn school_flag(capacity: f64, pupils: f64, bands: &Bands) -> bool {
    let spare = capacity - pupils;
    capacity > 0.0 && spare / capacity >= bands.school_flag_fraction && spare >= bands.school_flag_places
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_defaults() {
        let b = Bands::default();
        assert_eq!(status(-0.01, &b), Status::Deficit);
        assert_eq!(status(0.0, &b), Status::Tight);
        assert_eq!(status(0.019, &b), Status::Tight);
        assert_eq!(status(0.05, &b), Status::Healthy);
        assert_eq!(status(0.10, &b), Status::Healthy);
        assert_eq!(status(0.11, &b), Status::Surplus);
    }

    #[test]
    fn shortfalls_do_not_net_against_surpluses() {
        // Area A: 100 places, 120 pupils; area B: 200 places, 100 pupils. Net spare is +80,
        // but A alone needs 120 × 1.02 − 100 = 22.4 places.
        let s = authority_shortfall(&[(100.0, 120.0), (200.0, 100.0)], 0.02);
        assert!((s - 22.4).abs() < 1e-9);
    }

    #[test]
    fn short_by_is_pupils_minus_places_and_the_margin_is_apart() {
        let s = sufficiency(1000.0, 1000.0, 0.02, &Bands::default());
        assert_eq!(s.shortfall, 0.0, "every pupil has a place");
        assert!((s.margin_shortfall - 20.0).abs() < 1e-9);
        let s = sufficiency(1000.0, 1100.0, 0.02, &Bands::default());
        assert!((s.shortfall - 100.0).abs() < 1e-9);
    }

    #[test]
    fn the_flag_needs_both_the_share_and_the_count() {
        let b = Bands::default();
        assert!(school_flag(210.0, 150.0, &b));
        assert!(!school_flag(100.0, 74.0, &b), "26% but only 26 places");
        assert!(!school_flag(420.0, 400.0, &b));
    }
}
