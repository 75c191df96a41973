//! The shopping assistant: hybrid search, similar products, chat with
//! follow-ups and cart actions, the index kept current, and the labelled
//! evaluation over the demo catalog.
//!
//! Embedding the demo catalog takes a while in the dev profile, so the tests
//! that only read it share one demo app, booted once per test binary on its
//! own thread and runtime.

mod chat;
mod eval;
mod index;
mod search;

use std::sync::{Arc, OnceLock};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::helpers::{TestApp, json, spawn_demo_with};

pub const ON: (&str, &str) = ("SOUK__ASSISTANT__ENABLED", "true");

/// The shared demo app with the assistant on. Tests must not change its
/// catalog; carts of their own users are fine.
pub fn demo() -> TestApp {
    static SHARED: OnceLock<TestApp> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("a tokio runtime");
                runtime.block_on(async move {
                    let dir = Arc::new(TempDir::new().expect("a temp dir"));
                    let app = spawn_demo_with(dir, &[ON]).await;
                    let _ = tx.send(app.attach());
                    std::future::pending::<()>().await;
                    drop(app);
                });
            });
            rx.recv().expect("the demo app starts")
        })
        .attach()
}

/// `POST /assistant/chat`, asserting 200; returns the body.
pub async fn chat(
    app: &TestApp,
    token: Option<&str>,
    message: &str,
    conversation: Option<&str>,
) -> Value {
    let mut body = json!({ "message": message });
    if let Some(id) = conversation {
        body["conversation_id"] = json!(id);
    }
    let response = app.post("/api/v1/assistant/chat", token, body).await;
    assert_eq!(response.status(), StatusCode::OK, "{message}");
    json(response).await
}

/// The products of a search or chat answer.
pub fn products(body: &Value) -> Vec<Value> {
    body.get("products")
        .or_else(|| body.get("items"))
        .and_then(Value::as_array)
        .map(|items| items.iter().map(|i| i["product"].clone()).collect())
        .expect("a products or items list")
}

pub fn price(product: &Value) -> i64 {
    product["price"]["amount"].as_i64().expect("a price amount")
}
