//! A static SVG map of a ward for its page: the ward, the neighbouring wards with their names,
//! the schools serving it coloured by their own spare places, other schools in grey, and a scale
//! bar. Drawn straight from EPSG:27700 metres (a plane), so it needs no tiles, script or network
//! and prints sharply.

use crate::analysis::sufficiency::{Status, status};
use crate::analysis::summary::{school_places, school_pupils};
use crate::dataset::Dataset;
use crate::map::metrics::palette;
use crate::model::Phase;
use geo::{Area, BooleanOps, BoundingRect, Coord, InteriorPoint, MultiPolygon, Rect, Simplify};
use std::fmt::Write as _;

/// Width of the drawing in SVG units.
const W: f64 = 640.0;

struct View {
    min: Coord,
    max: Coord,
    k: f64,
    h: f64,
}

impl View {
    fn new(r: Rect<f64>) -> Self {
        let pad = 0.12 * (r.width().max(r.height())).max(200.0);
        let (mut min, mut max) = (
            Coord {
                x: r.min().x - pad,
                y: r.min().y - pad,
            },
            Coord {
                x: r.max().x + pad,
                y: r.max().y + pad,
            },
        );
        // Keep the drawing between 3:2 landscape and square.
        let (w, h) = (max.x - min.x, max.y - min.y);
        if h < w / 1.5 {
            let grow = (w / 1.5 - h) / 2.0;
            min.y -= grow;
            max.y += grow;
        } else if h > w {
            let grow = (h - w) / 2.0;
            min.x -= grow;
            max.x += grow;
        }
        let k = W / (max.x - min.x);
        Self {
            min,
            max,
            k,
            h: (max.y - min.y) * k,
        }
    }
    fn x(&self, x: f64) -> f64 {
        (x - self.min.x) * self.k
    }
    fn y(&self, y: f64) -> f64 {
        (self.max.y - y) * self.k
    }
    fn rect(&self) -> Rect<f64> {
        Rect::new(self.min, self.max)
    }
}

fn path(v: &View, mp: &MultiPolygon<f64>) -> String {
    let simple = mp.simplify(0.6 / v.k);
    let mut d = String::new();
    for p in &simple.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            for (i, c) in ring.0.iter().enumerate() {
                let _ = write!(d, "{}{:.1} {:.1}", if i == 0 { "M" } else { "L" }, v.x(c.x), v.y(c.y));
            }
            d.push('Z');
        }
    }
    d
}

fn intersects(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x <= b.max().x && b.min().x <= a.max().x && a.min().y <= b.max().y && b.min().y <= a.max().y
}

/// HTML/XML text escaping.
#[must_use]
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// The colour of a status word.
#[must_use]
pub fn status_colour(s: Option<Status>) -> &'static str {
    match s {
        Some(Status::Deficit) => palette::DEFICIT,
        Some(Status::Tight) => palette::TIGHT,
        Some(Status::Healthy) => palette::HEALTHY,
        Some(Status::Surplus) => palette::SURPLUS,
        None => palette::NO_DATA,
    }
}

/// A "nice" scale-bar length (1, 2 or 5 × 10^n metres) near a fifth of the view.
fn nice(m: f64) -> f64 {
    let p = 10f64.powf(m.log10().floor());
    [5.0, 2.0, 1.0].into_iter().map(|f| f * p).find(|v| *v <= m).unwrap_or(p)
}

