//! The response cache. The data behind a server never changes, so every cacheable `GET` answer —
//! tiles, TileJSON, styles, area profiles, ward pages, downloads — is made once per URL and host,
//! kept encoded and, for text and tiles, gzip-compressed too, in a cache bounded by bytes (moka),
//! and answered with an `ETag` and `Cache-Control`. A request whose `If-None-Match` matches gets
//! `304 Not Modified` with no body.

use super::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::sync::Arc;

/// Most bytes the cache holds (bodies, compressed copies and keys).
pub const CACHE_BYTES: u64 = 256 * 1024 * 1024;
/// Largest response kept (a whole-layer GeoJSON download is a few megabytes).
pub const MAX_ENTRY: usize = 32 * 1024 * 1024;

/// One stored answer.
#[derive(Debug)]
pub struct Cached {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    gzip: Option<Bytes>,
    etag: HeaderValue,
}

impl Cached {
    fn weight(&self) -> u32 {
        u32::try_from(self.body.len() + self.gzip.as_ref().map_or(0, Bytes::len) + 256).unwrap_or(u32::MAX)
    }
}

/// The bounded cache of answers, keyed by host and URL.
pub struct ResponseCache {
    cache: moka::sync::Cache<String, Arc<Cached>>,
}

impl Default for ResponseCache {
    fn default() -> Self {
        Self::new(CACHE_BYTES)
    }
}

impl ResponseCache {
    /// A cache holding at most `bytes`.
    #[must_use]
    pub fn new(bytes: u64) -> Self {
        Self {
            cache: moka::sync::Cache::builder()
                .max_capacity(bytes)
                .weigher(|k: &String, v: &Arc<Cached>| v.weight().saturating_add(u32::try_from(k.len()).unwrap_or(u32::MAX)))
                .build(),
        }
    }

    /// How many answers are stored (after pending maintenance).
    #[must_use]
    pub fn len(&self) -> u64 {
        self.cache.run_pending_tasks();
        self.cache.entry_count()
    }

    /// True when nothing is stored.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The paths whose answers depend only on the URL and host.
fn cacheable(path: &str) -> bool {
    [
        "/tiles/",
        "/styles/",
        "/fonts/",
        "/ogc",
        "/api/",
        "/ward/",
        "/wards",
        "/palette.css",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

/// How long a client may reuse an answer without asking: tiles for five minutes (a map pans over
/// hundreds), everything else revalidated every time (cheap: a matching ETag is a bodiless 304).
fn cache_control(path: &str) -> &'static str {
    if path.starts_with("/tiles/") {
        "public, max-age=300"
    } else {
        "no-cache"
    }
}

/// Text, JSON, tiles and SQLite files compress; an XLSX is a zip already.
fn compressible(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| {
        !t.contains("openxmlformats")
            && (t.starts_with("text/") || t.contains("json") || t.contains("vector-tile") || t.contains("geopackage"))
    })
}

/// Whether the answer depends on the `Host` header: documents holding absolute URLs (TileJSON,
/// styles, ward pages with their permalink). Other answers are shared by every host name.
fn host_dependent(path: &str) -> bool {
    (path.starts_with("/tiles/") && path.ends_with(".json"))
        || path.starts_with("/styles/")
        || path.starts_with("/ward")
        || path.starts_with("/ogc")
}

fn gzip(body: &[u8]) -> Option<Bytes> {
    let mut e = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 3), flate2::Compression::default());
    e.write_all(body).ok()?;
    e.finish().ok().map(Bytes::from)
}

fn etag(body: &[u8]) -> HeaderValue {
    // SipHash with fixed keys: the same body always has the same tag, across restarts.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut h);
    HeaderValue::from_str(&format!("\"{:016x}-{:x}\"", h.finish(), body.len())).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// True when `Accept-Encoding` allows gzip: a `gzip` entry with a quality above 0, else a `*`
/// entry with one (RFC 9110 §12.5.3).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let (mut gzip, mut star) = (None, None);
    for e in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = e.split(';');
        let name = parts.next().unwrap_or("").trim();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if name.eq_ignore_ascii_case("gzip") {
            gzip = Some(q > 0.0);
        } else if name == "*" {
            star = Some(q > 0.0);
        }
    }
    gzip.or(star).unwrap_or(false)
}

