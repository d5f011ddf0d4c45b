//! Resident population projected from population estimates alone — the Hamilton–Perry
//! cohort-change method (methods.md §1.7) — and its back-test on real history.
//!
//! From single-year-of-age populations `P₀` (mid-year `t₀`) and `P₁` (mid-year `t₁ = t₀ + k`):
//! 1. **Cohort-change ratios**: `C[a] = P₁[a + k] / P₀[a]` for the cohort aged `a` at `t₀`
//!    (`a + k ≤ 89`), and for the open group `C₉₀₊ = P₁[90+] / Σ_{a ≥ 90 − k} P₀[a]`.
//! 2. **Annual ratios**: each year of age `x → x + 1` takes the geometric mean of `C[a]^(1/k)`
//!    over the cohorts that made that step between `t₀` and `t₁` (`x − k < a ≤ x`); the open group
//!    `C₉₀₊^(1/k)`. With `k = 1` this is the ratio itself.
//! 3. **Births**: age 0 next year = age 0 this year × `(P₁[0] / P₀[0])^(1/k)` (the age-0 trend).
//! 4. **One year on**: `P̂[0] = P[0] × births`, `P̂[x + 1] = P[x] × s[x]`, `P̂[90+] = (P[89] + P[90+]) × s₉₀₊`.
//!
//! Ratios of one LSOA's single years of age are unstable (a cohort of 12 children that gains two
//! is a ratio of 1.17), so by default they are **pooled**: fitted on the authority's sums and
//! applied to every LSOA ([`Pool::Authority`]). [`Pool::Lsoa`] fits each LSOA's own, falling back
//! to the pooled ratio where the LSOA's cohort is under [`MIN_COHORT`]; the back-test scores both.
//!
//! Source: Hamilton & Perry (1962), *Social Forces* 41(2):163–170; Swanson, Schlottmann & Schmidt
//! (2010), *Population Research and Policy Review* 29:47–63.

use super::cohort::accuracy_pct;
use crate::base::Base;
use crate::model::ncy::{NCY_COUNT, Ncy};
use crate::model::{LayerKind, Phase};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Single years of age 0..=89 and the open group 90+.
pub const AGES: usize = 91;

/// An LSOA's own cohort ratio is used only when the cohort held at least this many people.
pub const MIN_COHORT: f64 = 10.0;

/// Where the ratios are fitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pool {
    /// On the authority's sums, applied to every LSOA.
    Authority,
    /// On each LSOA's own counts (the pooled ratio where its cohort is under [`MIN_COHORT`]).
    Lsoa,
    /// No projection at all: each age's count carried forward unchanged — the baseline any
    /// method must beat.
    Unchanged,
}

impl Pool {
    /// Every one, the default first.
    pub const ALL: [Pool; 3] = [Pool::Authority, Pool::Lsoa, Pool::Unchanged];

    /// Its name in words.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Pool::Authority => "ratios pooled over the authority",
            Pool::Lsoa => "each LSOA's own ratios",
            Pool::Unchanged => "baseline: no change",
        }
    }
}

/// Annual ratios fitted on two population years.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ratios {
    /// `survive[x]` for `x → x + 1`, `x` = 0..=88; `survive[89]`: 89 and 90+ → 90+.
    pub survive: Vec<f64>,
    /// Age 0 next year over age 0 this year.
    pub births: f64,
}

/// The cohort ratios `C[a]` (`None`: an empty cohort, or one under `min` people) and the
/// open group's, from `p0` and `p1` `k` years apart.
fn cohort_ratios(p0: &[f64], p1: &[f64], k: usize, min: f64) -> (Vec<Option<f64>>, Option<f64>) {
    let ok = |den: f64| den > 0.0 && den >= min;
    let c: Vec<Option<f64>> = (0..AGES - 1)
        .map(|a| (a + k <= AGES - 2 && ok(p0[a])).then(|| p1[a + k] / p0[a]))
        .collect();
    let open_base: f64 = p0[AGES - 1 - k.min(AGES - 1)..].iter().sum();
    (c, ok(open_base).then(|| p1[AGES - 1] / open_base))
}

/// Fits annual ratios on `p0` (year `t0`) and `p1` (year `t0 + k`); a ratio that cannot be
/// fitted (an empty cohort, or one under `min` people) is taken from `fallback`, else 1.
#[must_use]
pub fn fit(p0: &[f64], p1: &[f64], k: usize, min: f64, fallback: Option<&Ratios>) -> Ratios {
    let k = k.max(1);
    let inv = 1.0 / k as f64;
    let (c, open) = cohort_ratios(p0, p1, k, min);
    let open = open.map(|o| o.powf(inv));
    let mut survive: Vec<f64> = (0..AGES - 2)
        .map(|x| {
            // The cohorts that stepped from age x to x + 1 between the two years.
            let logs: Vec<f64> = (x.saturating_sub(k - 1)..=x)
                .filter_map(|a| c.get(a).copied().flatten())
                .filter(|r| *r > 0.0)
                .map(|r| r.ln() * inv)
                .collect();
            if logs.is_empty() {
                fallback.map_or_else(|| open.unwrap_or(1.0), |f| f.survive[x])
            } else {
                (logs.iter().sum::<f64>() / logs.len() as f64).exp()
            }
        })
        .collect();
    survive.push(open.or(fallback.map(|f| f.survive[AGES - 2])).unwrap_or(1.0));
    let births = if p0[0] > 0.0 && p0[0] >= min && p1[0] > 0.0 {
        (p1[0] / p0[0]).powf(inv)
    } else {
        fallback.map_or(1.0, |f| f.births)
    };
    Ratios { survive, births }
}

