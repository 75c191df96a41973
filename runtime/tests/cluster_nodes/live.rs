//! Live events over three processes: a WebSocket client on node 2 follows
//! an order placed through node 0 and paid through node 1, live and in
//! order, and reconnecting to node 0 with `since` gets exactly what it
//! missed.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::http::{buyer, shop};
use crate::nodes::Cluster;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn connect(base: &str, token: &str) -> Socket {
    let url = format!("{}/api/v1/ws", base.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().expect("a request");
    let protocol = HeaderValue::from_str(&format!("bearer.{token}")).expect("a header");
    request
        .headers_mut()
        .insert("sec-websocket-protocol", protocol);
    let (socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the handshake");
    socket
}

/// The next JSON message of type `kind`; fails on anything else.
async fn expect(socket: &mut Socket, kind: &str) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message in time")
            .expect("the connection is open")
            .expect("a frame");
        if let Message::Text(text) = frame {
            let message: Value = serde_json::from_str(&text).expect("JSON");
            assert_eq!(message["type"], kind, "{message}");
            return message;
        }
    }
}

async fn subscribe(socket: &mut Socket, topic: &str, since: Option<u64>) -> u64 {
    let mut message = json!({ "type": "subscribe", "topic": topic });
    if let Some(since) = since {
        message["since"] = json!(since);
    }
    socket
        .send(Message::text(message.to_string()))
        .await
        .expect("sent");
    expect(socket, "subscribed").await["seq"]
        .as_u64()
        .expect("a seq")
}

/// Events until `count` have come on `topic`; events of other topics are
/// kept aside.
async fn events_on(
    socket: &mut Socket,
    topic: &str,
    count: usize,
    aside: &mut Vec<Value>,
) -> Vec<Value> {
    let mut got: Vec<Value> = aside
        .iter()
        .filter(|e| e["topic"] == topic)
        .cloned()
        .collect();
    aside.retain(|e| e["topic"] != topic);
    while got.len() < count {
        let event = expect(socket, "event").await;
        if event["topic"] == topic {
            got.push(event);
        } else {
            aside.push(event);
        }
    }
    got
}

fn seqs(events: &[Value]) -> Vec<u64> {
    events
        .iter()
        .map(|e| e["seq"].as_u64().expect("a seq"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_on_one_node_follows_an_order_handled_by_the_others() {
    let Some(cluster) = Cluster::start(3, &[("SOUK__CHECKOUT__WAIT_MS", "10000")]).await else {
        return;
    };
    let (admin, seller, product) = shop(&cluster, 5).await;
    cluster.settled(0, &admin, &[0, 1, 2]).await;
    let token = buyer(&cluster, 0, 0, &product, 1).await;
    let mut on_c = connect(cluster.base(2), &token).await;
    let start = subscribe(&mut on_c, "user:me", None).await;

    // Placed through node 0.
    let (status, order) = cluster
        .http
        .checkout(cluster.base(0), &token)
        .await
        .expect("answered");
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let id = order["id"].as_str().expect("an id").to_owned();
    let topic = format!("order:{id}");
    let mut aside = Vec::new();
    let notes = events_on(&mut on_c, "user:me", 1, &mut aside).await;
    assert_eq!(seqs(&notes), [start + 1]);
    assert_eq!(subscribe(&mut on_c, &topic, Some(0)).await, 2);
    assert_eq!(
        seqs(&events_on(&mut on_c, &topic, 2, &mut aside).await),
        [1, 2]
    );

    // Paid through node 1: live on node 2, in order.
    let pay = json!({ "card_token": "tok_visa" });
    let (status, _) = cluster
        .http
        .post(
            cluster.base(1),
            &format!("/api/v1/orders/{id}/pay"),
            Some(&token),
            pay,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let paid = events_on(&mut on_c, &topic, 1, &mut aside).await;
    assert_eq!(
        (seqs(&paid), paid[0]["event"].clone()),
        (vec![3], json!("payment_succeeded"))
    );
    let notes = events_on(&mut on_c, "user:me", 1, &mut aside).await;
    assert_eq!(
        (seqs(&notes), notes[0]["event"].clone()),
        (vec![start + 2], json!("payment"))
    );
    drop(on_c);

    // Shipped through node 2 while the client is away.
    let ship = json!({ "carrier": "Parcelforce", "tracking_number": "PF1", "estimated_delivery": "2026-12-01" });
    let (status, _) = cluster
        .http
        .post(
            cluster.base(2),
            &format!("/api/v1/orders/{id}/ship"),
            Some(&seller),
            ship,
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Back through node 0 with `since`: exactly the shipment, on both topics.
    let mut on_a = connect(cluster.base(0), &token).await;
    subscribe(&mut on_a, "user:me", Some(start + 2)).await;
    let missed = expect(&mut on_a, "event").await;
    assert_eq!(missed["seq"], start + 3, "{missed}");
    assert_eq!(missed["data"]["status"], "shipped", "{missed}");
    subscribe(&mut on_a, &topic, Some(3)).await;
    let missed = expect(&mut on_a, "event").await;
    assert_eq!(
        (missed["seq"].clone(), missed["event"].clone()),
        (json!(4), json!("shipped"))
    );
    on_a.send(Message::text(json!({ "type": "ping" }).to_string()))
        .await
        .expect("sent");
    expect(&mut on_a, "pong").await;
}
