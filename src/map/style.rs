//! MapLibre style (v8) and TileJSON 3.0 documents for the map layers: the contract any MapLibre
//! renderer (GL JS, Native, maplibre-rs) or a GIS client can consume.

use super::layer::{MapKind, MapLayer, Prop};
use super::tiles::{MAX_ZOOM, MIN_ZOOM};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tilejson::{Bounds, Center, TileJSON, VectorLayer};

/// A raster basemap, shown only when the user configures one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Basemap {
    /// XYZ tile URL template (`https://…/{z}/{x}/{y}.png`).
    pub tiles: String,
    /// Attribution text the provider requires.
    pub attribution: String,
}

/// What the documents need to know about where they are served.
#[derive(Clone, Debug)]
pub struct StyleContext<'a> {
    /// Absolute base URL (`http://127.0.0.1:8080`), no trailing slash.
    pub base_url: &'a str,
    /// Attribution for the data.
    pub attribution: &'a str,
    /// Census year (the default year shown).
    pub census_year: i32,
    /// Optional basemap.
    pub basemap: Option<&'a Basemap>,
}

/// The TileJSON 3.0 document of a layer: tile URL template, zoom range, bounds, centre and the
/// fields of its vector layer with their types.
#[must_use]
pub fn tilejson(layer: &MapLayer, ctx: &StyleContext<'_>) -> TileJSON {
    let mut fields = BTreeMap::new();
    for f in &layer.features {
        for (k, v) in &f.props {
            fields.entry(k.clone()).or_insert_with(|| {
                match v {
                    Prop::Str(_) => "String",
                    Prop::Num(_) | Prop::Int(_) => "Number",
                    Prop::Bool(_) => "Boolean",
                }
                .to_owned()
            });
        }
    }
    let [w, s, e, n] = layer.bounds;
    let mut vl = VectorLayer::new(layer.id.clone(), fields);
    vl.description = Some(layer.title.clone());
    let mut tj = tilejson::tilejson! {
        tiles: vec![format!("{}/tiles/{}/{{z}}/{{x}}/{{y}}.pbf", ctx.base_url, layer.id)],
        name: layer.title.clone(),
        description: format!("placeplan layer {} ({} features)", layer.id, layer.features.len()),
        attribution: ctx.attribution.to_owned(),
        minzoom: MIN_ZOOM,
        maxzoom: MAX_ZOOM,
        bounds: Bounds::new(w, s, e, n),
        center: Center::new(f64::midpoint(w, e), f64::midpoint(s, n), 10),
        vector_layers: vec![vl],
        scheme: "xyz".to_owned(),
    };
    tj.version = Some("1.0.0".into());
    tj
}

fn fill_color(layer: &MapLayer, year: i32) -> Value {
    let phase = layer.phases.first().map_or("primary", |p| p.as_str());
    layer
        .default_metric()
        .map_or(json!("#cccccc"), |m| m.color_expression(&m.property_for(phase, year)))
}

