//! Hot spots of a metric over the areas of a layer: weights from the layer's polygons or
//! centroids (metres), Gi/Gi* z-scores, conditional-permutation p-values, BH FDR and classes.

use super::hotspots::{GiZ, benjamini_hochberg, class, getis_ord, p_two_sided, permutation_p};
use super::summary::summary;
use super::weights::{Contiguity, Transform, Weights, contiguity, distance_band, knn};
use crate::dataset::Dataset;
use crate::model::{IOD2019_LSOAS, Phase};
use geo::Centroid;
use serde::Serialize;

/// How neighbours are found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WeightSpec {
    /// Shared vertex.
    Queen,
    /// Shared edge.
    Rook,
    /// k nearest centroids.
    Knn(usize),
    /// Centroids within a distance (metres).
    Band(f64),
}

impl WeightSpec {
    /// Parses `queen`, `rook`, `knn:K` or `band:METRES`.
    ///
    /// # Errors
    /// A message naming the accepted forms.
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || format!("weights {s:?}: use queen, rook, knn:K (K ≥ 1) or band:METRES (> 0)");
        match s.split_once(':') {
            None if s == "queen" => Ok(Self::Queen),
            None if s == "rook" => Ok(Self::Rook),
            Some(("knn", k)) => k.parse().ok().filter(|&k| k >= 1).map(Self::Knn).ok_or_else(bad),
            Some(("band", d)) => d
                .parse()
                .ok()
                .filter(|&d: &f64| d > 0.0 && d.is_finite())
                .map(Self::Band)
                .ok_or_else(bad),
            _ => Err(bad()),
        }
    }
}

/// Metrics hot spots can be computed for.
pub const METRICS: &[&str] = &[
    "imd_rank",
    "imd_reverse_rank",
    "imd_score",
    "pct_pop_most_deprived_decile",
    "pct_children_idaci_decile1",
    "idaci_rank",
    "spare_pct",
    "fsm_pct",
];

/// The value of `metric` for each area of layer `li` (census year, `phase` for sufficiency).
/// `imd_reverse_rank` is `32,845 − rank` (higher = more deprived), so a deprivation hot spot is hot.
///
/// # Errors
/// An unknown metric.
pub fn area_values(ds: &Dataset, li: usize, metric: &str, phase: Phase) -> Result<Vec<Option<f64>>, String> {
    if !METRICS.contains(&metric) {
        return Err(format!("unknown metric {metric:?}; hot-spot metrics are {}", METRICS.join(", ")));
    }
    let n = ds.layers[li].areas.len();
    let reverse = |r: f64| f64::from(IOD2019_LSOAS) + 1.0 - r;
    if Some(li) == ds.lsoa_layer {
        return Ok((0..n)
            .map(|a| {
                let r = &ds.lsoas[a];
                match metric {
                    "imd_rank" => r.imd_rank.map(f64::from),
                    "imd_reverse_rank" => r.imd_rank.map(|x| reverse(f64::from(x))),
                    "imd_score" => r.imd_score,
                    "idaci_rank" => r.idaci_rank.map(f64::from),
                    "pct_pop_most_deprived_decile" => r.imd_rank.map(|x| if super::deprivation::decile(x) == 1 { 100.0 } else { 0.0 }),
                    _ => None,
                }
            })
            .collect());
    }
    let rows = summary(ds, Some(li), Some(phase), Some(ds.census_year));
    let by_code: std::collections::HashMap<&str, &super::summary::SummaryRow> = rows.iter().map(|r| (r.code.as_str(), r)).collect();
    Ok(ds.layers[li]
        .areas
        .iter()
        .map(|area| {
            let row = by_code.get(area.code.as_str());
            let dep = row.map(|r| &r.deprivation);
            match metric {
                "imd_rank" => dep.and_then(|d| d.imd_rank_popweighted),
                "imd_reverse_rank" => dep.and_then(|d| d.imd_rank_popweighted).map(reverse),
                "imd_score" => dep.and_then(|d| d.imd_score_popweighted),
                "pct_pop_most_deprived_decile" => dep.and_then(|d| d.pct_pop_most_deprived_decile),
                "pct_children_idaci_decile1" => dep.and_then(|d| d.pct_children_idaci_decile1),
                "idaci_rank" => dep.and_then(|d| d.idaci_rank_childweighted),
                "spare_pct" => row.and_then(|r| r.sufficiency.spare_pct),
                "fsm_pct" => row.and_then(|r| r.fsm_pct),
                _ => None,
            }
        })
        .collect())
}

