//! Calls to inventory shards placed on other nodes: a signed HTTP POST to
//! the holder's `/internal/v1/inventory/{shard}`.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use secrecy::{ExposeSecret, SecretString};
use souk_actors::inventory::{ShardCall, ShardReply, ShardRoute};
use souk_gateway::cluster::signing;
use time::OffsetDateTime;

/// Where each placed name's holder is reached (`inventory/3` →
/// `souk-2.internal:8080`), refreshed by every placement round.
pub type Owners = Arc<RwLock<BTreeMap<String, String>>>;

/// The largest reply a node reads from another.
const REPLY_LIMIT: usize = 64 * 1024;

pub struct HttpShardRoute {
    client: Client<HttpConnector, Full<Bytes>>,
    owners: Owners,
    secret: SecretString,
    /// This node's own address: a call never goes to itself.
    me: String,
    timeout: Duration,
}

impl HttpShardRoute {
    pub fn new(owners: Owners, secret: SecretString, me: String, timeout: Duration) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(timeout));
        Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
            owners,
            secret,
            me,
            timeout,
        }
    }

    fn owner(&self, shard: usize) -> Option<String> {
        self.owners
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&format!("inventory/{shard}"))
            .cloned()
    }
}

#[async_trait::async_trait]
impl ShardRoute for HttpShardRoute {
    async fn call(&self, shard: usize, call: &ShardCall) -> Result<ShardReply, String> {
        let Some(owner) = self.owner(shard) else {
            return Err(format!("no node holds inventory shard {shard} now"));
        };
        if owner == self.me {
            // The directory is a round behind: the shard is being placed here.
            return Ok(ShardReply::NotHere);
        }
        let path = format!("/internal/v1/inventory/{shard}");
        let body = serde_json::to_vec(call).map_err(|e| e.to_string())?;
        let time = OffsetDateTime::now_utc()
            .unix_timestamp()
            .max(0)
            .unsigned_abs();
        let signature = signing::sign(self.secret.expose_secret().as_bytes(), time, &path, &body);
        let request = hyper::Request::post(format!("http://{owner}{path}"))
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(signing::TIME, time.to_string())
            .header(signing::SIGNATURE, signature)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| format!("{owner}: {e}"))?;
            let status = response.status();
            let body = http_body_util::Limited::new(response.into_body(), REPLY_LIMIT)
                .collect()
                .await
                .map_err(|e| format!("{owner}: {e}"))?
                .to_bytes();
            if !status.is_success() {
                return Err(format!("{owner} answered {status}"));
            }
            serde_json::from_slice::<ShardReply>(&body)
                .map_err(|e| format!("{owner} sent an unreadable reply: {e}"))
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| {
                format!(
                    "{owner} did not answer within {} ms",
                    self.timeout.as_millis()
                )
            })?
    }
}
