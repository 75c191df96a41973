//! The one error every parser in this crate returns.

/// Why a raw value could not become a domain value. The message is safe to show to
/// the client that sent the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

impl ParseError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
