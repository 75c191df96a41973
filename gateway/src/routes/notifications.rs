//! The signed-in user's notification inbox: what they were told live (an
//! order's progress, payments; a seller's new orders, returns and low
//! stock), kept so that it can be read later.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use souk_models::{Notification, NotificationId, NotificationKind, Timestamp};
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

/// Unread notifications are counted up to this.
const UNREAD_CAP: usize = 1000;
/// Ids one request may mark read.
const MAX_IDS: usize = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(mark_read))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    #[schema(value_type = uuid::Uuid)]
    id: NotificationId,
    kind: NotificationKind,
    title: String,
    /// The live event's data as it was pushed (see docs/websocket.md).
    #[schema(value_type = Object)]
    data: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    read_at: Option<Timestamp>,
}

impl From<Notification> for NotificationView {
    fn from(n: Notification) -> Self {
        Self {
            id: n.id,
            kind: n.kind,
            title: n.title,
            data: n.data,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Inbox {
    items: Vec<NotificationView>,
    /// Absent on the last page.
    next_cursor: Option<String>,
    /// Unread notifications, counted up to 1,000.
    unread: usize,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<u32>,
    /// `next_cursor` from the previous page; any other value is a 400
    /// `invalid_parameter`.
    #[param(min_length = 1, pattern = "^[A-Za-z0-9_-]+$")]
    cursor: Option<String>,
}

/// The signed-in user's notifications, newest first, with how many are
/// unread. Kept for `notifications.retention_days`.
#[utoipa::path(get, path = "/users/me/notifications", tag = "users", security(("bearer" = [])),
    params(InboxParams),
    responses((status = 200, body = Inbox),
        (status = 400, body = Problem, description = "`invalid_parameter`: a malformed limit or cursor"),
        (status = 503, body = Problem, description = "`unavailable`: the store did not answer")))]
async fn list_notifications(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<InboxParams>,
) -> Result<Json<Inbox>, ApiError> {
    let limit = params.limit.unwrap_or(20) as usize;
    if !(1..=100).contains(&limit) {
        let detail = "limit must be between 1 and 100";
        return Err(ApiError::invalid_parameter("limit", detail));
    }
    let before = params
        .cursor
        .map(|c| super::cursor::decode(&c).map(NotificationId))
        .transpose()?;
    let id = user.0.id;
    let mut found = state
        .store
        .list_notifications(id, before, limit + 1)
        .await?;
    let next_cursor = if found.len() > limit {
        found.truncate(limit);
        found.last().map(|n| super::cursor::encode(n.id.0))
    } else {
        None
    };
    let unread = state.store.count_unread(id, UNREAD_CAP).await?;
    Ok(Json(Inbox {
        items: found.into_iter().map(NotificationView::from).collect(),
        next_cursor,
        unread,
    }))
}

/// Which notifications to mark read: `ids`, or `all`; neither marks
/// nothing.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// 1 to 100 of the user's notification ids (others' are ignored).
    #[schema(value_type = Option<Vec<uuid::Uuid>>, min_items = 1, max_items = 100)]
    ids: Option<Vec<NotificationId>>,
    /// `true`: every notification of the user (whatever `ids` says).
    all: Option<bool>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Marked {
    /// Notifications that were unread and now are read.
    marked: usize,
    /// Unread notifications left, counted up to 1,000.
    unread: usize,
}

/// Marks notifications read: `{"ids": [...]}` those, `{"all": true}` every
/// one; a body with neither marks nothing.
#[utoipa::path(post, path = "/users/me/notifications/read", tag = "users", security(("bearer" = [])),
    request_body = MarkRead,
    responses((status = 200, body = Marked),
        (status = 422, body = Problem, description = "`invalid_field`: `ids` not 1 to 100 ids"),
        (status = 503, body = Problem, description = "`unavailable`: the store did not answer")))]
async fn mark_read(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<MarkRead>,
) -> Result<Json<Marked>, ApiError> {
    let ids = match (body.ids, body.all) {
        (_, Some(true)) => None,
        (Some(ids), _) if (1..=MAX_IDS).contains(&ids.len()) => Some(ids),
        (Some(_), _) => {
            let invalid = ApiError::unprocessable("invalid_field", "send 1 to 100 ids");
            return Err(invalid.with_field("ids"));
        }
        (None, _) => Some(Vec::new()),
    };
    let now = OffsetDateTime::now_utc();
    let id = user.0.id;
    let marked = match ids.as_deref() {
        Some([]) => 0,
        ids => state.store.mark_read(id, ids, now).await?,
    };
    let unread = state.store.count_unread(id, UNREAD_CAP).await?;
    Ok(Json(Marked { marked, unread }))
}
