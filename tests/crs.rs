//! Reprojection against ../shared/refvectors/bng_transform_reference.json (PROJ 9.5.1, same Helmert).

use crate::common;

#[test]
fn os_test_points_match_the_proj_helmert_values_within_a_millimetre() {
    let path = common::real_data_dir().join("../refvectors/bng_transform_reference.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        let _ = common::real_data();
        return;
    };
    let v: serde_json::Value = serde_json::from_str(&text).expect("reference JSON");
    let pts = v["os_test_points"].as_object().expect("test points");
    assert!(pts.len() >= 5);
    for (name, p) in pts {
        let (e, n) = (p["osgb36_E"].as_f64().expect("E"), p["osgb36_N"].as_f64().expect("N"));
        let ll = placeplan::crs::bng_to_wgs84(e, n).expect("transforms");
        let (lat, lon) = (
            p["helmert_wgs84_lat"].as_f64().expect("lat"),
            p["helmert_wgs84_lon"].as_f64().expect("lon"),
        );
        // 1 mm is about 9e-9 degrees of latitude.
        let dy = (ll.y - lat) * 111_320.0;
        let dx = (ll.x - lon) * 111_320.0 * lat.to_radians().cos();
        assert!(
            dx.hypot(dy) < 1e-3,
            "{name}: {:.4} m from the PROJ Helmert answer (values rounded to 1e-9°)",
            dx.hypot(dy)
        );
        let back = placeplan::crs::wgs84_to_bng(ll.x, ll.y).expect("inverse");
        assert!((back.x - e).abs() < 1e-3 && (back.y - n).abs() < 1e-3, "{name} round trip");
    }
    let c = &v["caister_helmert_wgs84"];
    let ll = placeplan::crs::bng_to_wgs84(c["input_E"].as_f64().expect("E"), c["input_N"].as_f64().expect("N")).expect("transforms");
    assert!((ll.y - c["proj_helmert_lat"].as_f64().expect("lat")).abs() < 1e-8);
    assert!((ll.x - c["proj_helmert_lon"].as_f64().expect("lon")).abs() < 1e-8);
}
