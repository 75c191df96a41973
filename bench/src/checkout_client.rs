//! The flash-sale benchmark's API client: JSON requests with bearer tokens, and a tally of
//! unexpected answers by status and problem code.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Context, bail};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode, header};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::load::Connection;

/// The body of every benchmark checkout: an inline shipping address.
const CHECKOUT_BODY: &str = r#"{"shipping_address":{"name":"A","line1":"1 St","city":"X","postal_code":"1","country":"GB"}}"#;
const PAY_BODY: &str = r#"{"card_token":"tok_visa"}"#;

/// An answer from the server.
pub struct Reply {
    pub status: StatusCode,
    pub body: Bytes,
}

#[derive(Deserialize)]
struct ProblemCode {
    code: Option<String>,
}

impl Reply {
    /// The problem `code` of the body, or `-` when it has none.
    pub fn code(&self) -> String {
        serde_json::from_slice::<ProblemCode>(&self.body)
            .ok()
            .and_then(|p| p.code)
            .unwrap_or_else(|| "-".to_owned())
    }

    /// `"<what> <status> <code>"`, the key unexpected answers are counted under.
    pub fn kind(&self, what: &str) -> String {
        format!("{what} {} {}", self.status.as_u16(), self.code())
    }

    /// The first 200 characters of the body, to explain an unexpected answer.
    pub fn snippet(&self) -> String {
        String::from_utf8_lossy(&self.body)
            .chars()
            .take(200)
            .collect()
    }

    /// The body as `T` when the status is `want`, else an error naming `what`.
    pub fn json<T: DeserializeOwned>(&self, want: StatusCode, what: &str) -> anyhow::Result<T> {
        if self.status != want {
            bail!(
                "{what}: {} (wanted {want}): {}",
                self.status,
                self.snippet()
            );
        }
        serde_json::from_slice(&self.body)
            .with_context(|| format!("{what}: unexpected response body: {}", self.snippet()))
    }
}

/// One keep-alive connection to the API, reopened when the server closes it.
pub struct Api {
    authority: Arc<str>,
    conn: Option<Connection>,
}

impl Api {
    /// A client of `authority` (`host:port`). Given several, comma-separated
    /// (the nodes of a cluster), each new client takes the next in turn, so
    /// the buyers spread evenly over the nodes.
    pub fn new(authority: Arc<str>) -> Api {
        let authority = match authority.contains(',') {
            false => authority,
            true => {
                static TURN: std::sync::atomic::AtomicUsize =
                    std::sync::atomic::AtomicUsize::new(0);
                let nodes: Vec<&str> = authority.split(',').collect();
                let turn = TURN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Arc::from(nodes[turn % nodes.len()])
            }
        };
        Api {
            authority,
            conn: None,
        }
    }

    /// Sends `method /api/v1{path}` with an optional bearer token, JSON body and
    /// idempotency key, and reads the whole answer. A transport error drops the
    /// connection, so the next call opens a fresh one.
    pub async fn call(
        &mut self,
        method: Method,
        path: &str,
        token: Option<&str>,
        idempotency_key: Option<&str>,
        body: Option<Bytes>,
    ) -> anyhow::Result<Reply> {
        let uri = format!("/api/v1{path}");
        self.send(method, uri, token, idempotency_key, body).await
    }

    /// One unlabelled metric of the server's, e.g. `process_cpu_seconds_total`,
    /// from `GET /metrics` on the API listener with the bench's token; `None`
    /// when metrics are served elsewhere or ask for another token.
    pub async fn metric(&mut self, name: &str) -> anyhow::Result<Option<f64>> {
        let token = Some(crate::server::METRICS_TOKEN);
        let reply = self
            .send(Method::GET, "/metrics".to_owned(), token, None, None)
            .await?;
        if reply.status != StatusCode::OK {
            return Ok(None);
        }
        Ok(metric_in(&String::from_utf8_lossy(&reply.body), name))
    }

    async fn send(
        &mut self,
        method: Method,
        uri: String,
        token: Option<&str>,
        idempotency_key: Option<&str>,
        body: Option<Bytes>,
    ) -> anyhow::Result<Reply> {
        if self.conn.as_ref().is_some_and(Connection::is_closed) {
            self.conn = None;
        }
        let conn = match self.conn.as_mut() {
            Some(conn) => conn,
            None => self
                .conn
                .insert(Connection::open(self.authority.clone()).await?),
        };
        let mut request = Request::builder()
            .method(method.clone())
            .uri(&uri)
            .header(header::HOST, conn.authority());
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let request = request
            .body(Full::new(body.unwrap_or_default()))
            .with_context(|| format!("invalid request {method} {uri}"))?;
        match conn.send(request).await {
            Ok((status, body)) => Ok(Reply { status, body }),
            Err(e) => {
                self.conn = None;
                Err(e.context(format!("{method} {uri}")))
            }
        }
    }

