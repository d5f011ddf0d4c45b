//! What a map layer can be coloured by: every metric's name, unit, tile property, legend (breaks,
//! labels, colour-blind-safe colours) and a description of its method. The style builder and the
//! web app's legend both read this, so the two cannot disagree.

use crate::analysis::explain::Metric;
use crate::manifest::Bands;
use serde::Serialize;

/// Okabe–Ito colours for the sufficiency status words (safe for the common colour-vision deficiencies).
pub mod palette {
    /// Fewer places than pupils.
    pub const DEFICIT: &str = "#D55E00";
    /// Spare below the tight threshold.
    pub const TIGHT: &str = "#E69F00";
    /// Within the operating margin.
    pub const HEALTHY: &str = "#009E73";
    /// Above the healthy band.
    pub const SURPLUS: &str = "#56B4E9";
    /// Far above it (the 25% school rule).
    pub const HIGH_SURPLUS: &str = "#0072B2";
    /// No figure.
    pub const NO_DATA: &str = "#BDBDBD";
    /// Viridis, 10 classes, dark (most deprived) to light.
    pub const VIRIDIS_10: [&str; 10] = [
        "#440154", "#482878", "#3E4989", "#31688E", "#26828E", "#1F9E89", "#35B779", "#6ECE58", "#B5DE2B", "#FDE725",
    ];
    /// Viridis, 5 classes, light (low share) to dark (high share).
    pub const VIRIDIS_5_REV: [&str; 5] = ["#FDE725", "#5EC962", "#21918C", "#3B528B", "#440154"];
    /// ColorBrewer OrRd, 4 classes (shortfall places).
    pub const ORRD_4: [&str; 4] = ["#FEF0D9", "#FDCC8A", "#FC8D59", "#D7301F"];
    /// ColorBrewer OrRd, 5 classes (distance: near light, far dark).
    pub const ORRD_5: [&str; 5] = ["#FEF0D9", "#FDCC8A", "#FC8D59", "#E34A33", "#B30000"];
    /// ColorBrewer RdBu, 7 classes, hot (red) to cold (blue), neutral centre: hot-spot classes.
    pub const RDBU_7: [&str; 7] = ["#B2182B", "#EF8A62", "#FDDBC7", "#F7F7F7", "#D1E5F0", "#67A9CF", "#2166AC"];
    /// ColorBrewer PuOr, 5 classes, low (orange) to high (purple): access relative to the mean.
    pub const PUOR_5: [&str; 5] = ["#E66101", "#FDB863", "#F7F7F7", "#B2ABD2", "#5E3C99"];
    /// Priority classes: deep red (both), light orange (deficit only), blue (hot spot only), near
    /// white (neither); told apart by lightness as well as hue, so safe for colour-vision deficiencies.
    pub const PRIORITY: [&str; 4] = ["#B2182B", "#FDB863", "#4393C3", "#F4F4F4"];

    /// The status colours as CSS custom properties, and a `.status.{word}` rule for each — the
    /// one copy every page uses (the web app reads it as `/palette.css`; ward pages inline it).
    #[must_use]
    pub fn css() -> String {
        let status = [("deficit", DEFICIT), ("tight", TIGHT), ("healthy", HEALTHY), ("surplus", SURPLUS)];
        let mut out = String::from(":root {");
        for (k, v) in status.iter().chain(&[("high-surplus", HIGH_SURPLUS), ("no-data", NO_DATA)]) {
            out.push_str(&format!(" --{k}: {v};"));
        }
        out.push_str(" }\n");
        for (k, _) in status {
            out.push_str(&format!(".status.{k} {{ background: var(--{k}); }}\n"));
        }
        out
    }
}

/// How a metric maps values to colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LegendKind {
    /// Each entry's `value` is a category (a string or an integer class).
    Categorical,
    /// Each entry's `value` is the lower bound of a class (`null` for the first, open class).
    Step,
}

