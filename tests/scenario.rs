//! What-if scenarios on the demo: expansions, closures, openings and housing change exactly the
//! figures they should, everything else is recomputed, and bad changes are refused by name.

use crate::common;

use placeplan::analysis::diff::diff;
use placeplan::analysis::summary::{school_places, school_pupils, summary};
use placeplan::dataset::Dataset;
use placeplan::model::{LayerKind, Phase};
use placeplan::scenario::{Scenario, ScenarioError};

/// The dataset of a scenario over `ds`'s base, and what it changed.
fn apply(ds: &Dataset, sc: &Scenario) -> Result<(Dataset, Vec<String>), ScenarioError> {
    let x = ds.with_plan(sc)?;
    let notes = x.projection.notes.clone();
    Ok((x, notes))
}

fn scenario(toml: &str) -> Scenario {
    toml::from_str(toml).expect("scenario parses")
}

fn pa_of(ds: &placeplan::dataset::Dataset, si: usize) -> String {
    let li = ds
        .layers
        .iter()
        .position(|l| l.kind == LayerKind::PlanningArea)
        .expect("localities");
    let m = placeplan::analysis::membership::schools_by_area(ds, li, Phase::Primary);
    let a = m.iter().position(|list| list.contains(&si)).expect("school in a locality");
    ds.layers[li].areas[a].code.to_string()
}

fn pa_total(ds: &placeplan::dataset::Dataset, code: &str, year: i32) -> (f64, f64) {
    let li = ds
        .layers
        .iter()
        .position(|l| l.kind == LayerKind::PlanningArea)
        .expect("localities");
    let r = summary(ds, Some(li), Some(Phase::Primary), Some(year))
        .into_iter()
        .find(|r| r.code == code)
        .expect("area");
    (r.sufficiency.capacity, r.sufficiency.pupils)
}

#[test]
fn expansion_and_closure_change_places_and_move_pupils_within_the_area() {
    let base = common::demo();
    let si = base.schools.iter().position(|s| s.urn.0 == 190_008).expect("Moorside");
    let (ds, notes) = apply(
        base,
        &scenario("name = \"t\"\n[[expand]]\nurn = 190008\nplaces = 105\nfrom = 2026\n"),
    )
    .expect("applies");
    assert!(notes[0].contains("210 → 315"), "{notes:?}");
    assert_eq!(school_places(&ds, si, Phase::Primary, 2025), 210.0);
    assert_eq!(school_places(&ds, si, Phase::Primary, 2026), 315.0);
    assert_eq!(school_places(&ds, si, Phase::Primary, 2029), 315.0);
    let pa = pa_of(base, si);
    let (c0, p0) = pa_total(base, &pa, 2027);
    let (c1, p1) = pa_total(&ds, &pa, 2027);
    assert_eq!(c1 - c0, 105.0);
    assert_eq!(p1, p0, "an expansion moves no pupils");

    // A closure: no places or pupils at the school, the same pupils in its planning area.
    let closing = base.schools.iter().position(|s| s.urn.0 == 190_014).expect("Holy Trinity");
    let (ds, _) = apply(base, &scenario("name = \"c\"\n[[close]]\nurn = 190014\nfrom = 2028\n")).expect("applies");
    let pa = pa_of(base, closing);
    for y in 2028..=2029 {
        assert_eq!(school_places(&ds, closing, Phase::Primary, y), 0.0);
        assert_eq!(school_pupils(&ds, closing, Phase::Primary, y).0, 0.0);
        let (c0, p0) = pa_total(base, &pa, y);
        let (c1, p1) = pa_total(&ds, &pa, y);
        assert_eq!(c0 - c1, 315.0);
        assert!((p1 - p0).abs() < 1e-6, "{y}: pupils {p0} → {p1}");
    }
    assert_eq!(
        school_pupils(&ds, closing, Phase::Primary, 2027),
        school_pupils(base, closing, Phase::Primary, 2027)
    );
}

