//! Sufficiency and deprivation: the reference vector, properties, and Leeds checked independently.

use crate::common;

use placeplan::analysis::deprivation::{Piece, aggregate};
use placeplan::analysis::sufficiency::sufficiency;
use placeplan::analysis::summary::summary;
use placeplan::manifest::Bands;
use placeplan::model::Phase;
use proptest::prelude::*;

#[test]
fn deprivation_aggregation_reproduces_the_reference_vector() {
    let path = common::real_data_dir().join("../refvectors/planning_reference.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        let _ = common::real_data();
        return;
    };
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let d = &v["deprivation_aggregation"];
    for ward in ["WA", "WB"] {
        let pieces: Vec<Piece> = d["lsoas"]
            .as_array()
            .expect("lsoas")
            .iter()
            .filter(|l| l["ward"] == ward)
            .map(|l| Piece {
                weight: 1.0,
                population: l["pop"].as_f64().expect("pop"),
                children: 0.0,
                imd_rank: l["imd_rank"].as_u64().map(|r| r as u32),
                imd_score: l["imd_score"].as_f64(),
                idaci_rank: None,
                idaci_decile: None,
            })
            .collect();
        let got = aggregate(&pieces);
        let want = &d["wards"][ward];
        let close = |a: Option<f64>, key: &str| {
            let b = want[key].as_f64().expect(key);
            let a = a.unwrap_or(f64::NAN);
            assert!((a - b).abs() < 1e-6 * b.abs().max(1.0), "{ward} {key}: got {a}, reference {b}");
        };
        close(got.imd_score_popweighted, "pop_weighted_score");
        close(got.imd_avg_reverse_rank, "pop_weighted_avg_reverse_rank");
        close(got.pct_pop_most_deprived_decile, "pct_pop_in_most_deprived_decile");
        close(got.pct_pop_most_deprived_quintile, "pct_pop_in_most_deprived_quintile");
        close(got.pct_lsoas_most_deprived_decile, "pct_lsoas_in_most_deprived_decile");
        close(got.extent_pct, "extent_pct");
        // Not in the reference file: WA has 2 of 4 LSOAs in decile 1 and none in decile 2; WB has 1 of 3 in decile 2.
        let want_q = if ward == "WA" { 50.0 } else { 100.0 / 3.0 };
        assert!(
            (got.pct_lsoas_most_deprived_quintile.unwrap_or(f64::NAN) - want_q).abs() < 1e-9,
            "{ward} LSOA quintile share"
        );
        close(got.local_concentration, "local_concentration_reverse_rank");
    }
}

proptest! {
    #[test]
    fn spare_places_are_linear_in_capacity(c in 0.0f64..5000.0, p in 0.0f64..5000.0, d in 0.0f64..1000.0, k in 0.1f64..10.0) {
        let b = Bands::default();
        let base = sufficiency(c, p, 0.02, &b);
        let more = sufficiency(c + d, p, 0.02, &b);
        prop_assert!((more.spare - base.spare - d).abs() < 1e-6);
        let scaled = sufficiency(k * c, k * p, 0.02, &b);
        prop_assert!((scaled.spare - k * base.spare).abs() < 1e-6 * (1.0 + k * c));
        if c > 0.0 {
            // Relative to its size: a tiny capacity gives a spare % of millions.
            let (a, b) = (scaled.spare_pct.unwrap_or(0.0), base.spare_pct.unwrap_or(0.0));
            prop_assert!((a - b).abs() < 1e-9 * (1.0 + b.abs()), "spare % is scale-free: {a} vs {b}");
        }
    }

    #[test]
    fn aggregated_population_is_the_sum_of_the_pieces(pops in proptest::collection::vec((1.0f64..3000.0, 1u32..32_844), 1..30), w in 0.05f64..1.0) {
        let pieces: Vec<Piece> = pops.iter().map(|&(p, r)| Piece { weight: w, population: w * p, children: 0.2 * w * p, imd_rank: Some(r), imd_score: None, idaci_rank: None, idaci_decile: None }).collect();
        let a = aggregate(&pieces);
        let total: f64 = pops.iter().map(|x| x.0).sum();
        prop_assert!((a.population - w * total).abs() < 1e-6 * total);
        let d1 = a.pct_pop_most_deprived_decile.unwrap_or(-1.0);
        prop_assert!((0.0..=100.0).contains(&d1));
        let rank = a.imd_rank_popweighted.unwrap_or(0.0);
        prop_assert!(rank >= 1.0 && rank <= 32_844.0);
    }
}

