//! The load generator: keep-alive HTTP/1.1 connections sending requests back to back.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::stats::TaskStats;

/// Pause after a failed connect, so a dead server is not hammered in a tight loop.
const RECONNECT_DELAY: Duration = Duration::from_millis(50);

/// One keep-alive HTTP/1.1 connection.
pub struct Connection {
    sender: SendRequest<Empty<Bytes>>,
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

    /// Sends `GET path` and reads the whole response body.
    pub async fn get(&mut self, path: &str) -> anyhow::Result<(StatusCode, Bytes)> {
        self.sender.ready().await.context("connection closed")?;
        let request = Request::get(path)
            .header(header::HOST, &*self.authority)
            .body(Empty::new())
            .with_context(|| format!("invalid request path {path:?}"))?;
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

/// What a scenario requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    FirstPage,
    FilteredSearch,
    ById,
    /// 40 % first page, 20 % filtered search, 40 % by id.
    Mixed,
}

impl Scenario {
    pub const ALL: [Scenario; 4] = [
        Scenario::FirstPage,
        Scenario::FilteredSearch,
        Scenario::ById,
        Scenario::Mixed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::FirstPage => "products_first_page",
            Scenario::FilteredSearch => "products_filtered_search",
            Scenario::ById => "product_by_id",
            Scenario::Mixed => "mixed",
        }
    }
}

/// The request paths the scenarios cycle through.
#[derive(Debug)]
pub struct Paths {
    pub first_page: String,
    pub searches: Vec<String>,
    pub by_id: Vec<String>,
}

/// Picks a task's next request path; each task starts at a different offset so the
/// connections do not all ask for the same thing at once.
struct Picker {
    turn: usize,
    search: usize,
    by_id: usize,
}

impl Picker {
    fn new(task: usize, concurrency: usize, paths: &Paths) -> Picker {
        let spread = |len: usize| task * len / concurrency.max(1);
        Picker {
            turn: task,
            search: spread(paths.searches.len()),
            by_id: spread(paths.by_id.len()),
        }
    }

    fn next<'a>(&mut self, scenario: Scenario, paths: &'a Paths) -> &'a str {
        let kind = match scenario {
            Scenario::Mixed => {
                self.turn = self.turn.wrapping_add(1);
                // Out of every 5 requests: 2 first page, 1 search, 2 by id.
                match self.turn % 5 {
                    0 | 1 => Scenario::FirstPage,
                    2 => Scenario::FilteredSearch,
                    _ => Scenario::ById,
                }
            }
            single => single,
        };
        match kind {
            Scenario::FilteredSearch => cycle(&paths.searches, &mut self.search, &paths.first_page),
            Scenario::ById => cycle(&paths.by_id, &mut self.by_id, &paths.first_page),
            Scenario::FirstPage | Scenario::Mixed => &paths.first_page,
        }
    }
}

/// `list[at]`, wrapping around, then advances `at`; `fallback` when `list` is empty.
fn cycle<'a>(list: &'a [String], at: &mut usize, fallback: &'a str) -> &'a str {
    let path = list
        .get(*at % list.len().max(1))
        .map_or(fallback, String::as_str);
    *at = at.wrapping_add(1);
    path
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

#[cfg(test)]
mod tests {
    use super::*;

    fn paths() -> Paths {
        Paths {
            first_page: "/first".to_owned(),
            searches: vec!["/s0".to_owned(), "/s1".to_owned()],
            by_id: (0..4).map(|i| format!("/id{i}")).collect(),
        }
    }

    #[test]
    fn mixed_is_two_first_page_one_search_two_by_id() {
        let paths = paths();
        let mut picker = Picker::new(0, 1, &paths);
        let picked: Vec<&str> = (0..10)
            .map(|_| picker.next(Scenario::Mixed, &paths))
            .collect();
        let count = |prefix: &str| picked.iter().filter(|p| p.starts_with(prefix)).count();
        assert_eq!((count("/first"), count("/s"), count("/id")), (4, 2, 4));
    }

    #[test]
    fn by_id_cycles_over_every_id_from_the_task_offset() {
        let paths = paths();
        let mut picker = Picker::new(1, 2, &paths);
        let picked: Vec<&str> = (0..5)
            .map(|_| picker.next(Scenario::ById, &paths))
            .collect();
        assert_eq!(picked, ["/id2", "/id3", "/id0", "/id1", "/id2"]);
    }

    #[test]
    fn empty_lists_fall_back_to_first_page() {
        let paths = Paths {
            first_page: "/first".to_owned(),
            searches: vec![],
            by_id: vec![],
        };
        let mut picker = Picker::new(3, 4, &paths);
        assert_eq!(picker.next(Scenario::ById, &paths), "/first");
        assert_eq!(picker.next(Scenario::FilteredSearch, &paths), "/first");
    }
}
