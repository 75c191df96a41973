//! Registration, login, refresh rotation with reuse detection, logout, tokens.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, assert_problem, json, session, spawn_app, spawn_with};

#[tokio::test]
async fn register_signs_in_and_sets_an_http_only_cookie() {
    let app = spawn_app().await;
    let response = app
        .post("/api/v1/auth/register", None, json!({
            "email": "Ada@Example.com", "password": PASSWORD, "display_name": "Ada", "role": "seller"
        }))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap_or("")
        .to_owned();
    assert!(cookie.starts_with("souk_refresh="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let body = json(response).await;
    assert_eq!(body["user"]["email"], "ada@example.com");
    assert_eq!(body["user"]["role"], "seller");
    assert_eq!(body["token_type"], "Bearer");
    assert!(body.get("password_hash").is_none() && body["user"].get("password_hash").is_none());
    let me = json(
        app.get("/api/v1/auth/me", body["access_token"].as_str())
            .await,
    )
    .await;
    assert_eq!(me["email"], "ada@example.com");
}

#[tokio::test]
async fn registration_rejects_bad_input_precisely() {
    let app = spawn_app().await;
    let path = "/api/v1/auth/register";
    let valid = json!({ "email": "a@example.com", "password": PASSWORD, "display_name": "A" });
    let with = |key: &str, value: serde_json::Value| {
        let mut body = valid.clone();
        body[key] = value;
        body
    };
    let cases = [
        (with("email", json!("not-an-email")), "email"),
        (with("email", json!(42)), "email"),
        (with("password", json!("short")), "password"),
        (with("password", json!("x".repeat(500))), "password"),
        (with("display_name", json!("n".repeat(81))), "display_name"),
        (with("display_name", json!("")), "display_name"),
        (with("role", json!("superuser")), "role"),
    ];
    for (body, field) in cases {
        let problem = assert_problem(
            app.post(path, None, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        )
        .await;
        assert_eq!(problem["field"], field);
    }
    let unknown = with("is_admin", json!(true));
    assert_problem(
        app.post(path, None, unknown).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    let missing = json!({ "email": "a@example.com", "password": PASSWORD });
    assert_problem(
        app.post(path, None, missing).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    let malformed = app
        .raw(Method::POST, path, None, "application/json", "{\"email\": ")
        .await;
    assert_problem(malformed, StatusCode::BAD_REQUEST, "malformed_json").await;
    let trailing = app
        .raw(
            Method::POST,
            path,
            None,
            "application/json",
            format!("{valid} x"),
        )
        .await;
    assert_problem(trailing, StatusCode::BAD_REQUEST, "malformed_json").await;
    let form = app
        .raw(Method::POST, path, None, "text/plain", valid.to_string())
        .await;
    assert_problem(
        form,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let admin = with("role", json!("admin"));
    assert_problem(
        app.post(path, None, admin).await,
        StatusCode::FORBIDDEN,
        "admin_self_registration",
    )
    .await;
    // Nothing above created an account.
    assert_eq!(
        app.post(path, None, valid.clone()).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn duplicate_registration_is_a_conflict_whatever_the_case() {
    let app = spawn_app().await;
    app.register("dup@example.com", "customer").await;
    let again = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({
                "email": "DUP@example.com", "password": PASSWORD, "display_name": "Other"
            }),
        )
        .await;
    assert_problem(again, StatusCode::CONFLICT, "email_taken").await;
}

#[tokio::test]
async fn wrong_password_and_unknown_email_look_the_same() {
    let app = spawn_app().await;
    app.register("known@example.com", "customer").await;
    let wrong = assert_problem(
        app.login("known@example.com", "wrong password!").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let unknown = assert_problem(
        app.login("nobody@example.com", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert_eq!(wrong["detail"], unknown["detail"]);
    assert_eq!(
        app.login("KNOWN@example.com", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    let first = app.register("r@example.com", "customer").await;
    let refresh = |token: String| {
        app.post(
            "/api/v1/auth/refresh",
            None,
            json!({ "refresh_token": token }),
        )
    };
    let second = refresh(first.refresh.clone()).await;
    assert_eq!(second.status(), StatusCode::OK);
    let second = session(json(second).await);
    assert_ne!(second.refresh, first.refresh);
    assert_eq!(
        app.get("/api/v1/auth/me", Some(&second.token))
            .await
            .status(),
        StatusCode::OK
    );
    // Replaying the first token is theft: the whole family dies, the live one too.
    assert_problem(
        refresh(first.refresh.clone()).await,
        StatusCode::UNAUTHORIZED,
        "refresh_token_reused",
    )
    .await;
    assert_problem(
        refresh(second.refresh.clone()).await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
    // A separate login is a separate family and still works.
    let other = session(json(app.login("r@example.com", PASSWORD).await).await);
    assert_eq!(refresh(other.refresh).await.status(), StatusCode::OK);
    assert_problem(
        refresh("garbage".into()).await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
    let none = app
        .raw(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            "application/json",
            "",
        )
        .await;
    assert_problem(none, StatusCode::UNAUTHORIZED, "missing_refresh_token").await;
}

#[tokio::test]
async fn refresh_and_logout_work_from_the_cookie() {
    let app = spawn_app().await;
    let user = app.register("c@example.com", "customer").await;
    let cookie = format!("souk_refresh={}", user.refresh);
    let refreshed = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("the refresh request is sent");
    assert_eq!(refreshed.status(), StatusCode::OK);
    let next = session(json(refreshed).await);
    let cookie = format!("souk_refresh={}", next.refresh);
    let logout = || {
        app.client
            .post(app.url("/api/v1/auth/logout"))
            .header("cookie", &cookie)
            .send()
    };
    let out = logout().await.expect("the logout request is sent");
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap_or("")
            .contains("Max-Age=0")
    );
    // Idempotent, and the token is dead afterwards.
    assert_eq!(
        logout().await.map(|r| r.status()).ok(),
        Some(StatusCode::NO_CONTENT)
    );
    let after = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({ "refresh_token": next.refresh }),
        )
        .await;
    assert_problem(after, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    let anonymous = app
        .raw(
            Method::POST,
            "/api/v1/auth/logout",
            None,
            "application/json",
            "",
        )
        .await;
    assert_eq!(anonymous.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn missing_tampered_and_expired_tokens_are_refused() {
    let app = spawn_with(&[("SOUK__AUTH__ACCESS_TTL_SECS", "1")], None).await;
    let user = app.register("t@example.com", "customer").await;
    assert_problem(
        app.get("/api/v1/auth/me", None).await,
        StatusCode::UNAUTHORIZED,
        "missing_token",
    )
    .await;
    assert_problem(
        app.get("/api/v1/auth/me", Some("not.a.jwt")).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    let mut tampered = user.token.clone();
    tampered.insert(tampered.len() / 2, 'x');
    assert_problem(
        app.get("/api/v1/auth/me", Some(&tampered)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    let basic = app
        .client
        .get(app.url("/api/v1/auth/me"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .expect("the request is sent");
    assert_problem(basic, StatusCode::UNAUTHORIZED, "invalid_token").await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_problem(
        app.get("/api/v1/auth/me", Some(&user.token)).await,
        StatusCode::UNAUTHORIZED,
        "token_expired",
    )
    .await;
}

#[tokio::test]
async fn a_disabled_account_is_locked_out_at_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let user = app.register("d@example.com", "customer").await;
    // Signed in and seen by the server (so its account is cached) first.
    let me = app.get("/api/v1/auth/me", Some(&user.token)).await;
    assert_eq!(me.status(), StatusCode::OK);
    let path = format!("/api/v1/admin/users/{}", user.id);
    let disabled = app
        .patch(&path, Some(&admin.token), json!({ "disabled": true }))
        .await;
    assert_eq!(disabled.status(), StatusCode::OK);
    assert_problem(
        app.get("/api/v1/auth/me", Some(&user.token)).await,
        StatusCode::UNAUTHORIZED,
        "account_disabled",
    )
    .await;
    assert_problem(
        app.login("d@example.com", PASSWORD).await,
        StatusCode::FORBIDDEN,
        "account_disabled",
    )
    .await;
    let refresh = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({ "refresh_token": user.refresh }),
        )
        .await;
    assert_problem(refresh, StatusCode::UNAUTHORIZED, "account_disabled").await;
}
