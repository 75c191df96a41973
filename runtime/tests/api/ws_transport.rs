//! The live API's transport: heartbeats and the idle timeout, the message
//! size limit, cutting off a slow reader, and its metrics.

#![allow(clippy::expect_used)]

use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{Error, Message};

use crate::helpers::spawn_with;
use souk_actors::Topic;
use souk_models::UserId;

use crate::ws_client::{connect, connect_small};

#[tokio::test]
async fn a_silent_client_is_closed_with_4408_while_one_answering_pings_stays() {
    let app = spawn_with(
        &[
            ("SOUK__WEBSOCKET__HEARTBEAT_SECS", "1"),
            ("SOUK__WEBSOCKET__IDLE_TIMEOUT_SECS", "2"),
        ],
        None,
    )
    .await;
    let user = app.register("shopper@example.com", "customer").await;
    let mut silent = connect(&app, &user.token).await;
    let mut lively = connect(&app, &user.token).await;
    lively.subscribe("user:me").await;

    // Reading answers the server's pings (the client library does it), so
    // `lively` reads for a while and `silent` reads nothing.
    let until = Instant::now() + Duration::from_millis(2600);
    let mut pings = 0;
    while let Ok(frame) = tokio::time::timeout_at(until, lively.ws.next()).await {
        match frame {
            Some(Ok(Message::Ping(_))) => pings += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(pings >= 2, "a ping every heartbeat: {pings}");
    lively.ping_pong().await;
    let (code, reason, _pings) = silent.closed_after_messages().await;
    assert_eq!((code, reason.as_str()), (4408, "idle timeout"));
}

#[tokio::test]
async fn a_message_over_the_limit_closes_with_1009() {
    let app = spawn_with(&[("SOUK__WEBSOCKET__MAX_MESSAGE_BYTES", "1024")], None).await;
    let user = app.register("shopper@example.com", "customer").await;
    let mut ws = connect(&app, &user.token).await;
    let padded = json!({ "type": "ping", "pad": "x".repeat(900) });
    ws.send(padded).await;
    ws.expect("pong").await;
    let oversized = json!({ "type": "ping", "pad": "x".repeat(2000) });
    ws.send(oversized).await;
    assert_eq!(ws.closed().await, (1009, "message too big".to_owned()));
}

#[tokio::test]
async fn the_live_api_reports_its_metrics() {
    let app = spawn_with(&[], None).await;
    let user = app.register("shopper@example.com", "customer").await;
    let mut refused = connect(&app, "not-a-token").await;
    refused.closed().await;
    let mut ws = connect(&app, &user.token).await;
    ws.subscribe("user:me").await;
    let metrics = app.metrics_text().await;
    for name in [
        "souk_ws_connections",
        "souk_ws_subscriptions{kind=\"user\"}",
        "souk_ws_clients_dropped_total{reason=\"unauthorized\"}",
    ] {
        assert!(metrics.contains(name), "{name} in {metrics}");
    }
}

#[tokio::test]
async fn a_slow_reader_is_cut_off_with_1013_while_another_keeps_receiving() {
    let app = spawn_with(&[("SOUK__WEBSOCKET__SEND_BUFFER", "4")], None).await;
    let user = app.register("shopper@example.com", "customer").await;
    let mut fast = connect(&app, &user.token).await;
    let mut slow = connect_small(&app, &user.token).await;
    fast.subscribe("user:me").await;
    slow.subscribe("user:me").await;
    let topic = Topic::User(user.id.parse::<UserId>().expect("user id"));
    // Big events fill the socket buffers of a client that does not read
    // quickly; then its four-event buffer overflows.
    let pad = "x".repeat(256 * 1024);
    let published = 60;
    for n in 1..=published {
        app.events
            .publish(topic, "big", json!({ "n": n, "pad": pad }));
        let event = fast.expect("event").await;
        assert_eq!(event["data"]["n"], n, "the other reader gets every event");
    }
    let (code, reason, received) = slow.closed_after_messages().await;
    assert_eq!((code, reason.as_str()), (1013, "too slow"));
    assert!(received < published, "cut off before the end: {received}");
    fast.ping_pong().await;
    let metrics = app.metrics_text().await;
    let dropped = "souk_ws_clients_dropped_total{reason=\"slow\"}";
    assert!(metrics.contains(dropped), "{metrics}");
    assert!(
        metrics.contains("souk_ws_fanout_seconds_bucket"),
        "fan-out latency is measured"
    );
}

#[tokio::test]
async fn a_client_that_stops_reading_is_reset_not_left_in_the_kernel() {
    let app = spawn_with(&[("SOUK__WEBSOCKET__SEND_BUFFER", "4")], None).await;
    // The metrics are the test process's, shared with tests running beside.
    let resets_before = resets(&app.metrics_text().await);
    let user = app.register("stuck@example.com", "customer").await;
    let mut stuck = connect_small(&app, &user.token).await;
    stuck.subscribe("user:me").await;
    let topic = Topic::User(user.id.parse::<UserId>().expect("user id"));
    // Far more than the socket buffers hold, and the client reads none of
    // it: the server cuts it off, cannot even deliver the close frame, and
    // resets the connection rather than leave the bytes queued.
    let pad = "x".repeat(256 * 1024);
    for n in 1..=64 {
        app.events
            .publish(topic, "big", json!({ "n": n, "pad": pad }));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Wait for the server to give up on it (reading now would let the
    // close frame through).
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.websockets.connections() > 0 {
        assert!(
            Instant::now() < deadline,
            "the stuck client is still served"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(resets(&app.metrics_text().await) > resets_before);
    // What the client still reads ends in the reset: never in a close
    // frame, nor in a plain end of stream (a normal close, which would have
    // left the unread bytes queued in the server's kernel).
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match stuck.ws.next().await {
                Some(Ok(Message::Close(_))) => return "closed",
                Some(Ok(_)) => {}
                Some(Err(Error::Io(e))) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                    return "reset";
                }
                Some(Err(_)) | None => return "ended without a reset",
            }
        }
    })
    .await
    .expect("the connection ends");
    assert_eq!(ended, "reset");
}

/// `souk_ws_connections_reset_total` in a scrape (0 before the first).
fn resets(metrics: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("souk_ws_connections_reset_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}
