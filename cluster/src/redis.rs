//! The connection to Redis, and the names of souk's keys in it.

use std::sync::Arc;
use std::time::Duration;

use fred::clients::SubscriberClient;
use fred::interfaces::{EventInterface, PubsubInterface};
use fred::prelude::{
    Builder, Client, ClientLike, ClientState, Config, ReconnectPolicy, ServerConfig,
};

use crate::ClusterError;

/// Every key souk keeps shares this hash tag, so that on a Redis Cluster they
/// live in one slot and a script may touch several of them at once.
const PREFIX: &str = "{souk}";

/// The URL schemes this build connects with: plain TCP only.
pub const SCHEMES: [&str; 3] = ["redis://", "redis-cluster://", "redis-sentinel://"];

/// A connected Redis client. Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct Redis {
    client: Client,
    /// Builds more connections to the same server (subscriptions).
    builder: Arc<Builder>,
    timeout: Duration,
    /// Where it connects, without the password (for messages and the admin view).
    shown: String,
}

impl Redis {
    /// Connects to `url` (`redis://[user:password@]host:port[/db]`, or a Redis
    /// Cluster or Sentinel URL as fred reads them), waiting at most `timeout`
    /// for the first connection. Later a lost connection is retried forever,
    /// with backoff, and commands fail after `timeout` meanwhile.
    pub async fn connect(url: &str, timeout: Duration) -> Result<Self, ClusterError> {
        if !SCHEMES.iter().any(|scheme| url.starts_with(scheme)) {
            return Err(ClusterError::Config(
                "not a Redis URL: it must start with redis://, redis-cluster:// or \
                 redis-sentinel:// (no TLS in this build)"
                    .to_owned(),
            ));
        }
        let config = Config::from_url(url)
            .map_err(|e| ClusterError::Config(format!("not a Redis URL: {}", e.details())))?;
        let shown = describe(&config.server);
        let mut builder = Builder::from_config(config);
        builder
            .with_connection_config(|c| {
                c.connection_timeout = timeout;
                c.internal_command_timeout = timeout;
            })
            .with_performance_config(|p| {
                p.default_command_timeout = timeout;
                // Room for bursts of pub/sub messages (live events in a
                // flash sale) before a slow reader lags.
                p.broadcast_channel_capacity = 16_384;
            })
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2));
        let client = builder
            .build()
            .map_err(|e| ClusterError::Config(e.details().to_owned()))?;
        match tokio::time::timeout(timeout, client.init()).await {
            Ok(Ok(_task)) => Ok(Self {
                client,
                builder: Arc::new(builder),
                timeout,
                shown,
            }),
            Ok(Err(e)) => {
                let _ = client.quit().await;
                Err(ClusterError::Unreachable(format!(
                    "{shown}: {}",
                    e.details()
                )))
            }
            Err(_) => {
                let _ = client.quit().await;
                Err(ClusterError::Unreachable(format!(
                    "{shown}: no answer within {} ms",
                    timeout.as_millis()
                )))
            }
        }
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// The server(s) this connects to, without credentials.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Whether the connection is up now.
    pub fn is_connected(&self) -> bool {
        self.client.state() == ClientState::Connected
    }

    /// Closes the connection.
    pub async fn close(&self) {
        let _ = self.client.quit().await;
    }

    /// Sends `message` to every node subscribed to `channel` now (fire and
    /// forget: a node not listening at that moment never gets it).
    pub async fn publish(&self, channel: &str, message: String) -> Result<(), ClusterError> {
        let _: i64 = self
            .client
            .publish(key(channel), message)
            .await
            .map_err(failed)?;
        Ok(())
    }

    /// Listens to `channel` on a connection of its own, which subscribes
    /// again by itself after Redis comes back.
    pub async fn subscribe(&self, channel: &str) -> Result<Subscription, ClusterError> {
        let client = self
            .builder
            .build_subscriber_client()
            .map_err(|e| ClusterError::Config(e.details().to_owned()))?;
        tokio::time::timeout(self.timeout, client.init())
            .await
            .map_err(|_| ClusterError::Unreachable(self.shown.clone()))?
            .map_err(failed)?;
        let manager = client.manage_subscriptions();
        let messages = client.message_rx();
        client.subscribe(key(channel)).await.map_err(failed)?;
        Ok(Subscription {
            client,
            messages,
            manager,
        })
    }
}

/// Messages arriving on one channel.
pub struct Subscription {
    client: SubscriberClient,
    messages: tokio::sync::broadcast::Receiver<fred::types::Message>,
    manager: tokio::task::JoinHandle<()>,
}

impl Subscription {
    /// The next message's text; `None` once the connection is closed for
    /// good. Messages missed because this reader fell behind are skipped.
    pub async fn next(&mut self) -> Option<String> {
        loop {
            match self.messages.recv().await {
                Ok(message) => {
                    if let Some(text) = message.value.as_string() {
                        return Some(text);
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "a subscription fell behind; messages were skipped");
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// Unsubscribes and closes the connection.
    pub async fn close(self) {
        self.manager.abort();
        let _ = self.client.quit().await;
    }
}

/// The key souk keeps `name` under.
pub(crate) fn key(name: &str) -> String {
    format!("{PREFIX}:{name}")
}

pub(crate) fn failed(e: fred::error::Error) -> ClusterError {
    ClusterError::Redis(e.details().to_owned())
}

fn describe(server: &ServerConfig) -> String {
    match server {
        ServerConfig::Centralized { server } => format!("{}:{}", server.host, server.port),
        ServerConfig::Clustered { hosts, .. } => hosts
            .iter()
            .map(|s| format!("{}:{}", s.host, s.port))
            .collect::<Vec<_>>()
            .join(","),
        ServerConfig::Sentinel {
            hosts,
            service_name,
            ..
        } => format!(
            "sentinel {service_name} at {}",
            hosts
                .iter()
                .map(|s| format!("{}:{}", s.host, s.port))
                .collect::<Vec<_>>()
                .join(",")
        ),
        #[allow(unreachable_patterns)]
        _ => "redis".to_owned(),
    }
}