fn style_layers(layer: &MapLayer, visible: bool, year: i32) -> Vec<Value> {
    let vis = if visible { "visible" } else { "none" };
    let id = &layer.id;
    let meta = json!({ "placeplan:layer": id, "placeplan:metric": layer.default_metric().map(|m| m.id.clone()) });
    match layer.kind {
        MapKind::Schools => vec![json!({
            "id": format!("{id}-circle"),
            "type": "circle",
            "source": id,
            "source-layer": id,
            "metadata": meta,
            "layout": { "visibility": vis },
            "paint": {
                "circle-color": fill_color(layer, year),
                "circle-radius": ["interpolate", ["linear"], ["zoom"],
                    8, ["case", ["boolean", ["feature-state", "hover"], false], 5, 3],
                    13, ["interpolate", ["linear"], ["to-number", ["get", "capacity"], 200], 100, 5, 2000, 11]],
                "circle-stroke-color": ["case", ["boolean", ["feature-state", "selected"], false], "#000000", "#ffffff"],
                "circle-stroke-width": ["case", ["boolean", ["feature-state", "selected"], false], 3,
                                        ["boolean", ["feature-state", "hover"], false], 2.5, 1]
            }
        })],
        _ => {
            let lsoa = layer.kind == MapKind::Lsoa;
            vec![
                json!({
                    "id": format!("{id}-fill"),
                    "type": "fill",
                    "source": id,
                    "source-layer": id,
                    "metadata": meta,
                    "layout": { "visibility": vis },
                    "paint": {
                        "fill-color": fill_color(layer, year),
                        "fill-opacity": ["case", ["boolean", ["feature-state", "hover"], false], 0.92, 0.72]
                    }
                }),
                json!({
                    "id": format!("{id}-line"),
                    "type": "line",
                    "source": id,
                    "source-layer": id,
                    "layout": { "visibility": vis, "line-join": "round" },
                    "paint": {
                        "line-color": if lsoa { "#ffffff" } else { "#333333" },
                        "line-width": if lsoa { json!(0.4) } else { json!(["interpolate", ["linear"], ["zoom"], 9, 0.6, 14, 1.6]) },
                        "line-opacity": 0.8
                    }
                }),
                json!({
                    "id": format!("{id}-highlight"),
                    "type": "line",
                    "source": id,
                    "source-layer": id,
                    "layout": { "visibility": vis, "line-join": "round" },
                    "paint": {
                        "line-color": ["case", ["boolean", ["feature-state", "selected"], false], "#000000", "#1a1a1a"],
                        "line-width": ["case", ["boolean", ["feature-state", "selected"], false], 4,
                                       ["boolean", ["feature-state", "hover"], false], 2.5, 0],
                    }
                }),
            ]
        }
    }
}

/// The layer shown first: the first ward layer, else the first area layer with schools, else the first.
#[must_use]
pub fn default_layer(layers: &[MapLayer]) -> Option<&MapLayer> {
    layers
        .iter()
        .find(|l| l.kind == MapKind::Area(crate::model::LayerKind::Ward))
        .or_else(|| layers.iter().find(|l| matches!(l.kind, MapKind::Area(_))))
        .or_else(|| layers.first())
}

/// A MapLibre style v8 with every layer as a vector source. `show` is the layer to show (with
/// the schools on top when it is an area layer); the others are present but hidden, so a client
/// can switch them on. Without a basemap the map has a plain background and needs no network.
#[must_use]
pub fn style(layers: &[MapLayer], name: &str, show: Option<&str>, ctx: &StyleContext<'_>) -> Value {
    let shown = show.or_else(|| default_layer(layers).map(|l| l.id.as_str()));
    let mut sources = serde_json::Map::new();
    let mut out = vec![json!({ "id": "background", "type": "background", "paint": { "background-color": "#f2f1ed" } })];
    if let Some(b) = ctx.basemap {
        sources.insert(
            "basemap".into(),
            json!({ "type": "raster", "tiles": [b.tiles], "tileSize": 256, "attribution": b.attribution, "maxzoom": 19 }),
        );
        out.push(json!({ "id": "basemap", "type": "raster", "source": "basemap", "paint": { "raster-opacity": 0.6 } }));
    }
    // Areas first (LSOAs at the bottom), schools on top.
    let mut order: Vec<&MapLayer> = layers.iter().collect();
    order.sort_by_key(|l| match l.kind {
        MapKind::Lsoa => 0,
        MapKind::Area(_) => 1,
        MapKind::Schools => 2,
    });
    let (w, s, e, n) = layers
        .iter()
        .find(|l| Some(l.id.as_str()) == shown)
        .or_else(|| layers.first())
        .map_or((-2.0, 53.0, -1.0, 54.0), |l| (l.bounds[0], l.bounds[1], l.bounds[2], l.bounds[3]));
    for l in order {
        sources.insert(
            l.id.clone(),
            json!({ "type": "vector", "url": format!("{}/tiles/{}.json", ctx.base_url, l.id), "attribution": ctx.attribution }),
        );
        let visible = Some(l.id.as_str()) == shown || (l.kind == MapKind::Schools && name == "default");
        out.extend(style_layers(l, visible, ctx.census_year));
    }
    json!({
        "version": 8,
        "name": format!("placeplan {name}"),
        "metadata": { "placeplan:census_year": ctx.census_year, "placeplan:shown": shown },
        "center": [f64::midpoint(w, e), f64::midpoint(s, n)],
        "zoom": 10,
        "sources": sources,
        "layers": out
    })
}