/// The tag of the gzip representation: the body's tag with `-gz` (each representation has its own
/// strong validator).
fn gzip_tag(tag: &HeaderValue) -> HeaderValue {
    let t = tag.to_str().unwrap_or("\"0\"").trim_end_matches('"');
    HeaderValue::from_str(&format!("{t}-gz\"")).unwrap_or_else(|_| tag.clone())
}

fn matches(headers: &HeaderMap, tag: &HeaderValue) -> bool {
    let want = tag.to_str().unwrap_or_default();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == want
        })
}

fn answer(c: &Cached, req: &HeaderMap, path: &str) -> Response {
    let mut headers = c.headers.clone();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control(path)));
    let gz = c.gzip.as_ref().filter(|_| accepts_gzip(req));
    if c.gzip.is_some() {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    let tag = if gz.is_some() { gzip_tag(&c.etag) } else { c.etag.clone() };
    headers.insert(header::ETAG, tag.clone());
    if matches(req, &tag) {
        headers.remove(header::CONTENT_TYPE);
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    let body = match gz {
        Some(gz) => {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            gz.clone()
        }
        None => c.body.clone(),
    };
    (c.status, headers, Body::from(body)).into_response()
}

/// The middleware: answers from the cache, or runs the handler once and keeps its answer when it
/// is a success (200 or 204). Errors, and answers too large to keep, are never kept. `HEAD` is
/// answered from a stored `GET` answer (headers only) or passed on.
pub async fn respond(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    use axum::http::Method;
    let path = req.uri().path().to_owned();
    let head = req.method() == Method::HEAD;
    if !(req.method() == Method::GET || head) || !cacheable(&path) {
        return next.run(req).await;
    }
    // The host only where the answer holds it; `base_url` has already refused odd ones.
    let host = if host_dependent(&path) {
        state.base_url(req.headers())
    } else {
        String::new()
    };
    let key = format!("{host}\u{0}{}", req.uri());
    let req_headers = req.headers().clone();
    if let Some(c) = state.cache.cache.get(&key) {
        let resp = answer(&c, &req_headers, &path);
        return if head { without_body(resp) } else { resp };
    }
    let resp = next.run(req).await;
    let status = resp.status();
    let too_big = axum::body::HttpBody::size_hint(resp.body())
        .upper()
        .is_none_or(|n| n > MAX_ENTRY as u64);
    if head || !(status == StatusCode::OK || status == StatusCode::NO_CONTENT) || too_big {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_ENTRY).await else {
        return super::error::ApiError::Internal("the answer could not be read".into()).into_response();
    };
    let mut headers = parts.headers;
    headers.remove(header::CACHE_CONTROL);
    // Every compressible answer is kept compressed too, so that the outer compression layer never
    // re-encodes a cached answer under the plain body's tag.
    let gz = (compressible(&headers) && !body.is_empty() && !headers.contains_key(header::CONTENT_ENCODING))
        .then(|| gzip(&body))
        .flatten();
    let c = Arc::new(Cached {
        status,
        etag: etag(&body),
        headers,
        body,
        gzip: gz,
    });
    state.cache.cache.insert(key, Arc::clone(&c));
    answer(&c, &req_headers, &path)
}

/// The answer to a `HEAD`: the `GET` answer's headers, with the length its body would have had
/// (RFC 9110 §9.3.2), not the length of no body — clients such as GDAL size a file by it.
fn without_body(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    if let Some(n) = axum::body::HttpBody::size_hint(&body).exact() {
        parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    Response::from_parts(parts, Body::empty())
}
