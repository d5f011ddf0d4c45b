//! The map: layers reprojected to Web Mercator with their attributes ([`layer`]), what they can be
//! coloured by ([`metrics`]), vector tiles ([`tiles`]), the MapLibre style and TileJSON
//! documents ([`style`]) and the label glyphs ([`glyphs`]). Everything here is built once at load and then only read.

pub mod archive;
pub mod glyphs;
pub mod layer;
pub mod metrics;
pub mod outline;
pub mod style;
pub mod tiles;

use crate::analysis::equity_results::EquityResults;
use crate::dataset::Dataset;
use layer::MapLayer;
use tiles::TileSet;

/// Every map layer of a dataset with its tile index.
pub struct MapData {
    /// The layers, boundary layers in manifest order then the schools.
    pub layers: Vec<MapLayer>,
    /// `tiles[i]` indexes `layers[i]`.
    pub tiles: Vec<TileSet>,
    /// Hot spots, access and priorities behind the equity layers.
    pub equity: EquityResults,
    /// The authority outline, WGS84 GeoJSON ([`outline::authority_outline`]).
    pub outline: Option<String>,
}

impl MapData {
    /// Computes the equity results, then builds the layers and their tile indexes (in parallel).
    #[must_use]
    pub fn build(ds: &Dataset) -> Self {
        use rayon::prelude::*;
        let t = std::time::Instant::now();
        let equity = EquityResults::compute(ds);
        tracing::info!(
            "equity results (hot spots, access, priorities) in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let t = std::time::Instant::now();
        let (layers, outline) = rayon::join(|| layer::build(ds, &equity), || outline::authority_outline(ds));
        tracing::info!("map layers and outline in {:.1} s", t.elapsed().as_secs_f64());
        let t = std::time::Instant::now();
        let tiles = layers.par_iter().map(TileSet::new).collect();
        tracing::info!("tile indexes in {:.1} s", t.elapsed().as_secs_f64());
        Self {
            layers,
            tiles,
            equity,
            outline,
        }
    }

    /// The layers and equity results without tile indexes, for views that draw no tiles (the
    /// ward pages of `placeplan report`): nothing is simplified for zooms nobody will request.
    #[must_use]
    pub fn without_tiles(ds: &Dataset) -> Self {
        let equity = EquityResults::compute(ds);
        let layers = layer::build(ds, &equity);
        Self {
            layers,
            tiles: Vec::new(),
            equity,
            outline: None,
        }
    }

    /// The layer with this id and its tile index (`None` also when built without tiles).
    #[must_use]
    pub fn get(&self, id: &str) -> Option<(&MapLayer, &TileSet)> {
        let i = self.layers.iter().position(|l| l.id == id)?;
        Some((&self.layers[i], self.tiles.get(i)?))
    }
}
