//! HTML of the ward pages and the ward index: self-contained (inline CSS, inline SVG map, a few
//! lines of optional script to sort the ranking table), readable in two minutes, printable on A4,
//! with real headings and header cells.

use super::facts::{CompareRow, WardFacts, year_label};
use super::svg::esc;
use crate::analysis::summary::SummaryRow;
use crate::map::metrics::palette;
use crate::text::thousands;
use std::fmt::Write as _;

/// Where a page links to.
#[derive(Clone, Debug)]
pub struct Links {
    /// The ward index.
    pub index: String,
    /// The interactive map at this ward (server only).
    pub map: Option<String>,
    /// The facts as JSON (server only).
    pub json: Option<String>,
    /// This page's own address, printed at the foot for the paper copy.
    pub permalink: String,
}

const CSS: &str = r#"
:root { --ink:#111; --muted:#555; --rule:#d0d0d0; --accent:#0b5cad; --bg:#fff; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
main { max-width: 980px; margin: 0 auto; padding: 1rem 1.25rem 2rem; }
a { color: var(--accent); }
.crumbs { font-size: .9rem; margin: 0 0 .5rem; }
.crumbs a { margin-right: .9rem; }
h1 { font-size: 1.8rem; margin: .2rem 0; }
h2 { font-size: 1.2rem; margin: 1.4rem 0 .5rem; border-bottom: 2px solid var(--ink); padding-bottom: .15rem; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
.sub { color: var(--muted); margin: 0 0 .8rem; }
.disclosure { border-left: 4px solid #555; padding: .35rem .7rem; background: #f3f3f3; color: #111; }
.plan { border-left: 4px solid #f47738; padding: .35rem .7rem; background: #fff3ea; color: #111; }
.plan ul { margin: .2rem 0; }
.synthetic { background: #ffe08a; color: #111; padding: .35rem .7rem; font-weight: 600; border-radius: 3px; display: inline-block; }
.brief { font-size: 1.02rem; padding-left: 1.1rem; }
.brief li { margin: .25rem 0; }
.grid { display: grid; grid-template-columns: minmax(0, 1.25fr) minmax(0, 1fr); gap: 1.2rem; align-items: start; }
@media (max-width: 760px) { .grid { grid-template-columns: 1fr; } }
figure { margin: 0; }
.ward-map { width: 100%; height: auto; border: 1px solid var(--rule); }
.ward-map .nb { font-size: 11px; fill: #333; text-anchor: middle; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.ward-map .scale text { font-size: 11px; fill: #111; }
figcaption { font-size: .85rem; color: var(--muted); margin-top: .3rem; }
.key { display: inline-flex; align-items: center; gap: .25rem; margin-right: .7rem; white-space: nowrap; }
.dot { width: .8rem; height: .8rem; border-radius: 50%; border: 1px solid #111; display: inline-block; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 .8rem; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .2rem 0; }
th, td { border-bottom: 1px solid var(--rule); padding: .3rem .4rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
tr.me { background: #fff4e0; font-weight: 600; }
tr.la { background: #f3f3f3; }
.status { display: inline-block; padding: 0 .35rem; border-radius: 3px; font-size: .8rem; font-weight: 600; color: #111; }
.fig small { color: var(--muted); display: block; }
.bar { display: inline-block; height: .7rem; background: #3B528B; vertical-align: middle; }
.bar.la { background: #9e9e9e; }
.methods p { font-size: .82rem; color: var(--muted); margin: .3rem 0; }
.foot { font-size: .8rem; color: var(--muted); border-top: 1px solid var(--rule); margin-top: 1.5rem; padding-top: .5rem; }
th button { font: inherit; font-weight: 700; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; text-align: inherit; }
th[aria-sort] button::after { content: " ▾"; }
th[aria-sort="ascending"] button::after { content: " ▴"; }
button.print { font: inherit; font-size: .9rem; padding: .2rem .6rem; border: 2px solid var(--ink); background: #fff; cursor: pointer; margin-left: .4rem; }
.printed, .paper { display: none; }
.wide { overflow-x: auto; max-width: 100%; }
@media (max-width: 600px) { main { padding: .6rem .7rem 1.5rem; } h1 { font-size: 1.45rem; } table { font-size: .82rem; } }
@media print {
  @page {
    size: A4; margin: 13mm 12mm 15mm;
    @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt system-ui, sans-serif; color: #555; }
  }
  .printed, .paper { display: inline; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  @page { @top-right { font: 8pt system-ui, sans-serif; color: #555; } @top-left { font: 8pt system-ui, sans-serif; color: #555; } }
  .wide { overflow: visible; }
  th button { display: none; }
  table[data-sortable] { break-inside: auto; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  .noprint { display: none !important; }
  h2 { break-after: avoid; }
  table, figure, section.keep { break-inside: avoid; }
  .grid { grid-template-columns: 1.2fr 1fr; }
  .ward-map { max-height: 9cm; }
  th, td { padding: .12rem .3rem; }
  table { margin: .2rem 0 .5rem; font-size: 9pt; }
  h2 { margin: .8rem 0 .35rem; }
  a { color: var(--ink); text-decoration: none; }
}
"#;

/// The print button, and the date a page is printed on (the reader's date, not the server's).
const PRINT_JS: &str = r#"
for (const b of document.querySelectorAll('button[data-print]')) b.addEventListener('click', () => window.print());
const today = () => new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
const stamp = () => {
  for (const s of document.querySelectorAll('.printed time')) s.textContent = today();
  // The date at the top of every printed page too.
  let st = document.getElementById('page-date');
  if (!st) { st = document.createElement('style'); st.id = 'page-date'; document.head.append(st); }
  st.textContent = `@media print { @page { @top-right { content: "Printed ${today()}"; } } }`;
};
stamp();
window.addEventListener('beforeprint', stamp);
"#;

/// The print button for the crumbs line.
const PRINT_BUTTON: &str = r#"<button type="button" class="print" data-print>Print this page</button>"#;

/// The line at the foot of a printed page saying when it was printed.
const PRINTED: &str = r#"<span class="printed"> · printed on <time></time></span>"#;

const SORT_JS: &str = r#"
for (const table of document.querySelectorAll('table[data-sortable]')) {
  const heads = [...table.tHead.rows[0].cells];
  heads.forEach((th, col) => {
    const b = th.querySelector('button');
    if (!b) return;
    b.addEventListener('click', () => {
      const asc = th.getAttribute('aria-sort') !== 'ascending';
      heads.forEach((h) => h.removeAttribute('aria-sort'));
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      const rows = [...table.tBodies[0].rows];
      const key = (r) => { const v = r.cells[col].dataset.sort; return v === undefined || v === '' ? null : (isNaN(+v) ? v : +v); };
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        if (x === null) return 1; if (y === null) return -1;
        return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
      });
      rows.forEach((r) => table.tBodies[0].appendChild(r));
    });
  });
}
"#;

/// Puts every table in a box that scrolls sideways on a narrow screen, so that the page itself
/// never does; the box is named by the table's caption and can be scrolled from the keyboard.
fn scrollable_tables(body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 256);
    let mut rest = body;
    while let Some(i) = rest.find("<table") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let caption = after
            .find("<caption>")
            .filter(|&c| c < after.find('>').map_or(0, |e| e + 2))
            .and_then(|c| after[c + 9..].find("</caption>").map(|e| &after[c + 9..c + 9 + e]))
            .unwrap_or("Table");
        let end = after.find("</table>").map_or(after.len(), |e| e + "</table>".len());
        out.push_str(&format!(r#"<div class="wide" role="region" tabindex="0" aria-label="{caption}">"#));
        out.push_str(&after[..end]);
        out.push_str("</div>");
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// `s` as a CSS string's content: backslashes, quotes and `<` escaped (so that no text can end the
/// string or the style element).
fn css_string(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\\' => "\\\\".to_owned(),
            '"' => "\\\"".to_owned(),
            '<' => "\\3C ".to_owned(),
            '\n' | '\r' => " ".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// A page; `running` is printed at the top left of every page.
fn page(title: &str, body: &str, script: bool, running: &str) -> String {
    let body = scrollable_tables(body);
    format!(
        "<!doctype html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<link rel=\"icon\" href=\"data:,\">\n<title>{}</title>\n<style>{CSS}{}@media print {{ @page {{ @top-left {{ content: \"{}\"; }} }} }}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n{}</body>\n</html>\n",
        esc(title),
        palette::css(),
        css_string(running),
        if script {
            format!("<script>{PRINT_JS}{SORT_JS}</script>\n")
        } else {
            format!("<script>{PRINT_JS}</script>\n")
        }
    )
}

fn pct(v: Option<f64>) -> String {
    // Round first so that −0.04 prints as 0.0%, not −0.0%.
    v.map_or("—".into(), |v| {
        let r = (v * 10.0).round() / 10.0;
        format!("{:.1}%", if r == 0.0 { 0.0 } else { r }).replace('-', "−")
    })
}

/// The disclosure-control note of a page made from controlled figures (empty otherwise).
fn disclosure_note(note: Option<&str>) -> String {
    note.map_or(String::new(), |n| {
        format!(r#"<p class="disclosure" data-field="disclosure">{}</p>"#, esc(n))
    })
}

/// The banner of a page whose figures are a what-if plan's: its name and its changes in words.
fn plan_note(plan: Option<&crate::report::facts::PlanFacts>) -> String {
    plan.map_or(String::new(), |p| {
        let mut out = format!(
            r#"<section class="plan" data-field="plan"><p><strong>What-if plan: {}.</strong> The forecast figures on this page are the plan's, not the data as it is.</p><ul>"#,
            esc(&p.name)
        );
        for c in &p.changes {
            let _ = write!(out, "<li>{}</li>", esc(c));
        }
        out.push_str("</ul>");
        if !p.notes.is_empty() {
            out.push_str(r#"<p class="note">What the projection did with it:</p><ul class="note">"#);
            for n in &p.notes {
                let _ = write!(out, "<li>{}</li>", esc(n));
            }
            out.push_str("</ul>");
        }
        out.push_str("</section>");
        out
    })
}

/// A table cell's text for a count suppressed by disclosure control.
fn suppressed_cell() -> String {
    crate::model::disclosure::SUPPRESSED.to_owned()
}

fn signed(v: f64) -> String {
    let r = v.round();
    if r > 0.0 {
        format!("+{}", thousands(r))
    } else if r < 0.0 {
        format!("−{}", thousands(-r))
    } else {
        "0".into()
    }
}

fn badge(s: Option<&str>) -> String {
    s.map_or(String::new(), |s| {
        format!(r#"<span class="status {0}" data-field="status">{0}</span>"#, esc(s))
    })
}

fn figure_cell(r: Option<&SummaryRow>) -> String {
    match r {
        None => r#"<td class="fig">no forecast</td>"#.into(),
        Some(r) if r.schools == 0 => r#"<td class="fig">no school</td>"#.into(),
        Some(r) => format!(
            r#"<td class="fig"><span data-field="capacity">{}</span> places · <span data-field="pupils">{}</span> pupils{}<small><span data-field="spare">{}</span> spare (<span data-field="spare_pct">{}</span>) {}</small></td>"#,
            thousands(r.sufficiency.capacity),
            thousands(r.sufficiency.pupils),
            match (r.forecast, r.schools_from_population) {
                (false, _) => "",
                (true, 0) => " (forecast)",
                (true, n) if n == r.schools => " (projected from population)",
                (true, _) => " (forecast; some schools projected from population)",
            },
            signed(r.sufficiency.spare),
            pct(r.sufficiency.spare_pct),
            badge(r.sufficiency.status.map(crate::analysis::sufficiency::Status::as_str))
        ),
    }
}

fn compare_table(rows: &[CompareRow], me: &str, href: &dyn Fn(&str) -> Option<String>, sortable: bool, caption: &str) -> String {
    let mut t = String::new();
    let th = |label: &str, num: bool| {
        if sortable {
            format!(
                // The heading's text twice: in the sort button on screen, plain on paper (Chromium
                // paints no button in a table header it repeats on each printed page).
                r#"<th scope="col"{}><button type="button">{label}</button><span class="paper">{label}</span></th>"#,
                if num { r#" class="num""# } else { "" }
            )
        } else {
            format!(r#"<th scope="col"{}>{label}</th>"#, if num { r#" class="num""# } else { "" })
        }
    };
    let _ = write!(
        t,
        r#"<table{}><caption>{}</caption><thead><tr>{}{}{}{}{}{}{}</tr></thead><tbody>"#,
        if sortable { " data-sortable" } else { "" },
        esc(caption),
        th("Ward", false),
        th("Primary spare", true),
        th("Secondary spare", true),
        th("IMD rank (1 = most deprived)", true),
        th("Residents in most deprived 10%", true),
        th("Children in most deprived 10% (IDACI)", true),
        th("Equity priority", true)
    );
    for r in rows {
        let cls = if r.code == me {
            r#" class="me""#
        } else if r.code == "LA" {
            r#" class="la""#
        } else {
            ""
        };
        let name = match href(&r.code) {
            Some(h) if r.code != "LA" => format!(r#"<a href="{}">{}</a>"#, esc(&h), esc(&r.name)),
            _ => esc(&r.name),
        };
        let sort = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
        let _ = write!(
            t,
            r#"<tr{cls} data-code="{code}"><th scope="row" data-sort="{sname}">{name}</th><td class="num" data-sort="{}">{} {}</td><td class="num" data-sort="{}">{} {}</td><td class="num" data-sort="{}">{}</td><td class="num" data-sort="{}">{}</td><td class="num" data-sort="{}">{}</td><td class="num" data-sort="{}">{}</td></tr>"#,
            sort(r.primary_spare_pct),
            pct(r.primary_spare_pct),
            badge(r.primary_status.as_deref()).replace(r#" data-field="status""#, ""),
            sort(r.secondary_spare_pct),
            pct(r.secondary_spare_pct),
            badge(r.secondary_status.as_deref()).replace(r#" data-field="status""#, ""),
            sort(r.imd_rank),
            r.imd_rank.map_or("—".into(), thousands),
            sort(r.pct_pop_most_deprived_decile),
            pct(r.pct_pop_most_deprived_decile),
            sort(r.pct_children_idaci_decile1),
            pct(r.pct_children_idaci_decile1),
            r.priority_rank.map_or(String::new(), |k| k.to_string()),
            r.priority_rank.map_or("—".into(), |k| k.to_string()),
            code = esc(&r.code),
            sname = esc(&r.name),
        );
    }
    t.push_str("</tbody></table>");
    t
}

/// The ward page.
#[must_use]
pub fn ward_page(f: &WardFacts, map_svg: &str, links: &Links, href: &dyn Fn(&str) -> Option<String>) -> String {
    let mut b = String::new();
    let _ = write!(
        b,
        r#"<p class="crumbs noprint"><a href="{}">All wards</a>{}{}{PRINT_BUTTON}</p>"#,
        esc(&links.index),
        links
            .map
            .as_ref()
            .map_or(String::new(), |m| format!(r#"<a href="{}">Open on the map</a>"#, esc(m))),
        links
            .json
            .as_ref()
            .map_or(String::new(), |j| format!(r#"<a href="{}">Figures as JSON</a>"#, esc(j)))
    );
    if f.synthetic {
        b.push_str(r#"<p class="synthetic">SYNTHETIC demo data generated by placeplan — not a real place</p>"#);
    }
    b.push_str(&disclosure_note(f.disclosure.as_deref()));
    b.push_str(&plan_note(f.plan.as_ref()));
    let _ = write!(
        b,
        r#"<h1>{}</h1><p class="sub">Ward {} · {} · {} · census year {}</p>"#,
        esc(&f.name),
        esc(&f.code),
        esc(&f.layer_title),
        esc(&f.authority),
        year_label(f.census_year)
    );
    b.push_str(r#"<section class="keep"><h2>In brief</h2><ul class="brief" data-field="sentences">"#);
    for s in &f.sentences {
        let _ = write!(b, "<li>{}</li>", esc(s));
    }
    b.push_str("</ul></section>");

    b.push_str("<h2>School places</h2>");
    for h in &f.headline {
        let ph = h.phase.as_str();
        let _ = write!(
            b,
            r#"<table data-phase="{ph}"><caption>{} places against pupils</caption><thead><tr><th scope="col">Area</th>"#,
            h.phase.title()
        );
        for y in &h.ward.years {
            let _ = write!(b, r#"<th scope="col">{} <small>({})</small></th>"#, esc(&y.label), esc(&y.horizon));
        }
        b.push_str("</tr></thead><tbody>");
        for (kind, a) in std::iter::once(("Schools in the ward", &h.ward)).chain(h.planning_areas.iter().map(|a| ("Planning area", a))) {
            let _ = write!(
                b,
                r#"<tr data-area="{}" data-layer="{}"><th scope="row">{}<small style="display:block;font-weight:400;color:#555">{}</small></th>"#,
                esc(&a.code),
                esc(&a.layer),
                esc(&a.name),
                kind
            );
            for y in &a.years {
                b.push_str(&figure_cell(y.row.as_ref()).replacen("<td", &format!(r#"<td data-year="{}""#, y.year), 1));
            }
            b.push_str("</tr>");
        }
        b.push_str("</tbody></table>");
    }

    b.push_str(r#"<div class="grid"><figure>"#);
    b.push_str(map_svg);
    let _ = write!(
        b,
        r#"<figcaption>{} shaded, neighbouring wards named. Schools serving the ward, by their own spare places: <span class="key"><span class="dot" style="background:{}"></span>deficit</span><span class="key"><span class="dot" style="background:{}"></span>tight</span><span class="key"><span class="dot" style="background:{}"></span>healthy</span><span class="key"><span class="dot" style="background:{}"></span>surplus</span>; other schools grey.</figcaption></figure>"#,
        esc(&f.name),
        palette::DEFICIT,
        palette::TIGHT,
        palette::HEALTHY,
        palette::SURPLUS
    );
    // Deprivation profile beside the map.
    let d = &f.deprivation;
    b.push_str(r#"<section class="keep"><h2>Deprivation</h2>"#);
    let _ = write!(
        b,
        r#"<table data-field="deciles"><caption>Residents by national IMD 2019 decile ({} LSOAs or parts)</caption><thead><tr><th scope="col">Decile</th><th scope="col" class="num">Ward</th><th scope="col" class="num">Authority</th></tr></thead><tbody>"#,
        d.lsoas
    );
    for k in 0..10 {
        let label = match k {
            0 => "1 most deprived".to_owned(),
            9 => "10 least deprived".to_owned(),
            _ => (k + 1).to_string(),
        };
        let _ = write!(
            b,
            r#"<tr><th scope="row">{label}</th><td class="num"><span class="bar" style="width:{:.1}px"></span> {:.0}%</td><td class="num"><span class="bar la" style="width:{:.1}px"></span> {:.0}%</td></tr>"#,
            d.deciles[k] * 0.8,
            d.deciles[k],
            d.authority_deciles[k] * 0.8,
            d.authority_deciles[k]
        );
    }
    b.push_str("</tbody></table>");
    b.push_str("</section></div>");
    let _ = write!(
        b,
        r#"<table><caption>Key measures</caption><thead><tr><th scope="col">Measure</th><th scope="col" class="num">Ward</th><th scope="col" class="num">Authority</th></tr></thead><tbody>
<tr><th scope="row">Residents</th><td class="num">{}</td><td class="num">{}</td></tr>
<tr><th scope="row">Children aged 0–15</th><td class="num">{}</td><td class="num">{}</td></tr>
<tr><th scope="row">IMD rank, population-weighted (1 = most deprived of 32,844)</th><td class="num" data-field="imd_rank">{}</td><td class="num">{}</td></tr>
<tr><th scope="row">Residents in England's most deprived 20% (the map's need view)</th><td class="num" data-field="most_deprived_20">{}</td><td class="num">{}</td></tr>
<tr><th scope="row">Children in the most deprived 10% (IDACI)</th><td class="num" data-field="idaci1">{}</td><td class="num">{}</td></tr></tbody></table>"#,
        thousands(d.ward.population),
        thousands(d.authority.population),
        thousands(d.ward.children_0_15),
        thousands(d.authority.children_0_15),
        d.ward.imd_rank_popweighted.map_or("—".into(), thousands),
        d.authority.imd_rank_popweighted.map_or("—".into(), thousands),
        pct(d.ward.pct_pop_most_deprived_quintile),
        pct(d.authority.pct_pop_most_deprived_quintile),
        pct(d.ward.pct_children_idaci_decile1),
        pct(d.authority.pct_children_idaci_decile1)
    );

    b.push_str("<h2>Schools serving the ward</h2>");
    if f.schools.is_empty() {
        b.push_str("<p>No open mainstream school stands in this ward.</p>");
    } else {
        b.push_str(r#"<table data-field="schools"><caption>Open mainstream schools in the ward, census year</caption><thead><tr><th scope="col">School</th><th scope="col">Phase</th><th scope="col">Ofsted</th><th scope="col" class="num">Places</th><th scope="col" class="num">Roll</th><th scope="col" class="num">Spare</th><th scope="col" class="num">FSM</th></tr></thead><tbody>"#);
        for s in &f.schools {
            let _ = write!(
                b,
                r#"<tr data-urn="{}"><th scope="row">{}</th><td>{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
                esc(&s.urn),
                esc(&s.name),
                s.phase.as_str(),
                esc(s.ofsted.as_deref().unwrap_or("—")),
                thousands(s.capacity),
                s.roll.map_or_else(suppressed_cell, thousands),
                s.spare.map_or_else(suppressed_cell, signed),
                pct(s.fsm_pct)
            );
        }
        b.push_str("</tbody></table>");
    }

    if let Some(p) = &f.priority {
        let _ = write!(
            b,
            r#"<section class="keep"><h2>Equity</h2><p data-field="priority">{}{}</p><p>{:.0}% of residents live in LSOAs that form a significant deprivation hot spot{}.</p></section>"#,
            p.rank.map_or(String::new(), |k| format!(
                "<strong>Equity priority {k} of {}.</strong> ",
                f.priorities_in_layer
            )),
            esc(&p.reason),
            p.hot_share * 100.0,
            if p.hot_lsoas.is_empty() {
                String::new()
            } else {
                format!(" ({})", esc(&p.hot_lsoas.join(", ")))
            }
        );
    }

    b.push_str("<h2>Compared with the authority and similar wards</h2>");
    b.push_str(&compare_table(
        &f.comparison,
        &f.code,
        href,
        false,
        "This ward, the authority, and the five wards most like it in deprivation and primary spare places (census year)",
    ));

    b.push_str(r#"<section class="methods"><h2>How these figures are made</h2>"#);
    for m in &f.methods {
        let _ = write!(b, "<p>{}</p>", esc(m));
    }
    b.push_str("</section>");
    let _ = write!(
        b,
        r#"<p class="foot">placeplan ward page · {} · <a href="{1}">{1}</a>{PRINTED}<br>Contains OS data © Crown copyright and database right; ONS, DfE (GIAS, SCAP) and MHCLG (IoD 2019) data under the Open Government Licence v3.0.</p>"#,
        esc(&f.authority),
        esc(&links.permalink)
    );
    page(
        &format!("{} — school places and deprivation", f.name),
        &b,
        false,
        &format!("{} ward, {}: school places and deprivation", f.name, f.authority),
    )
}

/// The ward index: every ward with a sortable ranking table; `synthetic` and `disclosure` (its
/// note) label the figures as the ward pages do.
#[must_use]
#[allow(clippy::too_many_arguments)]
pub fn index_page(
    authority: &str,
    layer_title: &str,
    synthetic: bool,
    disclosure: Option<&str>,
    census_year: i32,
    rows: &[CompareRow],
    href: &dyn Fn(&str) -> Option<String>,
    map: Option<&str>,
) -> String {
    let mut b = String::new();
    match map {
        Some(m) => {
            let _ = write!(
                b,
                r#"<p class="crumbs noprint"><a href="{}">Open the map</a>{PRINT_BUTTON}</p>"#,
                esc(m)
            );
        }
        None => {
            let _ = write!(b, r#"<p class="crumbs noprint">{PRINT_BUTTON}</p>"#);
        }
    }
    if synthetic {
        b.push_str(r#"<p class="synthetic">SYNTHETIC demo data generated by placeplan — not a real place</p>"#);
    }
    b.push_str(&disclosure_note(disclosure));
    let _ = write!(
        b,
        r#"<h1>{}: school places and deprivation by ward</h1><p class="sub">{} · {} wards · census year {}. Select a column heading to sort; select a ward for its page.</p>"#,
        esc(authority),
        esc(layer_title),
        rows.len(),
        year_label(census_year)
    );
    // By name, as a reader looks a ward up (the headings sort by any column).
    let mut by_name: Vec<CompareRow> = rows.to_vec();
    by_name.sort_by_cached_key(|r| r.name.to_lowercase());
    b.push_str(&compare_table(&by_name, "", href, true, "All wards, by name"));
    let _ = write!(
        b,
        r#"<p class="foot">placeplan ward index · {}{PRINTED}<br>Contains OS data © Crown copyright and database right; ONS, DfE (GIAS, SCAP) and MHCLG (IoD 2019) data under the Open Government Licence v3.0.</p>"#,
        esc(authority)
    );
    page(
        &format!("{authority} — wards"),
        &b,
        true,
        &format!("{authority}: school places and deprivation by ward"),
    )
}
