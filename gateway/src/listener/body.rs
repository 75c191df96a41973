//! A response body that keeps its request counted as in flight until the
//! body has been sent (or dropped).

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use hyper::body::{Frame, SizeHint};

use super::activity::InFlight;

pub struct Guarded {
    body: Body,
    _in_flight: InFlight,
}

impl Guarded {
    pub fn wrap(body: Body, in_flight: InFlight) -> Body {
        Body::new(Self {
            body,
            _in_flight: in_flight,
        })
    }
}

impl HttpBody for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