/// The population one year on from `p` ([`AGES`] long) under `r`.
#[must_use]
pub fn step(p: &[f64], r: &Ratios) -> Vec<f64> {
    let mut out = vec![0.0; AGES];
    out[0] = p[0] * r.births;
    for x in 0..AGES - 2 {
        out[x + 1] = p[x] * r.survive[x];
    }
    out[AGES - 1] = (p[AGES - 2] + p[AGES - 1]) * r.survive[AGES - 2];
    out
}

/// Every LSOA's populations in two years and the years between them, to fit its own ratios on.
pub type OwnFit<'a> = (&'a [Option<Vec<f64>>], &'a [Option<Vec<f64>>], usize);

/// Every LSOA projected `years` years on from `origin` under `pool`: the `pooled` ratios, each
/// LSOA's own fitted on `own` (its populations in two years `k` apart; `None` when only the
/// authority's sums are known for the first, and then the LSOA pool projects nothing), or no
/// change. `result[l][y]` is LSOA `l` `y + 1` years on (`None`: missing from a year used).
#[must_use]
pub fn project(
    pooled: &Ratios,
    own: Option<OwnFit<'_>>,
    origin: &[Option<Vec<f64>>],
    years: usize,
    pool: Pool,
) -> Vec<Option<Vec<Vec<f64>>>> {
    origin
        .iter()
        .enumerate()
        .map(|(l, o)| {
            let o = o.as_ref()?;
            let r = match pool {
                Pool::Authority => pooled.clone(),
                Pool::Lsoa => {
                    let (p0, p1, k) = own?;
                    fit(p0.get(l)?.as_ref()?, p1.get(l)?.as_ref()?, k, MIN_COHORT, Some(pooled))
                }
                Pool::Unchanged => return Some(vec![o.clone(); years]),
            };
            let mut out = Vec::with_capacity(years);
            let mut cur = o.clone();
            for _ in 0..years {
                cur = step(&cur, &r);
                out.push(cur.clone());
            }
            Some(out)
        })
        .collect()
}

/// `[start, end)` ages summed.
fn ages_sum(p: &[f64], (a, b): (u8, u8)) -> f64 {
    p.get(usize::from(a)..usize::from(b)).map_or(0.0, |x| x.iter().sum())
}

/// How one level's areas were projected in a back-test.
#[derive(Clone, Debug, Serialize)]
pub struct LevelScore {
    /// `lsoa`, a boundary layer's id, or `la`.
    pub level: String,
    /// The ages scored: a phase's (primary 4–10, secondary 11–15).
    pub phase: Phase,
    /// Where the ratios were fitted.
    pub pool: Pool,
    /// Areas scored (with people of those ages).
    pub areas: usize,
    /// Mean absolute accuracy % over them.
    pub mape: f64,
    /// The same by size band (actual people of those ages): label, areas, mean absolute %.
    pub bands: Vec<(String, usize, f64)>,
    /// For the authority: projected, actual and accuracy %.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<(f64, f64, Option<f64>)>,
}

/// A back-test of the projection on real history.
#[derive(Clone, Debug, Serialize)]
pub struct PopulationBacktest {
    /// The years the ratios were fitted on.
    pub fitted: (i32, i32),
    /// The year projected from (the later fitted year).
    pub origin: i32,
    /// The year projected and compared with its estimates.
    pub target: i32,
    /// Years ahead.
    pub horizon: usize,
    /// Scores per level, phase and pool.
    pub levels: Vec<LevelScore>,
    /// The method in words.
    pub method: String,
}

const BANDS: [(f64, &str); 4] = [(0.0, "under 100"), (100.0, "100–499"), (500.0, "500–1,999"), (2000.0, "2,000+")];

fn score(level: &str, phase: Phase, pool: Pool, pairs: &[(f64, f64)], la: bool) -> LevelScore {
    let acc: Vec<(f64, f64)> = pairs
        .iter()
        .filter_map(|&(f, a)| accuracy_pct(f, a).map(|p| (a, p.abs())))
        .collect();
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let bands = BANDS
        .iter()
        .enumerate()
        .filter_map(|(i, &(lo, label))| {
            let hi = BANDS.get(i + 1).map_or(f64::INFINITY, |b| b.0);
            let v: Vec<f64> = acc.iter().filter(|(a, _)| *a >= lo && *a < hi).map(|x| x.1).collect();
            (!v.is_empty()).then(|| (label.to_owned(), v.len(), mean(&v)))
        })
        .collect();
    LevelScore {
        level: level.to_owned(),
        phase,
        pool,
        areas: acc.len(),
        mape: mean(&acc.iter().map(|x| x.1).collect::<Vec<_>>()),
        bands,
        total: la.then(|| pairs.first().map(|&(f, a)| (f, a, accuracy_pct(f, a)))).flatten(),
    }
}

