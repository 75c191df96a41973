//! Registration, login, token refresh, logout and the current user.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use souk_actors::store::Rotation;
use souk_models::{DisplayName, Email, Password, Role, User, UserId};
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::{AuthUser, REFRESH_COOKIE, TokenPair, hash_refresh, password};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, is_json, parse_json};
use crate::state::AppState;
use crate::views::UserView;

const UNAVAILABLE: &str = "`unavailable`: the store did not answer; nothing was changed";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(me))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    email: Email,
    password: Password,
    display_name: DisplayName,
    /// `customer` (default) or `seller`; admins cannot self-register (403
    /// `admin_self_registration`).
    #[schema(schema_with = self_registered_role)]
    role: Option<Role>,
}

fn self_registered_role() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(["customer", "seller"]))
        .build()
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    email: Email,
    /// A password longer than any allowed one is refused like a wrong one.
    password: String,
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// Optional when the `souk_refresh` cookie is sent.
    refresh_token: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionResponse {
    user: UserView,
    #[serde(flatten)]
    tokens: TokenPair,
}

type WithCookie<T> = (StatusCode, [(header::HeaderName, String); 1], Json<T>);

async fn start_session(
    state: &AppState,
    user: &User,
    family: Uuid,
    status: StatusCode,
) -> Result<WithCookie<SessionResponse>, ApiError> {
    let (tokens, stored) = state.sessions.issue(user, family);
    state.store.put_refresh_token(&stored).await?;
    let cookie = state.sessions.cookie(&tokens.refresh_token);
    let body = SessionResponse {
        user: user.into(),
        tokens,
    };
    Ok((status, [(header::SET_COOKIE, cookie)], Json(body)))
}

/// Creates a customer or seller account and signs it in.
#[utoipa::path(post, path = "/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = SessionResponse, headers(("Set-Cookie" = String, description = "the refresh token as the `souk_refresh` cookie (HttpOnly, SameSite=Strict, Path=/api/v1/auth)"))),
        (status = 403, body = Problem, description = "`admin_self_registration`"),
        (status = 409, body = Problem, description = "`email_taken`"),
        (status = 503, body = Problem, description = UNAVAILABLE)))]
async fn register(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> Result<WithCookie<SessionResponse>, ApiError> {
    let role = req.role.unwrap_or(Role::Customer);
    if role == Role::Admin {
        return Err(ApiError::forbidden(
            "admin_self_registration",
            "admin accounts are created by an operator (`souk admin create-user`)",
        ));
    }
    let password_hash = password::hash(req.password.expose().to_owned()).await?;
    let now = OffsetDateTime::now_utc();
    let user = User {
        email_verified: !state.config.auth.verify_email,
        ..User::new(req.email, req.display_name, role, password_hash, now)
    };
    state
        .store
        .create_user(&user)
        .await
        .map_err(ApiError::email_taken)?;
    if !user.email_verified {
        // The account stands without its letter: `POST /auth/email/resend`
        // asks for another.
        if let Err(e) = super::account::send_verification(&state, &user).await {
            tracing::warn!(user = %user.id, error = ?e, "the verification letter was not stored");
        }
    }
    start_session(&state, &user, Uuid::now_v7(), StatusCode::CREATED).await
}

/// Signs in with email and password.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = SessionResponse, headers(("Set-Cookie" = String, description = "the refresh token as the `souk_refresh` cookie (HttpOnly, SameSite=Strict, Path=/api/v1/auth)"))),
        (status = 401, body = Problem, description = "`invalid_credentials`: the same answer, in the same time, for an unknown email"),
        (status = 403, body = Problem, description = "`account_disabled`"),
        (status = 503, body = Problem, description = UNAVAILABLE)))]
async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<WithCookie<SessionResponse>, ApiError> {
    let wrong = || ApiError::unauthorized("invalid_credentials", "email or password is incorrect");
    if req.password.chars().count() > Password::MAX {
        return Err(wrong());
    }
    let user = state.store.find_user_by_email(&req.email).await?;
    // Verify against a dummy hash for unknown emails so timing does not reveal
    // which emails are registered.
    let hash = match &user {
        Some(u) => u.password_hash.clone(),
        None => state.sessions.dummy_hash().await?,
    };
    let matches = password::verify(req.password, hash).await?;
    let user = user.filter(|_| matches).ok_or_else(wrong)?;
    if user.disabled {
        return Err(ApiError::forbidden(
            "account_disabled",
            "this account is disabled",
        ));
    }
    start_session(&state, &user, Uuid::now_v7(), StatusCode::OK).await
}

