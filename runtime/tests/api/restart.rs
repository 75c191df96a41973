//! Data survives a restart on the same data dir; demo seeding happens once.

use reqwest::StatusCode;
use serde_json::json;

use std::sync::Arc;

use tempfile::TempDir;

use crate::helpers::{PASSWORD, json, product_body, spawn_demo, spawn_demo_with, spawn_with};

#[tokio::test]
async fn everything_written_is_read_back_after_a_restart() {
    let app = spawn_with(&[], None).await;
    app.category("kitchen").await;
    let seller = app.register("s@example.com", "seller").await;
    let token = Some(seller.token.as_str());
    let kept = app
        .product(&seller, product_body("Copper Kettle", "kitchen", 4999, 3))
        .await;
    let archived = app
        .product(&seller, product_body("Old Pan", "kitchen", 999, 1))
        .await;
    let kept_path = format!(
        "/api/v1/products/{}",
        kept["id"].as_str().expect("a product id")
    );
    let archived_path = format!(
        "/api/v1/products/{}",
        archived["id"].as_str().expect("a product id")
    );
    app.put(
        &format!("{kept_path}/stock"),
        token,
        json!({ "available": 42 }),
    )
    .await;
    app.delete(&archived_path, token).await;
    let address = app
        .post(
            "/api/v1/users/me/addresses",
            token,
            json!({
                "name": "S", "line1": "1 St", "city": "X", "postal_code": "1", "country": "FR"
            }),
        )
        .await;
    assert_eq!(address.status(), StatusCode::CREATED);
    let before = json(app.get(&kept_path, None).await).await;

    let dir = app.stop().await;
    let app = spawn_with(&[], Some(dir)).await;

    assert_eq!(json(app.get(&kept_path, None).await).await, before);
    assert_eq!(
        json(app.get(&kept_path, None).await).await["stock"]["available"],
        42
    );
    assert_eq!(
        app.get(&archived_path, None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        json(app.get(&archived_path, token).await).await["status"],
        "archived",
        "the old token still works"
    );
    let addresses = json(app.get("/api/v1/users/me/addresses", token).await).await;
    assert_eq!(addresses["items"][0]["country"], "FR");
    let refreshed = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({ "refresh_token": seller.refresh }),
        )
        .await;
    assert_eq!(
        refreshed.status(),
        StatusCode::OK,
        "refresh tokens survive too"
    );
    assert_eq!(
        app.login("s@example.com", PASSWORD).await.status(),
        StatusCode::OK
    );
    let categories = json(app.get("/api/v1/categories", None).await).await;
    assert_eq!(categories["items"][0]["product_count"], 1);
}

#[tokio::test]
async fn the_demo_catalog_is_seeded_once() {
    let dir = std::sync::Arc::new(tempfile::TempDir::new().expect("a temp dir"));
    let app = spawn_demo(dir).await;
    let count = |app: &crate::helpers::TestApp| {
        let url = app.url("/health/ready");
        let client = app.client.clone();
        async move {
            json(
                client
                    .get(url)
                    .send()
                    .await
                    .expect("the readiness request is sent"),
            )
            .await["products"]
                .as_u64()
        }
    };
    let seeded = count(&app).await.unwrap_or(0);
    assert!(seeded >= 500, "{seeded}");
    let categories = json(app.get("/api/v1/categories", None).await).await;
    assert!(
        categories["items"]
            .as_array()
            .is_some_and(|c| c.len() >= 12)
    );
    let login = app
        .login("customer@example.com", souk_runtime::demo::DEMO_PASSWORD)
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    let dir = app.stop().await;
    let app = spawn_demo(dir).await;
    assert_eq!(count(&app).await, Some(seeded));
}

#[tokio::test]
async fn demo_accounts_on_a_public_address_never_keep_the_published_password() {
    use souk_runtime::demo::{DEMO_PASSWORD, DemoPassword};
    const PUBLIC: &[(&str, &str)] = &[("SOUK__SERVER__LISTEN", "0.0.0.0:0")];
    let dir = Arc::new(TempDir::new().expect("a temp dir"));
    // First seeded on loopback, with the published password.
    let app = spawn_demo(dir).await;
    assert_eq!(app.demo_password, DemoPassword::Published);
    let dir = app.stop().await;

    let app = spawn_demo_with(dir, PUBLIC).await;
    let DemoPassword::New(password) = app.demo_password.clone() else {
        panic!(
            "no new password on a public address: {:?}",
            app.demo_password
        );
    };
    for email in [
        "customer@example.com",
        "admin@example.com",
        "kestrel@example.com",
    ] {
        let published = app.login(email, DEMO_PASSWORD).await;
        assert_eq!(published.status(), StatusCode::UNAUTHORIZED, "{email}");
        assert_eq!(
            app.login(email, &password).await.status(),
            StatusCode::OK,
            "{email}"
        );
    }
    let dir = app.stop().await;

    // Printed once: a later start, public or not, keeps it and does not show it.
    let app = spawn_demo_with(dir, PUBLIC).await;
    assert_eq!(app.demo_password, DemoPassword::Replaced);
    let login = app.login("customer@example.com", &password).await;
    assert_eq!(login.status(), StatusCode::OK);
    app.stop().await;
}
