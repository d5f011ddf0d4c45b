//! `placeplan serve [--manifest FILE] [--addr 127.0.0.1:8080]`: the map server and web app.

use super::{CliResult, DataArgs, exit};
use crate::map::style::Basemap;
use crate::server::{AppState, ServeOptions, serve};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Options of `serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// The dataset.
    pub data: DataArgs,
    /// Address to listen on. The default only accepts connections from this computer; use
    /// 0.0.0.0:8080 to share the map on your network (there is no login).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// A raster basemap tile URL template, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png
    /// (check the provider's usage policy). Without it the map needs no network.
    #[arg(long, value_name = "URL")]
    pub basemap: Option<String>,
    /// Attribution text the basemap provider requires.
    #[arg(long, value_name = "TEXT", default_value = "© OpenStreetMap contributors")]
    pub basemap_attribution: String,
    /// The URL clients use to reach the server, when it is behind a proxy (written into TileJSON
    /// and styles). Default: taken from each request.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Serve the web app from this folder instead of the built-in copy (for working on the app).
    #[arg(long, value_name = "DIR")]
    pub web_dir: Option<PathBuf>,
    /// Show a what-if scenario (TOML: expand, open, close, housing) instead of the data as it is;
    /// every page and download is labelled with its name.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
}

/// Runs `serve`.
///
/// # Errors
/// When the manifest cannot be read or the address cannot be bound.
pub fn run(a: &Args) -> CliResult {
    if let Some(b) = &a.basemap
        && (!(b.starts_with("https://") || b.starts_with("http://")) || !b.contains("{z}"))
    {
        eprintln!("placeplan: --basemap must be an http(s) URL template containing {{z}}, {{x}} and {{y}}");
        return Ok(exit::USAGE);
    }
    let started = Instant::now();
    let ds = super::load::load(a.data.manifest.as_deref(), false)?;
    if ds.has_fatal() {
        eprintln!("placeplan: the data has fatal problems; run `placeplan check` to see them");
        return Ok(exit::DATA);
    }
    let ds = match &a.scenario {
        None => ds,
        Some(path) => {
            let applied = crate::scenario::Scenario::read(path).and_then(|sc| {
                // The scenario shares the base's polygons and joins; the base case is dropped.
                ds.with_plan(&sc).map(|x| {
                    let notes = x.projection.notes.clone();
                    (x, notes)
                })
            });
            match applied {
                Ok((x, notes)) => {
                    for n in notes {
                        eprintln!("placeplan: scenario: {n}");
                    }
                    x
                }
                Err(e) => {
                    eprintln!("placeplan: {e}");
                    return Ok(exit::USAGE);
                }
            }
        }
    };
    let options = ServeOptions {
        basemap: a.basemap.as_ref().map(|t| Basemap {
            tiles: t.clone(),
            attribution: a.basemap_attribution.clone(),
        }),
        public_url: a.public_url.clone(),
        web_dir: a.web_dir.clone(),
    };
    let name = ds.name.clone();
    let synthetic = ds.synthetic;
    let state = Arc::new(AppState::new(ds, options));
    let layers = state.map.layers.len();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(serve(state, a.addr, |bound| {
        eprintln!(
            "placeplan: {name}{} ready in {:.1} s: {layers} map layers\n  map:  http://{bound}/\n  API:  http://{bound}/api/layers\n  stop: Ctrl-C",
            if synthetic && !name.to_lowercase().contains("synthetic") { " (SYNTHETIC demo data)" } else { "" },
            started.elapsed().as_secs_f64()
        );
    }))?;
    Ok(exit::OK)
}
