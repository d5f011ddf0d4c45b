//! Each school's scope, phases, places and pupils by phase, resolved once at load from every
//! input, best source first (methods.md §1.6; DfE SCAP guide). The rules, in order:
//!
//! **Scope.** [`CountingRule::scope`] by establishment type: state-funded mainstream schools count,
//! 16–19 academies count for post-16 only, the rest not at all. A school counts in the phases its
//! statutory ages reach ([`School::year_groups`]); nursery years never count.
//!
//! **Pupils of a phase** (its year groups only):
//! 1. `[rolls]`: the census year's headcounts by year group;
//! 2. the pupils-by-stage table: primary = reception + KS1 + KS2, secondary = KS3 + KS4, post16 = KS5;
//! 3. the same table's row for the closed predecessor (same LAESTAB, or the one GIAS names) —
//!    a converter academy's first census often has a blank roll;
//! 4. the register's `NumberOfPupils` (its own, else the predecessor's), an **estimate**: the
//!    headcount spread evenly over the school's year groups, nursery years included, and only
//!    the phase's share kept — a 3–11 primary of 240 counts 240 × 7/8 = 210 in Reception–Year 6.
//!
//! **Places of a phase:**
//! 1. a capacity table's primary / secondary split (SCAP `PrimaryCapacity`, `SecondaryCapacity`)
//!    for all-through and middle schools; its secondary figure covers Years 7–13 and is split
//!    Y7–Y11 : Y12–13 by year groups when the school has a sixth form (an estimate);
//! 2. the register's capacity (its own, else the predecessor's), whole for a one-phase school;
//!    otherwise an **estimate**: split between primary and Years 7–13 by year groups (7 : 7 for a
//!    4–18 school), and the Years 7–13 part (from either source) split between secondary and sixth
//!    form in proportion to the school's pupils in each (`[settings] sixth_form_split = "roll"`,
//!    the default: both phases show the school's own spare share) or by year groups (5 : 2,
//!    `"year_groups"`). Sixth forms hold fewer pupils per year group than Years 7–11, so a
//!    year-group split would understate secondary places and show deficits that are not there.
//!
//! A school GIAS says "Does not have a sixth form" counts no post-16 phase, whatever its ages.
//!
//! A phase with places but no pupils, or pupils but no places, is **no data**: it is left out of
//! every total (never counted as 0) and listed. Pupils above 125% of places are a warning.

use crate::ids::Urn;
use crate::manifest::SixthFormSplit;
use crate::model::figures::ROLL_SPLIT;
use crate::model::{CountingRule, Figure, FigureSource, Phase, School, Scope};
use crate::problem::{Problem, Severity};
use crate::readers::pupils_by_stage::StageTable;
use crate::readers::rolls::Rolls;
use serde::Serialize;
use std::collections::HashMap;

/// Pupils above this multiple of places are implausible.
pub const IMPLAUSIBLE_RATIO: f64 = 1.25;

/// What happened to one school, for `check`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SchoolNote {
    /// The school's URN.
    pub urn: Urn,
    /// Its name.
    pub name: String,
    /// What kind of note.
    pub kind: NoteKind,
    /// The note in words.
    pub text: String,
}

/// Kinds of [`SchoolNote`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// Left out of place planning by its type.
    Excluded,
    /// Counted for post-16 only.
    Post16Only,
    /// A figure is an estimate.
    Estimated,
    /// A figure was taken from its closed predecessor.
    Linked,
    /// A phase it serves has no places or no pupils: left out of the totals.
    NoData,
    /// Pupils far above places, or pupils with no places.
    Implausible,
}

/// Where the inputs for [`resolve`] come from.
pub struct FigureInputs<'a> {
    /// The counting rule.
    pub rule: &'a CountingRule,
    /// Rolls by year group.
    pub rolls: &'a Rolls,
    /// The pupils-by-stage table, with its file name.
    pub stages: Option<(&'a StageTable, String)>,
    /// The census year.
    pub census_year: i32,
    /// The register's file, for problems.
    pub register: String,
    /// How a Years 7–13 capacity is split between secondary and sixth form.
    pub sixth_form_split: SixthFormSplit,
}

