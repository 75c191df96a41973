//! One benchmark WebSocket client: connects from a chosen loopback source
//! address, follows its order and `user:me`, then measures how long each event
//! took from the server's timestamp to arrival here.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use anyhow::{Context, bail};
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, http::HeaderValue};

pub type Socket = WebSocketStream<TcpStream>;

/// The loopback source address of connection `i` when each address carries
/// `per_address` connections (127.0.0.1, then .2, …).
pub fn source_of(i: usize, per_address: usize) -> Ipv4Addr {
    let n = u32::try_from(i / per_address.max(1))
        .unwrap_or(u32::MAX)
        .min(250);
    Ipv4Addr::from(u32::from(Ipv4Addr::new(127, 0, 0, 1)) + n)
}

/// Opens an authenticated connection from `source` and subscribes to `topics`,
/// waiting until each is confirmed. A subscription the server could not
/// check in time (`unavailable`, under the load of many handshakes) is asked
/// again after a pause, as the protocol tells clients to.
pub async fn open(
    server: SocketAddr,
    source: Ipv4Addr,
    token: &str,
    topics: &[String],
) -> anyhow::Result<Socket> {
    let socket = TcpSocket::new_v4().context("socket")?;
    socket
        .bind(SocketAddr::new(IpAddr::V4(source), 0))
        .with_context(|| format!("bind {source}"))?;
    let stream = socket.connect(server).await.context("connect")?;
    let mut request = format!("ws://{server}/api/v1/ws")
        .into_client_request()
        .context("request")?;
    let bearer = HeaderValue::from_str(&format!("Bearer {token}")).context("token")?;
    request.headers_mut().insert("authorization", bearer);
    // Small buffers: the bench holds as many connections as the server.
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(request, stream, Some(config))
        .await
        .context("handshake")?;
    for topic in topics {
        subscribe(&mut ws, topic).await?;
    }
    let (mut confirmed, mut retries) = (0, 0);
    while confirmed < topics.len() {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => {
                let frame: Frame = serde_json::from_str(&text).context("frame")?;
                match (frame.kind.as_str(), frame.code, frame.topic) {
                    ("subscribed", ..) => confirmed += 1,
                    ("error", Some("unavailable"), Some(topic)) if retries < RETRIES => {
                        retries += 1;
                        tokio::time::sleep(RETRY_PAUSE * retries).await;
                        subscribe(&mut ws, topic).await?;
                    }
                    ("error", ..) => bail!("subscription refused: {text}"),
                    _ => {}
                }
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
            None => bail!("closed while subscribing"),
        }
    }
    Ok(ws)
}

/// Subscriptions asked again, in all, before a connection gives up.
const RETRIES: u32 = 10;
const RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(200);

async fn subscribe(ws: &mut Socket, topic: &str) -> anyhow::Result<()> {
    let subscribe = serde_json::json!({ "type": "subscribe", "topic": topic });
    Ok(ws.send(Message::text(subscribe.to_string())).await?)
}

#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type")]
    kind: String,
    #[serde(borrow)]
    code: Option<&'a str>,
    #[serde(borrow)]
    topic: Option<&'a str>,
    #[serde(borrow)]
    at: Option<&'a str>,
}

/// What one connection saw while it was held.
#[derive(Default)]
pub struct Held {
    /// Server timestamp → arrival, in microseconds, per event.
    pub latencies_us: Vec<u32>,
    /// Why the server or the network ended the connection early.
    pub lost: Option<String>,
}

/// Reads events until `stop` turns true, then closes politely. A connection
/// given `mute` stops reading once it turns true, as a client that hangs
/// would, and keeps its socket open until `stop` without a close.
pub async fn hold(
    mut ws: Socket,
    mut stop: watch::Receiver<bool>,
    mut mute: Option<watch::Receiver<bool>>,
) -> Held {
    let mut held = Held::default();
    let muted = async {
        match mute.as_mut() {
            Some(mute) => {
                let _ = mute.wait_for(|m| *m).await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::pin!(muted);
    let hung = loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => break false,
            () = &mut muted => break true,
            message = ws.next() => match message {
                Some(Ok(Message::Text(text))) => record(&text, &mut held.latencies_us),
                Some(Ok(Message::Close(frame))) => {
                    held.lost = Some(frame.map_or("closed".into(), |f| format!("closed {}: {}", f.code, f.reason)));
                    return held;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    held.lost = Some(e.to_string());
                    return held;
                }
                None => {
                    held.lost = Some("connection ended".into());
                    return held;
                }
            },
        }
    };
    if hung {
        // Hung: no reading, no close until the end.
        let _ = stop.wait_for(|s| *s).await;
        return held;
    }
    let _ = ws.close(None).await;
    held
}

fn record(text: &str, latencies: &mut Vec<u32>) {
    let Ok(frame) = serde_json::from_str::<Frame>(text) else {
        return;
    };
    if frame.kind != "event" {
        return;
    }
    let Some(at) = frame
        .at
        .and_then(|at| OffsetDateTime::parse(at, &Rfc3339).ok())
    else {
        return;
    };
    let micros = (OffsetDateTime::now_utc() - at).whole_microseconds().max(0);
    latencies.push(u32::try_from(micros).unwrap_or(u32::MAX));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_spread_over_loopback_addresses() {
        assert_eq!(source_of(0, 20_000), Ipv4Addr::new(127, 0, 0, 1));
        assert_eq!(source_of(19_999, 20_000), Ipv4Addr::new(127, 0, 0, 1));
        assert_eq!(source_of(20_000, 20_000), Ipv4Addr::new(127, 0, 0, 2));
        assert_eq!(source_of(99_999, 20_000), Ipv4Addr::new(127, 0, 0, 5));
    }
}
