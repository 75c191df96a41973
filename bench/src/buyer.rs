//! A registered bench buyer: their email and current access token, which they
//! renew by logging in again when the server answers 401 (access tokens
//! expire, after 15 minutes by default), so runs longer than that stay under
//! load.

use std::sync::Mutex;

use super::checkout_client::Api;

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

    /// Logs in again for a fresh access token.
    pub async fn renew(&self, api: &mut Api) -> anyhow::Result<()> {
        let token = api.login(&self.email, BUYER_PASSWORD).await?;
        *self.token.lock().unwrap_or_else(|p| p.into_inner()) = token;
        Ok(())
    }
}