/// Back-tests the projection on the base's population years, once for each pair of LSOA years
/// (origin, target): ratios fitted on the authority's latest earlier year and the origin (the
/// LSOA table's years and the manifest's earlier estimates) project the origin to the target,
/// which is compared with its estimates for every LSOA, each ward and planning-area layer (LSOAs
/// apportioned with the base's weights) and the authority, for the primary (4–10) and secondary
/// (11–15) ages, with each pool. Only what existed at the origin is used.
///
/// # Errors
/// No origin with an earlier year to fit on and a later one to compare with.
pub fn backtest(base: &Base) -> Result<Vec<PopulationBacktest>, String> {
    let ys: Vec<i32> = base.population_years.keys().copied().collect();
    let mut runs = Vec::new();
    for (i, &origin) in ys.iter().enumerate() {
        let Some(t0) = base.population_sums.range(..origin).next_back().map(|(y, _)| *y) else {
            continue;
        };
        for &target in &ys[i + 1..] {
            runs.push(run(base, t0, origin, target));
        }
    }
    if runs.is_empty() {
        return Err(format!(
            "the population has {} year(s) of single ages by LSOA ({}) and {} in all; a back-test needs an LSOA year with an earlier year to fit on and a later one to compare with",
            ys.len(),
            ys.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            base.population_sums.len()
        ));
    }
    runs.sort_by_key(|r| (r.horizon, r.origin));
    Ok(runs)
}

/// One back-test: fitted on `t0` → `t1` (the origin), projecting `t1` to `t2`.
fn run(base: &Base, t0: i32, t1: i32, t2: i32) -> PopulationBacktest {
    let year = |y: i32| &base.population_years[&y];
    let horizon = usize::try_from(t2 - t1).unwrap_or(1).max(1);
    let k = usize::try_from(t1 - t0).unwrap_or(1).max(1);
    let pooled = fit(&base.population_sums[&t0], &base.population_sums[&t1], k, 0.0, None);
    let own = base.population_years.get(&t0).map(|p0| (p0.as_slice(), year(t1).as_slice(), k));
    let mut levels = Vec::new();
    for pool in Pool::ALL {
        if pool == Pool::Lsoa && own.is_none() {
            continue;
        }
        let proj = project(&pooled, own, year(t1), horizon, pool);
        let projected: Vec<Option<&Vec<f64>>> = proj.iter().map(|p| p.as_ref().and_then(|v| v.last())).collect();
        let actual = year(t2);
        for phase in [Phase::Primary, Phase::Secondary] {
            let ages = phase.ages();
            // Per LSOA: projected and actual (both known).
            let per: Vec<Option<(f64, f64)>> = projected
                .iter()
                .zip(actual)
                .map(|(f, a)| Some((ages_sum(f.as_ref()?, ages), ages_sum(a.as_ref()?, ages))))
                .collect();
            levels.push(score(
                "lsoa",
                phase,
                pool,
                &per.iter().flatten().copied().collect::<Vec<_>>(),
                false,
            ));
            for (li, l) in base.layers.iter().enumerate() {
                if !matches!(l.kind, LayerKind::Ward | LayerKind::PlanningArea) {
                    continue;
                }
                let Some(ap) = base.apportionments.get(li).and_then(Option::as_ref) else {
                    continue;
                };
                let pairs: Vec<(f64, f64)> = ap
                    .by_area
                    .iter()
                    .map(|ps| {
                        ps.iter().map(|&p| &ap.pieces[p]).fold((0.0, 0.0), |acc, p| {
                            let w = p.weight(base.weight_method);
                            per.get(p.lsoa)
                                .copied()
                                .flatten()
                                .map_or(acc, |(f, a)| (acc.0 + w * f, acc.1 + w * a))
                        })
                    })
                    .collect();
                levels.push(score(l.id.as_str(), phase, pool, &pairs, false));
            }
            let la = per.iter().flatten().fold((0.0, 0.0), |acc, (f, a)| (acc.0 + f, acc.1 + a));
            levels.push(score("la", phase, pool, &[la], true));
        }
    }
    PopulationBacktest {
        fitted: (t0, t1),
        origin: t1,
        target: t2,
        horizon,
        levels,
        method: format!(
            "Hamilton–Perry cohort-change ratios fitted on mid-{t0} → mid-{t1} single-year-of-age estimates (annualised over {k} year{}), projecting mid-{t1} {horizon} year{} on to mid-{t2}; accuracy % = 100 × (projected − estimate) / estimate, averaged as absolute values (MAPE). Wards and planning areas sum their LSOAs with the apportionment weights. The baseline carries mid-{t1} forward unchanged. The estimates compared with are ONS's own modelled figures, not counts.",
            if k == 1 { "" } else { "s" },
            if horizon == 1 { "" } else { "s" }
        ),
    }
}

/// The runs pages show: the shortest and the longest horizon, each from its latest origin.
#[must_use]
pub fn headline(runs: &[PopulationBacktest]) -> Vec<&PopulationBacktest> {
    let pick = |h: usize| runs.iter().filter(|r| r.horizon == h).max_by_key(|r| r.origin);
    let (Some(lo), Some(hi)) = (runs.iter().map(|r| r.horizon).min(), runs.iter().map(|r| r.horizon).max()) else {
        return Vec::new();
    };
    let mut out: Vec<&PopulationBacktest> = pick(lo).into_iter().collect();
    if hi != lo {
        out.extend(pick(hi));
    }
    out
}

