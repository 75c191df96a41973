//! `souk-bench --assistant`: latency of `GET /api/v1/search` and `POST
//! /api/v1/assistant/chat` over HTTP, cycling through the labelled evaluation
//! queries (each chat message starts a new conversation).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, header};
use tokio::time::Instant;

use super::load::{Connection, Window};
use super::stats::{Percentiles, TaskStats};
use super::{BenchArgs, WARM_UP};

const QUERIES: &str = include_str!("../../runtime/tests/assistant_eval/queries.json");

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Search,
    Chat,
}

/// Runs both scenarios against `authority` and prints their table.
pub async fn bench(args: &BenchArgs, authority: &str) -> anyhow::Result<()> {
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(QUERIES).context("the bench's query list is not JSON")?;
    let queries: Arc<Vec<String>> = Arc::new(
        cases
            .iter()
            .filter_map(|c| c["query"].as_str().map(str::to_owned))
            .collect(),
    );
    let authority: Arc<str> = Arc::from(authority);
    println!();
    println!(
        "concurrency: {} · duration: {} s per scenario (after {} s warm-up) · {} queries",
        args.concurrency,
        args.duration,
        WARM_UP.as_secs(),
        queries.len()
    );
    println!();
    println!("| scenario | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (kind, name) in [(Kind::Search, "search"), (Kind::Chat, "assistant_chat")] {
        eprintln!("running {name}…");
        let measure_from = Instant::now() + WARM_UP;
        let window = Window {
            measure_from,
            until: measure_from + Duration::from_secs(args.duration),
        };
        let tasks: Vec<_> = (0..args.concurrency)
            .map(|task| {
                let (authority, queries) = (authority.clone(), queries.clone());
                tokio::spawn(run_task(kind, task, authority, queries, window))
            })
            .collect();
        let mut total = TaskStats::default();
        for task in tasks {
            total.merge(task.await.context("a load task failed")?);
        }
        if let Some(error) = &total.first_error {
            eprintln!("  {} errors, first: {error}", total.errors);
        }
        let rate = total.latencies_us.len() as f64 / args.duration as f64;
        let ms = |p: Option<Percentiles>, pick: fn(&Percentiles) -> f64| {
            p.map_or("n/a".to_owned(), |p| format!("{:.2}", pick(&p)))
        };
        let p = Percentiles::from_samples(&mut total.latencies_us);
        println!(
            "| {name} | {rate:.0} | {} | {} | {} | {} | {} |",
            ms(p, |p| p.p50),
            ms(p, |p| p.p90),
            ms(p, |p| p.p99),
            ms(p, |p| p.max),
            total.errors
        );
    }
    Ok(())
}

async fn run_task(
    kind: Kind,
    task: usize,
    authority: Arc<str>,
    queries: Arc<Vec<String>>,
    window: Window,
) -> TaskStats {
    let mut stats = TaskStats::default();
    let mut next = task * 7;
    let mut connection: Option<Connection> = None;
    while Instant::now() < window.until {
        if connection.as_ref().is_none_or(Connection::is_closed) {
            match Connection::open(authority.clone()).await {
                Ok(conn) => connection = Some(conn),
                Err(e) => {
                    stats.record_error(|| format!("{e:#}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            }
        }
        let Some(conn) = connection.as_mut() else {
            continue;
        };
        let query = &queries[next % queries.len().max(1)];
        next += 1;
        let request = match build(kind, query, conn.authority()) {
            Ok(request) => request,
            Err(e) => {
                stats.record_error(|| format!("{e:#}"));
                continue;
            }
        };
        let started = Instant::now();
        let Ok(outcome) = tokio::time::timeout_at(window.until, conn.send(request)).await else {
            break;
        };
        let finished = Instant::now();
        if finished < window.measure_from {
            continue;
        }
        match outcome {
            Ok((status, _)) if status.is_success() => stats.record_success(finished - started),
            Ok((status, body)) => stats.record_error(|| {
                format!("{query:?}: {status}: {}", String::from_utf8_lossy(&body))
            }),
            Err(e) => {
                stats.record_error(|| format!("{query:?}: {e:#}"));
                connection = None;
            }
        }
    }
    stats
}

fn build(kind: Kind, query: &str, authority: &str) -> anyhow::Result<Request<Full<Bytes>>> {
    let request = match kind {
        Kind::Search => {
            let q: String = url_encode(query);
            Request::get(format!("/api/v1/search?limit=5&q={q}"))
                .header(header::HOST, authority)
                .body(Full::default())?
        }
        Kind::Chat => {
            let body = serde_json::to_vec(&serde_json::json!({ "message": query }))?;
            Request::post("/api/v1/assistant/chat")
                .header(header::HOST, authority)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Full::new(Bytes::from(body)))?
        }
    };
    Ok(request)
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
