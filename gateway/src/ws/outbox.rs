//! The write side of a connection: messages waiting to go out, written
//! without ever holding up the read side, and the closing handshake.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::task::{Poll, ready};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};

/// How long closing may take: sending our close frame, then waiting for the
/// client's. A client that does not read its messages is cut off after this.
pub(super) const CLOSE_GRACE: Duration = Duration::from_secs(5);

pub(super) type Writer = SplitSink<WebSocket, Message>;
pub(super) type Reader = SplitStream<WebSocket>;

/// A message waiting to be written; live events carry what the fan-out
/// latency metric needs.
struct Outgoing {
    message: Message,
    live: Option<Instant>,
}

/// Messages waiting to be written, in order.
#[derive(Default)]
pub(super) struct Outbox {
    queue: VecDeque<Outgoing>,
    /// Replies and pings queued (not events): a client that sends requests
    /// but never reads the answers is not allowed to pile them up.
    replies: usize,
    /// Written to the socket but not flushed yet.
    unflushed: bool,
}

impl Outbox {
    /// Queues a reply or a ping.
    pub(super) fn push(&mut self, message: Message) {
        self.replies += 1;
        self.queue.push_back(Outgoing {
            message,
            live: None,
        });
    }

    /// Queues an event; `live` is when it was published, for a live event
    /// (replayed ones are not timed).
    pub(super) fn push_event(&mut self, message: Message, live: Option<Instant>) {
        self.queue.push_back(Outgoing { message, live });
    }

    /// Something is queued or not yet flushed.
    pub(super) fn is_busy(&self) -> bool {
        !self.queue.is_empty() || self.unflushed
    }

    /// Replies and pings queued and not yet written.
    pub(super) fn replies(&self) -> usize {
        self.replies
    }

    /// Writes everything queued and flushes. Cancel-safe: a message leaves
    /// the queue only once the socket has taken it, so dropping this future
    /// (to read, or to take an event) loses nothing.
    pub(super) async fn flush(&mut self, writer: &mut Writer) -> Result<(), axum::Error> {
        poll_fn(|cx| {
            while !self.queue.is_empty() {
                ready!(writer.poll_ready_unpin(cx))?;
                if let Some(next) = self.queue.pop_front() {
                    if next.live.is_none() {
                        self.replies = self.replies.saturating_sub(1);
                    }
                    writer.start_send_unpin(next.message)?;
                    self.unflushed = true;
                    if let Some(published) = next.live {
                        metrics::histogram!("souk_ws_fanout_seconds")
                            .record(published.elapsed().as_secs_f64());
                    }
                }
            }
            ready!(writer.poll_flush_unpin(cx))?;
            self.unflushed = false;
            Poll::Ready(Ok(()))
        })
        .await
    }
}

/// Ends a connection. With `frame`, sends it (what was still queued is
/// dropped; what the socket already took goes first) and waits for the
/// client's close frame, so the TCP connection ends cleanly. Without, the
/// client closed (or vanished): its close is answered by flushing (the
/// protocol layer queued the answer). Each step is bounded by [`CLOSE_GRACE`].
/// Returns whether the connection ended cleanly: `false` when the client
/// did not take the close frame or did not answer it. The socket stays
/// open: the caller decides how it ends (a reset, when this says `false`).
pub(super) async fn close(
    writer: &mut Writer,
    reader: &mut Reader,
    frame: Option<CloseFrame>,
) -> bool {
    let Some(frame) = frame else {
        let _ = tokio::time::timeout(CLOSE_GRACE, writer.flush()).await;
        return true;
    };
    let sent = tokio::time::timeout(CLOSE_GRACE, writer.send(Message::Close(Some(frame))));
    if !matches!(sent.await, Ok(Ok(()))) {
        return false;
    }
    let answered = tokio::time::timeout(CLOSE_GRACE, async {
        while let Some(Ok(message)) = reader.next().await {
            if matches!(message, Message::Close(_)) {
                return true;
            }
        }
        false
    })
    .await;
    answered.unwrap_or(false)
}

/// Upgrades and closes at once with `frame`, sending nothing else.
pub(super) async fn refuse(socket: WebSocket, frame: CloseFrame) {
    let (mut writer, mut reader) = socket.split();
    let _ = close(&mut writer, &mut reader, Some(frame)).await;
}
