//! The signed-in user's profile.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{PASSWORD, assert_problem, json, spawn_app};

#[tokio::test]
async fn name_changes_freely_email_and_password_need_the_current_password() {
    let app = spawn_app().await;
    let user = app.register("me@example.com", "customer").await;
    app.register("taken@example.com", "customer").await;
    let token = Some(user.token.as_str());
    let renamed = json(
        app.patch(
            "/api/v1/users/me",
            token,
            json!({ "display_name": "New Name" }),
        )
        .await,
    )
    .await;
    assert_eq!(renamed["display_name"], "New Name");

    let no_current = app
        .patch(
            "/api/v1/users/me",
            token,
            json!({ "email": "new@example.com" }),
        )
        .await;
    assert_problem(
        no_current,
        StatusCode::UNPROCESSABLE_ENTITY,
        "current_password_required",
    )
    .await;
    let wrong = app
        .patch(
            "/api/v1/users/me",
            token,
            json!({ "email": "new@example.com", "current_password": "nope nope" }),
        )
        .await;
    assert_problem(wrong, StatusCode::FORBIDDEN, "wrong_password").await;
    let clash = app
        .patch(
            "/api/v1/users/me",
            token,
            json!({ "email": "taken@example.com", "current_password": PASSWORD }),
        )
        .await;
    assert_problem(clash, StatusCode::CONFLICT, "email_taken").await;
    let bad = app
        .patch("/api/v1/users/me", token, json!({ "email": "nope" }))
        .await;
    assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    let role = app
        .patch("/api/v1/users/me", token, json!({ "role": "admin" }))
        .await;
    assert_problem(role, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;

    let moved = app
        .patch("/api/v1/users/me", token, json!({
            "email": "new@example.com", "password": "a brand new secret", "current_password": PASSWORD
        }))
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    assert_eq!(
        app.login("me@example.com", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("new@example.com", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("new@example.com", "a brand new secret")
            .await
            .status(),
        StatusCode::OK
    );
}
