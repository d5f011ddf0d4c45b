//! Cohort-survival forecasting: the worked example of ../shared/refvectors/planning_reference.json
//! (`gpr_forecast`) and the DfE accuracy formula (`forecast_accuracy`) reproduced, and a synthetic
//! history generated with known ratios recovered exactly.

use placeplan::forecast::cohort::{History, Variant, Window, accuracy_pct, average, fit, progression_ratios, project, total};
use placeplan::forecast::ncy::{NCY_COUNT, Ncy};
use serde_json::Value;
use std::collections::BTreeMap;

fn reference() -> Option<Value> {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/refvectors/planning_reference.json");
    let Ok(text) = std::fs::read_to_string(&p) else {
        let required = std::env::var("PLACEPLAN_REQUIRE_REAL_DATA").is_ok_and(|v| v == "1");
        assert!(!required, "{} missing", p.display());
        eprintln!("NOTE: skipping: {} not found", p.display());
        return None;
    };
    Some(serde_json::from_str(&text).expect("reference JSON"))
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b}");
}

#[test]
fn gpr_worked_example_is_reproduced() {
    let Some(r) = reference() else { return };
    let g = &r["gpr_forecast"];
    let mut history = History::new();
    for (year, row) in g["inputs"]["nor"].as_object().expect("nor") {
        let mut v = [None; NCY_COUNT];
        for (i, n) in row.as_array().expect("row").iter().enumerate() {
            v[i] = n.as_f64();
        }
        history.insert(year.parse().expect("year"), v);
    }
    // Reception in year t comes from births of the academic year t − 5.
    let pool: BTreeMap<i32, f64> = g["inputs"]["births_by_academic_year_of_birth"]
        .as_object()
        .expect("births")
        .iter()
        .map(|(y, b)| (y.parse::<i32>().expect("year") + 5, b.as_f64().expect("births")))
        .collect();
    let m = fit(&history, &pool, 2023, &Window::default()).expect("model");
    assert_eq!((m.entry, m.last, m.base_year), (Ncy::R, Ncy::Y6, 2023));
    let ir = m.intake.as_ref().expect("intake");
    close(
        ir.mean,
        g["reception_ratio_3yr_mean"].as_f64().expect("rr"),
        5e-7,
        "reception ratio",
    );
    for (y, v) in g["reception_ratio_by_year"].as_object().expect("by year") {
        let got = ir.observed.iter().find(|o| o.0.to_string() == *y).expect("year").1;
        close(got, v.as_f64().expect("v"), 5e-7, &format!("reception ratio {y}"));
    }
    for (i, (name, obs)) in g["gpr_by_transition_3_obs"].as_object().expect("gpr").iter().enumerate() {
        let from = Ncy::from_index(i).expect("ncy");
        let got = progression_ratios(&history, from);
        let want: Vec<f64> = obs.as_array().expect("obs").iter().filter_map(Value::as_f64).collect();
        assert_eq!(got.len(), want.len(), "{name}");
        for ((_, a), b) in got.iter().zip(&want) {
            close(*a, *b, 5e-7, name);
        }
        close(
            m.gpr[&from].mean,
            g["gpr_3yr_mean"][i.to_string()].as_f64().expect("mean"),
            5e-7,
            name,
        );
    }
    let f = project(&history, &m, &pool, 2, Variant::Central);
    for (year, want) in g["forecast_unrounded"].as_object().expect("forecast") {
        let row = f[&year.parse::<i32>().expect("year")];
        for (i, w) in want.as_array().expect("row").iter().enumerate() {
            close(row[i].expect("value"), w.as_f64().expect("w"), 5e-6, &format!("{year} NCY {i}"));
        }
        close(
            total(&row, Ncy::R, Ncy::Y6),
            g["forecast_total_R_to_Y6"][year].as_f64().expect("total"),
            5e-6,
            year,
        );
    }
    // Low ≤ central ≤ high in every cell.
    let lo = project(&history, &m, &pool, 2, Variant::Low);
    let hi = project(&history, &m, &pool, 2, Variant::High);
    for (y, row) in &f {
        for i in 0..7 {
            assert!(lo[y][i] <= row[i] && row[i] <= hi[y][i], "{y} {i}");
        }
    }
}

