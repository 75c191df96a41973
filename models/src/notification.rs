//! Notifications for a user. Nothing stores or sends these yet: an in-app
//! notification list and email are planned. Today a user hears of their orders
//! through live events over the WebSocket (`user:me`).

use serde::{Deserialize, Serialize};

use crate::{NotificationId, Timestamp, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    OrderStatus,
    PaymentOutcome,
    ExpiryWarning,
    LowStock,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: NotificationId,
    pub user_id: UserId,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<Timestamp>,
}