/// The refresh token from the body (JSON, optional) or else the cookie.
fn presented_token(headers: &HeaderMap, body: &Bytes) -> Result<Option<String>, ApiError> {
    let from_body = if body.iter().all(u8::is_ascii_whitespace) {
        RefreshRequest::default()
    } else if !is_json(headers) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
        ));
    } else {
        // `null` is the same as no body.
        if body.trim_ascii() == b"null" {
            RefreshRequest::default()
        } else {
            parse_json::<RefreshRequest>(body)?
        }
    };
    let from_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == REFRESH_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| !v.is_empty());
    Ok(from_body.refresh_token.or(from_cookie))
}

/// Exchanges a refresh token (body or cookie) for new tokens. Each refresh token
/// works once; presenting a used one revokes every token of that login.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth",
    params(("souk_refresh" = Option<String>, Cookie, description = "the refresh token, when the body does not carry it")),
    request_body(content = Option<RefreshRequest>, description = "optional when the cookie is sent"),
    responses((status = 200, body = SessionResponse, headers(("Set-Cookie" = String, description = "the refresh token as the `souk_refresh` cookie (HttpOnly, SameSite=Strict, Path=/api/v1/auth)"))),
        (status = 401, body = Problem, description = "`missing_refresh_token`, `invalid_refresh_token`, \
            `refresh_token_reused` (every token of that login is now revoked), `login_revoked` (ended by a \
            password change or reset) or `account_disabled`"),
        (status = 503, body = Problem, description = UNAVAILABLE)))]
async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<WithCookie<SessionResponse>, ApiError> {
    let presented = presented_token(&headers, &body)?.ok_or_else(|| {
        ApiError::unauthorized(
            "missing_refresh_token",
            "send the refresh token in the body or cookie",
        )
    })?;
    let invalid = || {
        ApiError::unauthorized(
            "invalid_refresh_token",
            "the refresh token is invalid or expired",
        )
    };
    // The store gives the successor the presented token's user and family.
    let (plain, next) = state
        .sessions
        .refresh_token(UserId(Uuid::nil()), Uuid::nil());
    let hash = hash_refresh(&presented);
    let now = OffsetDateTime::now_utc();
    match state.store.rotate_refresh_token(&hash, &next, now).await? {
        Rotation::Rotated(user_id, family) => {
            let user = state.store.get_user(user_id).await?.ok_or_else(invalid)?;
            if user.disabled {
                state.store.revoke_refresh_family(&next.hash).await?;
                return Err(ApiError::unauthorized(
                    "account_disabled",
                    "this account is disabled",
                ));
            }
            if user.logins.is_some_and(|l| l.revokes(family)) {
                state.store.revoke_refresh_family(&next.hash).await?;
                return Err(crate::auth::login_revoked());
            }
            let (access_token, expires_in) = state.sessions.access_token(&user, family);
            let cookie = state.sessions.cookie(&plain);
            let tokens = TokenPair {
                access_token,
                token_type: "Bearer",
                expires_in,
                refresh_token: plain,
            };
            let body = SessionResponse {
                user: (&user).into(),
                tokens,
            };
            Ok((StatusCode::OK, [(header::SET_COOKIE, cookie)], Json(body)))
        }
        Rotation::Reused(_) => Err(ApiError::unauthorized(
            "refresh_token_reused",
            "this refresh token was already used; every session from that login is revoked",
        )),
        Rotation::Invalid => Err(invalid()),
    }
}

/// Ends the session of the presented refresh token. Always succeeds.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    params(("souk_refresh" = Option<String>, Cookie, description = "the refresh token, when the body does not carry it")),
    request_body(content = Option<RefreshRequest>, description = "optional when the cookie is sent"),
    responses((status = 204, description = "signed out (also when the token was unknown)",
            headers(("Set-Cookie" = String, description = "clears the refresh cookie"))),
        (status = 503, body = Problem, description = UNAVAILABLE)))]
async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, [(header::HeaderName, String); 1]), ApiError> {
    if let Some(token) = presented_token(&headers, &body)? {
        let hash = hash_refresh(&token);
        state.store.revoke_refresh_family(&hash).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, state.sessions.clearing_cookie())],
    ))
}

/// The signed-in user.
#[utoipa::path(get, path = "/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserView)))]
async fn me(user: AuthUser) -> Json<UserView> {
    Json((&user.0).into())
}