#[test]
fn dfe_accuracy_formula_matches_the_scorecards() {
    let Some(r) = reference() else { return };
    for (name, c) in r["forecast_accuracy"]["cases"].as_object().expect("cases") {
        let a = c["actual"].as_f64().expect("actual");
        for (f, want) in [("one", "computed_one"), ("three", "computed_three")] {
            let got = accuracy_pct(c[f].as_f64().expect("forecast"), a).expect("defined");
            close(got, c[want].as_f64().expect("want"), 5e-7, &format!("{name} {f}"));
        }
    }
    assert_eq!(accuracy_pct(5.0, 0.0), None);
}

#[test]
fn known_ratios_are_recovered_exactly_from_a_synthetic_history() {
    // Six years of a primary school built forward from chosen ratios.
    let gpr = [1.02, 0.99, 1.01, 0.98, 1.0, 0.97];
    let ir = 0.8;
    let pool: BTreeMap<i32, f64> = (2015..=2030).map(|y| (y, 400.0 + 10.0 * f64::from(y - 2015))).collect();
    let mut history = History::new();
    let mut row = [None; NCY_COUNT];
    for (i, v) in [300.0, 305.0, 298.0, 310.0, 302.0, 296.0, 290.0].iter().enumerate() {
        row[i] = Some(*v);
    }
    history.insert(2018, row);
    for t in 2019..=2023 {
        let prev = history[&(t - 1)];
        let mut r = [None; NCY_COUNT];
        r[0] = Some(pool[&t] * ir);
        for g in 1..=6 {
            r[g] = prev[g - 1].map(|n| n * gpr[g - 1]);
        }
        history.insert(t, r);
    }
    let m = fit(&history, &pool, 2023, &Window::default()).expect("fits");
    close(m.intake.as_ref().expect("intake").mean, ir, 1e-12, "intake");
    for (g, want) in gpr.iter().enumerate() {
        let r = &m.gpr[&Ncy::from_index(g).expect("ncy")];
        close(r.mean, *want, 1e-12, "gpr");
        close(r.min, *want, 1e-12, "min");
        close(r.max, *want, 1e-12, "max");
    }
    // And the forecast continues the same arithmetic.
    let f = project(&history, &m, &pool, 3, Variant::Central);
    close(f[&2024][0].expect("R"), pool[&2024] * ir, 1e-9, "R 2024");
    close(f[&2026][3].expect("Y3"), f[&2025][2].expect("Y2") * gpr[2], 1e-9, "Y3 2026");
    // Weighted averaging uses the latest ratios first.
    let w = Window {
        k: 3,
        weights: Some(vec![0.5, 0.3, 0.2]),
    };
    let r = average(vec![(2021, 1.0), (2022, 2.0), (2023, 3.0)], &w).expect("avg");
    close(r.mean, 0.5 * 3.0 + 0.3 * 2.0 + 0.2 * 1.0, 1e-12, "weighted");
}

use crate::common;

/// The demo's six years of rolls: hold out three, forecast them, and score. The actuals are the
/// rolls themselves (summed here independently), and the demo's forecasts meet the suggested targets.
#[test]
fn demo_backtest_scores_held_out_years_against_the_rolls() {
    use placeplan::forecast::backtest::backtest;
    use placeplan::model::Phase;
    let ds = common::demo();
    let bt = backtest(ds, 3).expect("backtest");
    assert_eq!(bt.fitted_to, ds.census_year - 3);
    assert_eq!(bt.authority.len(), 4, "primary and secondary, 1 and 3 years ahead");
    for s in &bt.authority {
        let (a, b) = if s.phase == Phase::Primary { (0, 6) } else { (7, 11) };
        let actual: f64 = ds
            .rolls
            .values()
            .filter_map(|h| h.get(&s.year))
            .map(|row| row[a..=b].iter().flatten().sum::<f64>())
            .sum();
        close(s.actual, actual, 1e-9, "actual");
        close(
            s.accuracy_pct.expect("defined"),
            100.0 * (s.forecast - s.actual) / s.actual,
            1e-12,
            "formula",
        );
        let limit = if s.horizon == 1 { 2.0 } else { 5.0 };
        assert!(s.accuracy_pct.expect("pct").abs() <= limit, "{s:?}");
    }
    // Planning areas add up to the authority.
    for s in &bt.authority {
        let sum: f64 = bt
            .areas
            .iter()
            .filter(|a| a.phase == s.phase && a.horizon == s.horizon)
            .map(|a| a.actual)
            .sum();
        close(sum, s.actual, 1e-6, "areas add up");
    }
    assert!(backtest(ds, 5).is_err(), "six years cannot hold out five");
    assert!(backtest(ds, 0).is_err());
}