impl PopulationBacktest {
    /// The back-test in one sentence, for pages and notes: the authority's accuracy and the
    /// mean absolute error over the areas of `layers` (id, title), each age group, pooled ratios.
    #[must_use]
    pub fn sentence(&self, layers: &[(&str, &str)]) -> String {
        let parts: Vec<String> = [Phase::Primary, Phase::Secondary]
            .iter()
            .filter_map(|&phase| {
                let of = |level: &str| {
                    self.levels
                        .iter()
                        .find(|l| l.level == level && l.phase == phase && l.pool == Pool::Authority)
                };
                let la = of("la")?.total?.2?;
                let areas: Vec<String> = layers
                    .iter()
                    .filter_map(|(id, title)| {
                        of(id).map(|l| format!("{:.1}% on average over {} {}", l.mape, l.areas, title.to_lowercase()))
                    })
                    .collect();
                let (a, b) = phase.ages();
                Some(format!(
                    "children aged {a}–{} {la:+.1}% for the authority{}",
                    b - 1,
                    if areas.is_empty() {
                        String::new()
                    } else {
                        format!(", {}", areas.join(", "))
                    }
                ))
            })
            .collect();
        format!(
            "Projection from population, tested on the authority's own history (ratios of mid-{} → mid-{}, mid-{} projected {} year{} on and compared with the mid-{} estimates): {}.",
            self.fitted.0,
            self.fitted.1,
            self.origin,
            self.horizon,
            if self.horizon == 1 { "" } else { "s" },
            self.target,
            parts.join("; ")
        )
    }
}

/// One school's pupils from the projection, for one year: low, central, high, and central by
/// year group (Reception = 0).
#[derive(Clone, Debug, PartialEq)]
pub struct ShareYear {
    /// Low.
    pub low: f64,
    /// Central.
    pub central: f64,
    /// High.
    pub high: f64,
    /// Central by year group ([`share_pupils`]).
    pub ncy: [f64; NCY_COUNT],
}

/// Forecasts of every school from the resident population alone: the LSOAs projected by pooled
/// Hamilton–Perry ratios ([`fit`], [`step`]) from the latest population year to the end of the
/// forecast horizon, and each school's **market share** by year group — its census-year pupils
/// of the year group over the resident children of that age in its planning area (the
/// authority without a planning-area layer; [`cohort_shares`]) — carried forward onto them
/// (methods.md §1.7) with Reception, Year 7 and Year 12 as the entry cohorts ([`share_pupils`]).
/// Low and high use the smallest and largest annual ratio of the fitted intervals, age by age.
#[derive(Clone, Debug)]
pub struct PopulationForecast {
    /// The first and last population years the ratios were fitted on.
    pub fitted: (i32, i32),
    /// `schools[(urn, phase)][year]`.
    pub schools: HashMap<(u32, Phase), BTreeMap<i32, ShareYear>>,
    /// Every LSOA's single ages in each projected year after the latest estimate (central):
    /// `lsoa_years[year][l]`.
    pub lsoa_years: BTreeMap<i32, Vec<Option<Vec<f64>>>>,
    /// Age 0 from the manifest's births series, where it was used.
    pub births: Option<BirthsFit>,
    /// The method in words (for notes and pages).
    pub method: String,
}

/// Age 0 from a births series: the births of the twelve months to each mid-year, scaled by the
/// mean ratio of the estimated age 0 to those births over the population years that have both.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BirthsFit {
    /// Age 0 at mid-year over the births of the twelve months before it.
    pub ratio: f64,
    /// The population years it was fitted on.
    pub fitted: Vec<i32>,
    /// The authority's age 0 in each projected year whose births are known.
    pub age0: BTreeMap<i32, f64>,
}

/// Fits [`BirthsFit`] on the authority's single ages `sums` and the births `mid_year`, for the
/// years after the latest estimate `last` up to `end`; `None` when no year has both, or no
/// projected year has births.
#[must_use]
pub fn births_age0(sums: &BTreeMap<i32, Vec<f64>>, mid_year: &BTreeMap<i32, f64>, last: i32, end: i32) -> Option<BirthsFit> {
    let pairs: Vec<(i32, f64)> = sums
        .iter()
        .filter_map(|(y, p)| {
            let b = *mid_year.get(y)?;
            (b > 0.0).then(|| (*y, p.first().copied().unwrap_or(0.0) / b))
        })
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let ratio = pairs.iter().map(|p| p.1).sum::<f64>() / pairs.len() as f64;
    let age0: BTreeMap<i32, f64> = mid_year.range(last + 1..=end).map(|(&y, &b)| (y, ratio * b)).collect();
    (!age0.is_empty()).then(|| BirthsFit {
        ratio,
        fitted: pairs.iter().map(|p| p.0).collect(),
        age0,
    })
}

