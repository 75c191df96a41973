//! Gateway settings; loaded and validated by the runtime's layered config.

use secrecy::SecretString;
use serde::Deserialize;

use crate::client_ip::{Cidr, TrustedProxies};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// HMAC key for access tokens: at least 32 bytes.
    pub jwt_secret: SecretString,
    pub access_ttl_secs: u64,
    pub refresh_ttl_secs: u64,
    /// Mark the refresh cookie `Secure` (browsers and curl treat http://localhost
    /// as secure, so this can stay on for local use).
    pub cookie_secure: bool,
    /// Mail new accounts (and changed addresses) a link that verifies the
    /// email; false: every address counts as verified.
    pub verify_email: bool,
    /// Whether an account whose email is not verified may check out and
    /// buy memberships.
    pub unverified_checkout: bool,
    /// How long a verification link holds.
    pub verify_ttl_hours: u64,
    /// How long a password reset link holds.
    pub reset_ttl_minutes: u64,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitConfig {
    /// Sustained requests per second.
    pub per_second: f64,
    /// Requests allowed at once before the sustained rate applies.
    pub burst: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// `false` switches every limit off (load tests).
    pub enabled: bool,
    /// Take the client IP from `X-Forwarded-For` (behind reverse proxies
    /// named by `trusted_proxies` and/or `trusted_proxy_hops`).
    pub trust_forwarded_for: bool,
    /// Address blocks of the reverse proxies in front of souk.
    pub trusted_proxies: Vec<Cidr>,
    /// How many proxies stand in front of souk, whatever their address.
    pub trusted_proxy_hops: u8,
    /// Clients each limit keeps track of at most (16 bytes each).
    pub max_clients: usize,
    pub per_ip: LimitConfig,
    pub per_user: LimitConfig,
    /// Login, registration and refresh, per IP.
    pub auth: LimitConfig,
}

impl RateLimitConfig {
    /// The configured reverse proxies.
    pub fn proxies(&self) -> TrustedProxies {
        TrustedProxies {
            blocks: self.trusted_proxies.clone(),
            hops: self.trusted_proxy_hops,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Origins allowed by CORS, e.g. `https://shop.example.com`; empty: none.
    pub cors_allowed_origins: Vec<String>,
    pub body_limit_bytes: usize,
    pub max_addresses_per_user: usize,
}

/// The live WebSocket API (`GET /api/v1/ws`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSocketConfig {
    /// Open connections on this node; more are refused (close code 1013).
    pub max_connections: usize,
    pub max_connections_per_user: usize,
    pub max_subscriptions: usize,
    /// Largest client message; bigger ones close the connection (1009).
    pub max_message_bytes: usize,
    /// Events waiting to be sent to one client; a client this far behind is
    /// disconnected (1013).
    pub send_buffer: usize,
    /// `SO_SNDBUF` of each WebSocket's TCP connection, bytes; 0: the kernel's
    /// autotuning.
    pub kernel_send_buffer: usize,
    /// The server pings this often.
    pub heartbeat_secs: u64,
    /// A client silent (no message, no pong) this long is closed.
    pub idle_timeout_secs: u64,
    /// Recent events kept per topic for `since` replay (not order topics:
    /// those replay from the order's timeline).
    pub retention_events: usize,
    /// A topic nobody follows keeps its recent events this long.
    pub retention_secs: u64,
    /// The same for a checkout ticket's topic; afterwards a subscriber gets a
    /// finished ticket's outcome from the store.
    pub checkout_retention_secs: u64,
}

/// The shopping assistant: hybrid search, similar products and chat.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssistantConfig {
    /// `false` answers the assistant routes with 503 and loads no model.
    pub enabled: bool,
    /// The model directory; empty: `$SOUK_MODEL_DIR`, else
    /// `~/.cache/souk/models/all-MiniLM-L6-v2`, fetched on first start.
    pub model_dir: String,
    /// Multiply in bf16 on Intel AMX tiles when the CPU has them (f32
    /// otherwise); `false` keeps every product in f32.
    pub amx: bool,
    /// Conversations kept in memory; the least recently used goes first.
    pub max_conversations: usize,
    /// Messages per conversation; then the client must start a new one.
    pub max_turns: usize,
    /// A conversation unused this long is forgotten.
    pub conversation_ttl_secs: u64,
    /// Longest chat message, in characters.
    pub max_message_chars: usize,
    /// Products one chat answer shows.
    pub chat_results: usize,
    /// Default and largest `limit` of search and similar.
    pub default_limit: usize,
    pub max_limit: usize,
    /// A product found only by vector similarity must be at least this
    /// similar (cosine) to the query to be shown.
    pub min_similarity: f32,
}

/// Everything the gateway needs from configuration.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    pub auth: AuthConfig,
    pub rate_limit: RateLimitConfig,
    pub http: HttpConfig,
    pub websocket: WebSocketConfig,
    pub assistant: AssistantConfig,
    /// Serve `/metrics` on the API's own listener (false when it has a
    /// listener of its own).
    pub metrics_on_api: bool,
    /// Bearer token `/metrics` requires, when set (always set when it is
    /// served on the API's listener).
    pub metrics_token: Option<SecretString>,
    /// In a cluster: the secret node-to-node calls are signed with
    /// (`cluster.secret`); `None` serves no internal route.
    pub cluster_secret: Option<SecretString>,
    /// Days after delivery a buyer may ask for a return
    /// (`marketplace.return_window_days`); 0 takes none.
    pub return_window_days: u32,
    /// Days a membership keeps its tier after a failed renewal
    /// (`marketplace.membership_grace_days`).
    pub membership_grace_days: u32,
}
