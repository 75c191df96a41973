//! The bus: numbering, replay without duplicates, gaps, slow subscribers.

use std::time::Duration;

use serde_json::json;
use souk_models::{OrderId, UserId};
use time::OffsetDateTime;

use super::{EventBus, Replay, RetentionConfig, Sink, Topic};

fn bus(events: usize) -> EventBus {
    EventBus::new(RetentionConfig {
        events,
        idle: Duration::from_secs(60),
        checkout_idle: Duration::from_secs(60),
    })
}

fn seqs(replay: &Replay) -> Vec<u64> {
    match replay {
        Replay::Events(events) => events.iter().map(|e| e.seq).collect(),
        Replay::Gap { .. } => panic!("unexpected gap: {replay:?}"),
    }
}

#[tokio::test]
async fn a_reconnect_gets_exactly_what_it_missed_then_live_events() {
    let bus = bus(10);
    let topic = Topic::User(UserId::new());
    for n in 1..=5 {
        assert_eq!(bus.publish(topic, "note", json!({ "n": n })), n);
    }
    let (sink, mut rx, _) = Sink::new(16);
    let (_, replay) = bus.subscribe(topic, Some(3), sink);
    assert_eq!(seqs(&replay), vec![4, 5]);
    bus.publish(topic, "note", json!({}));
    let live = rx.recv().await.map(|e| e.seq);
    assert_eq!(live, Some(6), "live events follow the replay, none twice");
    assert!(rx.try_recv().is_err());
}

#[test]
fn since_older_than_the_window_is_a_gap() {
    let bus = bus(3);
    let topic = Topic::AdminLive;
    for _ in 0..10 {
        bus.publish(topic, "summary", json!({}));
    }
    let (sink, _rx, _) = Sink::new(4);
    let (_, replay) = bus.subscribe(topic, Some(2), sink.clone());
    assert!(
        matches!(
            replay,
            Replay::Gap {
                oldest: Some(8),
                latest: 10
            }
        ),
        "{replay:?}"
    );
    let (_, replay) = bus.subscribe(topic, Some(7), sink.clone());
    assert_eq!(seqs(&replay), vec![8, 9, 10], "the window covers 7");
    let (_, replay) = bus.subscribe(topic, Some(99), sink);
    assert!(
        matches!(replay, Replay::Gap { .. }),
        "a seq from before a restart"
    );
}

#[test]
fn a_full_buffer_marks_the_subscriber_slow_without_blocking() {
    let bus = bus(10);
    let topic = Topic::Seller(UserId::new());
    let (sink, _rx, slow) = Sink::new(2);
    bus.subscribe(topic, None, sink);
    bus.publish(topic, "stock", json!({}));
    bus.publish(topic, "stock", json!({}));
    assert!(!slow.is_raised());
    bus.publish(topic, "stock", json!({}));
    assert!(slow.is_raised());
}

#[tokio::test]
async fn order_topics_carry_the_timeline_seq_and_keep_nothing() {
    let bus = bus(10);
    let topic = Topic::Order(OrderId::new());
    let now = OffsetDateTime::now_utc();
    bus.publish_numbered(topic, 1, now, || -> (&str, serde_json::Value) {
        panic!("built for nobody")
    });
    assert_eq!(bus.topics(), 0, "nobody follows it: nothing held");
    let (sink, mut rx, _) = Sink::new(4);
    let (subscription, _) = bus.subscribe(topic, Some(1), sink);
    bus.publish_numbered(topic, 2, now, || ("payment_succeeded", json!({})));
    assert_eq!(rx.recv().await.map(|e| e.seq), Some(2));
    bus.unsubscribe(subscription);
    bus.sweep();
    assert_eq!(bus.topics(), 0);
}

#[test]
fn dropped_receivers_are_forgotten() {
    let bus = bus(10);
    let topic = Topic::Checkout(uuid::Uuid::now_v7());
    let (sink, rx, _) = Sink::new(4);
    bus.subscribe(topic, None, sink);
    drop(rx);
    bus.publish(topic, "position", json!({ "position": 3 }));
    bus.sweep();
    assert_eq!(bus.topics(), 1, "kept for replay until idle");
}

