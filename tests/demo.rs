//! The embedded demo borough: regenerates byte for byte, and loads cleanly with every layer populated.

use crate::common;

use placeplan::check::CheckReport;

#[test]
fn the_committed_demo_is_exactly_what_the_generator_writes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let files = placeplan::demo::generate::generate(tmp.path(), placeplan::demo::generate::SEED).expect("generates");
    for f in &files {
        let fresh = std::fs::read(tmp.path().join(f)).expect("written");
        let committed = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("boundaries/demo").join(f)).expect("committed");
        assert!(
            fresh == committed,
            "boundaries/demo/{f} differs from the generator's output; run `placeplan generate-demo --force --out boundaries/demo`"
        );
    }
    for (name, bytes) in placeplan::demo::embedded::FILES {
        assert!(!bytes.is_empty(), "{name} is embedded");
    }
}

#[test]
fn the_demo_loads_with_no_problems_and_realistic_scale() {
    let ds = common::demo();
    let r = CheckReport::new(ds);
    assert!(r.synthetic, "the demo is labelled synthetic");
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let n = |id: &str| r.layers.iter().find(|l| l.id == id).map(|l| l.features);
    assert_eq!(n("wards"), Some(20));
    assert_eq!(n("lsoa"), Some(150));
    assert_eq!(n("localities"), Some(6));
    assert_eq!(r.schools.open, 80);
    assert_eq!(r.schools.total, 84);
    assert!(r.joins.iter().all(|j| j.matched == j.total), "{:?}", r.joins);
    assert!(ds.years(placeplan::model::Phase::Primary).len() > 1, "the demo has forecast years");
}

#[test]
fn demo_deprivation_is_spatially_clustered() {
    // Neighbouring LSOAs (sharing a vertex) have more similar IMD ranks than random pairs: the
    // generator's field is smooth, so hotspot analysis has something to find.
    let ds = common::demo();
    let li = ds.lsoa_layer.expect("lsoa layer");
    let areas = &ds.layers[li].areas;
    let ranks: Vec<f64> = ds.lsoas.iter().map(|l| f64::from(l.imd_rank.expect("rank"))).collect();
    let mut near = (0.0, 0);
    let mut all = (0.0, 0);
    for i in 0..areas.len() {
        for j in (i + 1)..areas.len() {
            let d = (ranks[i] - ranks[j]).abs();
            all = (all.0 + d, all.1 + 1);
            let touch = areas[i].geometry.0[0]
                .exterior()
                .0
                .iter()
                .any(|c| areas[j].geometry.0[0].exterior().0.contains(c));
            if touch {
                near = (near.0 + d, near.1 + 1);
            }
        }
    }
    assert!(near.0 / f64::from(near.1) < 0.6 * all.0 / f64::from(all.1));
}