/// Options of a hot-spot run.
#[derive(Clone, Debug)]
pub struct HotspotOptions {
    /// Neighbours.
    pub weights: WeightSpec,
    /// Gi* (self included) rather than Gi.
    pub star: bool,
    /// Binary or row-standardised (the Ord–Getis z is the same either way).
    pub transform: Transform,
    /// Ord & Getis z, or esda's.
    pub z: GiZ,
    /// Conditional permutations (0: none).
    pub permutations: usize,
    /// Seed of the permutations.
    pub seed: u64,
    /// FDR level.
    pub alpha: f64,
}

impl HotspotOptions {
    /// The map's deprivation hot spots: Gi* on binary queen contiguity, Ord & Getis z, 999
    /// conditional permutations with seed 12345, FDR 5%.
    #[must_use]
    pub fn map_default() -> Self {
        Self {
            weights: WeightSpec::Queen,
            star: true,
            transform: Transform::Binary,
            z: GiZ::OrdGetis,
            permutations: 999,
            seed: 12345,
            alpha: 0.05,
        }
    }
}

/// One area's result.
#[derive(Clone, Debug, Serialize)]
pub struct HotspotRow {
    /// Area code.
    pub code: String,
    /// Area name.
    pub name: String,
    /// The metric's value.
    pub value: f64,
    /// Gi(*) z-score.
    pub z: f64,
    /// Two-sided normal p-value of z.
    pub p_norm: f64,
    /// Permutation pseudo p-value (one-sided, folded), when permutations were run.
    pub p_sim: Option<f64>,
    /// BH-adjusted p-value (of `p_sim`, else of `p_norm`).
    pub p_fdr: f64,
    /// `hot_99` … `cold_90` or `not_significant` (from the FDR-adjusted p).
    pub class: &'static str,
    /// Number of neighbours.
    pub neighbours: usize,
}

/// The result of a run.
#[derive(Clone, Debug, Serialize)]
pub struct HotspotReport {
    /// Layer id.
    pub layer: String,
    /// Metric.
    pub metric: String,
    /// Weights in words.
    pub weights: String,
    /// Areas without a value (left out).
    pub missing: Vec<String>,
    /// Areas without neighbours (their z is not defined; class `not_significant`).
    pub islands: Vec<String>,
    /// FDR level of the classes.
    pub alpha: f64,
    /// Permutations run (0: normal approximation).
    pub permutations: usize,
    /// BH cut-off at `alpha` (none: no area passes).
    pub fdr_cutoff: Option<f64>,
    /// Rows, in layer order.
    pub rows: Vec<HotspotRow>,
}

/// Spatial weights of `polys` (EPSG:27700): contiguity with a 0.5 m tolerance, or k-nearest /
/// distance-band on the centroids.
#[must_use]
pub fn weights_for<P: std::borrow::Borrow<geo::MultiPolygon<f64>> + Sync>(polys: &[P], spec: WeightSpec) -> Weights {
    let centroids = || -> Vec<geo::Coord> {
        polys
            .iter()
            .map(|p| p.borrow().centroid().map_or(geo::Coord { x: f64::NAN, y: f64::NAN }, |c| c.0))
            .collect()
    };
    match spec {
        WeightSpec::Queen => contiguity(polys, Contiguity::Queen, 0.5),
        WeightSpec::Rook => contiguity(polys, Contiguity::Rook, 0.5),
        WeightSpec::Knn(k) => knn(&centroids(), k),
        WeightSpec::Band(d) => distance_band(&centroids(), d),
    }
}

/// The statistics of a run, aligned with `x`.
#[derive(Clone, Debug)]
pub struct GiRun {
    /// Gi(*) with its moments and z.
    pub gi: Vec<super::hotspots::GiValue>,
    /// Two-sided normal p of z.
    pub p_norm: Vec<f64>,
    /// Folded one-sided permutation p, when permutations were asked for.
    pub p_sim: Option<Vec<f64>>,
    /// BH-adjusted two-sided p (of the permutation p when present).
    pub p_fdr: Vec<f64>,
    /// BH cut-off at `alpha`.
    pub cutoff: Option<f64>,
}