/// One class of a legend.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LegendEntry {
    /// The category, or the class's lower bound (`Null` for the lowest class).
    pub value: serde_json::Value,
    /// Text for the legend.
    pub label: String,
    /// `#RRGGBB`.
    pub color: String,
}

/// A metric a layer can be coloured by.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricSpec {
    /// Metric id (as in `placeplan summary`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Unit (`%`, `places`, `rank`, `decile`, or empty for a status word).
    pub unit: String,
    /// The tile property holding it; `{phase}` and `{year}` are replaced when `by_phase_year`.
    pub property: String,
    /// Whether there is one value per phase and academic year.
    pub by_phase_year: bool,
    /// Categorical or stepped.
    pub kind: LegendKind,
    /// The classes, in legend order.
    pub legend: Vec<LegendEntry>,
    /// Colour for features without a value.
    pub no_data: String,
    /// How the figure is calculated, in words.
    pub description: String,
}

impl MetricSpec {
    /// The figure `placeplan explain` and `/api/explain` show the calculation of for this metric
    /// (the status word is explained by its spare %), when there is one.
    #[must_use]
    pub fn explained_by(&self) -> Option<Metric> {
        if self.id == "status" {
            return Some(Metric::SparePct);
        }
        Metric::parse(&self.id).ok()
    }

    /// The tile property for a phase and year (`status_primary_2026`), or the plain property.
    #[must_use]
    pub fn property_for(&self, phase: &str, year: i32) -> String {
        if self.by_phase_year {
            self.property.replace("{phase}", phase).replace("{year}", &year.to_string())
        } else {
            self.property.clone()
        }
    }

    /// A MapLibre style expression colouring by this metric's `property`:
    /// `match` for categories, `step` for classes, the no-data colour when the property is absent.
    #[must_use]
    pub fn color_expression(&self, property: &str) -> serde_json::Value {
        use serde_json::{Value, json};
        let get = json!(["get", property]);
        let body = match self.kind {
            LegendKind::Categorical => {
                let mut e = vec![json!("match"), get];
                for l in &self.legend {
                    e.push(l.value.clone());
                    e.push(json!(l.color));
                }
                e.push(json!(self.no_data));
                Value::Array(e)
            }
            LegendKind::Step => {
                let mut e = vec![json!("step"), json!(["to-number", get])];
                let mut it = self.legend.iter();
                e.push(json!(it.next().map_or(self.no_data.as_str(), |l| l.color.as_str())));
                for l in it {
                    e.push(l.value.clone());
                    e.push(json!(l.color));
                }
                Value::Array(e)
            }
        };
        json!(["case", ["has", property], body, self.no_data])
    }
}

fn entry(value: serde_json::Value, label: impl Into<String>, color: &str) -> LegendEntry {
    LegendEntry {
        value,
        label: label.into(),
        color: color.to_owned(),
    }
}

fn pct(f: f64) -> String {
    let v = f * 100.0;
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}%")
    } else {
        format!("{v}%")
    }
}

/// The status word of an area (deficit / tight / healthy / surplus) from the configured bands.
#[must_use]
pub fn status(bands: &Bands) -> MetricSpec {
    use serde_json::json;
    MetricSpec {
        id: "status".into(),
        name: "Place sufficiency".into(),
        unit: String::new(),
        property: "status_{phase}_{year}".into(),
        by_phase_year: true,
        kind: LegendKind::Categorical,
        legend: vec![
            entry(
                json!("deficit"),
                format!("Deficit: spare below {}", pct(bands.deficit_below)),
                palette::DEFICIT,
            ),
            entry(
                json!("tight"),
                format!("Tight: spare under {}", pct(bands.tight_below)),
                palette::TIGHT,
            ),
            entry(
                json!("healthy"),
                format!("Healthy: {}–{} spare", pct(bands.tight_below), pct(bands.healthy_below)),
                palette::HEALTHY,
            ),
            entry(
                json!("surplus"),
                format!("Surplus: over {} spare", pct(bands.healthy_below)),
                palette::SURPLUS,
            ),
        ],
        no_data: palette::NO_DATA.into(),
        description: format!(
            "Spare places = capacity − pupils, summed over the open mainstream schools serving the area (capacity × \
             the share of the school's year groups in the phase; pupils = roll in the census year, forecast after). \
             Status from spare / capacity: deficit below {}, tight below {}, healthy up to {}, surplus above.",
            pct(bands.deficit_below),
            pct(bands.tight_below),
            pct(bands.healthy_below)
        ),
    }
}