#[test]
fn topics_parse_with_me_for_the_caller() {
    let me = UserId::new();
    assert_eq!(Topic::parse("user:me", me), Ok(Topic::User(me)));
    assert_eq!(Topic::parse("seller:me", me), Ok(Topic::Seller(me)));
    assert_eq!(Topic::parse("admin:live", me), Ok(Topic::AdminLive));
    let order = OrderId::new();
    assert_eq!(
        Topic::parse(&format!("order:{order}"), me),
        Ok(Topic::Order(order))
    );
    assert!(Topic::parse(&format!("user:{me}"), me).is_err());
    assert!(Topic::parse("order:nope", me).is_err());
    assert!(Topic::parse("weather:today", me).is_err());
    assert!(Topic::parse("", me).is_err());
}

#[tokio::test]
async fn unfollowed_checkout_topics_go_before_other_topics() {
    let bus = EventBus::new(RetentionConfig {
        events: 10,
        idle: Duration::from_secs(60),
        checkout_idle: Duration::ZERO,
    });
    let (ticket, user) = (
        Topic::Checkout(uuid::Uuid::now_v7()),
        Topic::User(UserId::new()),
    );
    bus.publish(ticket, "status", json!({ "status": "completed" }));
    bus.publish(user, "note", json!({}));
    let (sink, _rx, _) = Sink::new(4);
    let followed = Topic::Checkout(uuid::Uuid::now_v7());
    bus.subscribe(followed, None, sink);
    bus.sweep();
    assert_eq!(
        bus.topics(),
        2,
        "the user topic and the followed ticket stay"
    );
    match bus.subscribe(ticket, Some(0), Sink::new(4).0).1 {
        Replay::Events(events) => assert!(events.is_empty(), "the ticket's events went"),
        Replay::Gap { .. } => panic!("a fresh topic has no gap"),
    }
}

/// An event relayed from a node of a cluster.
fn relayed(topic: Topic, seq: u64, generation: u64) -> super::Incoming {
    super::Incoming {
        topic: topic.key(),
        seq,
        generation,
        kind: "note".to_owned(),
        data: super::json_text(&json!({ "seq": seq })),
        at: OffsetDateTime::now_utc(),
        node: "node-b".to_owned(),
    }
}

#[tokio::test]
async fn relayed_events_are_taken_in_order_once() {
    use super::Received;
    let bus = bus(10);
    let topic = Topic::User(UserId::new());
    let (sink, mut rx, _) = Sink::new(16);
    bus.subscribe(topic, None, sink);
    // The first this node hears of starts its window, wherever it is.
    assert_eq!(
        bus.receive(&relayed(topic, 7, 100), false, false),
        Received::Taken
    );
    assert_eq!(
        bus.receive(&relayed(topic, 8, 100), false, false),
        Received::Taken
    );
    assert_eq!(
        bus.receive(&relayed(topic, 8, 100), false, false),
        Received::Stale
    );
    // A skipped seq is not taken until what is missing is.
    assert_eq!(
        bus.receive(&relayed(topic, 10, 100), false, false),
        Received::Missing { after: 8 }
    );
    assert_eq!(
        bus.receive(&relayed(topic, 9, 100), false, true),
        Received::Taken
    );
    assert_eq!(
        bus.receive(&relayed(topic, 10, 100), false, true),
        Received::Taken
    );
    // An older numbering is dropped; a newer one starts afresh.
    assert_eq!(
        bus.receive(&relayed(topic, 11, 99), false, false),
        Received::Stale
    );
    assert_eq!(
        bus.receive(&relayed(topic, 1, 200), false, false),
        Received::Taken
    );
    let mut got = Vec::new();
    while let Ok(event) = rx.try_recv() {
        got.push(event.seq);
    }
    assert_eq!(got, vec![7, 8, 9, 10, 1]);
    let (sink, _rx, _) = Sink::new(4);
    let (_, replay) = bus.subscribe(topic, Some(0), sink);
    assert_eq!(
        seqs(&replay),
        vec![1],
        "the window holds the new numbering only"
    );
}

#[tokio::test]
async fn a_relayed_order_event_reaches_followers_except_on_its_own_node() {
    let bus = bus(10);
    let topic = Topic::Order(OrderId::new());
    let (sink, mut rx, _) = Sink::new(16);
    bus.subscribe(topic, None, sink);
    bus.receive(&relayed(topic, 3, 0), true, false);
    assert!(rx.try_recv().is_err(), "its publisher delivered it already");
    bus.receive(&relayed(topic, 4, 0), false, false);
    assert_eq!(rx.try_recv().map(|e| e.seq).ok(), Some(4));
}
