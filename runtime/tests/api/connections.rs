//! Connections that never finish a request are closed, one address cannot
//! hold more than its share, and WebSockets keep their own heartbeat rules.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{TestApp, spawn_with};
use crate::ws_client::connect;

const FAST: &[(&str, &str)] = &[
    ("SOUK__SERVER__HEADER_READ_TIMEOUT_SECS", "1"),
    ("SOUK__SERVER__KEEP_ALIVE_SECS", "2"),
];

async fn open(app: &TestApp) -> TcpStream {
    let address = app.base.trim_start_matches("http://");
    TcpStream::connect(address).await.expect("connect")
}

/// True when the server closes `stream` within `limit` (reading to the end
/// of whatever it sent).
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut buffer = [0u8; 4096];
    let drained = async {
        while let Ok(n) = stream.read(&mut buffer).await {
            if n == 0 {
                return;
            }
        }
    };
    tokio::time::timeout(limit, drained).await.is_ok()
}

#[tokio::test]
async fn idle_and_half_sent_connections_are_closed() {
    let app = spawn_with(FAST, None).await;
    let mut idle = Vec::new();
    let mut half = Vec::new();
    for _ in 0..100 {
        idle.push(open(&app).await);
        let mut stream = open(&app).await;
        stream
            .write_all(b"GET /api/v1/products HTTP/1.1\r\nhost: souk\r\nx-slow: ")
            .await
            .expect("half a header");
        half.push(stream);
    }
    for stream in half.iter_mut().chain(idle.iter_mut()) {
        assert!(
            closed_within(stream, Duration::from_secs(10)).await,
            "a connection that never finished a request is still open"
        );
    }
    // The node still serves.
    let products = app.get("/api/v1/products?limit=1", None).await;
    assert_eq!(products.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_body_that_never_finishes_is_cut_off() {
    let app = spawn_with(
        &[
            ("SOUK__SERVER__REQUEST_TIMEOUT_SECS", "2"),
            ("SOUK__CHECKOUT__WAIT_MS", "0"),
        ],
        None,
    )
    .await;
    let mut stream = open(&app).await;
    stream
        .write_all(
            b"POST /api/v1/auth/login HTTP/1.1\r\nhost: souk\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"email\"",
        )
        .await
        .expect("the start of a body");
    assert!(
        closed_within(&mut stream, Duration::from_secs(10)).await,
        "a request whose body never arrives is kept"
    );
}

#[tokio::test]
async fn a_header_sent_in_time_is_answered() {
    let app = spawn_with(FAST, None).await;
    let mut stream = open(&app).await;
    stream
        .write_all(b"GET /health/live HTTP/1.1\r\nhost: souk\r\n")
        .await
        .expect("first half");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stream.write_all(b"\r\n").await.expect("second half");
    let mut answer = vec![0u8; 1024];
    let n = stream.read(&mut answer).await.expect("an answer");
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}

#[tokio::test]
async fn one_address_cannot_hold_more_than_its_cap() {
    let app = spawn_with(&[("SOUK__SERVER__MAX_CONNECTIONS_PER_IP", "5")], None).await;
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(open(&app).await);
    }
    // Let the server count them before the next one arrives.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut over = open(&app).await;
    assert!(
        closed_within(&mut over, Duration::from_secs(5)).await,
        "the sixth connection was kept"
    );
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = open(&app).await;
    again
        .write_all(b"GET /health/live HTTP/1.1\r\nhost: souk\r\n\r\n")
        .await
        .expect("a request");
    let mut answer = vec![0u8; 1024];
    let n = again.read(&mut answer).await.expect("an answer");
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn websockets_outlive_the_keep_alive_timeout() {
    let app = spawn_with(FAST, None).await;
    let user = app.register("shopper@example.com", "customer").await;
    let mut ws = connect(&app, &user.token).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    ws.ping_pong().await;
    ws.subscribe("user:me").await;
}
