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

/// How often a call in flight checks that its node still holds the work.
const OWNER_CHECK: Duration = Duration::from_millis(50);

/// How long a node waits to connect to another.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

pub struct HttpRoute {
    client: Client<HttpConnector, Full<Bytes>>,
    owners: Owners,
    secret: SecretString,
    /// This node's own address: a call never goes to itself.
    me: String,
    /// How long a node waits for another's answer…
    timeout: Duration,
    /// …or, for a checkout (which waits for its outcome there), this long.
    checkout_timeout: Duration,
}

impl HttpRoute {
    /// Calls wait `timeout` for an answer (`actors.call_timeout_ms`), and
    /// a forwarded checkout `checkout_wait` more (`checkout.wait_ms`).
    pub fn new(
        owners: Owners,
        secret: SecretString,
        me: String,
        timeout: Duration,
        checkout_wait: Duration,
    ) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(timeout.min(CONNECT_TIMEOUT)));
        Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
            owners,
            secret,
            me,
            timeout,
            checkout_timeout: timeout + checkout_wait,
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
        let timeout = if name.starts_with("checkout/") {
            self.checkout_timeout
        } else {
            self.timeout
        };
        // A node that stopped answering (paused, cut off) loses its work
        // to another: stop waiting for it as soon as the placement says so,
        // and let the caller ask the new holder. (Whatever the old node
        // still does with the call is refused by its outdated epoch.)
        let moved = async {
            loop {
                tokio::time::sleep(OWNER_CHECK).await;
                if self.owner(name).as_deref() != Some(owner.as_str()) {
                    return;
                }
            }
        };
        tokio::select! {
            answer = tokio::time::timeout(timeout, exchange) => answer
                .map_err(|_| format!("{owner} did not answer within {} ms", timeout.as_millis()))?,
            () = moved => Ok(None),
        }
    }
}
