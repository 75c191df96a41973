//! One client's connection: a single loop that reads client frames, writes
//! queued messages, takes events from the connection's buffer, pings, and
//! watches for idleness, slowness and shutdown, all at once, so that a write
//! waiting on a slow client never stops the reading.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::StreamExt;
use souk_actors::events::Sink;
use souk_models::UserId;
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};

use super::gate::Gate;
use super::outbox::{self, Outbox};
use super::protocol::{Reply, Request, close, close_frame, code};
use super::subscribe::{Revoked, Topics};
use crate::config::WebSocketConfig;
use crate::listener::SocketControl;

/// Events taken from the buffer per write, to write them in one flush.
const BATCH: usize = 64;

/// Why a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// The client closed, or the connection broke: nothing more to send.
    Gone,
    Slow,
    Idle,
    TooBig,
    Revoked,
    Shutdown,
}

impl Ending {
    /// The close frame to send, and the `souk_ws_clients_dropped_total`
    /// reason, if the server is the one ending the connection.
    fn close(self) -> Option<(CloseFrame, Option<&'static str>)> {
        let (code, reason, metric) = match self {
            Ending::Gone => return None,
            Ending::Slow => (close::TRY_AGAIN_LATER, "too slow", Some("slow")),
            Ending::Idle => (close::IDLE, "idle timeout", Some("idle")),
            Ending::TooBig => (close::TOO_BIG, "message too big", Some("too_big")),
            Ending::Revoked => (
                close::UNAUTHORIZED,
                "account_disabled",
                Some("unauthorized"),
            ),
            Ending::Shutdown => (close::GOING_AWAY, "server shutting down", None),
        };
        Some((close_frame(code, reason), metric))
    }
}

/// Runs an admitted connection of `user` until it ends, then unsubscribes
/// everything and closes.
pub(super) async fn run<G: Gate>(
    socket: WebSocket,
    gate: G,
    user: UserId,
    config: &WebSocketConfig,
    mut shutdown: watch::Receiver<bool>,
    control: Option<SocketControl>,
) {
    if let Some(control) = &control {
        control.limit_send_buffer(config.kernel_send_buffer);
    }
    let (sink, mut events, slow) = Sink::new(config.send_buffer);
    let mut topics = Topics::new(gate, user, sink, config.max_subscriptions);
    let (mut writer, mut reader) = socket.split();
    let mut out = Outbox::default();
    let heartbeat = Duration::from_secs(config.heartbeat_secs.max(1));
    let idle = Duration::from_secs(config.idle_timeout_secs.max(1));
    let mut ping = tokio::time::interval_at(Instant::now() + heartbeat, heartbeat);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let idle_timer = tokio::time::sleep(idle);
    tokio::pin!(idle_timer);
    let backlog = config.send_buffer;

    let ending = loop {
        tokio::select! {
            biased;
            () = slow.raised() => break Ending::Slow,
            () = stopping(&mut shutdown) => break Ending::Shutdown,
            () = &mut idle_timer => break Ending::Idle,
            written = out.flush(&mut writer), if out.is_busy() => {
                if written.is_err() {
                    break Ending::Gone;
                }
            }
            frame = reader.next() => {
                idle_timer.as_mut().reset(Instant::now() + idle);
                let frame = match frame {
                    Some(Ok(frame)) => frame,
                    Some(Err(error)) => break read_error(error),
                    None => break Ending::Gone,
                };
                if let Err(ending) = answer(frame, &mut topics, &mut out).await {
                    break ending;
                }
            }
            Some(event) = events.recv(), if !out.is_busy() => {
                topics.deliver(&event, &mut out);
                for _ in 1..BATCH {
                    let Ok(event) = events.try_recv() else { break };
                    topics.deliver(&event, &mut out);
                }
            }
            _ = ping.tick() => out.push(Message::Ping(Default::default())),
        }
        if out.replies() > backlog {
            // Requests keep coming but their answers are not read.
            break Ending::Slow;
        }
    };

    drop(topics);
    let frame = ending.close().map(|(frame, metric)| {
        if let Some(reason) = metric {
            metrics::counter!("souk_ws_clients_dropped_total", "reason" => reason).increment(1);
        }
        frame
    });
    if !outbox::close(&mut writer, &mut reader, frame).await
        && let Some(control) = &control
    {
        // A client that takes neither its data nor the close: free what
        // the kernel still holds for it instead of trickling it out. Asked
        // before the socket is dropped just below, which closes it.
        control.abort_on_close();
        metrics::counter!("souk_ws_connections_reset_total").increment(1);
    }
    drop((writer, reader));
}

/// Resolves once the registry says the server is shutting down.
async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    // An error means the registry is gone: the server is gone too.
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// A read that failed: over the size limit, or a broken connection.
fn read_error(error: axum::Error) -> Ending {
    use tokio_tungstenite::tungstenite::Error;
    match error.into_inner().downcast_ref::<Error>() {
        Some(Error::Capacity(_)) => Ending::TooBig,
        _ => Ending::Gone,
    }
}

/// Answers one client frame; `Err` ends the connection.
async fn answer<G: Gate>(
    frame: Message,
    topics: &mut Topics<G>,
    out: &mut Outbox,
) -> Result<(), Ending> {
    let text = match frame {
        Message::Text(text) => text,
        Message::Binary(_) => {
            let message = "send JSON text messages; binary frames are not supported";
            out.push(Reply::error(code::BINARY_NOT_SUPPORTED, message, None).to_message());
            return Ok(());
        }
        // The protocol layer answers pings; a pong is just a sign of life.
        Message::Ping(_) | Message::Pong(_) => return Ok(()),
        Message::Close(_) => return Err(Ending::Gone),
    };
    match Request::parse(&text) {
        Ok(Request::Subscribe { topic, since }) => topics
            .subscribe(&topic, since, out)
            .await
            .map_err(|Revoked| Ending::Revoked),
        Ok(Request::Unsubscribe { topic }) => {
            topics.unsubscribe(&topic, out);
            Ok(())
        }
        Ok(Request::Ping) => {
            out.push(Reply::Pong.to_message());
            Ok(())
        }
        Err((code, message)) => {
            out.push(Reply::error(code, message, None).to_message());
            Ok(())
        }
    }
}
