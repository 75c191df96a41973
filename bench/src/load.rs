//! The load generator: keep-alive HTTP/1.1 connections sending requests back to back.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::scenario::{Paths, Picker, Scenario};
use super::stats::TaskStats;

/// Pause after a failed connect or transport error, so a dead server is not hammered in
/// a tight loop.
pub(super) const RECONNECT_DELAY: Duration = Duration::from_millis(50);

/// One keep-alive HTTP/1.1 connection. Requests carry a whole body in memory
/// (empty for `GET`).
pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    authority: Arc<str>,
}

impl Connection {
    pub async fn open(authority: Arc<str>) -> anyhow::Result<Connection> {
        let stream = TcpStream::connect(&*authority)
            .await
            .with_context(|| format!("cannot connect to {authority}"))?;
        stream.set_nodelay(true).context("cannot set TCP_NODELAY")?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .context("HTTP handshake failed")?;
        // Drives the connection's I/O; ends when `sender` is dropped or the peer closes.
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("bench connection closed: {e}");
            }
        });
        Ok(Connection { sender, authority })
    }

    pub fn is_closed(&self) -> bool {
        self.sender.is_closed()
    }

    /// `host:port` this connection talks to, for the `Host` header.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// Sends `GET path` and reads the whole response body.
    pub async fn get(&mut self, path: &str) -> anyhow::Result<(StatusCode, Bytes)> {
        let request = Request::get(path)
            .header(header::HOST, &*self.authority)
            .body(Full::default())
            .with_context(|| format!("invalid request path {path:?}"))?;
        self.send(request).await
    }

    /// Sends `request` and reads the whole response body.
    pub async fn send(
        &mut self,
        request: Request<Full<Bytes>>,
    ) -> anyhow::Result<(StatusCode, Bytes)> {
        self.sender.ready().await.context("connection closed")?;
        let response = self
            .sender
            .send_request(request)
            .await
            .context("request failed")?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .context("cannot read response body")?;
        Ok((status, body.to_bytes()))
    }
}

/// When a scenario's measurement window starts and ends.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub measure_from: Instant,
    pub until: Instant,
}

/// One connection's load loop: sends requests back to back until the window ends,
/// reconnecting after connection errors. Only requests that complete inside the
/// measurement window are recorded; the one in flight at the end is abandoned.
pub async fn run_task(
    scenario: Scenario,
    task: usize,
    concurrency: usize,
    authority: Arc<str>,
    paths: Arc<Paths>,
    window: Window,
) -> TaskStats {
    let mut stats = TaskStats::default();
    let mut picker = Picker::new(task, concurrency, &paths);
    let mut connection: Option<Connection> = None;
    loop {
        let now = Instant::now();
        if now >= window.until {
            break;
        }
        let measuring = now >= window.measure_from;
        // The server closed an idle keep-alive connection: not an error, just reconnect.
        if connection.as_ref().is_some_and(Connection::is_closed) {
            connection = None;
        }
        let conn = match connection.as_mut() {
            Some(conn) => conn,
            None => {
                match tokio::time::timeout_at(window.until, Connection::open(authority.clone()))
                    .await
                {
                    Err(_) => break,
                    Ok(Ok(conn)) => connection.insert(conn),
                    Ok(Err(e)) => {
                        if measuring {
                            stats.record_error(|| format!("{e:#}"));
                        }
                        tokio::time::sleep(RECONNECT_DELAY).await;
                        continue;
                    }
                }
            }
        };
        let started = Instant::now();
        let path = picker.next(scenario, &paths);
        let outcome = match tokio::time::timeout_at(window.until, conn.get(path)).await {
            Err(_) => break,
            Ok(outcome) => outcome,
        };
        let finished = Instant::now();
        let measuring = finished >= window.measure_from;
        match outcome {
            Ok((status, _)) if status.is_success() => {
                if measuring {
                    stats.record_success(finished - started);
                }
            }
            Ok((status, body)) => {
                if measuring {
                    stats.record_error(|| {
                        let body = String::from_utf8_lossy(&body);
                        format!(
                            "GET {path}: {status}: {}",
                            body.chars().take(200).collect::<String>()
                        )
                    });
                }
            }
            Err(e) => {
                if measuring {
                    stats.record_error(|| format!("GET {path}: {e:#}"));
                }
                connection = None;
            }
        }
    }
    stats
}
