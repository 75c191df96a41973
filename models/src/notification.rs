//! A user's notifications: what they were told live (an order's progress,
//! a payment, a seller's new order or low stock), kept so that someone who
//! was offline finds it later.

use serde::{Deserialize, Serialize};

use crate::{NotificationId, Timestamp, UserId};

/// What a notification is about: the live event it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// An order of theirs changed status (`order_status` on `user:me`).
    OrderStatus,
    /// A payment of theirs succeeded or was declined (`payment`).
    Payment,
    /// A seller's lines were ordered (`new_order` on `seller:me`).
    NewOrder,
    /// A buyer asked to return a seller's lines (`return_requested`).
    ReturnRequested,
    /// A seller's product fell under its low-stock threshold (`low_stock`).
    LowStock,
}

impl NotificationKind {
    /// The kind for a live event's kind, if such events are kept.
    pub fn of_event(kind: &str) -> Option<Self> {
        Some(match kind {
            "order_status" => Self::OrderStatus,
            "payment" => Self::Payment,
            "new_order" => Self::NewOrder,
            "return_requested" => Self::ReturnRequested,
            "low_stock" => Self::LowStock,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// Time-ordered: newer notifications have greater ids.
    pub id: NotificationId,
    pub user_id: UserId,
    pub kind: NotificationKind,
    /// One line for a list.
    pub title: String,
    /// The live event's data, as it was pushed.
    pub data: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub read_at: Option<Timestamp>,
}
