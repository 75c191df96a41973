//! Rate limits and live events through a real `redis-server` started per
//! test: the GCRA counts across clients of one Redis, and each topic's
//! events are numbered once, kept and broadcast in order.
// clippy.toml allows unwrap/expect in `#[test]` functions only; the helpers
// here are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::Value;
use souk_cluster::testing::TestRedis;
use souk_cluster::{EventLog, Outbound, RateLimits, Redis, Verdict};

const TIMEOUT: Duration = Duration::from_secs(2);

async fn redis() -> Option<(TestRedis, Redis)> {
    let server = TestRedis::start().await?;
    let client = Redis::connect(&server.url(), TIMEOUT).await.unwrap();
    Some((server, client))
}

#[tokio::test]
async fn a_limit_counts_every_node_and_refills_with_time() {
    let Some((server, first)) = redis().await else {
        return;
    };
    let second = Redis::connect(&server.url(), TIMEOUT).await.unwrap();
    let (a, b) = (RateLimits::new(first), RateLimits::new(second));
    let interval = Duration::from_millis(200);
    for limits in [&a, &b, &a] {
        let verdict = limits.check("auth", "10.0.0.1", interval, 3).await.unwrap();
        assert!(matches!(verdict, Verdict::Allowed { .. }), "{verdict:?}");
    }
    let Verdict::Refused { retry } = b.check("auth", "10.0.0.1", interval, 3).await.unwrap() else {
        panic!("a fourth request within the burst's time");
    };
    assert!(retry <= interval, "{retry:?}");
    // Another client and another limit are counted apart.
    let other = a.check("auth", "10.0.0.2", interval, 3).await.unwrap();
    assert!(matches!(other, Verdict::Allowed { .. }));
    let browsing = a.check("ip", "10.0.0.1", interval, 3).await.unwrap();
    assert!(matches!(browsing, Verdict::Allowed { .. }));
    tokio::time::sleep(retry + Duration::from_millis(20)).await;
    let later = b.check("auth", "10.0.0.1", interval, 3).await.unwrap();
    assert!(matches!(later, Verdict::Allowed { .. }), "{later:?}");
}

fn event(topic: &str, seq: Option<u64>, n: u32) -> Outbound {
    Outbound {
        topic: topic.to_owned(),
        seq,
        idle: Duration::from_secs(60),
        body: format!(r#"{{"topic":"{topic}","n":{n}}}"#),
    }
}

#[tokio::test]
async fn events_are_numbered_per_topic_kept_and_broadcast_in_order() {
    let Some((_server, redis)) = redis().await else {
        return;
    };
    let log = EventLog::new(redis, 3);
    let mut heard = log.subscribe().await.unwrap();
    let batch = [
        event("user:1", None, 1),
        event("user:2", None, 2),
        event("order:9", Some(7), 3),
        event("user:1", None, 4),
    ];
    log.publish(&batch).await.unwrap();
    log.publish(&[event("user:1", None, 5)]).await.unwrap();
    let mut got = Vec::new();
    for _ in 0..5 {
        let text = tokio::time::timeout(TIMEOUT, heard.next())
            .await
            .unwrap()
            .unwrap();
        let message: Value = serde_json::from_str(&text).unwrap();
        got.push((
            message["topic"].as_str().unwrap().to_owned(),
            message["seq"].clone(),
            message["n"].clone(),
        ));
    }
    let expected: Vec<(String, Value, Value)> = [
        ("user:1", 1, 1),
        ("user:2", 1, 2),
        ("order:9", 7, 3),
        ("user:1", 2, 4),
        ("user:1", 3, 5),
    ]
    .into_iter()
    .map(|(t, s, n)| (t.to_owned(), Value::from(s), Value::from(n)))
    .collect();
    assert_eq!(got, expected);
    // What is kept for user:1 reads as it was broadcast, under one
    // generation; order topics keep nothing (their store does).
    let kept = log.history("user:1").await.unwrap();
    let kept: Vec<Value> = kept
        .iter()
        .map(|t| serde_json::from_str(t).unwrap())
        .collect();
    assert_eq!(
        kept.iter().map(|m| m["seq"].clone()).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(
        kept.iter()
            .all(|m| m["generation"] == kept[0]["generation"])
    );
    assert!(kept[0]["generation"].as_u64().unwrap() > 0);
    assert!(log.history("order:9").await.unwrap().is_empty());
}
