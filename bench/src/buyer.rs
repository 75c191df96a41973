//! A registered bench buyer: their email and current access token, which they
//! renew by logging in again when the server answers 401 (access tokens
//! expire, after 15 minutes by default), so runs longer than that stay under
//! load.

use std::sync::Mutex;

use super::checkout_client::{Api, Tally};
use super::flash_paid::Failed;

/// The password every bench buyer registers with.
pub const BUYER_PASSWORD: &str = "bench-buyer-password";

pub struct Buyer {
    email: String,
    token: Mutex<String>,
}

impl Buyer {
    pub fn new(email: String, token: String) -> Self {
        Self {
            email,
            token: Mutex::new(token),
        }
    }

    /// The access token to send now.
    pub fn token(&self) -> String {
        self.token.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// After `failed`: logs in again for a fresh access token if the server
    /// refused this one; a login that fails is counted in `errors`.
    pub async fn renew_if_refused(&self, api: &mut Api, failed: &Failed, errors: &mut Tally) {
        if !failed.is_unauthorized() {
            return;
        }
        match api.login(&self.email, BUYER_PASSWORD).await {
            Ok(token) => *self.token.lock().unwrap_or_else(|p| p.into_inner()) = token,
            Err(e) => errors.record("log in again failed".to_owned(), || format!("{e:#}")),
        }
    }
}
