//! Saved shipping addresses.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, json, spawn_app, spawn_with};

fn address(line1: &str) -> Value {
    json!({ "name": "Ada", "line1": line1, "city": "London", "postal_code": "N1 9GU", "country": "GB" })
}

#[tokio::test]
async fn addresses_are_private_to_their_owner() {
    let app = spawn_app().await;
    let ada = app.register("ada@example.com", "customer").await;
    let bob = app.register("bob@example.com", "customer").await;
    let path = "/api/v1/users/me/addresses";
    let created = app.post(path, Some(&ada.token), address("1 Main St")).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created = json(created).await;
    let id = created["id"].as_str().expect("an address id").to_owned();
    assert_eq!(created["country"], "GB");

    let mine = json(app.get(path, Some(&ada.token)).await).await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1));
    let theirs = json(app.get(path, Some(&bob.token)).await).await;
    assert_eq!(theirs["items"].as_array().map(Vec::len), Some(0));

    let item = format!("{path}/{id}");
    assert_problem(
        app.delete(&item, Some(&bob.token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(
        app.delete(&item, Some(&ada.token)).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(
        app.delete(&item, Some(&ada.token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_problem(
        app.delete(&format!("{path}/not-an-id"), Some(&ada.token))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_path",
    )
    .await;
}

#[tokio::test]
async fn invalid_addresses_are_refused_with_the_field() {
    let app = spawn_app().await;
    let user = app.register("a@example.com", "customer").await;
    let path = "/api/v1/users/me/addresses";
    let mut lower_country = address("1 Main St");
    lower_country["country"] = json!("gb");
    let mut long_line = address(&"x".repeat(201));
    long_line["line2"] = json!(null);
    for body in [lower_country, long_line, json!({ "name": "Ada" })] {
        assert_problem(
            app.post(path, Some(&user.token), body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        )
        .await;
    }
    let list = json(app.get(path, Some(&user.token)).await).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn address_count_is_bounded() {
    let app = spawn_with(&[("SOUK__HTTP__MAX_ADDRESSES_PER_USER", "2")], None).await;
    let user = app.register("a@example.com", "customer").await;
    let path = "/api/v1/users/me/addresses";
    for line in ["1 A St", "2 B St"] {
        assert_eq!(
            app.post(path, Some(&user.token), address(line))
                .await
                .status(),
            StatusCode::CREATED
        );
    }
    assert_problem(
        app.post(path, Some(&user.token), address("3 C St")).await,
        StatusCode::CONFLICT,
        "limit_reached",
    )
    .await;
}