/// placeplan's own forecasts flow into the sufficiency figures: the demo's forecast years come from
/// the rolls, 5 years for primary and 7 for secondary, and the first forecast year of a primary
/// school is its cohort projection.
#[test]
fn demo_forecasts_come_from_the_rolls() {
    use placeplan::analysis::summary::{school_pupils, years};
    use placeplan::forecast::cohort::Variant;
    use placeplan::forecast::schools::phase_total;
    use placeplan::model::Phase;
    let ds = common::demo();
    let cf = ds.model.cohort.as_ref().expect("the demo has rolls");
    assert_eq!(cf.base_year, ds.census_year);
    assert_eq!(years(ds, Phase::Primary).len(), 6);
    assert_eq!(years(ds, Phase::Secondary).len(), 8);
    let s = cf
        .schools
        .iter()
        .find(|s| s.model.entry == Ncy::R && s.model.last == Ncy::Y6)
        .expect("a primary school");
    let si = ds.schools.iter().position(|x| x.urn.0 == s.urn).expect("in the register");
    let y = ds.census_year + 1;
    let (p, from_forecast) = school_pupils(ds, si, Phase::Primary, y);
    assert!(from_forecast);
    close(
        p,
        phase_total(s, Phase::Primary, y, Variant::Central).expect("forecast"),
        1e-9,
        "school forecast",
    );
    // The census roll in the register is the rolls' last year.
    let roll: f64 = ds.rolls[&s.urn][&ds.census_year].iter().flatten().sum();
    close(ds.schools[si].pupils.expect("roll"), roll, 1e-9, "register roll = rolls");
}

/// The demo's housing sites add `yield × homes completed so far` to their planning areas.
#[test]
fn demo_housing_adds_yield_times_completed_homes() {
    use placeplan::analysis::summary::summary;
    use placeplan::dataset::Dataset;
    use placeplan::model::Phase;
    let with = common::demo();
    let (mut m, src) = placeplan::demo::embedded::demo().expect("demo");
    m.housing = None;
    let without = Dataset::load(&m, &src, &|_| {});
    let li = with.layers.iter().position(|l| l.id.as_str() == "localities").expect("localities");
    let y = with.settings.yields.clone().expect("the demo sets yields");
    for (code, year, homes) in [
        ("PA02", 2027, 60.0),
        ("PA02", 2029, 240.0),
        ("PA04", 2028, 80.0),
        ("PA04", 2029, 200.0),
        ("PA01", 2029, 0.0),
    ] {
        for phase in Phase::ALL {
            let get = |ds: &Dataset| {
                summary(ds, Some(li), Some(phase), Some(year))
                    .into_iter()
                    .find(|r| r.code == code)
                    .map_or(0.0, |r| r.sufficiency.pupils)
            };
            let added = get(with) - get(&without);
            close(
                added,
                homes * y.default.of(phase),
                1e-6,
                &format!("{code} {year} {}", phase.as_str()),
            );
        }
    }
    assert!(
        with.projection.housing_notes.iter().any(|n| n.contains("Eastfield Meadows")),
        "{:?}",
        with.projection.housing_notes
    );
}

/// The back-test is run at load and travels with the data (ward pages and the map show it).
#[test]
fn the_demo_carries_its_backtest() {
    let ds = common::demo();
    let at_load = ds.model.accuracy.as_ref().expect("the demo has rolls, so it is back-tested");
    let fresh = placeplan::forecast::backtest::backtest(ds, 3).expect("backtest");
    assert_eq!(at_load.fitted_to, fresh.fitted_to);
    assert_eq!(
        at_load.authority.iter().map(|s| s.accuracy_pct).collect::<Vec<_>>(),
        fresh.authority.iter().map(|s| s.accuracy_pct).collect::<Vec<_>>()
    );
}

/// The back-test sees only what existed at its origin: the demo's mid-2024 population postdates a
/// 2021/22 origin, so it is not used (and the back-test says so); moving the population year to
/// the origin brings it back.
#[test]
fn the_backtest_uses_no_population_from_after_its_origin() {
    let ds = common::demo();
    let b = placeplan::forecast::backtest::backtest(ds, 3).expect("backtest");
    assert!(b.notes.iter().any(|n| n.contains("postdates the forecast origin")), "{:?}", b.notes);
    let mut early = (*ds.base).clone();
    early.population_year = Some(2021);
    let b = placeplan::forecast::backtest::backtest(&early, 3).expect("backtest");
    assert!(!b.notes.iter().any(|n| n.contains("postdates")), "{:?}", b.notes);
}