/// Spare places as a % of capacity, classed at the configured bands and the 25% school flag.
#[must_use]
pub fn spare_pct(bands: &Bands) -> MetricSpec {
    use serde_json::json;
    let b = |f: f64| json!(f * 100.0);
    MetricSpec {
        id: Metric::SparePct.as_str().into(),
        name: "Spare places".into(),
        unit: "%".into(),
        property: "spare_pct_{phase}_{year}".into(),
        by_phase_year: true,
        kind: LegendKind::Step,
        legend: vec![
            entry(
                serde_json::Value::Null,
                format!("below {}", pct(bands.deficit_below)),
                palette::DEFICIT,
            ),
            entry(
                b(bands.deficit_below),
                format!("{} to {}", pct(bands.deficit_below), pct(bands.tight_below)),
                palette::TIGHT,
            ),
            entry(
                b(bands.tight_below),
                format!("{} to {}", pct(bands.tight_below), pct(bands.healthy_below)),
                palette::HEALTHY,
            ),
            entry(
                b(bands.healthy_below),
                format!("{} to {}", pct(bands.healthy_below), pct(bands.school_flag_fraction)),
                palette::SURPLUS,
            ),
            entry(
                b(bands.school_flag_fraction),
                format!("{} or more", pct(bands.school_flag_fraction)),
                palette::HIGH_SURPLUS,
            ),
        ],
        no_data: palette::NO_DATA.into(),
        description: "100 × (capacity − pupils) / capacity over the schools serving the area.".into(),
    }
}

fn places_legend() -> Vec<LegendEntry> {
    use serde_json::json;
    vec![
        entry(serde_json::Value::Null, "none", palette::ORRD_4[0]),
        entry(json!(0.5), "1 to 29", palette::ORRD_4[1]),
        entry(json!(29.5), "30 to 99", palette::ORRD_4[2]),
        entry(json!(99.5), "100 or more", palette::ORRD_4[3]),
    ]
}

/// Short by: pupils without a place, `max(0, pupils − places)` — the one shortfall everywhere.
#[must_use]
pub fn shortfall() -> MetricSpec {
    MetricSpec {
        id: Metric::Shortfall.as_str().into(),
        name: "Short by".into(),
        unit: "places".into(),
        property: "shortfall_{phase}_{year}".into(),
        by_phase_year: true,
        kind: LegendKind::Step,
        legend: places_legend(),
        no_data: palette::NO_DATA.into(),
        description: "max(0, pupils − places) over the schools serving the area: pupils without a place.".into(),
    }
}

/// Places to add to keep the operating margin, `max(0, pupils × (1 + m) − places)`.
#[must_use]
pub fn margin_shortfall(margin: f64) -> MetricSpec {
    MetricSpec {
        id: Metric::MarginShortfall.as_str().into(),
        name: format!("Places to keep a {} margin", pct(margin)),
        unit: "places".into(),
        property: "margin_shortfall_{phase}_{year}".into(),
        by_phase_year: true,
        kind: LegendKind::Step,
        legend: places_legend(),
        no_data: palette::NO_DATA.into(),
        description: format!(
            "max(0, pupils × (1 + {margin}) − places): the places to add to keep a {} operating margin (not a shortage of places).",
            pct(margin)
        ),
    }
}