#[test]
fn housing_adds_cumulative_dwellings_times_the_yield() {
    let base = common::demo();
    let (ds, notes) = apply(
        base,
        &scenario("name = \"h\"\n[[housing]]\nsite = \"Eastfield\"\narea = \"PA03\"\ncompletions = [[2025, 80], [2027, 120]]\n[yields]\nprimary = 0.25\nsecondary = 0.1\n"),
    )
    .expect("applies");
    assert!(notes.iter().any(|n| n.contains("Eastfield")), "{notes:?}");
    for (y, dwellings) in [(2025, 80.0), (2026, 80.0), (2027, 200.0), (2029, 200.0)] {
        let (_, p0) = pa_total(base, "PA03", y);
        let (_, p1) = pa_total(&ds, "PA03", y);
        assert!((p1 - p0 - 0.25 * dwellings).abs() < 1e-6, "{y}: +{}", p1 - p0);
    }
    let (_, a) = pa_total(base, "PA01", 2029);
    let (_, b) = pa_total(&ds, "PA01", 2029);
    assert_eq!(a, b, "other areas unchanged");
}

#[test]
fn a_new_school_adds_places_from_its_first_year_and_the_diff_shows_it() {
    let base = common::demo();
    let li = base
        .layers
        .iter()
        .position(|l| l.kind == LayerKind::PlanningArea)
        .expect("localities");
    let centre = {
        use geo::InteriorPoint;
        let a = base.layers[li].areas.iter().find(|a| a.code.as_str() == "PA03").expect("PA03");
        a.geometry.interior_point().expect("point")
    };
    let sc = scenario(&format!(
        "name = \"o\"\n[[open]]\nname = \"Eastfield Primary\"\nphase = \"primary\"\ncapacity = 420\nfrom = 2027\neasting = {}\nnorthing = {}\n",
        centre.x(),
        centre.y()
    ));
    let (ds, _) = apply(base, &sc).expect("applies");
    assert_eq!(ds.schools.len(), base.schools.len() + 1);
    let (c0, _) = pa_total(base, "PA03", 2026);
    let (c1, _) = pa_total(&ds, "PA03", 2026);
    assert_eq!(c0, c1, "not open yet");
    let (c0, _) = pa_total(base, "PA03", 2027);
    let (c1, _) = pa_total(&ds, "PA03", 2027);
    assert_eq!(c1 - c0, 420.0);
    let d = diff(base, &ds);
    assert!(
        d.iter()
            .any(|r| r.layer == "localities" && r.code == "PA03" && r.year == 2027 && r.capacity == (c0, c1))
    );
    assert!(d.iter().all(|r| r.year >= 2027), "nothing changes before it opens");
    assert!(diff(base, base).is_empty());
}

#[test]
fn bad_changes_are_refused_by_name() {
    let base = common::demo();
    let mut b = (*base.base).clone();
    b.settings.yields = None;
    let no_yields =
        Dataset::project(std::sync::Arc::new(b), std::sync::Arc::clone(&base.model), &Scenario::default()).expect("the base case projects");
    for (toml, needle) in [
        (
            "name = \"x\"\n[[expand]]\nurn = 1\nplaces = 30\nfrom = 2026\n",
            "no open school with URN 1",
        ),
        ("name = \"x\"\n[[close]]\nurn = 190014\nfrom = 2024\n", "not after the census year"),
        (
            "name = \"x\"\n[[housing]]\nsite = \"S\"\narea = \"PA03\"\ncompletions = [[2026, 10]]\n",
            "no yields",
        ),
        (
            "name = \"x\"\n[[housing]]\nsite = \"S\"\ncompletions = [[2026, 10]]\n[yields]\nprimary = 0.2\nsecondary = 0.1\n",
            "needs an area code",
        ),
        (
            "name = \"x\"\n[[open]]\nname = \"N\"\nphase = \"nursery\"\ncapacity = 10\nfrom = 2026\neasting = 0\nnorthing = 0\n",
            "is not a phase: use primary, secondary or post16",
        ),
    ] {
        let ds = if needle == "no yields" { &no_yields } else { base };
        let e = apply(ds, &scenario(toml)).err().expect("refused").to_string();
        assert!(e.contains(needle) && e.starts_with("scenario x:"), "{e}");
    }
    assert!(
        toml::from_str::<Scenario>("name = \"x\"\n[[expand]]\nurn = 1\nseats = 3\nfrom = 2026\n").is_err(),
        "unknown fields are refused"
    );
}
