//! Sessions: short-lived access tokens and rotating refresh tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rand::RngCore;
use secrecy::ExposeSecret;
use serde::Serialize;
use sha2::{Digest, Sha256};
use souk_actors::store::RefreshToken;
use souk_models::{User, UserId};
use time::{Duration, OffsetDateTime};
use tokio::sync::OnceCell;
use uuid::Uuid;

use super::jwt::{self, Claims, JwtError};
use crate::config::AuthConfig;
use crate::error::ApiError;

/// Name of the httpOnly cookie that carries the refresh token.
pub const REFRESH_COOKIE: &str = "souk_refresh";
const ISSUER: &str = "souk";

/// Tokens handed to a client after login, registration or refresh.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Also set as an httpOnly cookie; API clients may keep it from here.
    pub refresh_token: String,
}

pub struct Sessions {
    config: AuthConfig,
    dummy_hash: OnceCell<String>,
}

/// What a valid access token says.
#[derive(Debug, Clone, Copy)]
pub struct Access {
    pub user: UserId,
    /// The login it was issued to (absent in tokens from before logins
    /// were named in them).
    pub family: Option<Uuid>,
    /// Unix seconds.
    pub issued_at: i64,
}

impl Access {
    /// Whether `logins` (a password reset or change) revoked it.
    pub fn revoked_by(&self, logins: Option<&souk_models::Logins>) -> bool {
        logins.is_some_and(|l| match self.family {
            Some(family) => l.revokes(family),
            None => self.issued_at < l.after.unix_timestamp(),
        })
    }
}

impl Sessions {
    pub fn new(config: AuthConfig) -> Self {
        Self {
            config,
            dummy_hash: OnceCell::new(),
        }
    }

    /// A signed access token for `user`'s login `family`, and its lifetime
    /// in seconds.
    pub fn access_token(&self, user: &User, family: Uuid) -> (String, u64) {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let claims = Claims {
            sub: user.id.to_string(),
            role: user.role.as_str().to_owned(),
            iat: now,
            exp: now + self.config.access_ttl_secs as i64,
            iss: ISSUER.to_owned(),
            fam: Some(family),
        };
        (jwt::sign(&claims, self.key()), self.config.access_ttl_secs)
    }

    /// A new refresh token: the secret for the client and the record to store.
    pub fn refresh_token(&self, user_id: UserId, family: Uuid) -> (String, RefreshToken) {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let plain = B64.encode(secret);
        let stored = RefreshToken {
            hash: hash_refresh(&plain),
            user_id,
            family,
            expires_at: OffsetDateTime::now_utc()
                + Duration::seconds(self.config.refresh_ttl_secs as i64),
            used: false,
        };
        (plain, stored)
    }

    /// Both tokens for `user`; `family` is new for a fresh login.
    pub fn issue(&self, user: &User, family: Uuid) -> (TokenPair, RefreshToken) {
        let (access_token, expires_in) = self.access_token(user, family);
        let (refresh_token, stored) = self.refresh_token(user.id, family);
        let pair = TokenPair {
            access_token,
            token_type: "Bearer",
            expires_in,
            refresh_token,
        };
        (pair, stored)
    }

    /// A hash to verify against when the email is unknown, so a failed login
    /// takes as long whether or not the account exists.
    pub async fn dummy_hash(&self) -> Result<String, ApiError> {
        self.dummy_hash
            .get_or_try_init(|| super::password::hash("souk-timing-equaliser".to_owned()))
            .await
            .cloned()
    }

    pub fn verify_access(&self, token: &str) -> Result<Access, ApiError> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        match jwt::verify(token, self.key(), now) {
            Ok(claims) if claims.iss == ISSUER => {
                let user = super::parse_subject(&claims.sub).ok_or_else(|| {
                    ApiError::unauthorized("invalid_token", "the access token is invalid")
                })?;
                Ok(Access {
                    user,
                    family: claims.fam,
                    issued_at: claims.iat,
                })
            }
            Ok(_) | Err(JwtError::Malformed | JwtError::BadSignature) => Err(
                ApiError::unauthorized("invalid_token", "the access token is invalid"),
            ),
            Err(JwtError::Expired) => Err(ApiError::unauthorized(
                "token_expired",
                "the access token has expired; refresh it",
            )),
        }
    }

    /// `Set-Cookie` value carrying `token`.
    pub fn cookie(&self, token: &str) -> String {
        self.cookie_with(token, self.config.refresh_ttl_secs)
    }

    /// `Set-Cookie` value that removes the refresh cookie.
    pub fn clearing_cookie(&self) -> String {
        self.cookie_with("", 0)
    }

    fn cookie_with(&self, value: &str, max_age: u64) -> String {
        let secure = if self.config.cookie_secure {
            "; Secure"
        } else {
            ""
        };
        format!(
            "{REFRESH_COOKIE}={value}; Path=/api/v1/auth; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
        )
    }

    fn key(&self) -> &[u8] {
        self.config.jwt_secret.expose_secret().as_bytes()
    }
}

/// Refresh tokens are stored only as their SHA-256.
pub fn hash_refresh(plain: &str) -> String {
    Sha256::digest(plain.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