/// National IMD (or IDACI) decile classes 1 (most deprived 10% of LSOAs in England) to 10.
#[must_use]
pub fn decile(id: &str, name: &str, property: &str, what: &str) -> MetricSpec {
    use serde_json::json;
    MetricSpec {
        id: id.into(),
        name: name.into(),
        unit: "decile".into(),
        property: property.into(),
        by_phase_year: false,
        kind: LegendKind::Categorical,
        legend: (1..=10u8)
            .map(|d| {
                let label = match d {
                    1 => "1 most deprived 10%".to_owned(),
                    10 => "10 least deprived 10%".to_owned(),
                    _ => d.to_string(),
                };
                entry(json!(d), label, palette::VIRIDIS_10[usize::from(d - 1)])
            })
            .collect(),
        no_data: palette::NO_DATA.into(),
        description: format!("The LSOA's national decile of the {what} 2019 rank: ceil(10 × rank / 32,844), 1 = most deprived."),
    }
}

/// Population-weighted mean IMD rank of an area, classed at national decile boundaries.
#[must_use]
pub fn imd_rank() -> MetricSpec {
    use serde_json::json;
    let n = f64::from(crate::model::IOD2019_LSOAS);
    MetricSpec {
        id: Metric::ImdRank.as_str().into(),
        name: "IMD 2019 rank (population-weighted)".into(),
        unit: "rank".into(),
        property: "imd_rank".into(),
        by_phase_year: false,
        kind: LegendKind::Step,
        legend: (0..10u8)
            .map(|d| {
                let lower = if d == 0 {
                    serde_json::Value::Null
                } else {
                    json!((n * f64::from(d) / 10.0).round())
                };
                let label = format!("decile {}{}", d + 1, if d == 0 { " (most deprived)" } else { "" });
                entry(lower, label, palette::VIRIDIS_10[usize::from(d)])
            })
            .collect(),
        no_data: palette::NO_DATA.into(),
        description: "Σ p·r / Σ p over the area's LSOA pieces (p = residents in the piece, r = the LSOA's IMD 2019 \
                      rank, 1 = most deprived of 32,844), classed at the national decile boundaries."
            .into(),
    }
}

/// A share of the population (0–100%) in classes 0, 10, 25, 50, 75%.
#[must_use]
pub fn share(id: &str, name: &str, description: &str) -> MetricSpec {
    use serde_json::json;
    let bounds = [
        ("under 10%", None),
        ("10–25%", Some(10.0)),
        ("25–50%", Some(25.0)),
        ("50–75%", Some(50.0)),
        ("75% or more", Some(75.0)),
    ];
    MetricSpec {
        id: id.into(),
        name: name.into(),
        unit: "%".into(),
        property: id.into(),
        by_phase_year: false,
        kind: LegendKind::Step,
        legend: bounds
            .iter()
            .enumerate()
            .map(|(i, (label, lower))| {
                entry(
                    lower.map_or(serde_json::Value::Null, |v| json!(v)),
                    *label,
                    palette::VIRIDIS_5_REV[i],
                )
            })
            .collect(),
        no_data: palette::NO_DATA.into(),
        description: description.into(),
    }
}

/// The metrics of an area layer with schools (wards, planning areas), default first.
#[must_use]
pub fn area_metrics(bands: &Bands, margin: f64) -> Vec<MetricSpec> {
    vec![
        status(bands),
        need(bands),
        spare_pct(bands),
        shortfall(),
        margin_shortfall(margin),
        imd_rank(),
        share(
            "pct_pop_most_deprived_decile",
            "Residents in the most deprived 10%",
            "100 × Σ p (LSOAs in national IMD decile 1) / Σ p over the area's LSOA pieces.",
        ),
        share(
            "pct_children_idaci_decile1",
            "Children in the most deprived 10% (IDACI)",
            "100 × Σ c (LSOAs in national IDACI decile 1) / Σ c, c = children aged 0–15 in each piece.",
        ),
    ]
}

