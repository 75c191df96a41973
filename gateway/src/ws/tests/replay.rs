//! Replay: retained topics resume from `since` or report a gap; an order's
//! timeline and its live events overlap without a duplicate; a finished
//! checkout ticket whose topic is gone tells its outcome from the store.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use serde_json::json;
use souk_actors::Topic;
use souk_models::{OrderId, OrderStatus, TimelineEntry, TimelineKind};
use time::OffsetDateTime;

use super::{Stub, bus, config, connect, recv, send, serve, stub, subscribe};
use uuid::Uuid;

#[tokio::test]
async fn retained_topics_replay_what_was_missed_or_report_a_gap() {
    let bus = bus(3);
    for n in 1..=5 {
        bus.publish(Topic::AdminLive, "tick", json!({ "n": n }));
    }
    let server = serve(stub(&bus), config(16)).await;
    let mut resumed = connect(&server).await;
    assert_eq!(
        subscribe(&mut resumed, "admin:live", Some(3)).await["seq"],
        5
    );
    assert_eq!(recv(&mut resumed).await["seq"], 4);
    let fifth = recv(&mut resumed).await;
    assert_eq!(fifth["data"], json!({ "n": 5 }));
    assert_eq!(fifth["event"], "tick");
    let mut behind = connect(&server).await;
    assert_eq!(
        subscribe(&mut behind, "admin:live", Some(1)).await["seq"],
        5
    );
    let gap = json!({ "type": "gap", "topic": "admin:live", "since": 1, "oldest": 3, "latest": 5 });
    assert_eq!(recv(&mut behind).await, gap);
    let mut fresh = connect(&server).await;
    assert_eq!(subscribe(&mut fresh, "admin:live", None).await["seq"], 5);

    bus.publish(Topic::AdminLive, "tick", json!({ "n": 6 }));
    for ws in [&mut resumed, &mut behind, &mut fresh] {
        assert_eq!(recv(ws).await["seq"], 6, "then live events, none twice");
    }
}

#[tokio::test]
async fn an_order_entry_published_while_the_timeline_is_read_is_sent_once() {
    let bus = bus(4);
    let at = OffsetDateTime::now_utc();
    let entry = |seq| TimelineEntry {
        seq,
        status: OrderStatus::PendingPayment,
        kind: TimelineKind::Placed,
        at,
    };
    let server = Stub {
        timeline: Arc::new((1..=3).map(entry).collect()),
        late: Some(3),
        ..stub(&bus)
    };
    let server = serve(server, config(16)).await;
    let order = OrderId::new();
    let topic = format!("order:{order}");
    let mut ws = connect(&server).await;
    assert_eq!(subscribe(&mut ws, &topic, Some(1)).await["seq"], 3);
    for seq in [2, 3] {
        let replayed = recv(&mut ws).await;
        assert_eq!(
            (replayed["seq"].as_u64(), replayed["event"].as_str()),
            (Some(seq), Some("placed"))
        );
        assert_eq!(replayed["data"]["order_id"], order.to_string());
    }
    bus.publish_numbered(Topic::Order(order), 4, at, || ("delivered", json!({})));
    let live = recv(&mut ws).await;
    assert_eq!(
        (live["seq"].as_u64(), live["event"].as_str()),
        (Some(4), Some("delivered"))
    );
    send(&mut ws, json!({ "type": "ping" })).await;
    assert_eq!(recv(&mut ws).await, json!({ "type": "pong" }));
}

#[tokio::test]
async fn a_finished_ticket_whose_topic_is_gone_tells_its_outcome_from_the_store() {
    let bus = bus(8);
    let ticket = Uuid::now_v7();
    let outcome = json!({ "ticket": ticket, "status": "completed", "order_id": ticket });
    let server = Stub {
        outcome: Some(outcome.clone()),
        ..stub(&bus)
    };
    let server = serve(server, config(16)).await;
    let topic = format!("checkout:{ticket}");
    let mut ws = connect(&server).await;
    assert_eq!(subscribe(&mut ws, &topic, Some(0)).await["seq"], 0);
    let told = recv(&mut ws).await;
    assert_eq!(
        (told["seq"].clone(), told["event"].clone()),
        (json!(1), json!("status"))
    );
    assert_eq!(told["data"], outcome);

    // The same outcome published live (seq 1 on the fresh topic) is not sent again.
    bus.publish(Topic::Checkout(ticket), "status", outcome);
    bus.publish(Topic::Checkout(ticket), "late", json!({}));
    assert_eq!(recv(&mut ws).await["event"], "late");
}

#[tokio::test]
async fn a_ticket_the_bus_still_holds_replays_from_the_bus_alone() {
    let bus = bus(8);
    let ticket = Uuid::now_v7();
    let topic = Topic::Checkout(ticket);
    bus.publish(topic, "position", json!({ "position": 1 }));
    bus.publish(
        topic,
        "status",
        json!({ "status": "completed", "from": "bus" }),
    );
    let server = Stub {
        outcome: Some(json!({ "status": "completed", "from": "store" })),
        ..stub(&bus)
    };
    let server = serve(server, config(16)).await;
    let mut ws = connect(&server).await;
    let name = format!("checkout:{ticket}");
    assert_eq!(subscribe(&mut ws, &name, Some(0)).await["seq"], 2);
    assert_eq!(recv(&mut ws).await["event"], "position");
    assert_eq!(recv(&mut ws).await["data"]["from"], "bus");
    bus.publish(topic, "late", json!({}));
    let next = recv(&mut ws).await;
    assert_eq!(
        (next["seq"].clone(), next["event"].clone()),
        (json!(3), json!("late"))
    );
}
