//! Proving an email address and recovering a forgotten password: each by
//! a single-use token that a letter carries (only its hash is stored).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use souk_actors::store::{AccountToken, MailAbout, OutboxMail, TokenPurpose};
use souk_models::{Email, Logins, Password, User};
use time::{Duration, OffsetDateTime};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, hash_refresh, password};
use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(verify_email))
        .routes(routes!(resend_verification))
        .routes(routes!(forgot_password))
        .routes(routes!(reset_password))
}

/// Stores a token for `user` and the letter that carries it, in one write.
async fn send_token(state: &AppState, user: &User, purpose: TokenPurpose) -> Result<(), ApiError> {
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let token = B64.encode(secret);
    let now = OffsetDateTime::now_utc();
    let auth = &state.config.auth;
    let expires_at = now
        + match purpose {
            TokenPurpose::VerifyEmail => Duration::hours(auth.verify_ttl_hours as i64),
            TokenPurpose::ResetPassword => Duration::minutes(auth.reset_ttl_minutes as i64),
        };
    let stored = AccountToken {
        hash: hash_refresh(&token),
        user_id: user.id,
        purpose,
        expires_at,
    };
    let about = match purpose {
        TokenPurpose::VerifyEmail => MailAbout::VerifyEmail { token, expires_at },
        TokenPurpose::ResetPassword => MailAbout::PasswordReset { token, expires_at },
    };
    let letter = OutboxMail::new(user.id, about, now, now);
    state.store.put_account_token(&stored, &[letter]).await?;
    Ok(())
}

/// Mails `user` a link that verifies their email address.
pub(super) async fn send_verification(state: &AppState, user: &User) -> Result<(), ApiError> {
    send_token(state, user, TokenPurpose::VerifyEmail).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    /// The token from the letter.
    #[schema(min_length = 1, max_length = 200)]
    token: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Verified {
    email_verified: bool,
}

/// Verifies the email address of the account the token was sent to.
/// Needs no sign-in: the link may be opened on another device.
#[utoipa::path(post, path = "/auth/email/verify", tag = "auth", request_body = TokenBody,
    responses((status = 200, body = Verified),
        (status = 400, body = Problem, description = "`invalid_verification_token`: unknown, used or expired"),
        (status = 503, body = Problem, description = "`unavailable`: the store did not answer")))]
async fn verify_email(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<Json<Verified>, ApiError> {
    let invalid = || {
        ApiError::bad_request(
            "invalid_verification_token",
            "the link is unknown, used or expired; sign in and ask for another",
        )
        .with_field("token")
    };
    let now = OffsetDateTime::now_utc();
    let hash = hash_refresh(body.token.trim());
    let taken = state
        .store
        .take_account_token(&hash, TokenPurpose::VerifyEmail, now)
        .await?;
    let user_id = taken.ok_or_else(invalid)?;
    let mut user = state.store.get_user(user_id).await?.ok_or_else(invalid)?;
    if !user.email_verified {
        user.email_verified = true;
        user.updated_at = now;
        state.store.update_user(&user).await?;
    }
    tracing::info!(user = %user.id, "email verified");
    Ok(Json(Verified {
        email_verified: true,
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Sent {
    /// What happens next.
    detail: &'static str,
}

/// Mails the signed-in user a new verification link (earlier ones still
/// hold until they expire).
#[utoipa::path(post, path = "/auth/email/resend", tag = "auth", security(("bearer" = [])),
    responses((status = 202, body = Sent),
        (status = 409, body = Problem, description = "`already_verified`"),
        (status = 503, body = Problem, description = "`unavailable`: the store did not answer")))]
async fn resend_verification(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
) -> Result<(StatusCode, Json<Sent>), ApiError> {
    if user.email_verified {
        return Err(ApiError::conflict(
            "already_verified",
            "this account's email is verified already",
        ));
    }
    send_verification(&state, &user).await?;
    let detail = "a verification link is on its way";
    Ok((StatusCode::ACCEPTED, Json(Sent { detail })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotBody {
    email: Email,
}

/// Mails a password reset link to the account with this email, if there
/// is one (and it is not disabled). The answer is the same either way, so
/// it tells nobody which addresses have accounts. Rate limited with the
/// other `/auth` routes.
#[utoipa::path(post, path = "/auth/password/forgot", tag = "auth", request_body = ForgotBody,
    responses((status = 202, body = Sent),
        (status = 429, body = Problem, description = "`rate_limited`"),
        (status = 503, body = Problem, description = "`unavailable`: the store did not answer")))]
async fn forgot_password(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ForgotBody>,
) -> Result<(StatusCode, Json<Sent>), ApiError> {
    match state.store.find_user_by_email(&body.email).await? {
        Some(user) if !user.disabled => {
            send_token(&state, &user, TokenPurpose::ResetPassword).await?;
            tracing::info!(user = %user.id, "password reset asked for");
        }
        _ => {}
    }
    let detail = "if an account has this email, a reset link is on its way";
    Ok((StatusCode::ACCEPTED, Json(Sent { detail })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    /// The token from the letter.
    #[schema(min_length = 1, max_length = 200)]
    token: String,
    password: Password,
}

/// Sets a new password with a reset token (once), and ends every login
/// of the account: its refresh tokens stop working and its access tokens
/// are refused. The reset also verifies the email (the letter reached it).
#[utoipa::path(post, path = "/auth/password/reset", tag = "auth", request_body = ResetBody,
    responses((status = 204, description = "the password is set; sign in with it"),
        (status = 400, body = Problem, description = "`invalid_reset_token`: unknown, used or expired"),
        (status = 503, body = Problem, description = "`unavailable`: the store did not answer")))]
async fn reset_password(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<StatusCode, ApiError> {
    let invalid = || {
        ApiError::bad_request(
            "invalid_reset_token",
            "the link is unknown, used or expired; ask for another",
        )
        .with_field("token")
    };
    let now = OffsetDateTime::now_utc();
    let hash = hash_refresh(body.token.trim());
    let taken = state
        .store
        .take_account_token(&hash, TokenPurpose::ResetPassword, now)
        .await?;
    let user_id = taken.ok_or_else(invalid)?;
    let mut user = state.store.get_user(user_id).await?.ok_or_else(invalid)?;
    user.password_hash = password::hash(body.password.expose().to_owned()).await?;
    user.email_verified = true;
    user.logins = Some(Logins {
        after: now,
        kept: None,
    });
    user.updated_at = now;
    state.store.update_user(&user).await?;
    tracing::info!(user = %user.id, "password reset; every login ended");
    Ok(StatusCode::NO_CONTENT)
}