/// Ratios for the low, central and high projections: central fitted on the first and last year,
/// low and high the smallest and largest of each interval's, age by age.
fn variants(sums: &[(i32, Vec<f64>)]) -> Option<[Ratios; 3]> {
    let (first, last) = (sums.first()?, sums.last()?);
    let k = usize::try_from(last.0 - first.0).ok().filter(|k| *k > 0)?;
    let central = fit(&first.1, &last.1, k, 0.0, None);
    let parts: Vec<Ratios> = sums
        .windows(2)
        .filter_map(|w| {
            let k = usize::try_from(w[1].0 - w[0].0).ok().filter(|k| *k > 0)?;
            Some(fit(&w[0].1, &w[1].1, k, 0.0, None))
        })
        .collect();
    let pick = |f: fn(f64, f64) -> f64| Ratios {
        survive: (0..central.survive.len())
            .map(|x| parts.iter().map(|r| r.survive[x]).fold(central.survive[x], f))
            .collect(),
        births: parts.iter().map(|r| r.births).fold(central.births, f),
    };
    Some([pick(f64::min), central.clone(), pick(f64::max)])
}

/// The year groups of `phase` that school `s` teaches, as Ncy indexes `(first, last)`: those of
/// its statutory ages ([`School::year_groups`]; the whole phase without ages), widened to every
/// year group or key stage in which the census counts pupils there (GIAS gives many primary
/// schools a statutory low age of 5, compulsory school age, although they teach Reception);
/// `None` when it teaches none of the phase. A junior school's primary span is Years 3–6, a 14–19
/// school's secondary Years 10–11.
///
/// [`School::year_groups`]: crate::model::School::year_groups
#[must_use]
pub fn school_span(base: &Base, s: &crate::model::School, phase: Phase) -> Option<(usize, usize)> {
    let (a, b) = (phase.year_groups().0.index(), phase.year_groups().1.index());
    let (f, l) = s.year_groups().map_or((a, b), |((f, l), _)| (f.index(), l.index()));
    let mut span = (a.max(f), b.min(l));
    let mut widen = |g0: usize, g1: usize, n: Option<f64>| {
        let (g0, g1) = (g0.max(a), g1.min(b));
        if g0 <= g1 && n.is_some_and(|n| n > 0.0) {
            span = (span.0.min(g0), span.1.max(g1));
        }
    };
    if let Some(row) = base.rolls.get(&s.urn.0).and_then(|r| r.get(&base.census_year)) {
        for (g, n) in row.iter().enumerate() {
            widen(g, g, *n);
        }
    }
    if let Some(st) = base.stages.get(&s.urn.0) {
        for (g0, g1, n) in st.by_year_groups() {
            widen(g0, g1, n);
        }
    }
    (span.0 <= span.1).then_some(span)
}

/// A school's census-year pupils in its `span` of year groups, in groups `(first, last, pupils)`
/// (Ncy indexes, inclusive), scaled to its census figure `now`: each year group from the
/// census-year roll; else Reception and the key stages of the pupils-by-stage table (KS1 =
/// Years 1–2, KS2 = 3–6, KS3 = 7–9, KS4 = 10–11, KS5 = 12–13), each cut to the span (a middle
/// school's KS2 is its Years 5–6); else the span as one group.
#[must_use]
pub fn census_groups(base: &Base, urn: u32, span: (usize, usize), now: f64) -> Vec<(usize, usize, f64)> {
    let (a, b) = span;
    let whole = vec![(a, b, now)];
    let roll = base
        .rolls
        .get(&urn)
        .and_then(|r| r.get(&base.census_year))
        .and_then(|row| (a..=b).map(|g| row[g].map(|n| (g, g, n))).collect::<Option<Vec<_>>>());
    let stages = || {
        let st = base.stages.get(&urn)?;
        st.by_year_groups()
            .into_iter()
            .filter_map(|(f, l, n)| {
                let (f, l) = (f.max(a), l.min(b));
                (f <= l).then_some((f, l, n))
            })
            .map(|(f, l, n)| n.map(|n| (f, l, n)))
            .collect::<Option<Vec<_>>>()
    };
    let Some(groups) = roll.or_else(stages) else { return whole };
    let sum: f64 = groups.iter().map(|g| g.2).sum();
    if sum <= 0.0 {
        return whole;
    }
    groups.into_iter().map(|(f, l, n)| (f, l, n * now / sum)).collect()
}

/// Each year group's census-year share of the resident children of its age (`residents[g]`)
/// over the school's `span`: a group's pupils over its ages' residents. A group with no
/// residents takes the span's share; `None` when the span has no residents at all.
#[must_use]
pub fn cohort_shares(groups: &[(usize, usize, f64)], residents: &[f64; NCY_COUNT], span: (usize, usize)) -> Option<[f64; NCY_COUNT]> {
    let (a, b) = span;
    let all: f64 = residents[a..=b].iter().sum();
    if all <= 0.0 {
        return None;
    }
    let pupils: f64 = groups.iter().map(|g| g.2).sum();
    let mut out = [0.0; NCY_COUNT];
    out[a..=b].fill(pupils / all);
    for &(f, l, n) in groups {
        let den: f64 = residents[f..=l].iter().sum();
        if den > 0.0 {
            out[f..=l].fill(n / den);
        }
    }
    Some(out)
}

