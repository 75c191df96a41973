//! What a request may ask of the TCP connection it came on, applied by the
//! connection's owner:
//!
//! - **A smaller kernel send buffer.** With autotuning, Linux lets a
//!   connection queue megabytes that its peer has not read. A WebSocket
//!   sends small events, so it caps its buffer (`websocket.kernel_send_buffer`):
//!   a client that stops reading then costs little kernel memory and is found
//!   too slow sooner.
//! - **A reset on close.** A WebSocket client cut off because it stopped
//!   reading leaves what souk had written in the kernel's send buffer, which
//!   a normal close keeps trying to deliver for minutes. When the client does
//!   not answer the close handshake, the connection is instead closed with
//!   `SO_LINGER` 0: the kernel sends a reset and frees the buffer at once.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Requests for one connection's socket; handed to its requests (and so to
/// a WebSocket upgraded from it) as a request extension.
#[derive(Clone, Default)]
pub struct SocketControl(Arc<Asked>);

#[derive(Default)]
struct Asked {
    abort: AtomicBool,
    /// Bytes to set the send buffer to before the next write; 0: nothing asked.
    send_buffer: AtomicUsize,
}

impl SocketControl {
    /// When the connection closes, discard what the kernel still holds to
    /// send rather than deliver it.
    pub fn abort_on_close(&self) {
        self.0.abort.store(true, Ordering::Release);
    }

    /// From the next write on, the kernel holds at most about twice `bytes`
    /// not yet acknowledged by the peer (`SO_SNDBUF`, which Linux doubles;
    /// this also ends its autotuning). 0 asks nothing.
    pub fn limit_send_buffer(&self, bytes: usize) {
        self.0.send_buffer.store(bytes, Ordering::Release);
    }

    fn abort_asked(&self) -> bool {
        self.0.abort.load(Ordering::Acquire)
    }

    /// The send buffer asked for since the last call, if any.
    fn send_buffer_asked(&self) -> Option<usize> {
        // A load first: the common case (nothing asked) writes nothing.
        if self.0.send_buffer.load(Ordering::Acquire) == 0 {
            return None;
        }
        Some(self.0.send_buffer.swap(0, Ordering::AcqRel)).filter(|&bytes| bytes > 0)
    }
}

/// A TCP stream that does what its [`SocketControl`] asks.
pub struct Controlled {
    stream: TcpStream,
    control: SocketControl,
}

impl Controlled {
    pub fn new(stream: TcpStream, control: SocketControl) -> Self {
        Self { stream, control }
    }

    fn apply(&self) {
        if let Some(bytes) = self.control.send_buffer_asked()
            && let Err(error) = socket2::SockRef::from(&self.stream).set_send_buffer_size(bytes)
        {
            tracing::debug!(%error, bytes, "cannot set a connection's send buffer");
        }
    }
}

impl Drop for Controlled {
    fn drop(&mut self) {
        if self.control.abort_asked() {
            // Linger 0 never blocks the close: it resets at once.
            let _ = socket2::SockRef::from(&self.stream).set_linger(Some(Duration::ZERO));
        }
    }
}

impl AsyncRead for Controlled {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Controlled {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.apply();
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.apply();
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A client that never reads: what the server wrote waits in the
    /// kernel. Aborted, the client sees a reset instead of the data.
    #[tokio::test]
    async fn an_aborted_connection_resets_instead_of_delivering() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (accepted, _) = listener.accept().await.unwrap();
        let abort = SocketControl::default();
        let mut server = Controlled::new(accepted, abort.clone());
        server.write_all(&[7; 4096]).await.unwrap();
        abort.abort_on_close();
        drop(server);
        let mut buf = vec![0; 8192];
        let mut read = 0;
        let ended = loop {
            match client.read(&mut buf).await {
                Ok(0) => break Ok(()),
                Ok(n) => read += n,
                Err(e) => break Err(e.kind()),
            }
        };
        assert_eq!(
            ended,
            Err(io::ErrorKind::ConnectionReset),
            "read {read} bytes"
        );
    }

    /// Asked for a small send buffer, the kernel holds far less for a
    /// client that does not read than its autotuned default.
    #[tokio::test]
    async fn a_limited_send_buffer_holds_less_for_a_client_that_does_not_read() {
        async fn written_before_blocking(limit: usize) -> usize {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let _client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (accepted, _) = listener.accept().await.unwrap();
            let control = SocketControl::default();
            control.limit_send_buffer(limit);
            let mut server = Controlled::new(accepted, control);
            let chunk = [7; 4096];
            let mut written = 0;
            while let Ok(Ok(n)) =
                tokio::time::timeout(Duration::from_millis(200), server.write(&chunk)).await
            {
                written += n;
            }
            written
        }
        let limited = written_before_blocking(16_384).await;
        let autotuned = written_before_blocking(0).await;
        assert!(
            limited * 2 < autotuned,
            "{limited} bytes queued with the limit, {autotuned} without"
        );
    }

    #[tokio::test]
    async fn a_connection_not_aborted_closes_normally() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (accepted, _) = listener.accept().await.unwrap();
        let mut server = Controlled::new(accepted, SocketControl::default());
        server.write_all(&[7; 4096]).await.unwrap();
        drop(server);
        let mut all = Vec::new();
        client.read_to_end(&mut all).await.unwrap();
        assert_eq!(all.len(), 4096);
    }
}
