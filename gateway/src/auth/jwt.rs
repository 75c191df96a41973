//! Access tokens: compact JWS with HS256, verified in constant time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    pub role: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    /// The login (refresh-token family) the token was issued to, so a
    /// password change or reset can revoke it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fam: Option<uuid::Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtError {
    Malformed,
    BadSignature,
    Expired,
}

pub fn sign(claims: &Claims, key: &[u8]) -> String {
    let payload = serde_json::to_vec(claims).unwrap_or_default();
    let signing_input = format!("{}.{}", B64.encode(HEADER), B64.encode(payload));
    let signature = mac(key, signing_input.as_bytes()).finalize().into_bytes();
    format!("{signing_input}.{}", B64.encode(signature))
}

pub fn verify(token: &str, key: &[u8], now: i64) -> Result<Claims, JwtError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    if B64.decode(header).map_err(|_| JwtError::Malformed)? != HEADER.as_bytes() {
        return Err(JwtError::Malformed);
    }
    let signature = B64.decode(signature).map_err(|_| JwtError::Malformed)?;
    let signing_input = &token[..header.len() + 1 + payload.len()];
    mac(key, signing_input.as_bytes())
        .verify_slice(&signature)
        .map_err(|_| JwtError::BadSignature)?;
    let payload = B64.decode(payload).map_err(|_| JwtError::Malformed)?;
    let claims: Claims = serde_json::from_slice(&payload).map_err(|_| JwtError::Malformed)?;
    if claims.exp <= now {
        return Err(JwtError::Expired);
    }
    Ok(claims)
}

fn mac(key: &[u8], data: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(data);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn claims(exp: i64) -> Claims {
        Claims {
            sub: "u1".into(),
            role: "customer".into(),
            iat: 0,
            exp,
            fam: None,
            iss: "souk".into(),
        }
    }

    #[test]
    fn round_trip() {
        let token = sign(&claims(100), KEY);
        assert_eq!(verify(&token, KEY, 50), Ok(claims(100)));
    }

    #[test]
    fn rejects_expired_tampered_and_foreign_tokens() {
        let token = sign(&claims(100), KEY);
        assert_eq!(verify(&token, KEY, 100), Err(JwtError::Expired));
        assert_eq!(
            verify(&token, b"another key another key another k", 50),
            Err(JwtError::BadSignature)
        );
        let forged_payload = B64.encode(
            serde_json::to_vec(&Claims {
                role: "admin".into(),
                ..claims(100)
            })
            .expect("the claims serialise"),
        );
        let mut parts: Vec<&str> = token.split('.').collect();
        parts[1] = &forged_payload;
        assert_eq!(
            verify(&parts.join("."), KEY, 50),
            Err(JwtError::BadSignature)
        );
        let none_alg = format!("{}.{}.", B64.encode(r#"{"alg":"none"}"#), parts[1]);
        assert_eq!(verify(&none_alg, KEY, 50), Err(JwtError::Malformed));
        assert_eq!(verify("garbage", KEY, 50), Err(JwtError::Malformed));
    }
}
