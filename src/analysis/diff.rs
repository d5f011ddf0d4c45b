//! What a scenario changes: the sufficiency figures of two datasets compared by area, phase and
//! year, for the authority and every ward and planning-area layer.

use crate::analysis::summary::{SummaryRow, summary};
use crate::dataset::Dataset;
use crate::model::{LayerKind, Phase};
use serde::Serialize;
use std::collections::BTreeMap;

/// One changed figure set.
#[derive(Clone, Debug, Serialize)]
pub struct DiffRow {
    /// Layer id, or `la`.
    pub layer: String,
    /// Area code.
    pub code: String,
    /// Area name.
    pub name: String,
    /// Phase.
    pub phase: Phase,
    /// Academic year.
    pub year: i32,
    /// Places before → after.
    pub capacity: (f64, f64),
    /// Pupils before → after.
    pub pupils: (f64, f64),
    /// Spare places before → after.
    pub spare: (f64, f64),
    /// Shortfall before → after.
    pub shortfall: (f64, f64),
    /// Shortfall against pupils plus the operating margin, before → after.
    pub margin_shortfall: (f64, f64),
    /// Status before → after.
    pub status: (String, String),
}

fn key(r: &SummaryRow) -> (String, Phase, i32) {
    (r.code.clone(), r.phase, r.year)
}

fn changed(a: f64, b: f64) -> bool {
    (a - b).abs() > 0.005
}

/// Rows whose places, pupils, shortfall (with or without the operating margin) or status differ
/// between `base` and `scen`.
#[must_use]
pub fn diff(base: &Dataset, scen: &Dataset) -> Vec<DiffRow> {
    let mut out = Vec::new();
    let mut layers: Vec<(String, Option<usize>)> = vec![("la".into(), None)];
    for (li, l) in base.layers.iter().enumerate() {
        if matches!(l.kind, LayerKind::Ward | LayerKind::PlanningArea) {
            layers.push((l.id.to_string(), Some(li)));
        }
    }
    for (id, li) in layers {
        let before: BTreeMap<_, SummaryRow> = summary(base, li, None, None).into_iter().map(|r| (key(&r), r)).collect();
        for a in summary(scen, li, None, None) {
            // A year the base has no forecast for: its census figures carried forward, as the
            // plan's projection carries them (a plan always has the forecast horizon's years).
            let carried = (a.code.clone(), a.phase, base.census_year);
            let Some(b) = before.get(&key(&a)).or_else(|| before.get(&carried)) else {
                continue;
            };
            let (x, y) = (&b.sufficiency, &a.sufficiency);
            let st = |s: Option<crate::analysis::sufficiency::Status>| s.map_or(String::new(), |s| s.as_str().to_owned());
            if changed(x.capacity, y.capacity)
                || changed(x.pupils, y.pupils)
                || changed(x.shortfall, y.shortfall)
                || changed(x.margin_shortfall, y.margin_shortfall)
                || x.status != y.status
            {
                out.push(DiffRow {
                    layer: id.clone(),
                    code: a.code.clone(),
                    name: a.name.clone(),
                    phase: a.phase,
                    year: a.year,
                    capacity: (x.capacity, y.capacity),
                    pupils: (x.pupils, y.pupils),
                    spare: (x.spare, y.spare),
                    shortfall: (x.shortfall, y.shortfall),
                    margin_shortfall: (x.margin_shortfall, y.margin_shortfall),
                    status: (st(x.status), st(y.status)),
                });
            }
        }
    }
    out
}
