//! Closing a connection with a reset. A WebSocket client cut off because it
//! stopped reading leaves what souk had written in the kernel's send
//! buffer (megabytes, with autotuning), which a normal close keeps trying
//! to deliver for minutes. When the client does not answer the close
//! handshake, the connection is instead closed with `SO_LINGER` 0: the
//! kernel sends a reset and frees the buffer at once.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Asks a connection to close with a reset; handed to its requests (and
/// so to a WebSocket upgraded from it) as a request extension.
#[derive(Clone, Default)]
pub struct AbortHandle(Arc<AtomicBool>);

impl AbortHandle {
    /// When the connection closes, discard what the kernel still holds to
    /// send rather than deliver it.
    pub fn abort_on_close(&self) {
        self.0.store(true, Ordering::Release);
    }

    fn asked(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// A TCP stream that closes with a reset when its [`AbortHandle`] asks.
pub struct Abortable {
    stream: TcpStream,
    abort: AbortHandle,
}

impl Abortable {
    pub fn new(stream: TcpStream, abort: AbortHandle) -> Self {
        Self { stream, abort }
    }
}

impl Drop for Abortable {
    fn drop(&mut self) {
        if self.abort.asked() {
            // Linger 0 never blocks the close: it resets at once.
            let _ = socket2::SockRef::from(&self.stream).set_linger(Some(Duration::ZERO));
        }
    }
}

impl AsyncRead for Abortable {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Abortable {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
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
        let abort = AbortHandle::default();
        let mut server = Abortable::new(accepted, abort.clone());
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

    #[tokio::test]
    async fn a_connection_not_aborted_closes_normally() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (accepted, _) = listener.accept().await.unwrap();
        let mut server = Abortable::new(accepted, AbortHandle::default());
        server.write_all(&[7; 4096]).await.unwrap();
        drop(server);
        let mut all = Vec::new();
        client.read_to_end(&mut all).await.unwrap();
        assert_eq!(all.len(), 4096);
    }
}
