//! MapLibre style (v8) and TileJSON 3.0 documents for the map layers: the contract any MapLibre
//! renderer (GL JS, Native, maplibre-rs) or a GIS client can consume.

use super::glyphs::{BOLD, REGULAR};
use super::layer::{MapKind, MapLayer, Prop};
use super::tiles::{MAX_ZOOM, MIN_ZOOM, label_layer};
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
    /// Whether `/api/outline.geojson` has the authority outline.
    pub outline: bool,
    /// A vector basemap style for clients to draw under the layers (named in the style's metadata).
    pub basemap_style: Option<&'a str>,
    /// The URL of a PMTiles archive holding every layer ([`super::archive`]), for a published
    /// site: the style then reads one source, [`ARCHIVE_SOURCE`], through the `pmtiles://`
    /// protocol instead of a source per layer from the server.
    pub pmtiles: Option<&'a str>,
}

/// The one vector source of a style over a PMTiles archive.
pub const ARCHIVE_SOURCE: &str = "placeplan";

/// The text of a label: dark, with a white halo that keeps it readable over any fill.
fn label_paint(color: &str) -> Value {
    json!({ "text-color": color, "text-halo-color": "rgba(255,255,255,0.92)", "text-halo-width": 1.6, "text-halo-blur": 0.4 })
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
    let mut vector_layers = vec![vl];
    if layer.kind != MapKind::Schools {
        let fields = [("code", "String"), ("name", "String")].map(|(k, t)| (k.to_owned(), t.to_owned()));
        let mut labels = VectorLayer::new(label_layer(&layer.id), fields.into_iter().collect());
        labels.description = Some(format!("{}: one label point per area", layer.title));
        vector_layers.push(labels);
    }
    let mut tj = tilejson::tilejson! {
        tiles: vec![format!("{}/tiles/{}/{{z}}/{{x}}/{{y}}.pbf", ctx.base_url, layer.id)],
        name: layer.title.clone(),
        description: format!("placeplan layer {} ({} features)", layer.id, layer.features.len()),
        attribution: ctx.attribution.to_owned(),
        minzoom: MIN_ZOOM,
        maxzoom: MAX_ZOOM,
        bounds: Bounds::new(w, s, e, n),
        center: Center::new(f64::midpoint(w, e), f64::midpoint(s, n), 10),
        vector_layers: vector_layers,
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

/// The style layers of `layer`: what is drawn (fills and outlines, or circles) and its labels,
/// kept apart so that every label is drawn above every fill.
fn style_layers(layer: &MapLayer, visible: bool, year: i32) -> (Vec<Value>, Vec<Value>) {
    let vis = if visible { "visible" } else { "none" };
    let id = &layer.id;
    let meta = json!({ "placeplan:layer": id, "placeplan:metric": layer.default_metric().map(|m| m.id.clone()) });
    match layer.kind {
        MapKind::Schools => (
            vec![
                // Establishments that do not count for places (independent, special, FE,
                // universities, PRUs): a hollow grey ring, shown only when a client asks.
                json!({
                    "id": format!("{id}-other"),
                    "type": "circle",
                    "source": id,
                    "source-layer": id,
                    "filter": ["==", ["get", "mainstream"], false],
                    "metadata": { "placeplan:layer": id, "placeplan:context": "establishments that do not count for places" },
                    "layout": { "visibility": "none" },
                    "paint": {
                        "circle-color": "#ffffff",
                        "circle-opacity": 0.6,
                        "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, 2.5, 13, 5],
                        "circle-stroke-color": "#595959",
                        "circle-stroke-width": 1.5
                    }
                }),
                json!({
                    "id": format!("{id}-circle"),
                    "type": "circle",
                    "source": id,
                    "source-layer": id,
                    "filter": ["==", ["get", "mainstream"], true],
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
                }),
            ],
            // School names when zoomed in, below the dot, dropped where they would collide.
            vec![json!({
                "id": format!("{id}-label"),
                "type": "symbol",
                "source": id,
                "source-layer": id,
                "filter": ["==", ["get", "mainstream"], true],
                "minzoom": 13.5,
                "layout": {
                    "visibility": vis,
                    "text-field": ["get", "name"],
                    "text-font": [REGULAR],
                    "text-size": 11,
                    "text-anchor": "top",
                    "text-offset": [0, 0.9],
                    "text-max-width": 9,
                    "text-optional": true,
                    "text-padding": 3
                },
                "paint": label_paint("#303030")
            })],
        ),
        _ => {
            let lsoa = layer.kind == MapKind::Lsoa;
            let main = vec![
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
            ];
            // Area names from the label points (one per area); LSOA codes only when zoomed in.
            let size = if lsoa {
                json!(11)
            } else {
                json!(["interpolate", ["linear"], ["zoom"], 9, 11, 14, 15])
            };
            let label = json!({
                "id": format!("{id}-label"),
                "type": "symbol",
                "source": id,
                "source-layer": label_layer(id),
                "minzoom": if lsoa { 12.5 } else { 8.0 },
                "layout": {
                    "visibility": vis,
                    "text-field": ["get", "name"],
                    "text-font": [if lsoa { REGULAR } else { BOLD }],
                    "text-size": size,
                    "text-max-width": 7,
                    "text-padding": 2,
                    "text-letter-spacing": 0.02,
                    // A name that does not fit at the area's point may sit just beside it.
                    "text-variable-anchor": ["center", "top", "bottom", "left", "right"],
                    "text-radial-offset": 0.3
                },
                "paint": label_paint(if lsoa { "#3a3a3a" } else { "#1a1a1a" })
            });
            (main, vec![label])
        }
    }
}

/// Ward boundaries drawn over any other area layer (hidden until a client switches them on).
fn context_layer(layer: &MapLayer) -> Value {
    json!({
        "id": format!("{}-context", layer.id),
        "type": "line",
        "source": layer.id,
        "source-layer": layer.id,
        "metadata": { "placeplan:context": "ward boundaries over another area layer" },
        "layout": { "visibility": "none", "line-join": "round" },
        "paint": {
            "line-color": "#202020",
            "line-width": ["interpolate", ["linear"], ["zoom"], 9, 1.1, 14, 2.2],
            "line-opacity": 0.9
        }
    })
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
    let mut labels = Vec::new();
    let mut context = Vec::new();
    let mut circles = Vec::new();
    for l in order {
        sources.insert(
            l.id.clone(),
            json!({ "type": "vector", "url": format!("{}/tiles/{}.json", ctx.base_url, l.id), "attribution": ctx.attribution }),
        );
        let visible = Some(l.id.as_str()) == shown || (l.kind == MapKind::Schools && name == "default");
        let (main, label) = style_layers(l, visible, ctx.census_year);
        if l.kind == MapKind::Schools {
            circles.extend(main);
        } else {
            out.extend(main);
        }
        labels.extend(label);
        // The first ward layer is drawn over the others.
        if l.kind == MapKind::Area(crate::model::LayerKind::Ward) && context.is_empty() {
            context.push(context_layer(l));
        }
    }
    // Over the areas: ward boundaries (when switched on), the authority outline, then the
    // schools, then every name.
    out.extend(context);
    if ctx.outline {
        sources.insert(
            "outline".into(),
            json!({ "type": "geojson", "data": format!("{}/api/outline.geojson", ctx.base_url), "attribution": ctx.attribution }),
        );
        out.push(json!({
            "id": "outline",
            "type": "line",
            "source": "outline",
            "metadata": { "placeplan:context": "authority outline" },
            "layout": { "line-join": "round" },
            "paint": {
                "line-color": "#111111",
                "line-width": ["interpolate", ["linear"], ["zoom"], 8, 1.5, 14, 3.5],
                "line-opacity": 0.85
            }
        }));
    }
    out.extend(circles);
    out.extend(labels);
    if let Some(url) = ctx.pmtiles {
        // Every layer of the archive through one source (each tile holds all the layers).
        for l in layers {
            sources.remove(&l.id);
        }
        sources.insert(
            ARCHIVE_SOURCE.into(),
            json!({ "type": "vector", "url": format!("pmtiles://{url}"), "attribution": ctx.attribution }),
        );
        for v in &mut out {
            if v.get("source")
                .and_then(Value::as_str)
                .is_some_and(|s| layers.iter().any(|l| l.id == s))
            {
                v["source"] = json!(ARCHIVE_SOURCE);
            }
        }
    }
    json!({
        "version": 8,
        "name": format!("placeplan {name}"),
        "metadata": { "placeplan:census_year": ctx.census_year, "placeplan:shown": shown, "placeplan:basemap_style": ctx.basemap_style },
        "center": [f64::midpoint(w, e), f64::midpoint(s, n)],
        "zoom": 10,
        "glyphs": format!("{}/fonts/{{fontstack}}/{{range}}.pbf", ctx.base_url),
        "sources": sources,
        "layers": out
    })
}
