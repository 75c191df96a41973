//! Admins watch the mail outbox: every message with where it stands (and
//! why a failed one failed), and send a failed one again.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use souk_actors::store::{MailAbout, MailState, OutboxMail};
use souk_models::{Role, Timestamp};
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use crate::views::Page;

/// Messages one page reads from the store at most, whatever the filter.
const SCAN_BUDGET: usize = 2000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_outbox))
        .routes(routes!(retry_mail))
}

/// One outbox message as admins see it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OutboxView {
    pub id: Uuid,
    /// The account mailed.
    pub to: Uuid,
    /// `order` (an order's timeline entry), `expiry_warning`, `verify_email`,
    /// `password_reset` or `low_stock`. A letter's secret link is never shown.
    pub about: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<Uuid>,
    /// The order's timeline entry it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_id: Option<Uuid>,
    pub state: MailState,
    pub attempts: u32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// The next try (pending), or when a try under way counts as
    /// interrupted (sending); absent once finished.
    #[serde(
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<Timestamp>,
}

impl From<OutboxMail> for OutboxView {
    fn from(m: OutboxMail) -> Self {
        let (order_id, entry, product_id) = match &m.about {
            MailAbout::Order { order_id, seq, .. } => (Some(order_id.0), Some(*seq), None),
            MailAbout::ExpiryWarning { order_id } => (Some(order_id.0), None, None),
            MailAbout::LowStock { product_id, .. } => (None, None, Some(product_id.0)),
            MailAbout::VerifyEmail { .. } | MailAbout::PasswordReset { .. } => (None, None, None),
        };
        Self {
            id: m.id,
            to: m.to.0,
            about: m.about.name(),
            order_id,
            entry,
            product_id,
            state: m.state,
            attempts: m.attempts,
            created_at: m.created_at,
            due_at: m.is_open().then_some(m.due_at),
            last_error: m.last_error,
            finished_at: m.finished_at,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxParams {
    /// Only messages in this state (e.g. `failed`).
    #[param(inline)]
    state: Option<MailState>,
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<u32>,
    /// `next_cursor` from the previous page (with the same filter); any
    /// other value is a 400 `invalid_parameter`.
    #[param(min_length = 1, pattern = "^[A-Za-z0-9_-]+$")]
    cursor: Option<String>,
}

/// The outbox, newest first. A page reads at most 2,000 messages: with a
/// `state` that few messages are in it may hold fewer than `limit` (even
/// none) and still have a `next_cursor`; follow it until there is none.
#[utoipa::path(get, path = "/admin/outbox", tag = "admin", security(("bearer" = [])),
    params(OutboxParams),
    responses((status = 200, body = Page<OutboxView>),
        (status = 400, body = Problem, description = "`invalid_parameter`: a malformed state, limit or cursor"),
        (status = 403, body = Problem, description = "`forbidden_role`: not an admin"),
        (status = 503, body = Problem, description = "`unavailable`: the store did not answer")))]
async fn list_outbox(
    State(state): State<AppState>,
    admin: AuthUser,
    ApiQuery(params): ApiQuery<OutboxParams>,
) -> Result<Json<Page<OutboxView>>, ApiError> {
    admin.require(&[Role::Admin])?;
    let limit = params.limit.unwrap_or(20) as usize;
    if !(1..=100).contains(&limit) {
        let detail = "limit must be between 1 and 100";
        return Err(ApiError::invalid_parameter("limit", detail));
    }
    let mut before = params
        .cursor
        .map(|c| super::cursor::decode(&c))
        .transpose()?;
    let (mut items, mut scanned) = (Vec::new(), 0);
    let next = loop {
        let chunk = (SCAN_BUDGET - scanned).min(200);
        let found = state.store.list_mail(before, chunk).await?;
        let exhausted = found.len() < chunk;
        for mail in found {
            scanned += 1;
            before = Some(mail.id);
            if params.state.is_none_or(|s| s == mail.state) {
                items.push(OutboxView::from(mail));
                if items.len() == limit {
                    break;
                }
            }
        }
        if exhausted && items.len() < limit {
            break None;
        }
        if items.len() == limit || scanned >= SCAN_BUDGET {
            break before;
        }
    };
    Ok(Json(Page {
        items,
        next_cursor: next.map(super::cursor::encode),
    }))
}

/// Sends a failed message again: it becomes pending, due now, with its
/// tries counted afresh. A message interrupted while sending may then
/// arrive twice; its recipient's mail client shows one (same Message-ID).
#[utoipa::path(post, path = "/admin/outbox/{id}/retry", tag = "admin", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "outbox message id")),
    responses((status = 200, body = OutboxView, description = "pending again"),
        (status = 403, body = Problem, description = "`forbidden_role`: not an admin"),
        (status = 404, body = Problem, description = "`not_found`: no such message"),
        (status = 409, body = Problem, description = "`not_failed`: the message has not failed (or just changed)"),
        (status = 503, body = Problem, description = "`unavailable`: the store did not answer")))]
async fn retry_mail(
    State(state): State<AppState>,
    admin: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<OutboxView>, ApiError> {
    admin.require(&[Role::Admin])?;
    let Some(mail) = state.store.get_mail(id).await? else {
        return Err(ApiError::not_found("outbox message"));
    };
    let not_failed = || ApiError::conflict("not_failed", "only a failed message can be sent again");
    if mail.state != MailState::Failed {
        return Err(not_failed());
    }
    let again = OutboxMail {
        state: MailState::Pending,
        attempts: 0,
        due_at: OffsetDateTime::now_utc(),
        finished_at: None,
        ..mail.clone()
    };
    if !state.store.update_mail(&mail, &again).await? {
        return Err(not_failed());
    }
    tracing::info!(mail = %id, admin = %admin.0.id, "failed mail sent again");
    Ok(Json(again.into()))
}
