//! Authentication: access tokens, refresh-token sessions, passwords, and the
//! extractor that turns a bearer token into the current user.

pub mod jwt;
pub mod password;
mod session;

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use souk_actors::Store;
use souk_models::{Caller, Role, User, UserId};

use crate::error::ApiError;
use crate::middleware::rate_limit::RateLimiter;
pub use session::{Access, REFRESH_COOKIE, Sessions, TokenPair, hash_refresh};
use uuid::Uuid;

/// What authenticating a request needs: the extractors take it from the app's
/// state through [`FromRef`], so authentication depends on these three
/// services only, not on the whole state.
#[derive(Clone)]
pub struct AuthState {
    pub sessions: Arc<Sessions>,
    pub limiter: Arc<RateLimiter>,
    pub store: Arc<dyn Store>,
}

/// The authenticated, enabled user making the request. Role and status are read
/// from the store on every request, so a disabled account or a changed role takes
/// effect at once rather than when the access token expires.
pub struct AuthUser(pub User);

impl AuthUser {
    /// Refuses an account whose email is not verified, unless
    /// `auth.unverified_checkout` lets it buy.
    pub fn require_verified(&self, auth: &crate::config::AuthConfig) -> Result<(), ApiError> {
        if self.0.email_verified || auth.unverified_checkout {
            return Ok(());
        }
        Err(ApiError::forbidden(
            "email_unverified",
            "verify your email address first: open the link mailed to it, or ask for another \
             with POST /api/v1/auth/email/resend",
        ))
    }

    pub fn caller(&self) -> Caller {
        Caller {
            user_id: self.0.id,
            role: self.0.role,
        }
    }

    /// Refuses unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.0.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "forbidden_role",
                format!("this needs the {} role", roles_text(roles)),
            ))
        }
    }
}

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(Role::as_str)
        .collect::<Vec<_>>()
        .join(" or ")
}

impl<S> FromRequestParts<S> for AuthUser
where
    S: Send + Sync,
    AuthState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let state = AuthState::from_ref(state);
        let header = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized("missing_token", "send Authorization: Bearer <access token>")
        })?;
        let token = header
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "invalid_token",
                    "the Authorization header must be `Bearer <access token>`",
                )
            })?;
        let access = state.sessions.verify_access(token)?;
        state.limiter.check_user(access.user).await?;
        let user = state.store.get_user(access.user).await?.ok_or_else(|| {
            ApiError::unauthorized("invalid_token", "the account no longer exists")
        })?;
        if user.disabled {
            return Err(ApiError::unauthorized(
                "account_disabled",
                "this account is disabled",
            ));
        }
        if access.revoked_by(user.logins.as_ref()) {
            return Err(login_revoked());
        }
        parts.extensions.insert(LoginFamily(access.family));
        Ok(AuthUser(user))
    }
}

/// The login an [`AuthUser`]'s access token belongs to (set by the
/// extractor, for handlers that keep that login while revoking others).
#[derive(Debug, Clone, Copy)]
pub struct LoginFamily(pub Option<Uuid>);

/// A login a password reset or change ended.
pub fn login_revoked() -> ApiError {
    ApiError::unauthorized(
        "login_revoked",
        "this login was ended by a password change or reset; sign in again",
    )
}

/// An optional [`AuthUser`]: anonymous when no Authorization header is sent, an
/// error when one is sent but invalid.
pub struct MaybeAuthUser(pub Option<AuthUser>);

impl<S> FromRequestParts<S> for MaybeAuthUser
where
    S: Send + Sync,
    AuthState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            AuthUser::from_request_parts(parts, state)
                .await
                .map(|u| Self(Some(u)))
        } else {
            Ok(Self(None))
        }
    }
}

impl MaybeAuthUser {
    pub fn caller(&self) -> Option<Caller> {
        self.0.as_ref().map(AuthUser::caller)
    }
}

/// Parses a user id from a token subject.
fn parse_subject(sub: &str) -> Option<UserId> {
    sub.parse().ok()
}
