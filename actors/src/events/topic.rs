//! Topics: what a live event is about, and who may follow it.

use std::fmt;

use souk_models::{OrderId, UserId};
use uuid::Uuid;

/// A stream of live events. Its text form (`order:{id}`, `checkout:{ticket}`,
/// `user:{id}`, `seller:{id}`, `admin:live`) is what clients see; they write
/// `user:me` and `seller:me` for their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// An order's transitions; `seq` is the timeline's, so it survives restarts.
    Order(OrderId),
    /// A checkout ticket's queue position and outcome.
    Checkout(Uuid),
    /// One user's notifications.
    User(UserId),
    /// One seller's new orders, stock changes and low-stock alerts.
    Seller(UserId),
    /// Every transition, checkout outcome, stock-out, and a summary a second.
    AdminLive,
}

impl Topic {
    /// The kind, for metrics labels: `order`, `checkout`, `user`, `seller`, `admin`.
    pub fn kind(&self) -> &'static str {
        match self {
            Topic::Order(_) => "order",
            Topic::Checkout(_) => "checkout",
            Topic::User(_) => "user",
            Topic::Seller(_) => "seller",
            Topic::AdminLive => "admin",
        }
    }

    /// Parses a client's topic; `me` means `caller` in `user:` and `seller:`.
    pub fn parse(text: &str, caller: UserId) -> Result<Topic, TopicError> {
        let (kind, key) = text.split_once(':').ok_or(TopicError::Malformed)?;
        let uuid = || Uuid::parse_str(key).map_err(|_| TopicError::Malformed);
        match (kind, key) {
            ("order", _) => Ok(Topic::Order(OrderId(uuid()?))),
            ("checkout", _) => Ok(Topic::Checkout(uuid()?)),
            ("user", "me") => Ok(Topic::User(caller)),
            ("seller", "me") => Ok(Topic::Seller(caller)),
            ("admin", "live") => Ok(Topic::AdminLive),
            ("user" | "seller", _) => Err(TopicError::OnlyMe),
            _ => Err(TopicError::Unknown),
        }
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Topic::Order(id) => write!(f, "order:{id}"),
            Topic::Checkout(id) => write!(f, "checkout:{id}"),
            Topic::User(_) => f.write_str("user:me"),
            Topic::Seller(_) => f.write_str("seller:me"),
            Topic::AdminLive => f.write_str("admin:live"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TopicError {
    #[error("a topic is `kind:key`, e.g. `order:<uuid>` or `user:me`")]
    Malformed,
    #[error("unknown topic kind; use order, checkout, user, seller or admin")]
    Unknown,
    #[error("user and seller topics are `user:me` and `seller:me`")]
    OnlyMe,
}
