//! The transport over a real socket and a real bus, with a stub in place of
//! the actors: the slow-reader cut-off, shutdown and the registry's limits
//! here, replay in `replay`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::routing::get;
use futures::{SinkExt, StreamExt};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use souk_actors::EventBus;
use souk_actors::Topic;
use souk_actors::events::{RetentionConfig, json_text};
use souk_models::{Caller, OrderId, Role, TimelineEntry, UserId};
use time::OffsetDateTime;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

mod replay;

use super::WsRegistry;
use super::connection;
use super::gate::{Gate, Unavailable};
use crate::config::WebSocketConfig;

const WAIT: Duration = Duration::from_secs(5);

/// Lets everyone follow everything; orders have `timeline`, and reading it
/// publishes `late` on the order's topic first, as an order actor might;
/// every checkout ticket has finished with `outcome`, if given.
#[derive(Clone)]
struct Stub {
    bus: EventBus,
    timeline: Arc<Vec<TimelineEntry>>,
    late: Option<u64>,
    outcome: Option<Value>,
}

impl Gate for Stub {
    fn events(&self) -> &EventBus {
        &self.bus
    }

    async fn caller(&self, user: UserId) -> Result<Option<Caller>, Unavailable> {
        Ok(Some(Caller {
            user_id: user,
            role: Role::Admin,
        }))
    }

    async fn may_follow(&self, _: Topic, _: Caller) -> Result<bool, Unavailable> {
        Ok(true)
    }

    async fn timeline(&self, order: OrderId) -> Result<Vec<TimelineEntry>, Unavailable> {
        if let Some(seq) = self.late {
            let now = OffsetDateTime::now_utc();
            self.bus
                .publish_numbered(Topic::Order(order), seq, now, || ("late", json!({})));
        }
        Ok(self.timeline.to_vec())
    }

    async fn ticket_outcome(
        &self,
        _: Uuid,
        _: Caller,
    ) -> Result<Option<Box<RawValue>>, Unavailable> {
        Ok(self.outcome.as_ref().map(json_text))
    }
}

fn stub(bus: &EventBus) -> Stub {
    Stub {
        bus: bus.clone(),
        timeline: Arc::new(Vec::new()),
        late: None,
        outcome: None,
    }
}

fn bus(retained: usize) -> EventBus {
    EventBus::new(RetentionConfig {
        events: retained,
        idle: Duration::from_secs(60),
        checkout_idle: Duration::from_secs(60),
    })
}

fn config(send_buffer: usize) -> WebSocketConfig {
    WebSocketConfig {
        max_connections: 100,
        max_connections_per_user: 10,
        max_subscriptions: 10,
        max_message_bytes: 16 * 1024,
        send_buffer,
        kernel_send_buffer: 0,
        heartbeat_secs: 30,
        idle_timeout_secs: 60,
        retention_events: 16,
        retention_secs: 60,
        checkout_retention_secs: 60,
    }
}

struct Server {
    url: String,
    stop: watch::Sender<bool>,
}

/// Serves the connection loop alone on an ephemeral port.
async fn serve(stub: Stub, config: WebSocketConfig) -> Server {
    let (stop, stopped) = watch::channel(false);
    let app = Router::new().route(
        "/",
        get(move |upgrade: WebSocketUpgrade| {
            let (stub, config, stopped) = (stub.clone(), config.clone(), stopped.clone());
            async move {
                upgrade.on_upgrade(move |socket| async move {
                    connection::run(socket, stub, UserId::new(), &config, stopped, None).await;
                })
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Server { url, stop }
}

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn connect(server: &Server) -> Client {
    tokio_tungstenite::connect_async(server.url.as_str())
        .await
        .unwrap()
        .0
}

/// A client whose socket buffers little, so that not reading shows soon.
async fn connect_small(server: &Server) -> Client {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let address = server.url.trim_start_matches("ws://").trim_end_matches('/');
    let stream = socket.connect(address.parse().unwrap()).await.unwrap();
    let stream = MaybeTlsStream::Plain(stream);
    tokio_tungstenite::client_async(server.url.as_str(), stream)
        .await
        .unwrap()
        .0
}

async fn send(ws: &mut Client, message: Value) {
    ws.send(Message::text(message.to_string())).await.unwrap();
}

/// The next text message as JSON, or `{"close": code, "reason": …}`.
async fn recv(ws: &mut Client) -> Value {
    loop {
        let frame = tokio::time::timeout(WAIT, ws.next()).await.unwrap();
        match frame.unwrap().unwrap() {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Close(Some(frame)) => {
                return json!({ "close": u16::from(frame.code), "reason": frame.reason.as_str() });
            }
            _ => {}
        }
    }
}

async fn subscribe(ws: &mut Client, topic: &str, since: Option<u64>) -> Value {
    send(
        ws,
        json!({ "type": "subscribe", "topic": topic, "since": since }),
    )
    .await;
    let reply = recv(ws).await;
    assert_eq!(reply["type"], "subscribed", "{reply}");
    reply
}

#[tokio::test]
async fn a_slow_reader_is_cut_off_with_1013_while_others_keep_receiving() {
    let bus = bus(4);
    let server = serve(stub(&bus), config(4)).await;
    let mut fast = connect(&server).await;
    let mut slow = connect_small(&server).await;
    subscribe(&mut fast, "admin:live", None).await;
    subscribe(&mut slow, "admin:live", None).await;
    let pad = "x".repeat(256 * 1024);
    let published = 60;
    for n in 1..=published {
        bus.publish(Topic::AdminLive, "big", json!({ "n": n, "pad": pad }));
        let event = recv(&mut fast).await;
        assert_eq!(event["seq"], n, "the fast reader gets every event in order");
    }
    let mut received = 0;
    let closed = loop {
        let message = recv(&mut slow).await;
        if message["type"] == "event" {
            received += 1;
            assert_eq!(message["seq"], received);
        } else {
            break message;
        }
    };
    assert_eq!(closed, json!({ "close": 1013, "reason": "too slow" }));
    assert!(received < published, "cut off before the end: {received}");
}

#[tokio::test]
async fn shutdown_closes_connections_with_1001() {
    let bus = bus(4);
    let server = serve(stub(&bus), config(16)).await;
    let mut ws = connect(&server).await;
    subscribe(&mut ws, "user:me", None).await;
    server.stop.send_replace(true);
    assert_eq!(
        recv(&mut ws).await,
        json!({ "close": 1001, "reason": "server shutting down" })
    );
}

#[test]
fn the_registry_counts_connections_overall_and_per_user_and_frees_them() {
    let registry = WsRegistry::default();
    let (ada, bob) = (UserId::new(), UserId::new());
    let first = registry.admit(ada, 3, 2).unwrap();
    let second = registry.admit(ada, 3, 2).unwrap();
    assert!(registry.admit(ada, 3, 2).is_err(), "per user");
    let bobs = registry.admit(bob, 3, 2).unwrap();
    assert!(registry.admit(bob, 3, 2).is_err(), "overall");
    assert_eq!(
        (registry.connections(), registry.connections_of(ada)),
        (3, 2)
    );
    drop(first);
    assert_eq!(
        (registry.connections(), registry.connections_of(ada)),
        (2, 1)
    );
    drop((second, bobs));
    assert_eq!(
        (registry.connections(), registry.connections_of(bob)),
        (0, 0)
    );
    assert!(!registry.is_shutting_down());
    registry.shutdown();
    assert!(registry.is_shutting_down());
}