/// The closed predecessor of each open school: the closed school with the same LAESTAB, or the
/// one GIAS names in `PreviousLA (code)` + `PreviousEstablishmentNumber`.
fn predecessors(schools: &[School]) -> Vec<Option<usize>> {
    let mut closed: HashMap<u32, usize> = HashMap::new();
    for (i, s) in schools.iter().enumerate() {
        if !s.open
            && let Some(k) = s.laestab
        {
            // Keep the one with the most figures when a LAESTAB was closed more than once.
            let better = closed.get(&k).is_none_or(|&j| schools[j].pupils.is_none() && s.pupils.is_some());
            if better {
                closed.insert(k, i);
            }
        }
    }
    schools
        .iter()
        .map(|s| {
            if !s.open {
                return None;
            }
            s.previous_laestab
                .and_then(|k| closed.get(&k))
                .or_else(|| s.laestab.and_then(|k| closed.get(&k)))
                .copied()
        })
        .collect()
}

fn rolls_pupils(rolls: &Rolls, urn: Urn, year: i32, phase: Phase) -> Option<f64> {
    let row = rolls.get(&urn.0)?.get(&year)?;
    let (a, b) = phase.year_groups();
    let vals: Vec<f64> = (a.index()..=b.index()).filter_map(|i| row[i]).collect();
    (!vals.is_empty()).then(|| vals.iter().sum())
}

fn fmt(v: f64) -> String {
    crate::text::thousands(v)
}

/// A school's places before the secondary / sixth-form split: (primary, Years 7–13, source, the
/// rule of the estimate if any, the predecessor they came from).
type Parts<'a> = (Option<f64>, Option<f64>, FigureSource, Option<String>, Option<&'a School>);

/// Resolves scope, phases and figures of every school, pushing a problem for each warning and
/// returning every note for `check`.
pub fn resolve(schools: &mut [School], inp: &FigureInputs<'_>, problems: &mut Vec<Problem>) -> Vec<SchoolNote> {
    let preds = predecessors(schools);
    let mut notes = Vec::new();
    let mut resolved = Vec::with_capacity(schools.len());
    for (i, s) in schools.iter().enumerate() {
        let pred = preds[i].map(|j| &schools[j]);
        resolved.push(resolve_one(s, pred, inp, &mut notes, problems));
    }
    for (s, (scope, phases, figures)) in schools.iter_mut().zip(resolved) {
        s.scope = scope;
        s.phases = phases;
        s.figures = figures;
    }
    notes
}

