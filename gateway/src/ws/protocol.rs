//! The JSON messages of the live API, both ways, and the close codes.

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use souk_models::Timestamp;

/// Close codes and reasons the server uses (docs/websocket.md lists them).
pub(super) mod close {
    /// The access token is missing, invalid or expired, or the account is gone.
    pub const UNAUTHORIZED: u16 = 4401;
    /// No client frame for `idle_timeout_secs`.
    pub const IDLE: u16 = 4408;
    /// A client message over `max_message_bytes`.
    pub const TOO_BIG: u16 = 1009;
    /// Too many connections, or a client too slow to read its events.
    pub const TRY_AGAIN_LATER: u16 = 1013;
    /// The server is shutting down.
    pub const GOING_AWAY: u16 = 1001;
    /// The server failed; reconnect later.
    pub const INTERNAL: u16 = 1011;
}

/// Stable error codes of `error` messages.
pub(super) mod code {
    pub const MALFORMED: &str = "malformed";
    pub const UNKNOWN_TYPE: &str = "unknown_type";
    pub const BAD_TOPIC: &str = "bad_topic";
    pub const FORBIDDEN: &str = "forbidden";
    pub const TOO_MANY_SUBSCRIPTIONS: &str = "too_many_subscriptions";
    pub const ALREADY_SUBSCRIBED: &str = "already_subscribed";
    pub const BINARY_NOT_SUPPORTED: &str = "binary_not_supported";
    pub const UNAVAILABLE: &str = "unavailable";
}

/// A close frame with `code` and `reason` (at most 123 bytes on the wire).
pub(super) fn close_frame(code: u16, reason: &str) -> CloseFrame {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    CloseFrame {
        code,
        reason: Utf8Bytes::from(&reason[..end]),
    }
}

/// What a client asks.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Request {
    Subscribe { topic: String, since: Option<u64> },
    Unsubscribe { topic: String },
    Ping,
}

#[derive(Deserialize)]
struct TopicFields {
    topic: String,
    #[serde(default)]
    since: Option<u64>,
}

/// Why a client message could not be read: an error code and a message.
pub(super) type Unreadable = (&'static str, String);

impl Request {
    /// Reads a client text message. Unknown fields are ignored.
    pub(super) fn parse(text: &str) -> Result<Request, Unreadable> {
        let malformed = |why: String| (code::MALFORMED, why);
        let value: Value =
            serde_json::from_str(text).map_err(|e| malformed(format!("not JSON: {e}")))?;
        let kind = value
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("a message is a JSON object with a string `type`".into()))?;
        let fields = || {
            TopicFields::deserialize(&value)
                .map_err(|e| malformed(format!("bad `{kind}` message: {e}")))
        };
        match kind {
            "subscribe" => fields().map(|f| Request::Subscribe {
                topic: f.topic,
                since: f.since,
            }),
            "unsubscribe" => fields().map(|f| Request::Unsubscribe { topic: f.topic }),
            "ping" => Ok(Request::Ping),
            other => Err((
                code::UNKNOWN_TYPE,
                format!(
                    "unknown message type `{}`; use subscribe, unsubscribe or ping",
                    clip(other)
                ),
            )),
        }
    }
}

/// What the server sends.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum Reply<'a> {
    Subscribed {
        topic: String,
        /// The topic's latest seq when the subscription started (0: none yet).
        seq: u64,
    },
    Unsubscribed {
        topic: String,
    },
    Event {
        topic: String,
        seq: u64,
        event: &'static str,
        data: &'a RawValue,
        #[serde(with = "time::serde::rfc3339")]
        at: Timestamp,
    },
    Gap {
        topic: String,
        since: u64,
        oldest: Option<u64>,
        latest: u64,
    },
    Error {
        code: &'static str,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
    },
    Pong,
}

impl Reply<'_> {
    /// An `error` reply, about `topic` when given (clipped: it is echoed).
    pub(super) fn error(
        code: &'static str,
        message: impl Into<String>,
        topic: Option<&str>,
    ) -> Self {
        Reply::Error {
            code,
            message: message.into(),
            topic: topic.map(|t| clip(t).to_owned()),
        }
    }

    /// The reply as a text frame.
    pub(super) fn to_message(&self) -> Message {
        // Serialising these types cannot fail: every map key is a string.
        let text = serde_json::to_string(self).unwrap_or_default();
        Message::Text(text.into())
    }
}

/// At most 200 bytes of client text, for echoing it back.
fn clip(text: &str) -> &str {
    let mut end = text.len().min(200);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_messages_parse_with_stable_error_codes() {
        assert_eq!(
            Request::parse(r#"{"type":"subscribe","topic":"user:me","since":3,"extra":1}"#),
            Ok(Request::Subscribe {
                topic: "user:me".into(),
                since: Some(3)
            })
        );
        assert_eq!(
            Request::parse(r#"{"type":"unsubscribe","topic":"user:me"}"#),
            Ok(Request::Unsubscribe {
                topic: "user:me".into()
            })
        );
        assert_eq!(Request::parse(r#"{"type":"ping"}"#), Ok(Request::Ping));
        let code = |text: &str| Request::parse(text).err().map(|e| e.0);
        assert_eq!(code("nope"), Some(code::MALFORMED));
        assert_eq!(code("[1]"), Some(code::MALFORMED));
        assert_eq!(code(r#"{"type":3}"#), Some(code::MALFORMED));
        assert_eq!(code(r#"{"type":"subscribe"}"#), Some(code::MALFORMED));
        assert_eq!(
            code(r#"{"type":"subscribe","topic":"x","since":-1}"#),
            Some(code::MALFORMED)
        );
        assert_eq!(code(r#"{"type":"dance"}"#), Some(code::UNKNOWN_TYPE));
    }

    #[test]
    fn replies_and_close_reasons_keep_to_the_wire_limits() {
        let text = Reply::error(code::FORBIDDEN, "no", Some(&"é".repeat(300)))
            .to_message()
            .into_text()
            .expect("a text message");
        assert!(
            text.starts_with(r#"{"type":"error","code":"forbidden""#),
            "{text}"
        );
        assert!(text.len() < 300);
        assert!(close_frame(close::IDLE, &"é".repeat(100)).reason.len() <= 123);
    }
}
