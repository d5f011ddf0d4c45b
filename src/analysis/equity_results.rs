//! The equity results the map and the API show, computed once at load: deprivation hot spots of
//! the LSOAs, access to places per phase, and the priority areas of every other layer.

use super::equity::{HotspotOptions, HotspotReport, hotspots};
use super::priority::{PriorityReport, priority};
use super::school_access::{AccessOptions, AccessReport, access};
use super::summary::summary;
use crate::dataset::Dataset;
use crate::model::Phase;
use rayon::prelude::*;

/// The metric of the map's hot spots: IMD rank reversed, so the most deprived are hot.
pub const HOTSPOT_METRIC: &str = "imd_reverse_rank";
/// Share of residents in hot-spot LSOAs from which an area counts as meeting a hot spot.
pub const MIN_HOT_SHARE: f64 = 0.25;

/// Equity results of a dataset.
#[derive(Clone, Debug, Default)]
pub struct EquityResults {
    /// Gi* hot spots of the IMD over the LSOA layer (`None` without LSOAs or IMD ranks).
    pub hotspots: Option<HotspotReport>,
    /// Access to places, one report per phase that has schools (default options).
    pub access: Vec<AccessReport>,
    /// `priority[layer]` for every area layer other than the LSOAs (needs the hot spots): a
    /// deficit in any phase and year meeting a hot spot.
    pub priority: Vec<Option<PriorityReport>>,
    /// `priority_by[layer]`: the same assessment for each phase and year alone (what the map
    /// colours for the selected phase and year).
    pub priority_by: Vec<Vec<(Phase, i32, PriorityReport)>>,
    /// Why a part could not be computed.
    pub notes: Vec<String>,
}

impl EquityResults {
    /// Runs the hot spots, both phases' access (in parallel) and each layer's priority.
    #[must_use]
    pub fn compute(ds: &Dataset) -> Self {
        let mut notes = Vec::new();
        let (hot, access) = rayon::join(
            || {
                let t = std::time::Instant::now();
                let h = ds
                    .lsoa_layer
                    .map(|li| hotspots(ds, li, HOTSPOT_METRIC, Phase::Primary, &HotspotOptions::map_default()));
                tracing::debug!("hot spots in {:.1} s", t.elapsed().as_secs_f64());
                h
            },
            || {
                let t = std::time::Instant::now();
                let a = Phase::ALL
                    .par_iter()
                    .map(|&p| access(ds, &AccessOptions::defaults(p)))
                    .collect::<Vec<_>>();
                tracing::debug!("access in {:.1} s", t.elapsed().as_secs_f64());
                a
            },
        );
        let hotspots = match hot {
            Some(Ok(r)) => Some(r),
            Some(Err(e)) => {
                notes.push(format!("hot spots: {e}"));
                None
            }
            None => {
                notes.push("hot spots: no LSOA layer".into());
                None
            }
        };
        let access = access
            .into_iter()
            .filter_map(|r| r.map_err(|e| notes.push(format!("access: {e}"))).ok())
            .collect();
        let (priority, priority_by): (Vec<_>, Vec<_>) = (0..ds.layers.len())
            .into_par_iter()
            .map(|li| {
                let Some(h) = hotspots.as_ref().filter(|_| Some(li) != ds.lsoa_layer) else {
                    return (None, Vec::new());
                };
                let rows = summary(ds, Some(li), None, None);
                let mut keys: Vec<(Phase, i32)> = rows.iter().map(|r| (r.phase, r.year)).collect();
                keys.sort_unstable();
                keys.dedup();
                let by = keys
                    .into_iter()
                    .map(|(p, y)| {
                        let these: Vec<_> = rows.iter().filter(|r| r.phase == p && r.year == y).cloned().collect();
                        (p, y, priority(ds, li, &these, h, MIN_HOT_SHARE))
                    })
                    .collect();
                (Some(priority(ds, li, &rows, h, MIN_HOT_SHARE)), by)
            })
            .unzip();
        Self {
            hotspots,
            access,
            priority,
            priority_by,
            notes,
        }
    }

    /// The access report of `phase`.
    #[must_use]
    pub fn access_for(&self, phase: Phase) -> Option<&AccessReport> {
        self.access.iter().find(|r| r.phase == phase)
    }
}
