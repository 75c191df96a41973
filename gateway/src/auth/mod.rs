//! Authentication: access tokens, refresh-token sessions, passwords, and the
//! extractor that turns a bearer token into the current user.

pub mod jwt;
pub mod password;
mod session;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use souk_models::{Caller, Role, User, UserId};

use crate::error::ApiError;
use crate::state::AppState;
pub use session::{REFRESH_COOKIE, Sessions, TokenPair, hash_refresh};

/// The authenticated, enabled user making the request. Role and status are read
/// from the store on every request, so a disabled account or a changed role takes
/// effect at once rather than when the access token expires.
pub struct AuthUser(pub User);

impl AuthUser {
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

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
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
        let user_id = state.sessions.verify_access(token)?;
        state.limiter.check_user(user_id)?;
        let user = state.store.get_user(user_id).await?.ok_or_else(|| {
            ApiError::unauthorized("invalid_token", "the account no longer exists")
        })?;
        if user.disabled {
            return Err(ApiError::unauthorized(
                "account_disabled",
                "this account is disabled",
            ));
        }
        Ok(AuthUser(user))
    }
}

/// An optional [`AuthUser`]: anonymous when no Authorization header is sent, an
/// error when one is sent but invalid.
pub struct MaybeAuthUser(pub Option<AuthUser>);

impl FromRequestParts<AppState> for MaybeAuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
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