fn resolve_one(
    s: &School,
    pred: Option<&School>,
    inp: &FigureInputs<'_>,
    notes: &mut Vec<SchoolNote>,
    problems: &mut Vec<Problem>,
) -> (Scope, Vec<Phase>, crate::model::PhaseFigures) {
    let mut figures = crate::model::PhaseFigures::default();
    let scope = inp.rule.scope(&s.establishment_type, &s.phase_of_education);
    let mut note = |kind: NoteKind, text: String| {
        if s.open {
            notes.push(SchoolNote {
                urn: s.urn,
                name: s.name.clone(),
                kind,
                text,
            });
        }
    };
    match &scope {
        Scope::Excluded(why) => {
            note(NoteKind::Excluded, format!("{} — {why}", s.establishment_type));
            return (scope, Vec::new(), figures);
        }
        Scope::Post16Only => note(
            NoteKind::Post16Only,
            format!("{}: counted for post-16 (Years 12–13) only", s.establishment_type),
        ),
        Scope::Mainstream => {}
    }
    let mut phases: Vec<Phase> = Phase::ALL
        .into_iter()
        .filter(|&p| s.year_groups_in(p) > 0)
        .filter(|&p| scope != Scope::Post16Only || p == Phase::Post16)
        .collect();
    if phases.is_empty() {
        note(
            NoteKind::NoData,
            format!(
                "no year groups between Reception and Year 13 (ages {}–{}, phase {:?})",
                s.low_age.map_or_else(|| "?".into(), |a| a.to_string()),
                s.high_age.map_or_else(|| "?".into(), |a| a.to_string()),
                s.phase_of_education
            ),
        );
        return (scope, phases, figures);
    }
    let loc = format!("school URN {} (row {})", s.urn, s.row);
    let stage_row = inp.stages.as_ref().and_then(|(t, _)| t.get(&s.urn.0));
    let pred_stage_row = pred.and_then(|p| inp.stages.as_ref().and_then(|(t, _)| t.get(&p.urn.0)));
    let nursery_years = s.year_groups().map_or(0, |(_, n)| n);
    let own_ygs: usize = phases.iter().map(|&p| s.year_groups_in(p)).sum();

    // Pupils.
    for &p in &phases {
        let f = if let Some(v) = rolls_pupils(inp.rolls, s.urn, inp.census_year, p) {
            Some(Figure::exact(v, FigureSource::Rolls))
        } else if let Some(v) = stage_row.and_then(|r| r.phase(p)) {
            Some(Figure::exact(v, FigureSource::PupilsByStage))
        } else if let (Some(v), Some(pr)) = (pred_stage_row.and_then(|r| r.phase(p)), pred) {
            let mut f = Figure::exact(v, FigureSource::PupilsByStage);
            f.from_predecessor = Some(pr.urn);
            note(
                NoteKind::Linked,
                format!("{} pupils: {} from predecessor URN {} ({})", p.as_str(), fmt(v), pr.urn, pr.name),
            );
            Some(f)
        } else {
            let (headcount, from) = match (s.pupils, pred.and_then(|pr| pr.pupils.map(|v| (v, pr)))) {
                (Some(v), _) => (Some(v), None),
                (None, Some((v, pr))) => (Some(v), Some(pr)),
                (None, None) => (None, None),
            };
            headcount.map(|total| {
                let all = own_ygs + usize::from(nursery_years);
                let share = s.year_groups_in(p) as f64 / all as f64;
                let v = total * share;
                let mut f = if share >= 1.0 {
                    Figure::exact(v, FigureSource::Register)
                } else {
                    Figure::estimated(
                        v,
                        FigureSource::Register,
                        format!(
                            "NumberOfPupils {} spread evenly over {all} year groups{}, {} of them {}",
                            fmt(total),
                            if nursery_years > 0 {
                                format!(" ({nursery_years} of nursery)")
                            } else {
                                String::new()
                            },
                            s.year_groups_in(p),
                            p.year_groups_label()
                        ),
                    )
                };
                f.from_predecessor = from.map(|pr| pr.urn);
                if let Some(pr) = from {
                    note(
                        NoteKind::Linked,
                        format!(
                            "{} pupils from predecessor URN {} ({})'s register headcount",
                            p.as_str(),
                            pr.urn,
                            pr.name
                        ),
                    );
                }
                if let Some(e) = &f.estimate {
                    note(NoteKind::Estimated, format!("{} pupils {}: {e}", p.as_str(), fmt(v)));
                    if s.open {
                        problems.push(Problem::new(
                            Severity::Warning,
                            inp.register.clone(),
                            loc.clone(),
                            "NumberOfPupils",
                            format!(
                                "{}: no pupils by year group or stage, so {} pupils are estimated from the whole headcount ({e})",
                                s.name,
                                p.as_str()
                            ),
                        ));
                    }
                }
                f
            })
        };
        figures.set_pupils(p, f);
    }

    // Places: first the primary part and the Years 7–13 block, then the block split in two.
    let serves_block = phases.iter().any(|&p| p != Phase::Primary);
    let block_ygs = s.year_groups_in(Phase::Secondary) + s.year_groups_in(Phase::Post16);
    let split = s.table_split.as_ref().filter(|t| t.primary.is_some() || t.secondary.is_some());
    let parts: Option<Parts<'_>> = if let Some(t) = split {
        Some((
            t.primary.filter(|_| phases.contains(&Phase::Primary)),
            t.secondary.filter(|_| serves_block),
            FigureSource::CapacityTable,
            None,
            None,
        ))
    } else {
        let (total, from) = match (s.capacity, pred.and_then(|pr| pr.capacity.map(|v| (v, pr)))) {
            (Some(v), _) => (Some(v), None),
            (None, Some((v, pr))) => (Some(v), Some(pr)),
            (None, None) => (None, None),
        };
        total.map(|v| {
            let prim_ygs = s.year_groups_in(Phase::Primary);
            let both = prim_ygs > 0 && serves_block;
            let rule = both.then(|| {
                format!(
                    "capacity {} split by year groups, {prim_ygs} primary : {block_ygs} secondary and sixth form",
                    fmt(v)
                )
            });
            (
                (prim_ygs > 0).then(|| v * prim_ygs as f64 / own_ygs as f64),
                serves_block.then(|| v * block_ygs as f64 / own_ygs as f64),
                FigureSource::Register,
                rule,
                from,
            )
        })
    };
    if let Some((prim, block, source, rule, from)) = parts {
        let make = |v: f64, rule: Option<String>| {
            let mut f = match rule {
                Some(r) => Figure::estimated(v, source, r),
                None => Figure::exact(v, source),
            };
            f.from_predecessor = from.map(|pr| pr.urn);
            f
        };
        figures.set_places(Phase::Primary, prim.map(|v| make(v, rule.clone())));
        if let Some(b) = block {
            let has_sec = phases.contains(&Phase::Secondary);
            let has_six = phases.contains(&Phase::Post16);
            let what = if source == FigureSource::CapacityTable {
                format!("secondary capacity {} (Years 7–13) of the capacity table", fmt(b))
            } else {
                format!("{} places for Years 7–13", fmt(b))
            };
            let (sec, six, split_rule) = match (has_sec, has_six) {
                (true, true) => {
                    let (ps, p6) = (figures.pupils(Phase::Secondary), figures.pupils(Phase::Post16));
                    match (inp.sixth_form_split, ps.zip(p6)) {
                        // No pupils in Years 12–13: no sixth form runs, all places are Years 7–11.
                        (_, Some((_, c))) if c.value <= 0.0 => (b, 0.0, None),
                        (SixthFormSplit::Roll, Some((a, c))) if a.value + c.value > 0.0 => {
                            let k = a.value / (a.value + c.value);
                            (
                                b * k,
                                b * (1.0 - k),
                                Some(format!(
                                    "{what}{ROLL_SPLIT}{} in Years 7–11 : {} in Years 12–13",
                                    fmt(a.value),
                                    fmt(c.value)
                                )),
                            )
                        }
                        _ => {
                            let (a, c) = (s.year_groups_in(Phase::Secondary), s.year_groups_in(Phase::Post16));
                            (
                                b * a as f64 / (a + c) as f64,
                                b * c as f64 / (a + c) as f64,
                                Some(format!("{what} split by year groups, {a} in Years 7–11 : {c} in Years 12–13")),
                            )
                        }
                    }
                }
                (true, false) => (b, 0.0, None),
                _ => (0.0, b, None),
            };
            let joined = |r: Option<String>| match (rule.clone(), r) {
                (Some(a), Some(b)) => Some(format!("{a}; {b}")),
                (a, b) => a.or(b),
            };
            if has_sec {
                figures.set_places(Phase::Secondary, Some(make(sec, joined(split_rule.clone()))));
            }
            let empty_sixth = has_six && six <= 0.0 && figures.pupils(Phase::Post16).is_some_and(|f| f.value <= 0.0);
            if empty_sixth {
                figures.set_pupils(Phase::Post16, None);
                phases.retain(|&p| p != Phase::Post16);
            } else if has_six {
                figures.set_places(Phase::Post16, Some(make(six, joined(split_rule))));
            }
        }
        for &p in &phases {
            if let Some(f) = figures.places(p) {
                if let Some(e) = &f.estimate {
                    note(NoteKind::Estimated, format!("{} places {}: {e}", p.as_str(), fmt(f.value)));
                }
                if let Some(pr) = from {
                    note(
                        NoteKind::Linked,
                        format!("{} places from predecessor URN {} ({})", p.as_str(), pr.urn, pr.name),
                    );
                }
            }
        }
    }

    // Gaps and implausible figures.
    for &p in &phases {
        match (figures.places(p), figures.pupils(p)) {
            (Some(c), Some(n)) => {
                if c.value <= 0.0 && n.value > 0.0 || c.value > 0.0 && n.value > IMPLAUSIBLE_RATIO * c.value {
                    let text = format!(
                        "{} pupils {} against {} places ({})",
                        p.as_str(),
                        fmt(n.value),
                        fmt(c.value),
                        if c.value > 0.0 {
                            format!("{:.0}%", 100.0 * n.value / c.value)
                        } else {
                            "no places".into()
                        }
                    );
                    note(NoteKind::Implausible, text.clone());
                    if s.open {
                        problems.push(Problem::new(
                            Severity::Warning,
                            inp.register.clone(),
                            loc.clone(),
                            "SchoolCapacity",
                            format!("{}: {text}; check the capacity", s.name),
                        ));
                    }
                }
            }
            (c, n) => {
                let missing = match (c, n) {
                    (None, None) => "no places and no pupils",
                    (None, Some(_)) => "no places",
                    _ => "no pupils",
                };
                note(
                    NoteKind::NoData,
                    format!("{}: {missing}, so it is left out of the {} totals", p.as_str(), p.as_str()),
                );
            }
        }
    }
    (scope, phases, figures)
}