/// The SVG map of area `area` of boundary layer `li`, highlighting schools `serving`.
#[must_use]
pub fn ward_map(ds: &Dataset, li: usize, area: usize, serving: &[usize]) -> String {
    let layer = &ds.layers[li];
    let Some(me) = layer.areas.get(area) else { return String::new() };
    let Some(bb) = me.geometry.bounding_rect() else {
        return String::new();
    };
    let v = View::new(bb);
    let view = v.rect();
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="ward-map" viewBox="0 0 {W:.0} {h:.0}" role="img" aria-labelledby="map-title map-desc" xmlns="http://www.w3.org/2000/svg">
<title id="map-title">Map of {name}</title>
<desc id="map-desc">{name} (shaded) with its neighbouring wards and the schools: those serving the ward are coloured by their spare places, others are grey.</desc>
<rect width="100%" height="100%" fill="#ffffff"/>"##,
        h = v.h,
        name = esc(&me.name)
    );
    let mut labels = String::new();
    for (i, a) in layer.areas.iter().enumerate() {
        if i == area {
            continue;
        }
        let Some(r) = a.geometry.bounding_rect() else { continue };
        if !intersects(&r, &view) {
            continue;
        }
        let _ = write!(
            s,
            r##"<path d="{}" fill="#f2f2f2" stroke="#8a8a8a" stroke-width="1" fill-rule="evenodd"/>"##,
            path(&v, &a.geometry)
        );
        // Label the part of the neighbour inside the drawing, if it is big enough to hold a name.
        let inside = a.geometry.intersection(&MultiPolygon::new(vec![view.to_polygon()]));
        if inside.unsigned_area() < 0.02 * view.width() * view.height() {
            continue;
        }
        if let Some(p) = inside.interior_point() {
            // Keep the whole name inside the drawing (about 6 units per character at 11 px).
            let half = 3.1 * a.name.chars().count() as f64 + 4.0;
            let x = v.x(p.x()).clamp(half.min(W / 2.0), (W - half).max(W / 2.0));
            let y = v.y(p.y());
            if (12.0..v.h - 12.0).contains(&y) {
                let _ = write!(labels, r##"<text x="{x:.1}" y="{y:.1}" class="nb">{}</text>"##, esc(&a.name));
            }
        }
    }
    let _ = write!(
        s,
        r##"<path d="{}" fill="#fde9c9" stroke="#111111" stroke-width="2.5" fill-rule="evenodd"/>"##,
        path(&v, &me.geometry)
    );
    s.push_str(&labels);
    // Other schools first (under), then the ward's own.
    for (si, sc) in ds.schools.iter().enumerate() {
        if !sc.open || !sc.counts() || serving.contains(&si) {
            continue;
        }
        let Some(c) = sc.location else { continue };
        if view.min().x <= c.x && c.x <= view.max().x && view.min().y <= c.y && c.y <= view.max().y {
            let _ = write!(
                s,
                r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#9e9e9e" stroke="#ffffff" stroke-width="1"><title>{}</title></circle>"##,
                v.x(c.x),
                v.y(c.y),
                esc(&sc.name)
            );
        }
    }
    for &si in serving {
        let sc = &ds.schools[si];
        let Some(c) = sc.location else { continue };
        let (cap, roll) = Phase::ALL.iter().fold((0.0, 0.0), |acc, &p| {
            (
                acc.0 + school_places(ds, si, p, ds.census_year),
                acc.1 + school_pupils(ds, si, p, ds.census_year).0,
            )
        });
        let st = (cap > 0.0).then(|| status((cap - roll) / cap, &ds.settings.bands));
        let _ = write!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="6.5" fill="{}" stroke="#111111" stroke-width="1.5"><title>{}</title></circle>"##,
            v.x(c.x),
            v.y(c.y),
            status_colour(st),
            esc(&sc.name)
        );
    }
    // Scale bar, bottom left.
    let metres = nice((view.width()) / 5.0);
    let len = metres * v.k;
    let label = if metres >= 1000.0 {
        format!("{} km", metres / 1000.0)
    } else {
        format!("{metres} m")
    };
    let y = v.h - 14.0;
    let _ = write!(
        s,
        r##"<g class="scale"><rect x="10" y="{:.1}" width="{:.1}" height="22" fill="#ffffff" opacity="0.85"/><path d="M16 {y:.1}h{len:.1}" stroke="#111111" stroke-width="3"/><text x="16" y="{:.1}">{label}</text></g>"##,
        y - 18.0,
        len + 40.0,
        y - 5.0
    );
    s.push_str("</svg>");
    s
}
