//! A WebSocket client for the live API tests: connect the three ways a token
//! can travel, send JSON, and read replies, events and close frames with
//! short timeouts.

#![allow(clippy::expect_used)]

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::helpers::TestApp;

/// The longest any single wait may take; only reached when a test fails.
pub const WAIT: Duration = Duration::from_secs(5);

pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The subprotocol the server selected.
    pub protocol: Option<String>,
}

pub fn url(app: &TestApp) -> String {
    format!("{}/api/v1/ws", app.base.replacen("http://", "ws://", 1))
}

/// A handshake request offering `protocols` (none if empty).
pub fn request(url: &str, protocols: &[&str]) -> Request {
    let mut request = url.into_client_request().expect("request");
    if !protocols.is_empty() {
        let offered = HeaderValue::from_str(&protocols.join(", ")).expect("header");
        request
            .headers_mut()
            .insert("sec-websocket-protocol", offered);
    }
    request
}

/// Connects with the token in the subprotocol header.
pub async fn connect(app: &TestApp, token: &str) -> Client {
    open(request(&url(app), &[&format!("bearer.{token}")])).await
}

/// Connects with the token in the query string.
pub async fn connect_query(app: &TestApp, token: &str) -> Client {
    open(request(&format!("{}?access_token={token}", url(app)), &[])).await
}

/// Connects (token in the subprotocol) over a socket that buffers little,
/// so that a client not reading shows soon.
pub async fn connect_small(app: &TestApp, token: &str) -> Client {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("buffer size");
    let address = app.base.trim_start_matches("http://");
    let stream = socket
        .connect(address.parse().expect("address"))
        .await
        .expect("connect");
    let request = request(&url(app), &[&format!("bearer.{token}")]);
    let (ws, _) = tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream))
        .await
        .expect("handshake");
    Client { ws, protocol: None }
}

/// Completes the handshake (which succeeds even for a refused client).
pub async fn open(request: Request) -> Client {
    let (ws, response) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
        .await
        .expect("handshake in time")
        .expect("handshake");
    let protocol = response
        .headers()
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Client { ws, protocol }
}

impl Client {
    pub async fn send(&mut self, message: Value) {
        self.send_raw(Message::text(message.to_string())).await;
    }

    pub async fn send_raw(&mut self, message: Message) {
        self.ws.send(message).await.expect("send");
    }

    /// The next frame that is not a ping or pong; `None` once the
    /// connection ended without a close frame.
    async fn next_frame(&mut self) -> Option<Message> {
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a message in time");
            match frame {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(frame)) => return Some(frame),
                Some(Err(Error::ConnectionClosed | Error::AlreadyClosed)) | None => return None,
                Some(Err(e)) => panic!("read failed: {e}"),
            }
        }
    }

    /// The next JSON message; panics on a close.
    pub async fn recv(&mut self) -> Value {
        match self.next_frame().await {
            Some(Message::Text(text)) => serde_json::from_str(&text).expect("JSON"),
            other => panic!("expected a text message, got {other:?}"),
        }
    }

    /// The next JSON message, or the close code and reason.
    pub async fn recv_or_close(&mut self) -> Result<Value, (u16, String)> {
        match self.next_frame().await {
            Some(Message::Text(text)) => Ok(serde_json::from_str(&text).expect("JSON")),
            Some(Message::Close(Some(frame))) => Err((frame.code.into(), frame.reason.to_string())),
            other => panic!("expected a text message or a close frame, got {other:?}"),
        }
    }

    /// The next message, which must have this `type`.
    pub async fn expect(&mut self, kind: &str) -> Value {
        let message = self.recv().await;
        assert_eq!(message["type"], kind, "{message}");
        message
    }

    /// The next message, which must be an `error` with `code`.
    pub async fn expect_error(&mut self, code: &str) -> Value {
        let message = self.expect("error").await;
        assert_eq!(message["code"], code, "{message}");
        message
    }

    /// Subscribes and returns the `subscribed` reply.
    pub async fn subscribe(&mut self, topic: &str) -> Value {
        self.send(json!({ "type": "subscribe", "topic": topic }))
            .await;
        let reply = self.expect("subscribed").await;
        assert_eq!(reply["topic"], topic);
        reply
    }

    /// A ping answered by a pong: the connection works and everything sent
    /// before the pong has been read.
    pub async fn ping_pong(&mut self) {
        self.send(json!({ "type": "ping" })).await;
        self.expect("pong").await;
    }

    /// The server's close code and reason, which must come before any other
    /// message.
    pub async fn closed(&mut self) -> (u16, String) {
        match self.next_frame().await {
            Some(Message::Close(Some(frame))) => (frame.code.into(), frame.reason.to_string()),
            other => panic!("expected a close frame, got {other:?}"),
        }
    }

    /// The server's close code and reason, skipping the messages before it;
    /// also returns how many there were.
    pub async fn closed_after_messages(&mut self) -> (u16, String, usize) {
        let mut skipped = 0;
        loop {
            match self.next_frame().await {
                Some(Message::Close(Some(frame))) => {
                    return (frame.code.into(), frame.reason.to_string(), skipped);
                }
                Some(Message::Text(_)) => skipped += 1,
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    }
}