/// Getis-Ord Gi* hot-spot class of the LSOA's IMD (`hot_class`), from the run described in `how`.
#[must_use]
pub fn hot_class(how: &str) -> MetricSpec {
    use serde_json::json;
    let classes = [
        ("hot_99", "Hot spot, 99% confidence"),
        ("hot_95", "Hot spot, 95%"),
        ("hot_90", "Hot spot, 90%"),
        ("not_significant", "Not significant"),
        ("cold_90", "Cold spot, 90%"),
        ("cold_95", "Cold spot, 95%"),
        ("cold_99", "Cold spot, 99%"),
    ];
    MetricSpec {
        id: "hot_class".into(),
        name: "Deprivation hot spots (Gi*)".into(),
        unit: String::new(),
        property: "hot_class".into(),
        by_phase_year: false,
        kind: LegendKind::Categorical,
        legend: classes
            .iter()
            .zip(palette::RDBU_7)
            .map(|((v, label), c)| entry(json!(v), *label, c))
            .collect(),
        no_data: palette::NO_DATA.into(),
        description: format!(
            "Where deprived LSOAs cluster. Getis-Ord Gi* of the IMD 2019 rank reversed (32,845 − rank, so more \
             deprived = higher) over each LSOA and its neighbours: z = (Σ w x − x̄ W) / (S √((n S1 − W²)/(n − 1))) \
             (Ord & Getis 1995). Significance from conditional permutations, corrected for testing every LSOA \
             (Benjamini–Hochberg). {how}."
        ),
    }
}

/// Access to places relative to the authority mean (`access_norm_{phase}`), from the run described in `how`.
#[must_use]
pub fn access_norm(phase: &str, how: &str) -> MetricSpec {
    use serde_json::json;
    let classes = [
        (None, "under 0.5 × the average"),
        (Some(0.5), "0.5–0.8 ×"),
        (Some(0.8), "0.8–1.25 × (typical)"),
        (Some(1.25), "1.25–2 ×"),
        (Some(2.0), "2 × the average or more"),
    ];
    MetricSpec {
        id: format!("access_{phase}"),
        name: format!("Access to {phase} places"),
        unit: "× average".into(),
        property: format!("access_norm_{phase}"),
        by_phase_year: false,
        kind: LegendKind::Step,
        legend: classes
            .iter()
            .zip(palette::PUOR_5)
            .map(|((v, label), c)| entry(v.map_or(serde_json::Value::Null, |v| json!(v)), *label, c))
            .collect(),
        no_data: palette::NO_DATA.into(),
        description: format!("{how} Shown relative to the child-weighted average of the authority: A_i / (Σ P A / Σ P)."),
    }
}

/// Distance to the nearest Good or Outstanding school of the phase with spare places (`good_m_{phase}`).
#[must_use]
pub fn good_distance(phase: &str, statutory_m: f64) -> MetricSpec {
    use serde_json::json;
    let miles = statutory_m / 1609.344;
    let classes = [
        (None, "under 500 m".to_owned()),
        (Some(500.0), "500 m – 1 km".to_owned()),
        (Some(1000.0), "1–2 km".to_owned()),
        (Some(2000.0), format!("2 km – {:.1} km", statutory_m / 1000.0)),
        (Some(statutory_m), format!("beyond {miles:.0} miles (statutory walking distance)")),
    ];
    MetricSpec {
        id: format!("good_m_{phase}"),
        name: format!("Nearest good {phase} school with room"),
        unit: "m".into(),
        property: format!("good_m_{phase}"),
        by_phase_year: false,
        kind: LegendKind::Step,
        legend: classes
            .iter()
            .zip(palette::ORRD_5)
            .map(|((v, label), c)| entry(v.map_or(serde_json::Value::Null, |v| json!(v)), label.clone(), c))
            .collect(),
        no_data: palette::NO_DATA.into(),
        description: format!(
            "Straight-line distance from where the LSOA's residents live (the mean of its postcode points, else a \
             point inside it) to the nearest open mainstream {phase} school rated Good or Outstanding by Ofsted \
             that has at least one spare place (capacity − roll) in the census year."
        ),
    }
}

