//! `/api/search?q=TEXT[&limit=N]`: wards, planning areas and schools by name or code, and
//! postcodes (the areas a postcode lies in). Matches ignore case and punctuation
//! ("st augustines" finds "St Augustine's", "gipton and harehills" finds "Gipton & Harehills"); whole-word and prefix matches rank before matches
//! inside a word, and those before near misses (one letter wrong in a word of 4 or more, two
//! in one of 8 or more: "armly" finds Armley).

use super::error::ApiError;
use super::state::AppState;
use crate::map::layer::MapKind;
use axum::Json;
use axum::extract::{Query, State};
use geo::BoundingRect;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The longest query accepted.
pub const MAX_QUERY: usize = 100;
/// The most results returned.
pub const MAX_LIMIT: usize = 50;

/// Query parameters.
#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    /// Text to find.
    pub q: String,
    /// Results wanted (default 10, at most 50).
    pub limit: Option<usize>,
}

/// One hit.
#[derive(Debug, Serialize)]
pub struct Hit {
    /// Layer id.
    pub layer: String,
    /// Layer title.
    pub layer_title: String,
    /// Feature code or URN.
    pub code: String,
    /// Name.
    pub name: String,
    /// `[west, south, east, north]`.
    pub bbox: Option<[f64; 4]>,
    /// A point inside the feature, `[lon, lat]` (for a postcode, the postcode's point).
    pub point: Option<[f64; 2]>,
    /// The postcode searched for, when the hit is the area a postcode lies in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
}

