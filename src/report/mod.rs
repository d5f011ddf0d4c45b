//! Councillor ward pages and the report pack: the facts of a ward ([`facts`]), a static SVG map
//! ([`svg`]), the HTML ([`html`]) and printing to PDF ([`pdf`]).

pub mod facts;
pub mod html;
pub mod pdf;
pub mod svg;

use crate::analysis::summary::SummaryRow;
use crate::dataset::Dataset;
use crate::map::MapData;
use crate::map::layer::MapLayer;
use facts::{WardFacts, ward_facts};
use html::Links;

/// The facts and the HTML of ward feature `fi` of map layer `l`; `href(code)` links other wards.
#[must_use]
pub fn render_ward(
    ds: &Dataset,
    map: &MapData,
    la_rows: &[SummaryRow],
    l: &MapLayer,
    fi: usize,
    links: &Links,
    href: &dyn Fn(&str) -> Option<String>,
) -> (WardFacts, String) {
    let f = ward_facts(ds, map, la_rows, l, fi);
    let serving: Vec<usize> = l.members.values().flat_map(|m| m.get(fi).cloned().unwrap_or_default()).collect();
    let area = usize::try_from(l.features[fi].id).unwrap_or_default();
    let svg = l.boundary.map_or_else(String::new, |li| svg::ward_map(ds, li, area, &serving));
    let page = html::ward_page(&f, &svg, links, href);
    (f, page)
}