/// Equity priority class of an area for the selected phase and year (`priority_class_{phase}_{year}`):
/// a deficit meeting a hot spot, either alone, or neither. (`priority_class` alone is over every
/// phase and year, as on the ward pages.)
#[must_use]
pub fn priority_class(method: &str) -> MetricSpec {
    use serde_json::json;
    let classes = [
        ("priority", "Priority: deficit and deprivation hot spot"),
        ("deficit", "Deficit of places only"),
        ("hotspot", "Deprivation hot spot only"),
        ("neither", "Neither"),
    ];
    MetricSpec {
        id: "priority_class".into(),
        name: "Equity priority".into(),
        unit: String::new(),
        property: "priority_class_{phase}_{year}".into(),
        by_phase_year: true,
        kind: LegendKind::Categorical,
        legend: classes
            .iter()
            .zip(palette::PRIORITY)
            .map(|((v, label), c)| entry(json!(v), *label, c))
            .collect(),
        no_data: palette::NO_DATA.into(),
        description: method.to_owned(),
    }
}

/// Residents in England's most deprived 20% (IMD deciles 1–2): at or above this share an area
/// is "much more deprived than England" (twice the national share, which is 20% by construction).
pub const NEED_MUCH_MORE_DEPRIVED: f64 = 40.0;
/// At or above this share, "more deprived than England" (the national share).
pub const NEED_MORE_DEPRIVED: f64 = 20.0;

/// The need class of an area for one phase and year (`need_{phase}_{year}`): a deficit of places
/// split by how many of its residents live in England's most deprived 20% of LSOAs
/// (`pct_most_deprived_20`, population-weighted from the area's LSOA pieces), then tight, then
/// enough. `None` (no figure) without a status, or with a deficit and no deprivation figure.
#[must_use]
pub fn need_class(status: Option<crate::stats::sufficiency::Status>, pct_most_deprived_20: Option<f64>) -> Option<&'static str> {
    use crate::stats::sufficiency::Status;
    match status? {
        Status::Deficit => {
            let share = pct_most_deprived_20?;
            Some(if share >= NEED_MUCH_MORE_DEPRIVED {
                "deficit_much_more_deprived"
            } else if share >= NEED_MORE_DEPRIVED {
                "deficit_more_deprived"
            } else {
                "deficit_less_deprived"
            })
        }
        Status::Tight => Some("tight"),
        Status::Healthy | Status::Surplus => Some("enough"),
    }
}

/// Need: where places are short for the selected phase and year, and how deprived those areas
/// are ([`need_class`]).
#[must_use]
pub fn need(bands: &Bands) -> MetricSpec {
    use serde_json::json;
    let classes = [
        (
            "deficit_much_more_deprived",
            format!("Deficit, and {NEED_MUCH_MORE_DEPRIVED:.0}%+ of residents in England's most deprived 20%"),
            "#67001F",
        ),
        (
            "deficit_more_deprived",
            format!("Deficit, {NEED_MORE_DEPRIVED:.0}–{NEED_MUCH_MORE_DEPRIVED:.0}% in the most deprived 20%"),
            "#D6604D",
        ),
        (
            "deficit_less_deprived",
            format!("Deficit, under {NEED_MORE_DEPRIVED:.0}% in the most deprived 20%"),
            "#F4A582",
        ),
        (
            "tight",
            format!("Tight: spare under {} (any deprivation)", pct(bands.tight_below)),
            "#FDDBC7",
        ),
        ("enough", "Enough places (healthy or surplus)".to_owned(), "#F0F0F0"),
    ];
    MetricSpec {
        id: "need".into(),
        name: "Need: deficits by deprivation".into(),
        unit: String::new(),
        property: "need_{phase}_{year}".into(),
        by_phase_year: true,
        kind: LegendKind::Categorical,
        legend: classes.iter().map(|(v, label, c)| entry(json!(v), label.clone(), c)).collect(),
        no_data: palette::NO_DATA.into(),
        description: format!(
            "For the phase and year shown: areas with a deficit of places (spare below {}) are coloured by the share \
             of their residents who live in England's most deprived 20% of LSOAs (IMD 2019 deciles 1–2; population-weighted \
             over the area's LSOA pieces). England's share is {NEED_MORE_DEPRIVED:.0}% by construction, so {NEED_MORE_DEPRIVED:.0}% \
             or more is more deprived than England, {NEED_MUCH_MORE_DEPRIVED:.0}% or more twice as deprived. Tight and \
             enough are shown whatever the deprivation. No figure: no status, or a deficit with no deprivation figure.",
            pct(bands.deficit_below)
        ),
    }
}

