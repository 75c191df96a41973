//! Calls to work placed on other nodes: a signed HTTP POST of the call to
//! `/internal/v1/{name}` (e.g. `/internal/v1/orders/7`) on its holder. The
//! holder answers `421 Misdirected Request` when the work does not run
//! there (any more).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use secrecy::{ExposeSecret, SecretString};
use souk_actors::Route;
use souk_gateway::cluster::signing;
use time::OffsetDateTime;

/// Where each placed name's holder is reached (`inventory/3` →
/// `souk-2.internal:8080`), refreshed by every placement round.
pub type Owners = Arc<RwLock<BTreeMap<String, String>>>;

/// The largest reply a node reads from another (an order with its
/// timeline fits many times over).
const REPLY_LIMIT: usize = 4 * 1024 * 1024;

/// How long a node waits to connect to another.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

pub struct HttpRoute {
    client: Client<HttpConnector, Full<Bytes>>,
    owners: Owners,
    secret: SecretString,
    /// This node's own address: a call never goes to itself.
    me: String,
    timeout: Duration,
}

impl HttpRoute {
    pub fn new(owners: Owners, secret: SecretString, me: String, timeout: Duration) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(timeout.min(CONNECT_TIMEOUT)));
        Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
            owners,
            secret,
            me,
            timeout,
        }
    }

    fn owner(&self, name: &str) -> Option<String> {
        self.owners
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned()
    }
}

#[async_trait::async_trait]
impl Route for HttpRoute {
    async fn call(&self, name: &str, body: Vec<u8>) -> Result<Option<Vec<u8>>, String> {
        let Some(owner) = self.owner(name) else {
            return Err(format!("no node holds {name} now"));
        };
        if owner == self.me {
            // The directory is a round behind: the work is being placed here.
            return Ok(None);
        }
        let path = format!("/internal/v1/{name}");
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
            if status == hyper::StatusCode::MISDIRECTED_REQUEST {
                return Ok(None);
            }
            if !status.is_success() {
                return Err(format!("{owner} answered {status}"));
            }
            Ok(Some(body.to_vec()))
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