/// Lower case, apostrophes dropped, `&` as the word "and", other punctuation as spaces.
fn normalise(s: &str) -> String {
    s.replace('&', " and ")
        .chars()
        .filter(|c| !matches!(c, '\'' | '\u{2019}' | '\u{2018}'))
        .flat_map(|c| {
            let keep = c.is_alphanumeric();
            c.to_lowercase().map(move |l| if keep { l } else { ' ' })
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Rank of a match: 0 exact code or name, 1 name starts with the query, 2 a word starts with it,
/// 3 inside a word, 4 every word of the query is a near miss of a word of the name.
#[must_use]
pub fn match_rank(name: &str, code: &str, q: &str) -> Option<u8> {
    let n = normalise(name);
    let q = normalise(q);
    if q.is_empty() {
        return None;
    }
    if code.eq_ignore_ascii_case(&q) || n == q {
        Some(0)
    } else if n.starts_with(&q) || code.to_lowercase().starts_with(&q) {
        Some(1)
    } else if n.contains(&format!(" {q}")) {
        Some(2)
    } else if n.contains(&q) {
        Some(3)
    } else if near_miss(&n, &q) {
        Some(4)
    } else {
        None
    }
}

/// Every word of `q` starts a word of `name`, or is within one edit (two for 8 letters or more)
/// of a word of `name` or of its beginning; words under 4 letters must match exactly.
fn near_miss(name: &str, q: &str) -> bool {
    let words: Vec<&str> = name.split(' ').collect();
    q.split(' ').all(|t| {
        words.iter().any(|w| {
            if w.starts_with(t) {
                return true;
            }
            let n = t.chars().count();
            if n < 4 {
                return false;
            }
            let allowed = if n >= 8 { 2 } else { 1 };
            let head: String = w.chars().take(n).collect();
            // Optimal string alignment (adjacent swaps count once), as the published site's search does.
            strsim::osa_distance(t, w) <= allowed || strsim::osa_distance(t, &head) <= allowed
        })
    })
}

/// A UK postcode's shape (`LS8 5BQ`, `SW1A 1AA`): 5 to 7 letters and digits, a letter first, and
/// a digit then two letters last.
fn looks_like_postcode(key: &str) -> bool {
    let b = key.as_bytes();
    (5..=7).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b[b.len() - 3].is_ascii_digit()
        && b[b.len() - 2..].iter().all(u8::is_ascii_alphabetic)
}

/// The postcode with this key (upper case, letters and digits), if the data has it.
#[must_use]
pub fn find_postcode<'a>(ds: &'a crate::dataset::Dataset, key: &str) -> Option<&'a crate::readers::points::Postcode> {
    ds.postcodes
        .binary_search_by(|p| p.key.as_str().cmp(key))
        .ok()
        .map(|i| &ds.postcodes[i])
}

/// The wards and planning areas a postcode lies in, as (layer, area) indices into the dataset's
/// layers: what a postcode search answers, here and in a published site.
#[must_use]
pub fn postcode_areas(ds: &crate::dataset::Dataset, pc: &crate::readers::points::Postcode) -> Vec<(usize, usize)> {
    use crate::model::LayerKind;
    ds.layers
        .iter()
        .enumerate()
        .filter(|(_, l)| matches!(l.kind, LayerKind::Ward | LayerKind::PlanningArea))
        .filter_map(|(li, l)| Some((li, ds.index(li).locate(l, pc.at, 0.0)?.0)))
        .collect()
}

/// The wards and planning areas a postcode lies in, each a hit at the postcode's point; `None`
/// when the text is not a postcode's shape, empty when the data has no such postcode.
fn postcode_hits(state: &AppState, text: &str) -> Option<Vec<Hit>> {
    let key = crate::readers::points::postcode_key(text);
    if !looks_like_postcode(&key) {
        return None;
    }
    let ds = &state.ds;
    let Some(pc) = find_postcode(ds, &key) else {
        return Some(Vec::new());
    };
    let point = crate::crs::bng_to_wgs84(pc.at.x, pc.at.y).ok().map(|c| [c.x, c.y]);
    let hits = postcode_areas(ds, pc)
        .into_iter()
        .map(|(li, ai)| {
            let (l, area) = (&ds.layers[li], &ds.layers[li].areas[ai]);
            let bbox = state
                .map
                .get(l.id.as_str())
                .and_then(|(ml, _)| ml.feature(area.code.as_str()))
                .and_then(|(_, f)| f.wgs84.bounding_rect())
                .map(|b| [b.min().x, b.min().y, b.max().x, b.max().y]);
            Hit {
                layer: l.id.to_string(),
                layer_title: l.title.clone(),
                code: area.code.to_string(),
                name: format!("{}: {}", pc.label, area.name),
                bbox,
                point,
                postcode: Some(pc.label.clone()),
            }
        })
        .collect();
    Some(hits)
}

/// `/api/search`.
///
/// # Errors
/// 400 for an empty or over-long query.
pub async fn search(
    State(state): State<Arc<AppState>>,
    q: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<Hit>>, ApiError> {
    let Query(q) = q?;
    let text = q.q.trim().to_lowercase();
    if text.is_empty() || text.chars().count() > MAX_QUERY {
        return Err(ApiError::BadRequest(format!("search text must be 1 to {MAX_QUERY} characters")));
    }
    let limit = q.limit.unwrap_or(10).clamp(1, MAX_LIMIT);
    if let Some(hits) = postcode_hits(&state, &text) {
        return Ok(Json(hits.into_iter().take(limit).collect()));
    }
    let mut hits: Vec<(u8, usize, Hit)> = Vec::new();
    for (li, l) in state.map.layers.iter().enumerate() {
        // LSOAs are found by code only: their names repeat the district name hundreds of times.
        let lsoa = l.kind == MapKind::Lsoa;
        for f in &l.features {
            let rank = if lsoa {
                f.code.eq_ignore_ascii_case(&text).then_some(0)
            } else {
                match_rank(&f.name, &f.code, &text)
            };
            if let Some(r) = rank {
                let bbox = f.wgs84.bounding_rect().map(|b| [b.min().x, b.min().y, b.max().x, b.max().y]);
                hits.push((
                    r,
                    li,
                    Hit {
                        layer: l.id.clone(),
                        layer_title: l.title.clone(),
                        code: f.code.clone(),
                        name: f.name.clone(),
                        bbox,
                        point: f.point,
                        postcode: None,
                    },
                ));
            }
        }
    }
    hits.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then_with(|| a.2.name.cmp(&b.2.name)));
    Ok(Json(hits.into_iter().take(limit).map(|h| h.2).collect()))
}