#[test]
fn apportioned_population_is_conserved_in_every_layer() {
    for ds in [Some(common::demo()), common::leeds()].into_iter().flatten() {
        let total: f64 = ds.lsoas.iter().map(|l| l.population.unwrap_or(0.0)).sum();
        for (li, l) in ds.layers.iter().enumerate() {
            if Some(li) == ds.lsoa_layer {
                continue;
            }
            let phase = l.phase.unwrap_or(Phase::Primary);
            let rows = summary(ds, Some(li), Some(phase), Some(ds.census_year));
            let sum: f64 = rows.iter().map(|r| r.deprivation.population).sum();
            assert!(
                (sum - total).abs() < 1e-6 * total,
                "{}: {} people apportioned of {}",
                l.id,
                sum,
                total
            );
        }
    }
}

#[test]
fn the_authority_shortfall_never_nets_surpluses() {
    let ds = common::demo();
    for y in placeplan::analysis::summary::years(ds, Phase::Primary) {
        let la = &summary(ds, None, Some(Phase::Primary), Some(y))[0];
        let (li, _) = ds
            .layer(&placeplan::ids::LayerId::new("localities").expect("id"))
            .expect("localities");
        let areas = summary(ds, Some(li), Some(Phase::Primary), Some(y));
        let sum: f64 = areas.iter().map(|r| r.sufficiency.shortfall).sum();
        assert!((la.sufficiency.shortfall - sum).abs() < 1e-9, "{y}");
        assert!(la.sufficiency.shortfall >= (la.sufficiency.places_needed - la.sufficiency.capacity).max(0.0) - 1e-9);
    }
    // The demo is built so that some locality heads into deficit while the authority has spare places.
    let last = *placeplan::analysis::summary::years(ds, Phase::Primary).last().expect("years");
    let la = &summary(ds, None, Some(Phase::Primary), Some(last))[0];
    assert!(la.sufficiency.spare > 0.0 && la.sufficiency.shortfall > 0.0, "{la:?}");
}

#[test]
fn a_leeds_wards_capacity_is_the_sum_of_its_schools_found_independently() {
    let Some(ds) = common::leeds() else { return };
    use geo::{Contains, Point};
    let (wi, wards) = ds.layer(&placeplan::ids::LayerId::new("wards_2023").expect("id")).expect("wards");
    let ward = wards.areas.iter().position(|a| a.name == "Gipton & Harehills").expect("ward");
    let row = summary(ds, Some(wi), Some(Phase::Primary), Some(ds.census_year))
        .into_iter()
        .find(|r| r.name == "Gipton & Harehills")
        .expect("row");
    // Independent: every open school from the register, its own point-in-polygon, its own phase split.
    let mut cap = 0.0;
    let mut n = 0;
    for s in &ds.schools {
        let primary_years = match (s.low_age, s.high_age) {
            (Some(lo), Some(hi)) => {
                f64::from(hi.min(11).saturating_sub(lo.max(4))) / f64::from(hi.min(18).saturating_sub(lo.max(4)).max(1))
            }
            _ => 0.0,
        };
        let special = s.establishment_type.contains("special")
            || s.establishment_type.contains("referral")
            || s.phase_of_education == "Not applicable"
            || s.phase_of_education == "Nursery";
        if s.open && !special && primary_years > 0.0 && s.location.is_some_and(|p| wards.areas[ward].geometry.contains(&Point::from(p))) {
            cap += s.capacity.unwrap_or(0.0) * primary_years;
            n += 1;
        }
    }
    assert!(n >= 10, "Gipton & Harehills has many primary schools ({n})");
    assert!(
        (row.sufficiency.capacity - cap).abs() < 1e-9,
        "summary {} vs independent {cap}",
        row.sufficiency.capacity
    );
    assert_eq!(row.schools, n);
}