crate::unit_enum!(NoteKind {
    Excluded,
    Post16Only,
    Estimated,
    Linked,
    NoData,
    Implausible
});
crate::record!(SchoolNote { urn, name, kind, text });

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::pupils_by_stage::StageCounts;

    fn school(urn: u32, ty: &str, ages: (u8, u8), cap: Option<f64>, pupils: Option<f64>) -> School {
        School {
            urn: Urn(urn),
            laestab: Some(3_830_000 + urn % 10_000),
            name: format!("School {urn}"),
            open: true,
            phase_of_education: String::new(),
            establishment_type: ty.into(),
            low_age: Some(ages.0),
            high_age: Some(ages.1),
            capacity: cap,
            pupils,
            nursery_classes: None,
            sixth_form: None,
            census_year: None,
            previous_laestab: None,
            table_split: None,
            fsm_pct: None,
            ofsted: None,
            location: None,
            lsoa_in_file: None,
            planning_area_primary: None,
            planning_area_secondary: None,
            row: 2,
            capacity_from: Vec::new(),
            opens: None,
            closes: None,
            scope: Scope::Mainstream,
            phases: Vec::new(),
            figures: crate::model::PhaseFigures::default(),
        }
    }

    fn inputs<'a>(rule: &'a CountingRule, rolls: &'a Rolls, stages: Option<&'a StageTable>) -> FigureInputs<'a> {
        FigureInputs {
            rule,
            rolls,
            stages: stages.map(|t| (t, "stages.csv".to_owned())),
            census_year: 2022,
            register: "gias.csv".into(),
            sixth_form_split: SixthFormSplit::YearGroups,
        }
    }

    #[test]
    fn nursery_is_taken_out_of_a_register_headcount() {
        let mut s = [school(1, "Community school", (3, 11), Some(210.0), Some(240.0))];
        let (rule, rolls) = (CountingRule::default(), Rolls::new());
        let mut p = Vec::new();
        resolve(&mut s, &inputs(&rule, &rolls, None), &mut p);
        let f = s[0].figures.pupils(Phase::Primary).expect("pupils");
        assert!((f.value - 210.0).abs() < 1e-9, "240 × 7/8");
        assert!(f.estimate.is_some());
        assert_eq!(p.len(), 1, "one warning for the estimate");
        assert_eq!(s[0].figures.places(Phase::Primary).map(|f| f.value), Some(210.0));
    }

    #[test]
    fn the_stage_table_beats_the_register_and_sixth_forms_stand_apart() {
        let mut s = [school(2, "Academy converter", (11, 18), Some(1400.0), Some(1300.0))];
        let stages: StageTable = [(
            2,
            StageCounts {
                ks3: Some(600.0),
                ks4: Some(400.0),
                ks5: Some(250.0),
                reception: Some(0.0),
                ks1: Some(0.0),
                ks2: Some(0.0),
                ..StageCounts::default()
            },
        )]
        .into();
        let (rule, rolls) = (CountingRule::default(), Rolls::new());
        resolve(&mut s, &inputs(&rule, &rolls, Some(&stages)), &mut Vec::new());
        assert_eq!(s[0].phases, vec![Phase::Secondary, Phase::Post16]);
        assert_eq!(s[0].figures.pupils(Phase::Secondary).map(|f| f.value), Some(1000.0));
        assert_eq!(s[0].figures.pupils(Phase::Post16).map(|f| f.value), Some(250.0));
        assert_eq!(s[0].figures.places(Phase::Secondary).map(|f| f.value), Some(1000.0), "1400 × 5/7");
        assert_eq!(s[0].figures.places(Phase::Post16).map(|f| f.value), Some(400.0), "1400 × 2/7");
    }

    #[test]
    fn a_blank_converter_takes_its_predecessors_roll() {
        let mut old = school(3, "Community school", (4, 11), Some(210.0), Some(198.0));
        old.open = false;
        let mut new = school(13, "Academy converter", (4, 11), Some(210.0), None);
        new.laestab = old.laestab;
        let mut s = [old, new];
        let (rule, rolls) = (CountingRule::default(), Rolls::new());
        let notes = resolve(&mut s, &inputs(&rule, &rolls, None), &mut Vec::new());
        let f = s[1].figures.pupils(Phase::Primary).expect("linked");
        assert_eq!(f.value, 198.0);
        assert_eq!(f.from_predecessor, Some(Urn(3)));
        assert!(notes.iter().any(|n| n.kind == NoteKind::Linked && n.urn == Urn(13)));
    }

    #[test]
    fn a_school_with_no_figures_is_no_data_not_zero() {
        let mut s = [school(4, "Free schools", (4, 11), Some(420.0), None)];
        let (rule, rolls) = (CountingRule::default(), Rolls::new());
        let notes = resolve(&mut s, &inputs(&rule, &rolls, None), &mut Vec::new());
        assert!(!s[0].figures.complete(Phase::Primary));
        assert!(notes.iter().any(|n| n.kind == NoteKind::NoData));
    }

    #[test]
    fn colleges_count_for_post16_only_or_not_at_all() {
        let mut s = [
            school(5, "Free schools 16 to 19", (16, 19), Some(1200.0), Some(1064.0)),
            school(6, "Further education", (16, 99), None, None),
            school(7, "Other independent school", (4, 11), Some(200.0), Some(180.0)),
        ];
        let (rule, rolls) = (CountingRule::default(), Rolls::new());
        resolve(&mut s, &inputs(&rule, &rolls, None), &mut Vec::new());
        assert_eq!(s[0].phases, vec![Phase::Post16]);
        assert_eq!(s[0].figures.places(Phase::Post16).map(|f| f.value), Some(1200.0));
        assert!(s[1].phases.is_empty() && s[2].phases.is_empty());
    }
}
