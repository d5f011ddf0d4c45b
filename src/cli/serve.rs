//! `placeplan serve [--manifest FILE] [--addr 127.0.0.1:8080]`: the map server and web app.

use super::{CliResult, DataArgs, exit};
use crate::map::style::Basemap;
use crate::server::listen::{Limits, Loader};
use crate::server::state::Cors;
use crate::server::{AppState, ServeOptions, serve};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Options of `serve`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    /// The dataset.
    pub data: DataArgs,
    /// Address to listen on (`127.0.0.1:8080`, `localhost:8080`, `[::1]:8080`). The default only
    /// accepts connections from this computer; 0.0.0.0:8080 shares the map on your network (there
    /// is no login: a warning says so) and wants --public-url.
    #[arg(long, default_value = "127.0.0.1:8080", value_parser = parse_addr)]
    pub addr: SocketAddr,
    /// Which other web sites may read the tiles and API from a browser (CORS): `*` (any: the data
    /// is public and read-only), one origin such as `https://maps.example.gov.uk`, or `off`.
    #[arg(long, value_name = "ORIGIN", default_value = "*", value_parser = parse_cors)]
    pub cors: Cors,
    /// A raster basemap tile URL template, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png
    /// (check the provider's usage policy). Without it the map needs no network.
    #[arg(long, value_name = "URL")]
    pub basemap: Option<String>,
    /// A MapLibre vector style to draw under the layers instead, e.g. an OS Vector Tile API,
    /// Protomaps or OpenFreeMap style URL (https://tiles.openfreemap.org/styles/positron). The
    /// browser loads it from the provider, which credits itself; its names are drawn with
    /// placeplan's built-in font.
    #[arg(long, value_name = "URL", conflicts_with = "basemap")]
    pub basemap_style: Option<String>,
    /// Attribution text the basemap provider requires.
    #[arg(long, value_name = "TEXT", default_value = "© OpenStreetMap contributors")]
    pub basemap_attribution: String,
    /// The URL clients use to reach the server, when it is behind a proxy or shared on a network
    /// (written into TileJSON and styles). Default: the address it listens on.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Serve the web app from this folder instead of the built-in copy (for working on the app).
    #[arg(long, value_name = "DIR")]
    pub web_dir: Option<PathBuf>,
    /// Show a what-if scenario (TOML: expand, open, close, housing) instead of the data as it is;
    /// every page and download is labelled with its name.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Save every what-if plan the map's users make (POST /api/plans) in this folder, as
    /// ID.toml, so that its link keeps working after a restart. Without it, plans are kept in
    /// memory while the server runs (the newest 32).
    #[arg(long, value_name = "DIR")]
    pub plans: Option<PathBuf>,
    /// Show every pupil count as the public would see it: rounded to the nearest 5, with counts
    /// of 1 to 4 shown as "c" (as DfE statistics do). On by itself when the manifest marks an
    /// input confidential and --addr is not this computer's own.
    #[arg(long)]
    pub disclosure_control: bool,
    /// Seconds a client may take to send a request, and a kept-alive connection may sit idle,
    /// before it is closed.
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = parse_idle)]
    pub idle_timeout: f64,
    /// The most connections served at once; more wait until one closes. Kept below the
    /// open-file limit.
    #[arg(long, value_name = "N", default_value = "1024", value_parser = clap::value_parser!(usize))]
    pub max_connections: usize,
}

/// Why the data cannot be served, with the exit code for start-up.
struct Unservable(u8, String);

