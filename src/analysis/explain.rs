//! "Show the calculation": for one area and metric, the inputs (schools or LSOA pieces with their
//! weights) and the arithmetic, so a planner can check any figure by hand.

use super::deprivation::{aggregate, decile, extent_weight};
use super::membership::schools_by_area;
use super::summary::{pieces, school_places, school_pupils};
use crate::dataset::Dataset;
use crate::model::{IOD2019_LSOAS, Phase};
use serde::Serialize;

/// Metrics that can be explained (names as in `placeplan summary --json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Places.
    Capacity,
    /// Pupils (roll or forecast).
    Pupils,
    /// Capacity − pupils.
    Spare,
    /// 100 × spare / capacity, and the status band.
    SparePct,
    /// max(0, pupils − capacity): pupils without a place.
    Shortfall,
    /// max(0, pupils × (1 + margin) − capacity): places to add to keep the operating margin.
    MarginShortfall,
    /// Population-weighted mean IMD rank.
    ImdRank,
    /// Population-weighted mean IMD score.
    ImdScore,
    /// % of population in the most deprived national decile.
    PctPopMostDeprivedDecile,
    /// IoD extent.
    Extent,
    /// IoD local concentration.
    LocalConcentration,
    /// Children aged 0–15.
    Children,
    /// % FSM of pupils at the area's schools.
    FsmPct,
}

impl Metric {
    /// Every metric, in the order they are listed.
    pub const ALL: [Metric; 13] = [
        Metric::Capacity,
        Metric::Pupils,
        Metric::Spare,
        Metric::SparePct,
        Metric::Shortfall,
        Metric::MarginShortfall,
        Metric::ImdRank,
        Metric::ImdScore,
        Metric::PctPopMostDeprivedDecile,
        Metric::Extent,
        Metric::LocalConcentration,
        Metric::Children,
        Metric::FsmPct,
    ];

    /// True for the figures summed over schools (places, pupils and what is made of them, FSM).
    #[must_use]
    pub fn is_sufficiency(self) -> bool {
        matches!(
            self,
            Metric::Capacity
                | Metric::Pupils
                | Metric::Spare
                | Metric::SparePct
                | Metric::Shortfall
                | Metric::MarginShortfall
                | Metric::FsmPct
        )
    }

    /// Its name in URLs, JSON and on the command line.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Capacity => "capacity",
            Metric::Pupils => "pupils",
            Metric::Spare => "spare",
            Metric::SparePct => "spare_pct",
            Metric::Shortfall => "shortfall",
            Metric::MarginShortfall => "margin_shortfall",
            Metric::ImdRank => "imd_rank",
            Metric::ImdScore => "imd_score",
            Metric::PctPopMostDeprivedDecile => "pct_pop_most_deprived_decile",
            Metric::Extent => "extent",
            Metric::LocalConcentration => "local_concentration",
            Metric::Children => "children",
            Metric::FsmPct => "fsm_pct",
        }
    }

    /// The metric named `s` (case and `-`/`_` forgiven).
    ///
    /// # Errors
    /// An unknown name, with the names there are.
    pub fn parse(s: &str) -> Result<Self, String> {
        let want = s.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL.into_iter().find(|m| m.as_str() == want).ok_or_else(|| {
            let mut names: Vec<&str> = Self::ALL.iter().map(|m| m.as_str()).collect();
            names.dedup();
            format!("unknown metric {s:?}; metrics are {}", names.join(", "))
        })
    }
}

/// One input line of an explanation.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Input {
    /// A school.
    School {
        /// URN.
        urn: u32,
        /// Name.
        name: String,
        /// Where its places and pupils came from (and any estimate's rule).
        source: String,
        /// Places in this phase.
        capacity: f64,
        /// Pupils in this phase and year.
        pupils: f64,
        /// True when disclosure control suppresses the pupils: shown as `c`, counted as 5.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        suppressed: bool,
        /// Whether a forecast supplied the pupils (false: current roll carried forward).
        from_forecast: bool,
        /// FSM %.
        fsm_pct: Option<f64>,
    },
    /// An LSOA piece.
    Lsoa {
        /// LSOA code.
        code: String,
        /// Name.
        name: String,
        /// Apportionment weight.
        weight: f64,
        /// Population of the piece (weight × LSOA population).
        population: f64,
        /// Children 0–15 in the piece.
        children: f64,
        /// IMD rank.
        imd_rank: Option<u32>,
        /// National decile from the rank.
        imd_decile: Option<u8>,
        /// IMD score.
        imd_score: Option<f64>,
    },
}

