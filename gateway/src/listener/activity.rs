//! What one connection is doing, for its watchdog: requests in flight and
//! since when, when it last went idle, and when the first byte of a next
//! request arrived.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Shared by a connection's socket wrapper, its requests and its watchdog.
pub struct Activity {
    epoch: Instant,
    in_flight: AtomicU32,
    /// Milliseconds since `epoch` when the requests in flight began.
    busy_since: AtomicU64,
    /// Milliseconds since `epoch` when the connection opened or its last
    /// response was sent.
    idle_since: AtomicU64,
    /// Milliseconds since `epoch` (plus one) of the first byte read while
    /// idle, i.e. of a request header being sent; 0: none yet.
    header_started: AtomicU64,
}

/// What the watchdog should do next.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Look again at this instant.
    CheckAt(Instant),
    /// Close the connection.
    Close(&'static str),
}

impl Activity {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            epoch: Instant::now(),
            in_flight: AtomicU32::new(0),
            busy_since: AtomicU64::new(0),
            idle_since: AtomicU64::new(0),
            header_started: AtomicU64::new(0),
        })
    }

    fn millis(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn at(&self, millis: u64) -> Instant {
        self.epoch + Duration::from_millis(millis)
    }

    /// A request's header was read: it is being handled until the returned
    /// guard (kept with its response body) is dropped.
    pub fn request_started(self: &Arc<Self>) -> InFlight {
        if self.in_flight.fetch_add(1, Ordering::AcqRel) == 0 {
            self.busy_since.store(self.millis(), Ordering::Release);
        }
        self.header_started.store(0, Ordering::Release);
        InFlight(self.clone())
    }

    /// Bytes arrived; if nothing is in flight they begin a request header.
    fn bytes_read(&self) {
        if self.in_flight.load(Ordering::Acquire) == 0
            && self.header_started.load(Ordering::Acquire) == 0
        {
            let _ = self.header_started.compare_exchange(
                0,
                self.millis() + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            );
        }
    }

    /// Whether the connection has outstayed one of `limits` at `now`: a
    /// request (its body included) in flight too long, a header begun but
    /// not finished, or nothing sent at all.
    pub fn next(&self, now: Instant, limits: &Limits) -> Next {
        let Limits {
            header_timeout,
            keep_alive,
            request_timeout,
        } = *limits;
        if self.in_flight.load(Ordering::Acquire) > 0 {
            let deadline = self.at(self.busy_since.load(Ordering::Acquire)) + request_timeout;
            return if now >= deadline {
                Next::Close("request_timeout")
            } else {
                Next::CheckAt(deadline.min(now + keep_alive))
            };
        }
        let (deadline, reason) = match self.header_started.load(Ordering::Acquire) {
            0 => (
                self.at(self.idle_since.load(Ordering::Acquire)) + keep_alive,
                "idle",
            ),
            started => (self.at(started - 1) + header_timeout, "header_timeout"),
        };
        if now >= deadline {
            Next::Close(reason)
        } else {
            Next::CheckAt(deadline)
        }
    }
}

/// The watchdog's timeouts (see `ConnectionLimits`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_timeout: Duration,
    pub keep_alive: Duration,
    pub request_timeout: Duration,
}

/// A request in flight; dropping it marks the connection idle again.
pub struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let activity = &self.0;
        activity
            .idle_since
            .store(activity.millis(), Ordering::Release);
        activity.header_started.store(0, Ordering::Release);
        activity.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A socket that reports reads to its [`Activity`] and holds `hold` (the
/// connection's per-address slot) for as long as it is open, upgraded
/// WebSockets included.
pub struct Tracked<T, H> {
    inner: T,
    activity: Arc<Activity>,
    _hold: H,
}

impl<T, H> Tracked<T, H> {
    pub fn new(inner: T, activity: Arc<Activity>, hold: H) -> Self {
        Self {
            inner,
            activity,
            _hold: hold,
        }
    }
}

impl<T: AsyncRead + Unpin, H: Unpin> AsyncRead for Tracked<T, H> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.bytes_read();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin, H: Unpin> AsyncWrite for Tracked<T, H> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: Duration = Duration::from_secs(10);
    const IDLE: Duration = Duration::from_secs(30);
    const REQUEST: Duration = Duration::from_secs(60);
    const LIMITS: Limits = Limits {
        header_timeout: HEADER,
        keep_alive: IDLE,
        request_timeout: REQUEST,
    };

    #[test]
    fn an_idle_connection_closes_after_keep_alive() {
        let activity = Activity::new();
        let start = activity.epoch;
        assert_eq!(activity.next(start, &LIMITS), Next::CheckAt(start + IDLE));
        assert_eq!(activity.next(start + IDLE, &LIMITS), Next::Close("idle"));
    }

    #[test]
    fn a_started_header_must_finish_in_time() {
        let activity = Activity::new();
        activity.bytes_read();
        let started = activity.epoch + Duration::from_millis(activity.millis());
        assert_eq!(
            activity.next(started + HEADER, &LIMITS),
            Next::Close("header_timeout")
        );
    }

    #[test]
    fn a_request_in_flight_is_cut_off_only_after_the_request_timeout() {
        let activity = Activity::new();
        let request = activity.request_started();
        let started = activity.at(activity.busy_since.load(Ordering::Acquire));
        let late = started + IDLE * 2 - Duration::from_millis(1);
        assert!(matches!(activity.next(late, &LIMITS), Next::CheckAt(_)));
        assert_eq!(
            activity.next(started + REQUEST, &LIMITS),
            Next::Close("request_timeout")
        );
        drop(request);
        let idle_at = activity.at(activity.idle_since.load(Ordering::Acquire));
        assert_eq!(
            activity.next(idle_at, &LIMITS),
            Next::CheckAt(idle_at + IDLE)
        );
        assert_eq!(activity.next(idle_at + IDLE, &LIMITS), Next::Close("idle"));
    }
}