/// Gi or Gi* of `x` on `w` with conditional-permutation pseudo p-values (each observation's
/// neighbours drawn from the other n − 1 values, `x_i` held fixed; the G denominator does not
/// change under permutation) and Benjamini–Hochberg adjustment of the two-sided p.
#[must_use]
pub fn gi_run(x: &[f64], w: &Weights, o: &HotspotOptions) -> GiRun {
    let gi = getis_ord(x, w, o.star, o.transform, o.z);
    let observed: Vec<f64> = gi.iter().map(|g| g.g).collect();
    let star = o.star;
    let t = o.transform;
    let total: f64 = x.iter().sum();
    let p_sim = (o.permutations > 0).then(|| {
        permutation_p(x, w, &observed, o.permutations, o.seed, |i, row, drawn| {
            let k = row.len() as f64 + if star { 1.0 } else { 0.0 };
            let wt = if t == Transform::Row { 1.0 / k } else { 1.0 };
            let lag: f64 = drawn.iter().sum::<f64>() * wt + if star { wt * x[i] } else { 0.0 };
            lag / if star { total } else { total - x[i] }
        })
    });
    let p_norm: Vec<f64> = gi.iter().map(|g| p_two_sided(g.z)).collect();
    // Permutation p is one-sided (folded); double it for a two-sided test before FDR.
    let p_test: Vec<f64> = match &p_sim {
        Some(ps) => ps.iter().map(|p| (2.0 * p).min(1.0)).collect(),
        None => p_norm.clone(),
    };
    let (cutoff, p_fdr) = benjamini_hochberg(&p_test, o.alpha);
    GiRun {
        gi,
        p_norm,
        p_sim,
        p_fdr,
        cutoff,
    }
}

/// Gi or Gi* hot spots of `metric` over layer `li`.
///
/// # Errors
/// An unknown metric, or fewer than three areas with values.
pub fn hotspots(ds: &Dataset, li: usize, metric: &str, phase: Phase, o: &HotspotOptions) -> Result<HotspotReport, String> {
    let layer = &ds.layers[li];
    let values = area_values(ds, li, metric, phase)?;
    let keep: Vec<usize> = (0..values.len()).filter(|&a| values[a].is_some()).collect();
    if keep.len() < 3 {
        return Err(format!(
            "only {} areas of {} have a {metric} value; hot spots need at least 3",
            keep.len(),
            layer.id
        ));
    }
    let x: Vec<f64> = keep.iter().filter_map(|&a| values[a]).collect();
    let polys: Vec<&geo::MultiPolygon<f64>> = keep.iter().map(|&a| &layer.areas[a].geometry).collect();
    let t = std::time::Instant::now();
    let w = weights_for(&polys, o.weights);
    tracing::debug!(ms = t.elapsed().as_millis(), areas = polys.len(), "hot spots: weights built");
    let t = std::time::Instant::now();
    let run = gi_run(&x, &w, o);
    tracing::debug!(
        ms = t.elapsed().as_millis(),
        permutations = o.permutations,
        "hot spots: statistics run"
    );
    let GiRun {
        gi,
        p_norm,
        p_sim,
        p_fdr: adj,
        cutoff,
    } = run;
    let islands = w.islands();
    let rows = keep
        .iter()
        .enumerate()
        .map(|(k, &a)| {
            let island = w.rows[k].is_empty();
            HotspotRow {
                code: layer.areas[a].code.to_string(),
                name: layer.areas[a].name.clone(),
                value: x[k],
                z: gi[k].z,
                p_norm: p_norm[k],
                p_sim: p_sim.as_ref().map(|p| p[k]),
                p_fdr: adj[k],
                class: if island || !adj[k].is_finite() {
                    "not_significant"
                } else {
                    class(gi[k].z, adj[k])
                },
                neighbours: w.rows[k].len(),
            }
        })
        .collect();
    Ok(HotspotReport {
        layer: layer.id.to_string(),
        metric: metric.to_owned(),
        weights: format!("{}{}", w.description, if o.star { ", Gi* (self included)" } else { ", Gi" }),
        missing: (0..values.len())
            .filter(|a| values[*a].is_none())
            .map(|a| layer.areas[a].code.to_string())
            .collect(),
        islands: islands.iter().map(|&k| layer.areas[keep[k]].code.to_string()).collect(),
        alpha: o.alpha,
        permutations: o.permutations,
        fdr_cutoff: cutoff,
        rows,
    })
}
