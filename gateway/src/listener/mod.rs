//! The HTTP/1.1 accept loop: each connection gets a watchdog that closes it
//! when it sits idle past `keep_alive`, takes longer than
//! `header_read_timeout` to send a request header or longer than
//! `request_timeout` to have a request (body included) answered, and no client address
//! may hold more than `max_per_ip` connections. Upgraded WebSocket
//! connections leave the watchdog and follow the WebSocket heartbeat rules,
//! but keep their per-address slot until they close.

mod activity;
mod body;
mod control;
mod per_ip;

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tower::ServiceExt;

use crate::client_ip::TrustedProxies;
use activity::{Activity, Limits, Next, Tracked};
use control::Controlled;
pub use control::SocketControl;
use per_ip::{PerIp, Slot};

/// How long a connection the watchdog closed may take to finish a response
/// it is still writing before it is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// The limits every connection is held to.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// From a request header's first byte to its end.
    pub header_read_timeout: Duration,
    /// With no request in flight and nothing sent, a connection is closed
    /// after this long.
    pub keep_alive: Duration,
    /// From a request's header to the end of its response: a slow body
    /// upload or a client that stops reading is cut off after this long.
    pub request_timeout: Duration,
    /// Open connections from one peer address (trusted proxies exempt).
    pub max_per_ip: usize,
    pub proxies: TrustedProxies,
}

/// Serves `router` on `listener` until `shutdown` resolves; then stops
/// accepting, lets requests in flight finish, closes idle connections, and
/// returns once every connection has ended.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send,
) {
    let per_ip = PerIp::new(limits.max_per_ip, limits.proxies.clone());
    let limits = Arc::new(limits);
    let (stop_tx, stop_rx) = watch::channel(());
    let (open_tx, mut open_rx) = mpsc::channel::<()>(1);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = per_ip.acquire(peer.ip()) else {
            metrics::counter!("souk_http_connections_closed_total", "reason" => "per_ip_cap")
                .increment(1);
            tracing::debug!(%peer, "connection refused: too many from this address");
            continue;
        };
        let connection = Connection {
            peer,
            router: router.clone(),
            limits: limits.clone(),
            stop: stop_rx.clone(),
            _open: open_tx.clone(),
        };
        tokio::spawn(connection.run(stream, slot));
    }
    drop(listener);
    drop(stop_tx);
    drop(open_tx);
    // Every connection holds a sender: `recv` ends when the last one has.
    let _ = open_rx.recv().await;
}

/// One accepted connection and what it needs to serve.
struct Connection {
    peer: SocketAddr,
    router: Router,
    limits: Arc<ConnectionLimits>,
    /// Closed when the server stops.
    stop: watch::Receiver<()>,
    /// Dropped when the connection ends.
    _open: mpsc::Sender<()>,
}

impl Connection {
    async fn run(mut self, stream: TcpStream, slot: Slot) {
        metrics::gauge!("souk_http_connections_open").increment(1.0);
        let activity = Activity::new();
        let control = SocketControl::default();
        let stream = Controlled::new(stream, control.clone());
        let io = TokioIo::new(Tracked::new(stream, activity.clone(), slot));
        let service = {
            let (router, peer, activity) = (self.router.clone(), self.peer, activity.clone());
            hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let in_flight = activity.request_started();
                let mut request = request.map(Body::new);
                request.extensions_mut().insert(ConnectInfo(peer));
                request.extensions_mut().insert(control.clone());
                let answer = router.clone().oneshot(request);
                async move {
                    let response = answer
                        .await
                        .unwrap_or_else(|never: Infallible| match never {});
                    Ok::<_, Infallible>(response.map(|b| body::Guarded::wrap(b, in_flight)))
                }
            })
        };
        let conn = http1::Builder::new()
            .serve_connection(io, service)
            .with_upgrades();
        tokio::pin!(conn);
        let limits = Limits {
            header_timeout: self.limits.header_read_timeout,
            keep_alive: self.limits.keep_alive,
            request_timeout: self.limits.request_timeout,
        };
        // What the connection does between two looks can move a deadline
        // earlier (a header begins, a request starts): look at least this often.
        let tick = limits
            .header_timeout
            .min(limits.keep_alive)
            .min(limits.request_timeout)
            / 2;
        let mut drop_at: Option<Instant> = None;
        let mut stopping = false;
        loop {
            let now = Instant::now();
            if drop_at.is_some_and(|at| now >= at) {
                break;
            }
            let wake = match activity.next(now.into_std(), &limits) {
                Next::CheckAt(at) => Instant::from_std(at),
                Next::Close(reason) => {
                    if drop_at.is_none() {
                        metrics::counter!("souk_http_connections_closed_total", "reason" => reason)
                            .increment(1);
                        conn.as_mut().graceful_shutdown();
                    }
                    *drop_at.get_or_insert(now + CLOSE_GRACE)
                }
            };
            let wake = drop_at.map_or(wake, |at| at.min(wake)).min(now + tick);
            tokio::select! {
                served = conn.as_mut() => {
                    if let Err(e) = served {
                        tracing::debug!(peer = %self.peer, error = %e, "connection ended with an error");
                    }
                    break;
                }
                _ = self.stop.changed(), if !stopping => {
                    stopping = true;
                    conn.as_mut().graceful_shutdown();
                }
                () = tokio::time::sleep_until(wake) => {}
            }
        }
        metrics::gauge!("souk_http_connections_open").decrement(1.0);
    }
}

/// Out of file descriptors and the like: wait a moment rather than spin
/// (connection resets before `accept` are not worth a log line).
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accept failed; pausing for a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
