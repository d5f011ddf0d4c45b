//! `api/postcodes/{OUTWARD}.json`: every postcode of the data with the wards and planning areas
//! it lies in ([`crate::server::search::postcode_areas`], as the server's search answers), one
//! file per outward code (`LS8`), so that a search in the published app reads one small file.

use super::{PublishError, Site};
use crate::server::AppState;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The outward code of a postcode key (`LS85BQ` → `LS8`): all but the last three characters.
#[must_use]
pub fn outward(key: &str) -> Option<&str> {
    key.len().checked_sub(3).filter(|&n| n > 0).and_then(|n| key.get(..n))
}

pub(super) fn write(state: &AppState, site: &mut Site) -> Result<(), PublishError> {
    let ds = &state.ds;
    let mut files: BTreeMap<&str, serde_json::Map<String, Value>> = BTreeMap::new();
    for pc in &ds.postcodes {
        let Some(out) = outward(&pc.key) else { continue };
        let point = crate::crs::bng_to_wgs84(pc.at.x, pc.at.y).ok().map(|c| [round6(c.x), round6(c.y)]);
        let areas: Vec<Value> = crate::server::search::postcode_areas(ds, pc)
            .into_iter()
            .map(|(li, ai)| json!([ds.layers[li].id.to_string(), ds.layers[li].areas[ai].code.to_string()]))
            .collect();
        files
            .entry(out)
            .or_default()
            .insert(pc.key.clone(), json!({ "label": pc.label, "point": point, "areas": areas }));
    }
    for (out, map) in files {
        site.write(&format!("api/postcodes/{out}.json"), &serde_json::to_vec(&map)?)?;
    }
    Ok(())
}

/// Six decimals of a degree: about 10 cm, finer than a postcode's centroid.
fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::outward;

    #[test]
    fn outward_codes() {
        assert_eq!(outward("LS85BQ"), Some("LS8"));
        assert_eq!(outward("SW1A1AA"), Some("SW1A"));
        assert_eq!(outward("5BQ"), None);
    }
}
