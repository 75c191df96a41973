//! `GET /api/v1/ws`: authenticate, take a connection slot, upgrade. Refusals
//! complete the upgrade and close at once with a code a browser can read
//! (an HTTP error status is invisible to browser JavaScript).

use axum::extract::ws::{CloseFrame, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Extension, FromRequestParts, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use souk_models::{User, UserId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Slot;
use super::connection;
use super::outbox::refuse;
use super::protocol::{close, close_frame};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::listener::SocketControl;
use crate::state::AppState;

/// The subprotocol a client may offer beside `bearer.<token>`; when offered,
/// it is the one selected, so the token is not echoed back.
const PROTOCOL: &str = "souk.v1";
/// The prefix of the subprotocol that carries the access token.
const BEARER: &str = "bearer.";
/// Bytes read from the socket at a time (the default, 128 KiB per
/// connection, is much more than the largest client message needs).
const READ_BUFFER: usize = 8 * 1024;

/// The live API's route, with its OpenAPI description.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(connect))
}

/// Opens the live WebSocket API: subscribe to topics and receive events as
/// they happen. The protocol is described in `docs/websocket.md`. The access
/// token goes in the `Sec-WebSocket-Protocol` header as `bearer.<token>`
/// (optionally beside `souk.v1`), in `access_token`, or in `Authorization`.
/// A bad token or a connection over the limits still upgrades, then closes
/// at once (4401, or 1013 for limits).
#[utoipa::path(get, path = "/ws", tag = "live",
    params(
        ("access_token" = Option<String>, Query, description = "access token, when the subprotocol header cannot carry it"),
        ("Sec-WebSocket-Protocol" = Option<String>, Header, description = "`bearer.<access token>`, optionally with `souk.v1`"),
        ("Upgrade" = String, Header, description = "`websocket` (any case)"),
        ("Connection" = String, Header, description = "a list with the `upgrade` token (any case)",
            pattern = "[Uu][Pp][Gg][Rr][Aa][Dd][Ee]"),
        ("Sec-WebSocket-Version" = String, Header, description = "`13`"),
        ("Sec-WebSocket-Key" = String, Header, description = "base64 of 16 random bytes (RFC 6455)"),
    ),
    responses(
        (status = 101, description = "switching to the WebSocket protocol of docs/websocket.md; \
            a bad token or a connection over the limits closes at once with a close code"),
        (status = 400, body = Problem, description = "`websocket_required`: not a WebSocket handshake"),
    ))]
async fn connect(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    control: Option<Extension<SocketControl>>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let mut upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => {
            let status = rejection.status();
            let status = if status.is_client_error() {
                status
            } else {
                StatusCode::BAD_REQUEST
            };
            return ApiError::new(status, "websocket_required", rejection.body_text())
                .into_response();
        }
    };
    let offered: Vec<String> = upgrade
        .requested_protocols()
        .filter_map(|p| p.to_str().ok())
        .map(|p| p.trim().to_owned())
        .collect();
    if offered.iter().any(|p| p == PROTOCOL) {
        upgrade = upgrade.protocols([PROTOCOL]);
    } else if let Some(bearer) = offered.iter().find(|p| p.starts_with(BEARER))
        && let Ok(bearer) = HeaderValue::from_str(bearer)
    {
        upgrade.set_selected_protocol(bearer);
    }
    let token = bearer_header(&headers)
        .or_else(|| offered.iter().find_map(|p| p.strip_prefix(BEARER)))
        .map(str::to_owned)
        .or_else(|| query.as_deref().and_then(query_token));
    let verdict = admit(&state, token.as_deref()).await;
    let max = state.config.websocket.max_message_bytes;
    upgrade
        .max_message_size(max)
        .max_frame_size(max)
        .read_buffer_size(READ_BUFFER)
        .on_failed_upgrade(|e| tracing::debug!(error = %e, "websocket upgrade failed"))
        .on_upgrade(move |socket| async move {
            match verdict {
                Ok((user, slot)) => {
                    let shutdown = state.ws.shutdown_signal();
                    let config = state.config.clone();
                    let control = control.map(|Extension(control)| control);
                    let websocket = &config.websocket;
                    connection::run(socket, state, user, websocket, shutdown, control).await;
                    drop(slot);
                }
                Err(frame) => refuse(socket, frame).await,
            }
        })
}

/// The token of an `Authorization: Bearer` header (clients that can set one).
fn bearer_header(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

fn query_token(query: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "access_token")
        .map(|(_, value)| value.into_owned())
}

/// Authenticates and takes a slot, or says how to close.
async fn admit(state: &AppState, token: Option<&str>) -> Result<(UserId, Slot), CloseFrame> {
    if state.ws.is_shutting_down() {
        return Err(close_frame(close::GOING_AWAY, "server shutting down"));
    }
    let dropped = |reason: &'static str| {
        metrics::counter!("souk_ws_clients_dropped_total", "reason" => reason).increment(1);
    };
    let Some(token) = token else {
        dropped("unauthorized");
        return Err(close_frame(close::UNAUTHORIZED, "missing_token"));
    };
    let user = authenticate(state, token).await.map_err(|e| {
        if e.status == StatusCode::UNAUTHORIZED {
            dropped("unauthorized");
            close_frame(close::UNAUTHORIZED, e.code)
        } else if e.status == StatusCode::TOO_MANY_REQUESTS {
            close_frame(close::TRY_AGAIN_LATER, "rate limited")
        } else {
            close_frame(close::INTERNAL, "internal error")
        }
    })?;
    let config = &state.config.websocket;
    let slot = state
        .ws
        .admit(
            user.id,
            config.max_connections,
            config.max_connections_per_user,
        )
        .map_err(|_| {
            dropped("limit");
            close_frame(close::TRY_AGAIN_LATER, "too many connections")
        })?;
    Ok((user.id, slot))
}

/// Checks `token` exactly as the REST API does (signature, expiry, per-user
/// rate limit, account present and enabled) by presenting it to the
/// [`AuthUser`] extractor, whichever way the client sent it.
async fn authenticate(state: &AppState, token: &str) -> Result<User, ApiError> {
    let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| ApiError::unauthorized("invalid_token", "the access token is invalid"))?;
    let (mut parts, ()) = axum::http::Request::new(()).into_parts();
    parts.headers.insert(header::AUTHORIZATION, bearer);
    AuthUser::from_request_parts(&mut parts, state)
        .await
        .map(|AuthUser(user)| user)
}