/// A school's pupils by year group `d` years after the census, given the resident children of
/// each year group's age that year: each cohort in the school at the census keeps its share of
/// its resident cohort as it moves up a year group a year, and leaves after the school's last
/// year group; a cohort that entered after the census takes the share of the school's **entry**
/// year group (the first of its `span`: Reception, Year 3 of a junior school, Year 7, Year 12).
#[must_use]
pub fn share_pupils(shares: &[f64; NCY_COUNT], span: (usize, usize), d: usize, residents: &[f64; NCY_COUNT]) -> [f64; NCY_COUNT] {
    let (a, b) = span;
    let mut out = [0.0; NCY_COUNT];
    for g in a..=b {
        let share = match g.checked_sub(d) {
            Some(from) if from >= a => shares[from],
            _ => shares[a],
        };
        out[g] = share * residents[g];
    }
    out
}

impl PopulationForecast {
    /// Builds the forecasts of every register school in a phase's totals, for the forecast
    /// years after the census; `None` without two population years of single ages.
    #[must_use]
    pub fn build(base: &Base) -> Option<Self> {
        let years: Vec<i32> = base.population_years.keys().copied().collect();
        if years.len() < 2 {
            return None;
        }
        // The authority's sums of the LSOA years (made once, at load).
        let sums: Vec<(i32, Vec<f64>)> = years.iter().map(|y| (*y, base.population_sums[y].clone())).collect();
        let ratios = variants(&sums)?;
        let last = *years.last()?;
        let census = base.census_year;
        let horizon = Phase::ALL
            .iter()
            .map(|&p| i32::try_from(base.settings.forecast.years(p)).unwrap_or(0))
            .max()
            .unwrap_or(0);
        let end = census + horizon;
        // Each LSOA in each year from the latest estimate on: `by_year[y][variant][l]`.
        let origin = &base.population_years[&last];
        let births = base
            .births
            .as_ref()
            .and_then(|b| births_age0(&base.population_sums, &b.mid_year, last, end));
        let mut by_year: BTreeMap<i32, [Vec<Option<Vec<f64>>>; 3]> = BTreeMap::new();
        let mut cur: [Vec<Option<Vec<f64>>>; 3] = [origin.clone(), origin.clone(), origin.clone()];
        for y in last + 1..=end {
            for (v, r) in ratios.iter().enumerate() {
                // Where births are known, every LSOA's age 0 moves with the authority's births.
                let known = births.as_ref().and_then(|b| b.age0.get(&y)).and_then(|&a0| {
                    let now: f64 = cur[v].iter().flatten().map(|p| p[0]).sum();
                    (now > 0.0).then(|| Ratios {
                        survive: r.survive.clone(),
                        births: a0 / now,
                    })
                });
                let r = known.as_ref().unwrap_or(r);
                cur[v] = cur[v].iter().map(|p| p.as_ref().map(|p| step(p, r))).collect();
            }
            by_year.insert(y, cur.clone());
        }
        // Years up to the latest estimate are the estimates themselves.
        for (&y, pop) in &base.population_years {
            by_year.insert(y, [pop.clone(), pop.clone(), pop.clone()]);
        }
        if !by_year.contains_key(&census) {
            return None;
        }
        let mut schools = HashMap::new();
        for phase in Phase::ALL {
            let (a, b) = phase.year_groups();
            let li = base.planning_area_layer(phase);
            // Each area's LSOAs with their weights (the authority: every LSOA, whole).
            let areas: Vec<Vec<(usize, f64)>> = match li.and_then(|li| base.apportionments.get(li)?.as_ref()) {
                Some(ap) => ap
                    .by_area
                    .iter()
                    .map(|ps| {
                        ps.iter()
                            .map(|&p| (ap.pieces[p].lsoa, ap.pieces[p].weight(base.weight_method)))
                            .collect()
                    })
                    .collect(),
                None => vec![(0..base.lsoas.len()).map(|l| (l, 1.0)).collect()],
            };
            // Each area's resident children of each year group's age, once per year and variant:
            // `residents[&year][variant][area][g]`.
            let h = i32::try_from(base.settings.forecast.years(phase)).unwrap_or(0);
            let residents: BTreeMap<i32, [Vec<[f64; NCY_COUNT]>; 3]> = (census..=census + h)
                .filter_map(|y| {
                    let pops = by_year.get(&y)?;
                    Some((
                        y,
                        pops.each_ref().map(|pop| {
                            areas
                                .iter()
                                .map(|area| {
                                    let mut out = [0.0; NCY_COUNT];
                                    for (g, n) in out.iter_mut().enumerate().take(b.index() + 1).skip(a.index()) {
                                        let age = Ncy::from_index(g).map_or(0, |g| usize::from(g.age()));
                                        *n = area
                                            .iter()
                                            .map(|&(l, w)| w * pop.get(l).and_then(|p| p.as_ref()).map_or(0.0, |p| p[age]))
                                            .sum();
                                    }
                                    out
                                })
                                .collect()
                        }),
                    ))
                })
                .collect();
            let now_residents = &residents[&census][1];
            for (si, s) in base.register.iter().enumerate() {
                if !s.in_totals(phase) {
                    continue;
                }
                let area = match li {
                    Some(li) => match base.placements[li][si].area() {
                        Some(a) => a,
                        None => continue,
                    },
                    None => 0,
                };
                let Some(now) = s.pupils_now(phase) else { continue };
                let Some(span) = school_span(base, s, phase) else { continue };
                let Some(shares) = cohort_shares(&census_groups(base, s.urn.0, span, now), &now_residents[area], span) else {
                    continue;
                };
                let mut out = BTreeMap::new();
                for y in census + 1..=census + h {
                    let Some(res) = residents.get(&y) else { continue };
                    let d = usize::try_from(y - census).unwrap_or(0);
                    let [lo, c, hi] = [0, 1, 2].map(|v| share_pupils(&shares, span, d, &res[v][area]));
                    out.insert(
                        y,
                        ShareYear {
                            low: lo.iter().sum(),
                            central: c.iter().sum(),
                            high: hi.iter().sum(),
                            ncy: c,
                        },
                    );
                }
                schools.insert((s.urn.0, phase), out);
            }
        }
        let (first, last) = (years[0], last);
        let lsoa_years = by_year
            .into_iter()
            .filter(|(y, _)| *y > last)
            .map(|(y, [_, central, _])| (y, central))
            .collect();
        let youngest = match (&births, &base.births) {
            (Some(b), Some(input)) => {
                let (f, l) = (
                    b.age0.keys().next().copied().unwrap_or(last),
                    b.age0.keys().next_back().copied().unwrap_or(last),
                );
                let fit = b.fitted.iter().map(|y| format!("mid-{y}")).collect::<Vec<_>>().join(", ");
                format!(
                    "Age 0 at mid-{f}{} is the births of the twelve months before ({}) × {:.3}, the ratio of estimated age 0 to births at {fit}, each LSOA keeping its share; after that, and without births, age 0 follows its mid-{first} to mid-{last} trend.",
                    if f == l { String::new() } else { format!(" to mid-{l}") },
                    input.file,
                    b.ratio
                )
            }
            (None, Some(input)) => format!(
                "Age 0 follows its mid-{first} to mid-{last} trend: the births table ({}) has no year after mid-{last} that a year of the estimates can scale, so it is not used.",
                input.file
            ),
            (_, None) => format!("Age 0 follows its mid-{first} to mid-{last} trend (no births table)."),
        };
        Some(Self {
            fitted: (first, last),
            schools,
            lsoa_years,
            births,
            method: format!(
                "Projection from population: the mid-{first} to mid-{last} single-year-of-age estimates give cohort-change ratios (Hamilton–Perry, pooled over the authority; low and high from the smallest and largest ratio of each interval), which carry every LSOA forward. {youngest} Each school's share of its planning area's resident children of each year group's age in the census year (market share; year groups from the census-year roll, else from the school census stages: Reception, Key Stages 1 to 5) is carried forward: a cohort in the school at the census keeps its share as it moves up; Reception, Year 7 and Year 12 are the entry cohorts, and each later intake takes the school's census-year share of the children of entry age."
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ages(f: impl Fn(usize) -> f64) -> Vec<f64> {
        (0..AGES).map(f).collect()
    }

    #[test]
    fn a_worked_example_with_k_one() {
        // Ages 0, 1, 2 … : 100, 90, 80 … in t0; 110, 95, 88 … in t1.
        let p0 = ages(|a| 100.0 - a as f64);
        let mut p1 = p0.clone();
        (p1[0], p1[1], p1[2]) = (110.0, 95.0, 88.0);
        let r = fit(&p0, &p1, 1, 0.0, None);
        assert!((r.births - 1.1).abs() < 1e-12, "births 110 / 100");
        assert!((r.survive[0] - 0.95).abs() < 1e-12, "age 0 → 1: 95 / 100");
        assert!((r.survive[1] - 88.0 / 99.0).abs() < 1e-12, "age 1 → 2: 88 / 99");
        let next = step(&p1, &r);
        assert!((next[0] - 121.0).abs() < 1e-9);
        assert!((next[1] - 110.0 * 0.95).abs() < 1e-9);
        assert!((next[2] - 95.0 * 88.0 / 99.0).abs() < 1e-9);
    }

    #[test]
    fn two_year_ratios_are_annualised_over_the_cohorts_that_made_each_step() {
        // Every cohort grows by 21% over two years: 10% a year.
        let p0 = ages(|_| 100.0);
        let p1 = ages(|_| 121.0);
        let r = fit(&p0, &p1, 2, 0.0, None);
        for x in 0..85 {
            assert!((r.survive[x] - 1.1).abs() < 1e-12, "{x}: {}", r.survive[x]);
        }
        assert!((r.births - 1.1).abs() < 1e-12);
    }

    #[test]
    fn constant_ratios_keep_a_stationary_population() {
        let p = ages(|a| 1000.0 - 10.0 * a as f64);
        let r = fit(&p, &p, 1, 0.0, None);
        let mut cur = p.clone();
        for _ in 0..5 {
            cur = step(&cur, &r);
        }
        for a in 0..AGES - 1 {
            assert!((cur[a] - p[a]).abs() < 1e-6 * p[a].max(1.0), "age {a}: {} vs {}", cur[a], p[a]);
        }
    }

    #[test]
    fn entry_cohorts_take_the_intake_share_and_older_cohorts_keep_theirs() {
        // 100 resident children of every primary age; the school has 30 in Reception, 40 in
        // Key Stage 1 (Years 1–2) and 60 in Key Stage 2 (Years 3–6).
        let mut residents = [0.0; NCY_COUNT];
        residents[..7].fill(100.0);
        let groups = [(0, 0, 30.0), (1, 2, 40.0), (3, 6, 60.0)];
        let shares = cohort_shares(&groups, &residents, (0, 6)).expect("residents");
        assert_eq!(&shares[..7], &[0.3, 0.2, 0.2, 0.15, 0.15, 0.15, 0.15]);
        assert_eq!(shares[7], 0.0, "no secondary share in a primary phase");
        // A year on: a new Reception of 30, last year's Reception is Year 1 (30), Year 1 is
        // Year 2 (20), Year 2 is Year 3 (20), Years 3–5 are Years 4–6 (15 each); Year 6 left.
        let next = share_pupils(&shares, (0, 6), 1, &residents);
        assert_eq!(&next[..7], &[30.0, 30.0, 20.0, 20.0, 15.0, 15.0, 15.0]);
        assert_eq!(next.iter().sum::<f64>(), 145.0);
        // Seven years on every cohort entered after the census: 7 × 30.
        assert_eq!(share_pupils(&shares, (0, 6), 7, &residents).iter().sum::<f64>(), 210.0);
        // Fewer four-year-olds (80) shrink only the intake.
        let mut fewer = residents;
        fewer[0] = 80.0;
        assert_eq!(share_pupils(&shares, (0, 6), 1, &fewer)[0], 24.0);
    }

    #[test]
    fn a_junior_and_an_infant_school_keep_their_own_year_groups() {
        let mut residents = [0.0; NCY_COUNT];
        residents[..7].fill(100.0);
        // A junior school (Years 3–6): Key Stage 2 only, 30 a year group; its intake is Year 3.
        let junior = cohort_shares(&[(3, 6, 120.0)], &residents, (3, 6)).expect("residents");
        for d in [1, 4, 7] {
            let next = share_pupils(&junior, (3, 6), d, &residents);
            assert_eq!(next.iter().sum::<f64>(), 120.0, "{d} years on");
            assert!(
                next[..3].iter().all(|n| *n == 0.0),
                "no Reception or Key Stage 1 at a junior school"
            );
        }
        // An infant school (Reception–Year 2): cohorts leave after Year 2.
        let infant = cohort_shares(&[(0, 0, 40.0), (1, 2, 60.0)], &residents, (0, 2)).expect("residents");
        let next = share_pupils(&infant, (0, 2), 1, &residents);
        assert_eq!(&next[..4], &[40.0, 40.0, 30.0, 0.0]);
    }

    #[test]
    fn one_share_for_the_whole_phase_and_a_stationary_population_keep_the_roll() {
        let mut residents = [0.0; NCY_COUNT];
        residents[7..12].copy_from_slice(&[200.0, 210.0, 190.0, 205.0, 195.0]);
        let shares = cohort_shares(&[(7, 11, 500.0)], &residents, (7, 11)).expect("residents");
        for d in 1..6 {
            let total: f64 = share_pupils(&shares, (7, 11), d, &residents).iter().sum();
            assert!((total - 500.0).abs() < 1e-9, "{d}: {total}");
        }
        assert!(cohort_shares(&[(7, 11, 500.0)], &[0.0; NCY_COUNT], (7, 11)).is_none());
    }

    #[test]
    fn births_scale_age_zero_by_the_ratio_fitted_where_both_are_known() {
        let sums: BTreeMap<i32, Vec<f64>> = [(2019, 980.0), (2020, 1010.0)]
            .into_iter()
            .map(|(y, a0)| (y, ages(|a| if a == 0 { a0 } else { 1000.0 })))
            .collect();
        // Age 0 is 98% and 101% of the births before it: the ratio is their mean, 0.995.
        let births: BTreeMap<i32, f64> = [(2019, 1000.0), (2020, 1000.0), (2021, 900.0), (2022, 950.0), (2030, 1.0)].into();
        let fit = births_age0(&sums, &births, 2020, 2025).expect("two years to fit on");
        assert!((fit.ratio - 0.995).abs() < 1e-12);
        assert_eq!(fit.fitted, vec![2019, 2020]);
        assert_eq!(
            fit.age0.keys().copied().collect::<Vec<_>>(),
            vec![2021, 2022],
            "only the projected years, up to the end"
        );
        assert!((fit.age0[&2021] - 895.5).abs() < 1e-9);
        let none: BTreeMap<i32, f64> = [(2015, 1000.0), (2021, 900.0)].into();
        assert!(
            births_age0(&sums, &none, 2020, 2025).is_none(),
            "no year has both: nothing to scale by"
        );
    }

    #[test]
    fn small_cohorts_take_the_pooled_ratio() {
        let p0 = ages(|a| if a == 5 { 3.0 } else { 50.0 });
        let mut p1 = p0.clone();
        p1[6] = 6.0; // a doubling of a cohort of 3
        let pooled = Ratios {
            survive: vec![0.99; AGES - 1],
            births: 1.0,
        };
        let r = fit(&p0, &p1, 1, MIN_COHORT, Some(&pooled));
        assert_eq!(r.survive[5], 0.99, "the cohort of 3 is too small for its own ratio");
        assert!((r.survive[3] - 1.0).abs() < 1e-12, "a cohort of 50 keeps its own ratio");
    }
}
