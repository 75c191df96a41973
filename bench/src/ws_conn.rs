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
/// waiting until each is confirmed.
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
        let subscribe = serde_json::json!({ "type": "subscribe", "topic": topic });
        ws.send(Message::text(subscribe.to_string())).await?;
    }
    let mut confirmed = 0;
    while confirmed < topics.len() {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => {
                let frame: Frame = serde_json::from_str(&text).context("frame")?;
                match frame.kind.as_str() {
                    "subscribed" => confirmed += 1,
                    "error" => bail!("subscription refused: {text}"),
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

#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type")]
    kind: String,
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

/// Reads events until `stop` turns true, then closes politely.
pub async fn hold(mut ws: Socket, mut stop: watch::Receiver<bool>) -> Held {
    let mut held = Held::default();
    loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
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
