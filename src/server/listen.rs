//! The connection layer under the router.
//!
//! [`run`] accepts sockets up to a cap and serves each with hyper:
//! - a header-read timeout, which is also the idle timeout between requests on a kept-alive
//!   connection, so a client that opens a socket and sends nothing (or half a request) is closed;
//! - a write timeout for a client that stops reading its answer;
//! - HTTP/2 keep-alive pings and a stream cap.
//!
//! SIGTERM and SIGINT stop accepting and drain the requests in flight for [`super::DRAIN`]; a
//! second signal stops at once. SIGHUP, or `POST /admin/reload` from this computer, loads the
//! data again in the background and swaps the new router in whole, only when the new data has
//! no fatal problem; until then, and when it fails, the data loaded before keeps serving.

use super::error::json_error;
use super::{AppState, DRAIN, ServeError, router};
use arc_swap::ArcSwap;
use axum::Router;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// On stop, how long a connection that has sent no request yet is given for its first one to
/// reach the router (its bytes may be in the socket while a loaded machine is slow to parse them).
/// Connections that have already been answered do not wait.
pub const FIRST_REQUEST_GRACE: Duration = Duration::from_secs(1);

/// Limits on connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most connections open at once. Beyond it new connections wait in the system's queue
    /// until one closes; it is also kept below the process's open-file limit.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers, and how long a kept-alive
    /// connection may sit idle between requests, before it is closed.
    pub idle: Duration,
    /// How long an answer may wait for a client that has stopped reading it.
    pub write: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            idle: Duration::from_secs(10),
            write: Duration::from_secs(30),
        }
    }
}

/// Loads the data again for a reload: the new state, or in words why it cannot be served.
pub type Loader = Arc<dyn Fn() -> Result<AppState, String> + Send + Sync>;

/// File descriptors kept free for the data files, logs and downloads.
const SPARE_FILES: u64 = 64;

/// The connection cap: `wanted`, lowered to fit the open-file limit (raised first as far as
/// the system allows).
fn connection_cap(wanted: usize) -> usize {
    let wanted = wanted.max(1);
    let want_files = u64::try_from(wanted).unwrap_or(u64::MAX).saturating_add(SPARE_FILES);
    match rlimit::increase_nofile_limit(want_files) {
        Ok(files) if files < want_files => {
            let cap = usize::try_from(files.saturating_sub(SPARE_FILES)).unwrap_or(1).max(1);
            tracing::warn!("the open-file limit is {files}; serving at most {cap} connections at once (raise it with `ulimit -n`)");
            cap
        }
        _ => wanted,
    }
}

/// The router now serving, swapped whole by a reload.
struct Live {
    router: ArcSwap<Router>,
    loader: Option<Loader>,
    reloading: AtomicBool,
}

/// Why a reload did not happen.
struct NotReloaded(StatusCode, String);

impl Live {
    /// Loads the data again on the blocking pool and swaps the new router in; one at a time.
    async fn reload(&self) -> Result<String, NotReloaded> {
        let Some(loader) = self.loader.clone() else {
            return Err(NotReloaded(
                StatusCode::NOT_FOUND,
                "this server has no data files to reload".to_owned(),
            ));
        };
        if self.reloading.swap(true, Ordering::AcqRel) {
            return Err(NotReloaded(
                StatusCode::CONFLICT,
                "a reload is already running; the data it loads will be served when it finishes".to_owned(),
            ));
        }
        tracing::info!("reloading the data");
        let started = Instant::now();
        let loaded = tokio::task::spawn_blocking(move || loader()).await;
        self.reloading.store(false, Ordering::Release);
        match loaded {
            Ok(Ok(state)) => {
                let what = format!("{} ({} map layers)", state.ds.name, state.map.layers.len());
                self.router.store(Arc::new(router(Arc::new(state))));
                let msg = format!("reloaded {what} in {:.1} s", started.elapsed().as_secs_f64());
                tracing::info!("{msg}");
                Ok(msg)
            }
            Ok(Err(why)) => {
                tracing::error!("reload failed; still serving the data loaded before: {why}");
                Err(NotReloaded(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("the data was not reloaded and the data loaded before is still served: {why}"),
                ))
            }
            Err(e) => {
                tracing::error!("reload failed; still serving the data loaded before: {e}");
                Err(NotReloaded(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the reload failed and the data loaded before is still served; the server log has the details".to_owned(),
                ))
            }
        }
    }

    /// `POST /admin/reload`: only from this computer (there is no login).
    async fn admin_reload(&self, req: &Request<Incoming>, peer: SocketAddr) -> Response {
        if !peer.ip().to_canonical().is_loopback() {
            return json_error(
                StatusCode::FORBIDDEN,
                "reloads are only taken from this computer (127.0.0.1 or ::1)",
            );
        }
        if req.method() != axum::http::Method::POST {
            let mut resp = json_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "POST to /admin/reload loads the data files again and serves them when they load without a fatal problem",
            );
            resp.headers_mut()
                .insert(header::ALLOW, axum::http::HeaderValue::from_static("POST"));
            return resp;
        }
        match self.reload().await {
            Ok(message) => (
                StatusCode::OK,
                axum::Json(serde_json::json!({ "reloaded": true, "message": message })),
            )
                .into_response(),
            Err(NotReloaded(status, message)) => json_error(status, &message),
        }
    }

    /// One request: the admin address here, everything else to the router serving now.
    async fn answer(&self, req: Request<Incoming>, peer: SocketAddr) -> Response {
        if req.uri().path() == "/admin/reload" {
            return self.admin_reload(&req, peer).await;
        }
        let router = Router::clone(&self.router.load());
        match router.oneshot(req.map(axum::body::Body::new)).await {
            Ok(resp) => resp,
            Err(never) => match never {},
        }
    }
}