#[test]
fn gipton_and_harehills_most_deprived_decile_share_matches_the_ons_best_fit_lookup() {
    let Some(dir) = common::real_data() else { return };
    // Independent calculation: ONS LSOA→ward best-fit lookup (BOM, CR-only lines), IoD File 1 ranks,
    // 2020 single-year population — none of placeplan's readers or joins.
    let lookup = std::fs::read_to_string(dir.join("lookups/llsoatoward.csv")).expect("lookup");
    let lsoas: Vec<String> = lookup
        .split(['\r', '\n'])
        .filter(|l| l.contains(",Gipton & Harehills,"))
        .filter_map(|l| l.split(',').nth(1).map(str::to_owned))
        .collect();
    assert!(lsoas.len() >= 15, "{}", lsoas.len());
    let mut gz = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(
            std::fs::File::open(dir.join("imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz")).expect("imd"),
        ),
        &mut gz,
    )
    .expect("gunzip");
    let mut rdr = csv::Reader::from_reader(gz.as_bytes());
    let deciles: std::collections::HashMap<String, u32> = rdr
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| Some((r.get(0)?.to_owned(), r.get(5)?.parse().ok()?)))
        .collect();
    let pop_text = std::fs::read_to_string(dir.join("population_leeds_syoa/leeds_lsoa11_syoa_mid2017_2019_2020.csv")).expect("pop");
    let pops: std::collections::HashMap<String, f64> = pop_text
        .lines()
        .filter(|l| l.starts_with("2020,"))
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some((f.get(1)?.to_string(), f.get(3)?.parse().ok()?))
        })
        .collect();
    let (mut d1, mut all) = (0.0, 0.0);
    for l in &lsoas {
        let p = pops[l];
        all += p;
        if deciles[l] == 1 {
            d1 += p;
        }
    }
    let independent = 100.0 * d1 / all;
    // placeplan with best-fit weights.
    let (mut m, src) = common::leeds_manifest(&dir);
    m.settings.apportionment = placeplan::join::apportion::WeightMethod::BestFit;
    let ds = placeplan::dataset::Dataset::load(&m, &src, &|_| {});
    let (wi, _) = ds.layer(&placeplan::ids::LayerId::new("wards_2023").expect("id")).expect("wards");
    let row = summary(&ds, Some(wi), Some(Phase::Primary), Some(ds.census_year))
        .into_iter()
        .find(|r| r.name == "Gipton & Harehills")
        .expect("row");
    let ours = row.deprivation.pct_pop_most_deprived_decile.expect("value");
    eprintln!("Gipton & Harehills, % residents in decile 1: placeplan best-fit {ours:.2}%, ONS lookup {independent:.2}%");
    assert!(
        independent > 80.0,
        "Gipton and Harehills is among England's most deprived wards ({independent:.1}%)"
    );
    assert!(
        (ours - independent).abs() < 2.0,
        "placeplan best-fit {ours:.2}% vs ONS lookup {independent:.2}%"
    );
}

#[test]
fn school_rows_flag_the_25_percent_rule_and_sum_to_the_authority() {
    let ds = common::demo();
    let rows = placeplan::analysis::summary::school_rows(ds, Some(Phase::Primary), Some(ds.census_year));
    let la = &summary(ds, None, Some(Phase::Primary), Some(ds.census_year))[0];
    let cap: f64 = rows.iter().map(|r| r.sufficiency.capacity).sum();
    assert!((cap - la.sufficiency.capacity).abs() < 1e-9);
    for r in &rows {
        let f = &r.sufficiency;
        let flag = f.capacity > 0.0 && f.spare / f.capacity >= 0.25 && f.spare >= 30.0;
        assert_eq!(r.flagged_schools, usize::from(flag), "{}", r.name);
    }
    assert_eq!(rows.iter().map(|r| r.flagged_schools).sum::<usize>(), la.flagged_schools);
}

#[test]
fn summary_json_has_the_documented_fields() {
    let out = common::placeplan()
        .args(["summary", "--layer", "wards", "--phase", "primary", "--json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json array");
    let rows = v.as_array().expect("array");
    assert_eq!(rows.len() % 20, 0, "20 wards per year");
    for key in [
        "code",
        "name",
        "phase",
        "year",
        "capacity",
        "pupils",
        "spare",
        "spare_pct",
        "status",
        "imd_rank_popweighted",
        "pct_pop_most_deprived_decile",
    ] {
        assert!(rows[0].get(key).is_some(), "missing {key}");
    }
    let bad = common::placeplan().args(["summary", "--layer", "nope"]).output().expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("choose la, schools or one of: wards"));
}