/// The explanation of one figure.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    /// Layer id, or `la`.
    pub layer: String,
    /// Area code.
    pub code: String,
    /// Area name.
    pub name: String,
    /// Metric.
    pub metric: Metric,
    /// Phase (sufficiency metrics).
    pub phase: Phase,
    /// Year.
    pub year: i32,
    /// The figure (as in `summary`).
    pub value: Option<f64>,
    /// The formula in words and symbols.
    pub formula: String,
    /// How the LSOAs were weighted.
    pub weights: String,
    /// The inputs.
    pub inputs: Vec<Input>,
    /// The arithmetic, line by line.
    pub steps: Vec<String>,
}

/// Why an explanation could not be given.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    /// Unknown area.
    #[error("no area with code {code:?} in layer {layer}; `placeplan summary --layer {layer}` lists the codes")]
    UnknownArea {
        /// The layer.
        layer: String,
        /// The code asked for.
        code: String,
    },
    /// No figure for that phase/year.
    #[error("no {phase} figures for {year} (years with figures: {years})")]
    NoYear {
        /// The phase.
        phase: &'static str,
        /// The year asked for.
        year: i32,
        /// Years available.
        years: String,
    },
}

fn fmt(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// Explains `metric` for area `code` of `layer` (`None` = the authority).
///
/// # Errors
/// [`ExplainError`] for an unknown area code or a year without figures.
pub fn explain(
    ds: &Dataset,
    layer: Option<usize>,
    code: &str,
    metric: Metric,
    phase: Phase,
    year: Option<i32>,
) -> Result<Explanation, ExplainError> {
    let layer_id = layer.map_or_else(|| "la".to_owned(), |l| ds.layers[l].id.to_string());
    let area = match layer {
        Some(li) => Some(
            ds.layers[li]
                .areas
                .iter()
                .position(|a| a.code.as_str() == code)
                .ok_or_else(|| ExplainError::UnknownArea {
                    layer: layer_id.clone(),
                    code: code.to_owned(),
                })?,
        ),
        None => None,
    };
    let year = year.unwrap_or(ds.census_year);
    let ys = super::summary::years(ds, phase);
    if !ys.contains(&year) {
        return Err(ExplainError::NoYear {
            phase: phase.as_str(),
            year,
            years: ys.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        });
    }
    let row = match layer {
        Some(li) => super::summary::layer_rows(ds, li).and_then(|l| l.get(code, phase, year)),
        None => super::summary::la_rows(ds).iter().find(|r| r.phase == phase && r.year == year),
    };
    let name = row.map_or_else(|| code.to_owned(), |r| r.name.clone());
    // The members of the year's totals, as the row counts them.
    let members: Vec<usize> = match (layer, area) {
        (Some(li), Some(a)) => schools_by_area(ds, li, phase).swap_remove(a),
        _ => (0..ds.schools.len()).filter(|&i| ds.schools[i].in_totals(phase)).collect(),
    }
    .into_iter()
    .filter(|&si| ds.schools[si].open_in(year))
    .collect();
    let suppressed = members.iter().filter(|&&si| ds.suppressed(si, phase, year)).count();
    let school_inputs: Vec<Input> = members
        .iter()
        .map(|&si| {
            let s = &ds.schools[si];
            let (p, f) = school_pupils(ds, si, phase, year);
            Input::School {
                urn: s.urn.0,
                name: s.name.clone(),
                source: super::provenance::school_provenance(s, phase),
                capacity: school_places(ds, si, phase, year),
                pupils: p,
                suppressed: ds.suppressed(si, phase, year),
                from_forecast: f,
                fsm_pct: s.fsm_pct,
            }
        })
        .collect();
    let li = ds.lsoa_layer;
    let lsoa_pieces = pieces(ds, layer, area.unwrap_or(0));
    let lsoa_inputs: Vec<Input> = lsoa_pieces
        .iter()
        .map(|(l, p)| {
            let a = li.map(|li| &ds.layers[li].areas[*l]);
            Input::Lsoa {
                code: a.map_or_else(String::new, |a| a.code.to_string()),
                name: a.map_or_else(String::new, |a| a.name.clone()),
                weight: p.weight,
                population: p.population,
                children: p.children,
                imd_rank: p.imd_rank,
                imd_decile: p.imd_rank.map(decile),
                imd_score: p.imd_score,
            }
        })
        .collect();
    let dep = aggregate(&lsoa_pieces.iter().map(|x| x.1).collect::<Vec<_>>());
    let (cap, pup): (f64, f64) = school_inputs.iter().fold((0.0, 0.0), |a, i| match i {
        Input::School { capacity, pupils, .. } => (a.0 + capacity, a.1 + pupils),
        Input::Lsoa { .. } => a,
    });
    let m = ds.settings.operating_margin;
    let school_sum = |f: &dyn Fn(&Input) -> String| school_inputs.iter().map(f).collect::<Vec<_>>().join(" + ");
    let cap_terms = school_sum(&|i| match i {
        Input::School { capacity, .. } => fmt(*capacity),
        Input::Lsoa { .. } => String::new(),
    });
    let pup_terms = school_sum(&|i| match i {
        Input::School {
            pupils, suppressed: true, ..
        } => format!("{} ({})", fmt(*pupils), crate::model::disclosure::SUPPRESSED),
        Input::School { pupils, .. } => fmt(*pupils),
        Input::Lsoa { .. } => String::new(),
    });
    let total_pop: f64 = lsoa_pieces.iter().map(|x| x.1.population).sum();
    let (value, formula, steps, inputs): (Option<f64>, String, Vec<String>, Vec<Input>) = match metric {
        Metric::Capacity => (
            Some(cap),
            "capacity = Σ_schools places of the phase's year groups (see each school's source)".into(),
            vec![format!("{cap_terms} = {}", fmt(cap))],
            school_inputs,
        ),
        Metric::Pupils => (
            Some(pup),
            "pupils = Σ_schools pupils of the phase's year groups (census, or forecast)".into(),
            vec![format!("{pup_terms} = {}", fmt(pup))],
            school_inputs,
        ),
        Metric::Spare => (
            Some(cap - pup),
            "spare = capacity − pupils".into(),
            vec![
                format!("capacity = {cap_terms} = {}", fmt(cap)),
                format!("pupils = {pup_terms} = {}", fmt(pup)),
                format!("spare = {} − {} = {}", fmt(cap), fmt(pup), fmt(cap - pup)),
            ],
            school_inputs,
        ),
        Metric::SparePct => {
            let v = (cap > 0.0).then(|| 100.0 * (cap - pup) / cap);
            let b = ds.settings.bands;
            let band = row
                .and_then(|r| r.sufficiency.status)
                .map_or("n/a", super::sufficiency::Status::as_str);
            (
                v,
                "spare % = 100 × (capacity − pupils) / capacity".into(),
                vec![
                    format!("capacity = {}, pupils = {}", fmt(cap), fmt(pup)),
                    format!(
                        "100 × ({} − {}) / {} = {}",
                        fmt(cap),
                        fmt(pup),
                        fmt(cap),
                        v.map_or("n/a".into(), |v| format!("{v:.2}%"))
                    ),
                    format!(
                        "bands: deficit < {}% ≤ tight < {}% ≤ healthy ≤ {}% < surplus → {band}",
                        b.deficit_below * 100.0,
                        b.tight_below * 100.0,
                        b.healthy_below * 100.0
                    ),
                ],
                school_inputs,
            )
        }
        Metric::Shortfall | Metric::MarginShortfall => {
            let margin = metric == Metric::MarginShortfall;
            let k = if margin { 1.0 + m } else { 1.0 };
            let v = row.map_or((pup * k - cap).max(0.0), |r| {
                if margin {
                    r.sufficiency.margin_shortfall
                } else {
                    r.sufficiency.shortfall
                }
            });
            let mut steps = Vec::new();
            if margin {
                steps.push(format!(
                    "places needed = pupils × (1 + margin) = {} × {} = {}",
                    fmt(pup),
                    1.0 + m,
                    fmt(pup * k)
                ));
            }
            steps.push(format!(
                "max(0, {} − {}) = {}",
                fmt(pup * k),
                fmt(cap),
                fmt((pup * k - cap).max(0.0))
            ));
            if let Some(basis) = row.and_then(|r| r.shortfall_basis.clone()) {
                steps.push(format!(
                    "authority: summed over the areas of {basis} without netting surpluses = {}",
                    fmt(v)
                ));
            }
            (
                Some(v),
                if margin {
                    "margin shortfall = max(0, pupils × (1 + margin) − places); authority = Σ_areas".into()
                } else {
                    "shortfall (short by) = max(0, pupils − places); authority = Σ_areas shortfall".into()
                },
                steps,
                school_inputs,
            )
        }
        Metric::FsmPct => {
            // Weighted as the row is: by each school's whole headcount in the register.
            let parts: Vec<String> = members
                .iter()
                .filter_map(|&si| {
                    let s = &ds.schools[si];
                    Some(format!("{:.1}% × {}", s.fsm_pct?, fmt(s.pupils?)))
                })
                .collect();
            (
                row.and_then(|r| r.fsm_pct),
                "FSM % = Σ fsm% × headcount / Σ headcount (each school's whole roll in the register)".into(),
                vec![format!("({}) / Σ pupils", parts.join(" + "))],
                school_inputs,
            )
        }
        Metric::Children => (
            Some(dep.children_0_15),
            "children = Σ weight × LSOA children 0–15".into(),
            vec![format!("= {}", fmt(dep.children_0_15))],
            lsoa_inputs,
        ),
        Metric::ImdRank => {
            let terms: Vec<String> = lsoa_pieces
                .iter()
                .filter_map(|(_, p)| p.imd_rank.map(|r| format!("{} × {r}", fmt(p.population))))
                .collect();
            (
                dep.imd_rank_popweighted,
                "Σ p × rank / Σ p (p = weight × LSOA population; rank 1 = most deprived of 32,844)".into(),
                vec![format!(
                    "({}) / {} = {}",
                    terms.join(" + "),
                    fmt(total_pop),
                    dep.imd_rank_popweighted.map_or("n/a".into(), |v| format!("{v:.1}"))
                )],
                lsoa_inputs,
            )
        }
        Metric::ImdScore => (
            dep.imd_score_popweighted,
            "Σ p × score / Σ p".into(),
            vec![format!(
                "= {}",
                dep.imd_score_popweighted
                    .map_or("n/a (no IMD score in the deprivation files)".into(), |v| format!("{v:.3}"))
            )],
            lsoa_inputs,
        ),
        Metric::PctPopMostDeprivedDecile => {
            let d1: f64 = lsoa_pieces
                .iter()
                .filter(|(_, p)| p.imd_rank.map(decile) == Some(1))
                .map(|(_, p)| p.population)
                .sum();
            (
                dep.pct_pop_most_deprived_decile,
                "100 × Σ_{decile 1} p / Σ p, decile = ceil(10 × rank / 32,844)".into(),
                vec![format!(
                    "100 × {} / {} = {}",
                    fmt(d1),
                    fmt(total_pop),
                    dep.pct_pop_most_deprived_decile.map_or("n/a".into(), |v| format!("{v:.2}%"))
                )],
                lsoa_inputs,
            )
        }
        Metric::Extent => {
            let terms: Vec<String> = lsoa_pieces
                .iter()
                .filter_map(|(_, p)| p.imd_rank.map(|r| format!("{} × {:.4}", fmt(p.population), extent_weight(r))))
                .collect();
            (
                dep.extent_pct,
                "100 × Σ p e(rank) / Σ p; e = 1 in the most deprived 10%, tapering to 0 at 30%".into(),
                vec![format!("100 × ({}) / {}", terms.join(" + "), fmt(total_pop))],
                lsoa_inputs,
            )
        }
        Metric::LocalConcentration => (
            dep.local_concentration,
            format!(
                "population-weighted mean of reversed ranks ({} + 1 − rank) over the most deprived LSOAs holding 10% of the population",
                IOD2019_LSOAS
            ),
            vec![format!("10% of {} = {}", fmt(total_pop), fmt(0.1 * total_pop))],
            lsoa_inputs,
        ),
    };
    let weights = format!("{:?} apportionment weights", ds.weight_method).to_lowercase();
    let mut steps = steps;
    if suppressed > 0 && metric.is_sufficiency() {
        steps.insert(
            0,
            format!(
                "{suppressed} school(s) shown as {}: a count under 5, suppressed by disclosure control, is counted as 5",
                crate::model::disclosure::SUPPRESSED
            ),
        );
    }
    Ok(Explanation {
        layer: layer_id,
        code: code.to_owned(),
        name,
        metric,
        phase,
        year,
        value,
        formula,
        weights,
        inputs,
        steps,
    })
}
