//! The vector index follows the catalog, vectors survive restarts without
//! being computed again, and a missing model stops start-up with the fix.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{ON, products};
use crate::helpers::{TestApp, assert_problem, json, product_body, spawn_with};

fn computed(app: &TestApp) -> u64 {
    app.assistant
        .as_ref()
        .expect("the assistant is on")
        .embeddings_computed()
}

async fn search(app: &TestApp, query: &str) -> Vec<String> {
    let response = app.get(&format!("/api/v1/search?{query}"), None).await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    products(&json(response).await)
        .iter()
        .map(|p| p["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Polls until `check` holds (the index follows the catalog in the background).
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("never happened: {what}");
}

#[tokio::test]
async fn the_index_follows_the_catalog_and_restarts_without_re_embedding() {
    let app = spawn_with(&[ON], None).await;
    app.category("kitchen").await;
    let seller = app.register("chef@example.com", "seller").await;
    let token = Some(seller.token.as_str());
    let mut ids = Vec::new();
    for (title, price) in [
        ("Copper Kettle", 4999),
        ("Porcelain Teapot", 2999),
        ("Glass French Press", 3599),
    ] {
        let body: Value = app
            .product(&seller, product_body(title, "kitchen", price, 5))
            .await;
        ids.push(body["id"].as_str().expect("a product id").to_owned());
    }
    eventually("three products embedded", async || computed(&app) == 3).await;
    assert_eq!(
        search(&app, "q=kettle").await.first().map(String::as_str),
        Some("Copper Kettle")
    );
    eventually("a semantic match", async || {
        search(&app, "q=something+to+brew+tea+leaves")
            .await
            .first()
            .map(String::as_str)
            == Some("Porcelain Teapot")
    })
    .await;

    // An edit of the text embeds again; a restock or a price change does not.
    let kettle = format!("/api/v1/products/{}", ids[0]);
    let renamed = app
        .patch(
            &kettle,
            token,
            json!({ "title": "Copper Whistling Kettle" }),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    eventually("the edit re-embedded", async || computed(&app) == 4).await;
    let restocked = app
        .put(&format!("{kettle}/stock"), token, json!({ "available": 0 }))
        .await;
    assert_eq!(restocked.status(), StatusCode::OK);
    let repriced = app
        .patch(
            &kettle,
            token,
            json!({ "price": { "amount": 1999, "currency": "USD" } }),
        )
        .await;
    assert_eq!(repriced.status(), StatusCode::OK);
    eventually("stock and price reach the index", async || {
        !search(&app, "q=kettle&in_stock=true")
            .await
            .contains(&"Copper Whistling Kettle".to_owned())
            && search(&app, "q=kettle&max_price=2000").await
                == vec!["Copper Whistling Kettle".to_owned()]
    })
    .await;
    assert_eq!(computed(&app), 4);

    // Archived products leave search and have no similar products.
    let teapot = format!("/api/v1/products/{}", ids[1]);
    assert_eq!(
        app.delete(&teapot, token).await.status(),
        StatusCode::NO_CONTENT
    );
    eventually("the archived product left the index", async || {
        !search(&app, "q=teapot")
            .await
            .contains(&"Porcelain Teapot".to_owned())
    })
    .await;
    assert_problem(
        app.get(&format!("{teapot}/similar"), None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    let dir = app.stop().await;
    let app = spawn_with(&[ON], Some(dir)).await;
    assert_eq!(computed(&app), 0, "a restart must load the stored vectors");
    assert_eq!(
        search(&app, "q=whistling").await,
        vec!["Copper Whistling Kettle".to_owned()]
    );
    let press = search(&app, "q=coffee+maker").await;
    assert_eq!(
        press.first().map(String::as_str),
        Some("Glass French Press"),
        "{press:?}"
    );
    assert_eq!(computed(&app), 0);
    app.stop().await;
}

/// The detail of a 503 `assistant_unavailable` problem.
async fn unavailable(response: reqwest::Response) -> String {
    let problem = assert_problem(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        "assistant_unavailable",
    )
    .await;
    let detail = problem["detail"].as_str().expect("a problem detail");
    detail.to_owned()
}

#[tokio::test]
async fn a_missing_or_corrupt_model_leaves_the_rest_serving() {
    let empty = tempfile::TempDir::new().expect("a temp dir");
    let dir = empty.path().display().to_string();
    let app = spawn_with(&[ON, ("SOUK__ASSISTANT__MODEL_DIR", &dir)], None).await;
    let detail = unavailable(app.get("/api/v1/search?q=kettle", None).await).await;
    assert!(detail.contains("is missing"), "{detail}");
    assert!(detail.contains("souk model fetch"), "{detail}");
    let products = app.get("/api/v1/products?limit=1", None).await;
    assert_eq!(products.status(), StatusCode::OK);
    app.stop().await;

    // Files that are there but not the pinned ones: refused by checksum.
    for file in ["config.json", "tokenizer.json", "model.safetensors"] {
        std::fs::write(empty.path().join(file), b"not a model").expect("write");
    }
    let app = spawn_with(&[ON, ("SOUK__ASSISTANT__MODEL_DIR", &dir)], None).await;
    let chat = app
        .post(
            "/api/v1/assistant/chat",
            None,
            json!({ "message": "kettle" }),
        )
        .await;
    let detail = unavailable(chat).await;
    assert!(detail.contains("SHA-256"), "{detail}");
    assert!(detail.contains("souk model fetch"), "{detail}");
}

#[tokio::test]
async fn disabled_assistant_answers_503() {
    let app = crate::helpers::spawn_app().await;
    assert_problem(
        app.get("/api/v1/search?q=kettle", None).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "assistant_disabled",
    )
    .await;
    let chat = app
        .post(
            "/api/v1/assistant/chat",
            None,
            json!({ "message": "kettle" }),
        )
        .await;
    assert_problem(chat, StatusCode::SERVICE_UNAVAILABLE, "assistant_disabled").await;
}
