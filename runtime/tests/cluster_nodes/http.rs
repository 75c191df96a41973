//! The HTTP calls the cluster tests make, and the shop they set up.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::nodes::{ADMIN, Cluster, PASSWORD};

#[derive(Clone, Default)]
pub struct Http {
    pub client: reqwest::Client,
}

impl Http {
    /// Sends a request; `Err` if no answer came (the node is down).
    pub async fn try_call(
        &self,
        method: Method,
        url: String,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), reqwest::Error> {
        let mut request = self.client.request(method, url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }

    pub async fn get(&self, base: &str, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let url = format!("{base}{path}");
        self.try_call(Method::GET, url, token, None)
            .await
            .expect("the node answers")
    }

    pub async fn post(
        &self,
        base: &str,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        let url = format!("{base}{path}");
        self.try_call(Method::POST, url, token, Some(body))
            .await
            .expect("the node answers")
    }

    pub async fn login(&self, base: &str, email: &str, password: &str) -> (StatusCode, Value) {
        let body = json!({ "email": email, "password": password });
        self.post(base, "/api/v1/auth/login", None, body).await
    }

    /// Registers a customer; returns their access token.
    pub async fn customer(&self, base: &str, email: &str) -> String {
        let body = json!({ "email": email, "password": PASSWORD, "display_name": "Buyer" });
        let (status, session) = self.post(base, "/api/v1/auth/register", None, body).await;
        assert_eq!(status, StatusCode::CREATED, "{session}");
        token(&session)
    }

    /// Checks out `token`'s cart with a fresh idempotency key.
    pub async fn checkout(
        &self,
        base: &str,
        token: &str,
    ) -> Result<(StatusCode, Value), reqwest::Error> {
        let response = self
            .client
            .post(format!("{base}/api/v1/checkout"))
            .bearer_auth(token)
            .header("idempotency-key", uuid::Uuid::new_v4().to_string())
            .json(&json!({ "shipping_address": address() }))
            .send()
            .await?;
        let status = response.status();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }

    /// Units of `product` available, as node `base` shows them.
    pub async fn available(&self, base: &str, product: &str) -> u64 {
        let (_, shown) = self
            .get(base, &format!("/api/v1/products/{product}"), None)
            .await;
        shown["stock"]["available"].as_u64().expect("a stock level")
    }

    /// The order as `token` sees it through `base`, if it answers.
    pub async fn order(&self, base: &str, token: &str, id: &str) -> (StatusCode, Value) {
        self.get(base, &format!("/api/v1/orders/{id}"), Some(token))
            .await
    }
}

pub fn token(session: &Value) -> String {
    session["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

pub fn address() -> Value {
    json!({ "name": "Ada", "line1": "1 Main St", "city": "London", "postal_code": "N1", "country": "GB" })
}

/// The admin's token, a seller's and a product of theirs with `stock`
/// units, made through node 0; the product is listed on every node.
pub async fn shop(cluster: &Cluster, stock: u64) -> (String, String, String) {
    let http = &cluster.http;
    let base = cluster.base(0);
    let (status, admin) = http.login(base, ADMIN, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{admin}");
    let admin = token(&admin);
    let url = format!("{base}/api/v1/admin/categories/kitchen");
    let category = Some(json!({ "name": "Kitchen" }));
    let (status, body) = http
        .try_call(Method::PUT, url, Some(&admin), category)
        .await
        .expect("the node answers");
    assert_eq!(status, StatusCode::OK, "{body}");
    let body = json!({ "email": "seller@example.com", "password": PASSWORD, "display_name": "Seller", "role": "seller" });
    let (status, seller) = http.post(base, "/api/v1/auth/register", None, body).await;
    assert_eq!(status, StatusCode::CREATED, "{seller}");
    let seller = token(&seller);
    let listing = json!({
        "title": "Kettle", "description": "Boils water.", "category": "kitchen",
        "price": { "amount": 2500, "currency": "USD" }, "stock": stock,
    });
    let (status, product) = http
        .post(base, "/api/v1/products", Some(&seller), listing)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{product}");
    let product = product["id"].as_str().expect("a product id").to_owned();
    for node in 0..cluster.nodes.len() {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        while http
            .try_call(
                Method::GET,
                format!("{}/api/v1/products/{product}", cluster.base(node)),
                None,
                None,
            )
            .await
            .map(|(s, _)| s)
            .ok()
            != Some(StatusCode::OK)
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "not listed on node {node}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    (admin, seller, product)
}

/// A customer through node `node` with `quantity` of `product` in the cart.
pub async fn buyer(
    cluster: &Cluster,
    node: usize,
    n: usize,
    product: &str,
    quantity: u32,
) -> String {
    let http = &cluster.http;
    let base = cluster.base(node);
    let token = http.customer(base, &format!("buyer{n}@example.com")).await;
    let add = json!({ "product_id": product, "quantity": quantity });
    let (status, cart) = http
        .post(base, "/api/v1/cart/items", Some(&token), add)
        .await;
    assert_eq!(status, StatusCode::OK, "{cart}");
    token
}