    /// `POST path` with a JSON body.
    pub async fn post(
        &mut self,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> anyhow::Result<Reply> {
        let body = Bytes::from(serde_json::to_vec(body).context("cannot encode request body")?);
        self.call(Method::POST, path, token, None, Some(body)).await
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str, token: Option<&str>) -> anyhow::Result<Reply> {
        self.call(Method::GET, path, token, None, None).await
    }

    /// Logs in and returns the access token.
    pub async fn login(&mut self, email: &str, password: &str) -> anyhow::Result<String> {
        let body = serde_json::json!({ "email": email, "password": password });
        let reply = self.post("/auth/login", None, &body).await?;
        let session: Session = reply.json(StatusCode::OK, "POST /auth/login")?;
        Ok(session.access_token)
    }

    /// Registers a customer and returns the access token.
    pub async fn register(&mut self, email: &str, password: &str) -> anyhow::Result<String> {
        let body = serde_json::json!({ "email": email, "password": password, "display_name": "Bench Buyer" });
        let reply = self.post("/auth/register", None, &body).await?;
        let session: Session = reply.json(StatusCode::CREATED, "POST /auth/register")?;
        Ok(session.access_token)
    }

    /// Sets the units of `product` for sale.
    pub async fn set_stock(
        &mut self,
        token: &str,
        product: &str,
        units: u64,
    ) -> anyhow::Result<()> {
        let body = Bytes::from(format!(r#"{{"available":{units}}}"#));
        let path = format!("/products/{product}/stock");
        let reply = self
            .call(Method::PUT, &path, Some(token), None, Some(body))
            .await?;
        reply.json::<serde_json::Value>(StatusCode::OK, &format!("PUT {path}"))?;
        Ok(())
    }

    /// Adds one unit of `product` to the buyer's cart.
    pub async fn add_one(&mut self, token: &str, product: &str) -> anyhow::Result<Reply> {
        let body = serde_json::json!({ "product_id": product, "quantity": 1 });
        self.post("/cart/items", Some(token), &body).await
    }

    /// Empties the buyer's cart.
    pub async fn clear_cart(&mut self, token: &str) -> anyhow::Result<Reply> {
        self.call(Method::DELETE, "/cart", Some(token), None, None)
            .await
    }

    /// Checks out the buyer's cart with a fresh idempotency key.
    pub async fn checkout(&mut self, token: &str) -> anyhow::Result<Reply> {
        let key = uuid::Uuid::new_v4().to_string();
        let body = Bytes::from_static(CHECKOUT_BODY.as_bytes());
        self.call(
            Method::POST,
            "/checkout",
            Some(token),
            Some(&key),
            Some(body),
        )
        .await
    }

    /// Pays `order` with the sandbox's accepted card.
    pub async fn pay(&mut self, token: &str, order: &str) -> anyhow::Result<Reply> {
        let body = Bytes::from_static(PAY_BODY.as_bytes());
        let path = format!("/orders/{order}/pay");
        self.call(Method::POST, &path, Some(token), None, Some(body))
            .await
    }
}

#[derive(Deserialize)]
struct Session {
    access_token: String,
}

/// The id of a created order (or any object with an `id`).
#[derive(Deserialize)]
pub struct Created {
    pub id: String,
}

/// Unexpected answers and transport errors, counted by kind, with the first detail of each.
#[derive(Debug, Default)]
pub struct Tally {
    pub counts: BTreeMap<String, (u64, String)>,
}

impl Tally {
    pub fn record(&mut self, kind: String, detail: impl FnOnce() -> String) {
        let entry = self.counts.entry(kind).or_insert_with(|| (0, detail()));
        entry.0 += 1;
    }

    pub fn total(&self) -> u64 {
        self.counts.values().map(|(n, _)| n).sum()
    }

    pub fn merge(&mut self, other: Tally) {
        for (kind, (n, detail)) in other.counts {
            self.counts.entry(kind).or_insert((0, detail)).0 += n;
        }
    }

    /// Prints one line per kind under a table, if there were any.
    pub fn print(&self, heading: &str) {
        if self.counts.is_empty() {
            return;
        }
        println!();
        println!("{heading}:");
        for (kind, (n, detail)) in &self.counts {
            println!("- `{kind}` × {n} (first: {detail})");
        }
    }
}

/// The value of unlabelled metric `name` in a Prometheus text exposition.
fn metric_in(exposition: &str, name: &str) -> Option<f64> {
    exposition.lines().find_map(|line| {
        line.strip_prefix(name)?
            .strip_prefix(' ')
            .and_then(|v| v.trim().parse().ok())
    })
}

#[cfg(test)]
mod tests {
    use super::metric_in;

    #[test]
    fn a_metric_is_read_from_the_servers_exposition() {
        let text = "# HELP process_cpu_seconds_total CPU time used\n\
                    # TYPE process_cpu_seconds_total counter\n\
                    process_cpu_seconds_total_other 3\n\
                    process_cpu_seconds_total 12.75\n\
                    process_resident_memory_bytes 1048576\n";
        assert_eq!(metric_in(text, "process_cpu_seconds_total"), Some(12.75));
        assert_eq!(
            metric_in(text, "process_resident_memory_bytes"),
            Some(1_048_576.0)
        );
        assert_eq!(metric_in(text, "process_open_fds"), None);
    }
}