/// Loads the dataset (and the scenario, if any) and builds what the server reads; used at
/// start-up and again for each reload.
fn build(a: &Args, options: &ServeOptions, quiet: bool) -> Result<AppState, Unservable> {
    let ds = super::load::load(&a.data, quiet).map_err(|e| Unservable(exit::IO, e.to_string()))?;
    if let Some(why) = super::load::fatal(&ds) {
        return Err(Unservable(exit::DATA, why));
    }
    // Beyond this computer the map is published: pupil counts from confidential inputs go under
    // disclosure control (as with --disclosure-control), and other confidential inputs not at all.
    let public = !a.addr.ip().is_loopback();
    if public && !ds.confidential_other.is_empty() {
        return Err(Unservable(
            exit::USAGE,
            format!(
                "{} is not this computer's own address, so others would see the figures of inputs marked confidential ({}) as they are; disclosure control covers pupil counts only. Serve on 127.0.0.1 (the default), or from inputs that may be published",
                a.addr,
                ds.confidential_other.join(", ")
            ),
        ));
    }
    let ds = if a.disclosure_control {
        ds.controlled(crate::model::disclosure::Disclosure::default())
    } else if public {
        ds.disclosed()
    } else {
        ds
    };
    let ds = match &a.scenario {
        None => ds,
        Some(path) => {
            // The scenario shares the base's polygons and joins; the base case is dropped.
            let x = crate::scenario::Scenario::read(path)
                .and_then(|sc| ds.with_plan(&sc))
                .map_err(|e| Unservable(exit::USAGE, e.to_string()))?;
            if !quiet {
                for n in &x.projection.notes {
                    eprintln!("placeplan: scenario: {n}");
                }
            }
            x
        }
    };
    Ok(AppState::new(ds, options.clone()))
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
    if let Some(s) = &a.basemap_style
        && !(s.starts_with("https://") || s.starts_with("http://"))
    {
        eprintln!("placeplan: --basemap-style must be the http(s) URL of a MapLibre style JSON");
        return Ok(exit::USAGE);
    }
    let started = Instant::now();
    // Bind before loading: a port in use is known at once, not after the data has loaded.
    let listener = match std::net::TcpListener::bind(a.addr) {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "placeplan: cannot listen on {}: {e} (is another server using it? try --addr 127.0.0.1:8081)",
                a.addr
            );
            return Ok(exit::USAGE);
        }
    };
    let bound = listener.local_addr()?;
    if !bound.ip().is_loopback() {
        eprintln!(
            "placeplan: warning: listening on {bound}, which other computers can reach; there is no login{}",
            if a.public_url.is_none() {
                ". Give --public-url with the address they use, so that tile URLs name it"
            } else {
                ""
            }
        );
    }
    let options = ServeOptions {
        basemap: a.basemap.as_ref().map(|t| Basemap {
            tiles: t.clone(),
            attribution: a.basemap_attribution.clone(),
        }),
        basemap_style: a.basemap_style.clone(),
        public_url: a.public_url.clone(),
        web_dir: a.web_dir.clone(),
        origin: Some(format!("http://{bound}")),
        cors: a.cors.clone(),
        pmtiles: None,
        plans_dir: a.plans.clone(),
    };
    let state = match build(a, &options, false) {
        Ok(s) => Arc::new(s),
        Err(Unservable(code, why)) => {
            eprintln!("placeplan: {why}");
            return Ok(code);
        }
    };
    let name = state.ds.name.clone();
    let synthetic = state.ds.synthetic;
    let layers = state.map.layers.len();
    let limits = Limits {
        max_connections: a.max_connections,
        idle: Duration::from_secs_f64(a.idle_timeout),
        ..Limits::default()
    };
    let loader: Loader = {
        let a = Arc::new(a.clone());
        Arc::new(move || build(&a, &options, true).map_err(|Unservable(_, why)| why))
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    eprintln!(
        "placeplan: {name}{} ready in {:.1} s: {layers} map layers\n  map:  http://{bound}/\n  API:  http://{bound}/api/layers\n  reload the data: kill -HUP {} (or POST http://{bound}/admin/reload from this computer)\n  stop: Ctrl-C (requests in flight get {} s to finish)",
        if synthetic && !name.to_lowercase().contains("synthetic") {
            " (SYNTHETIC demo data)"
        } else {
            ""
        },
        started.elapsed().as_secs_f64(),
        std::process::id(),
        crate::server::DRAIN.as_secs()
    );
    runtime.block_on(serve(state, listener, limits, Some(loader)))?;
    Ok(exit::OK)
}

fn parse_idle(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.1..=3600.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?}: give a number of seconds from 0.1 to 3600")),
    }
}

/// An address to listen on: `IP:PORT`, or a host name such as `localhost:8080` (its first
/// address, IPv4 first).
fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Ok(a);
    }
    let all: Vec<SocketAddr> = s
        .to_socket_addrs()
        .map_err(|e| format!("{s:?} is not an address to listen on ({e}); give IP:PORT such as 127.0.0.1:8080"))?
        .collect();
    all.iter()
        .find(|a| a.is_ipv4())
        .or_else(|| all.first())
        .copied()
        .ok_or_else(|| format!("{s:?} names no address"))
}

fn parse_cors(s: &str) -> Result<Cors, String> {
    match s.trim() {
        "*" | "any" => Ok(Cors::Any),
        "off" | "none" => Ok(Cors::Off),
        o if (o.starts_with("http://") || o.starts_with("https://")) && !o.ends_with('/') => Ok(Cors::Origin(o.to_owned())),
        o => Err(format!(
            "{o:?}: give *, off, or an origin such as https://maps.example.gov.uk (no path)"
        )),
    }
}