/// Serves `state` on `listener` with `limits` until SIGINT or SIGTERM; `loader` makes reloads
/// possible (SIGHUP, `POST /admin/reload`).
///
/// # Errors
/// [`ServeError::Run`] when the listener cannot be used.
pub async fn run(state: Arc<AppState>, listener: std::net::TcpListener, limits: Limits, loader: Option<Loader>) -> Result<(), ServeError> {
    listener.set_nonblocking(true).map_err(ServeError::Run)?;
    let listener = tokio::net::TcpListener::from_std(listener).map_err(ServeError::Run)?;
    let cap = connection_cap(limits.max_connections);
    let slots = Arc::new(tokio::sync::Semaphore::new(cap));
    let live = Arc::new(Live {
        router: ArcSwap::from_pointee(router(state)),
        loader,
        reloading: AtomicBool::new(false),
    });
    let reloads = tokio::spawn(reload_on_hangup(Arc::clone(&live)));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.idle)
        .keep_alive(true)
        .max_buf_size(64 * 1024);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.idle)
        .keep_alive_timeout(limits.idle)
        .max_concurrent_streams(64);
    // Set once a stop is asked for; every connection watches it.
    let (stopping, stopped) = tokio::sync::watch::channel(false);
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        let slot = tokio::select! {
            s = Arc::clone(&slots).acquire_owned() => match s {
                Ok(s) => s,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors or a reset before accept: wait, never spin.
                    tracing::warn!("could not accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        serve_connection(stream, peer, slot, &live, &builder, &stopped, limits);
    }
    // Connections the system has already queued are served, not reset: take every one that is
    // waiting now, then close the listener.
    while let Ok(slot) = Arc::clone(&slots).try_acquire_owned() {
        match tokio::time::timeout(Duration::from_millis(1), listener.accept()).await {
            Ok(Ok((stream, peer))) => serve_connection(stream, peer, slot, &live, &builder, &stopped, limits),
            _ => break,
        }
    }
    reloads.abort();
    drop(listener);
    tracing::info!("stopping: finishing the requests in flight (Ctrl-C again to stop at once)");
    tokio::select! {
        // Every connection holds a slot until it closes: all slots back means all answered.
        _ = async {
            let _ = stopping.send(true);
            slots.acquire_many(u32::try_from(cap).unwrap_or(u32::MAX)).await
        } => {}
        () = tokio::time::sleep(DRAIN) => tracing::warn!("requests still running after {} s; stopping", DRAIN.as_secs()),
        () = stop_signal() => tracing::warn!("second stop signal; stopping at once"),
    }
    Ok(())
}

/// Serves one accepted connection on its own task, holding `slot` until it closes. Once a stop
/// is asked for (`stopped`), the connection finishes the request it is answering — or, when its
/// first request is arriving, answers that one — and then closes.
fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    slot: tokio::sync::OwnedSemaphorePermit,
    live: &Arc<Live>,
    builder: &auto::Builder<TokioExecutor>,
    stopped: &tokio::sync::watch::Receiver<bool>,
    limits: Limits,
) {
    let _ = stream.set_nodelay(true);
    let for_conn = Arc::clone(live);
    let conn_builder = builder.clone();
    let mut stopped = stopped.clone();
    tokio::spawn(async move {
        // HTTP/1 or HTTP/2 is told from the first bytes, before hyper's own header timer
        // starts: a client that sends nothing at all is closed here.
        let mut first = [0_u8; 1];
        if !matches!(tokio::time::timeout(limits.idle, stream.peek(&mut first)).await, Ok(Ok(1..))) {
            drop(slot);
            return;
        }
        let mut io = tokio_io_timeout::TimeoutStream::new(stream);
        io.set_write_timeout(Some(limits.write));
        let io = TokioIo::new(Box::pin(io));
        let answered = Arc::new(tokio::sync::Notify::new());
        let started = Arc::clone(&answered);
        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
            let live = Arc::clone(&for_conn);
            started.notify_one();
            async move { Ok::<_, std::convert::Infallible>(live.answer(req, peer).await) }
        });
        let conn = conn_builder.serve_connection_with_upgrades(io, service);
        tokio::pin!(conn);
        let ended = tokio::select! {
            r = conn.as_mut() => Some(r),
            _ = stopped.wait_for(|s| *s) => None,
        };
        let result = match ended {
            Some(r) => r,
            None => {
                // Stopping. A connection whose bytes have arrived but whose first request has
                // not reached the router yet gets that request answered, not dropped.
                tokio::select! {
                    () = answered.notified() => {}
                    () = tokio::time::sleep(FIRST_REQUEST_GRACE) => {}
                    r = conn.as_mut() => {
                        drop(slot);
                        if let Err(e) = r {
                            tracing::debug!("connection from {peer} ended: {e}");
                        }
                        return;
                    }
                }
                conn.as_mut().graceful_shutdown();
                conn.await
            }
        };
        if let Err(e) = result {
            tracing::debug!("connection from {peer} ended: {e}");
        }
        drop(slot);
    });
}

/// Reloads on every SIGHUP (Unix); a failed reload is logged and the old data keeps serving.
async fn reload_on_hangup(live: Arc<Live>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            return;
        };
        while hup.recv().await.is_some() {
            if let Err(NotReloaded(_, why)) = live.reload().await {
                tracing::warn!("SIGHUP: {why}");
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = live;
        std::future::pending::<()>().await;
    }
}

/// The next SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