/// The metrics of the LSOA layer, default first.
#[must_use]
pub fn lsoa_metrics() -> Vec<MetricSpec> {
    vec![
        decile("imd_decile", "IMD 2019 decile", "imd_decile", "Index of Multiple Deprivation"),
        decile(
            "idaci_decile",
            "IDACI 2019 decile",
            "idaci_decile",
            "Income Deprivation Affecting Children Index",
        ),
    ]
}

/// The metrics of the schools layer, default first.
#[must_use]
pub fn school_metrics(bands: &Bands) -> Vec<MetricSpec> {
    let mut s = status(bands);
    s.property = "status_{phase}_{year}".into();
    s.description = format!(
        "The school's own spare places in the phase on view: its places in the phase − its pupils in the phase \
         (pupils = roll in the census year, forecast after), with the area bands; an all-through school counts in \
         each of its phases apart. Flagged schools have at least {} and {} places spare.",
        pct(bands.school_flag_fraction),
        bands.school_flag_places
    );
    let mut p = spare_pct(bands);
    p.property = "spare_pct_{phase}_{year}".into();
    vec![s, p]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_expression_matches_every_word_and_falls_back_to_no_data() {
        let m = status(&Bands::default());
        let e = m.color_expression("status_primary_2024");
        let s = e.to_string();
        for w in ["deficit", "tight", "healthy", "surplus"] {
            assert!(s.contains(w), "{w} missing from {s}");
        }
        assert_eq!(e[0], "case");
        assert_eq!(e[3], palette::NO_DATA);
    }

    #[test]
    fn step_breaks_follow_configured_bands() {
        let b = Bands {
            tight_below: 0.05,
            ..Bands::default()
        };
        let m = spare_pct(&b);
        let bounds: Vec<_> = m.legend.iter().map(|l| l.value.clone()).collect();
        assert_eq!(bounds[1], serde_json::json!(0.0));
        assert_eq!(bounds[2], serde_json::json!(5.0));
        assert!(m.legend[1].label.contains("5%"));
        let e = m.color_expression("x");
        // ["step", input, c0, b1, c1, b2, c2, …]: the second break is the tight threshold.
        assert_eq!(e[2][5], serde_json::json!(5.0));
    }

    #[test]
    fn phase_year_property_is_filled_in() {
        let m = status(&Bands::default());
        assert_eq!(m.property_for("secondary", 2027), "status_secondary_2027");
        assert_eq!(imd_rank().property_for("primary", 2027), "imd_rank");
    }

    #[test]
    fn every_area_metric_with_a_calculation_names_an_explain_metric() {
        let ms = area_metrics(&Bands::default(), 0.02);
        for id in ["status", "spare_pct", "shortfall", "margin_shortfall", "imd_rank"] {
            let m = ms.iter().find(|m| m.id == id).expect("metric");
            let e = m.explained_by().expect("explained");
            assert!(id == "status" || e.as_str() == id, "{id} → {e:?}");
        }
    }
}
