//! Proving an email address and recovering an account: the verification
//! letter unlocks checkout, a reset link works once and ends every login,
//! and a password change ends every login but the one that made it.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::letters::token_in;
use crate::helpers::{PASSWORD, Session, TestApp, assert_problem, json, session, spawn_with};

/// Signs `email` in again: a second login of the account.
async fn login(app: &TestApp, email: &str, password: &str) -> Session {
    let response = app.login(email, password).await;
    assert_eq!(response.status(), StatusCode::OK);
    session(json(response).await)
}

async fn refresh(app: &TestApp, login: &Session) -> reqwest::Response {
    let body = json!({ "refresh_token": login.refresh });
    app.post("/api/v1/auth/refresh", None, body).await
}

#[tokio::test]
async fn checkout_waits_for_the_verification_letter() {
    let app = spawn_with(&[("SOUK__AUTH__UNVERIFIED_CHECKOUT", "false")], None).await;
    let (_, product) = app.shop("verify-seller@example.com", 5).await;
    let shopper = app.register("newcomer@example.com", "customer").await;
    let me = json(app.get("/api/v1/auth/me", Some(&shopper.token)).await).await;
    assert_eq!(me["email_verified"], false);
    // Browsing and the cart work; checking out does not.
    let refused = app.try_place_order(&shopper, &product, 1).await;
    assert_problem(refused, StatusCode::FORBIDDEN, "email_unverified").await;

    let letter = app
        .letter("newcomer@example.com", "confirm your email")
        .await;
    let token = token_in(&letter);
    let wrong = json!({ "token": "not-a-token" });
    let response = app.post("/api/v1/auth/email/verify", None, wrong).await;
    assert_problem(
        response,
        StatusCode::BAD_REQUEST,
        "invalid_verification_token",
    )
    .await;
    let body = json!({ "token": token });
    let response = app
        .post("/api/v1/auth/email/verify", None, body.clone())
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = app.post("/api/v1/auth/email/verify", None, body).await;
    assert_problem(
        response,
        StatusCode::BAD_REQUEST,
        "invalid_verification_token",
    )
    .await;

    let me = json(app.get("/api/v1/auth/me", Some(&shopper.token)).await).await;
    assert_eq!(me["email_verified"], true);
    assert_eq!(app.checkout(&shopper).await.status(), StatusCode::CREATED);
    let again = app
        .post("/api/v1/auth/email/resend", Some(&shopper.token), json!({}))
        .await;
    assert_problem(again, StatusCode::CONFLICT, "already_verified").await;

    // A new address is unverified until its own letter is opened.
    let change = json!({ "email": "moved@example.com", "current_password": PASSWORD });
    let response = app
        .patch("/api/v1/users/me", Some(&shopper.token), change)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(response).await["email_verified"], false);
    let letter = app.letter("moved@example.com", "confirm your email").await;
    let body = json!({ "token": token_in(&letter) });
    let response = app.post("/api/v1/auth/email/verify", None, body).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_reset_link_works_once_and_ends_every_login() {
    let app = spawn_with(&[], None).await;
    let first = app.register("forgetful@example.com", "customer").await;
    let second = login(&app, "forgetful@example.com", PASSWORD).await;

    // The answer tells nobody whether the address has an account.
    let known = json!({ "email": "forgetful@example.com" });
    let response = app.post("/api/v1/auth/password/forgot", None, known).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let known_body = json(response).await;
    let unknown = json!({ "email": "nobody@example.com" });
    let response = app
        .post("/api/v1/auth/password/forgot", None, unknown)
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(json(response).await, known_body);
    assert!(app.letters_to("nobody@example.com").is_empty());

    let letter = app.letter("forgetful@example.com", "Reset your").await;
    let token = token_in(&letter);
    let reset = json!({ "token": token, "password": "a brand new secret" });
    let response = app
        .post("/api/v1/auth/password/reset", None, reset.clone())
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = app.post("/api/v1/auth/password/reset", None, reset).await;
    assert_problem(response, StatusCode::BAD_REQUEST, "invalid_reset_token").await;

    // Every login before the reset is over: access and refresh tokens alike.
    for old in [&first, &second] {
        let me = app.get("/api/v1/auth/me", Some(&old.token)).await;
        assert_problem(me, StatusCode::UNAUTHORIZED, "login_revoked").await;
        assert_problem(
            refresh(&app, old).await,
            StatusCode::UNAUTHORIZED,
            "login_revoked",
        )
        .await;
    }
    let stale = app.login("forgetful@example.com", PASSWORD).await;
    assert_eq!(stale.status(), StatusCode::UNAUTHORIZED);
    let fresh = login(&app, "forgetful@example.com", "a brand new secret").await;
    let me = app.get("/api/v1/auth/me", Some(&fresh.token)).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(refresh(&app, &fresh).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_password_change_ends_the_other_logins_only() {
    let app = spawn_with(&[], None).await;
    let here = app.register("careful@example.com", "customer").await;
    let elsewhere = login(&app, "careful@example.com", PASSWORD).await;
    let change = json!({ "password": "another fine secret", "current_password": PASSWORD });
    let response = app
        .patch("/api/v1/users/me", Some(&here.token), change)
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let me = app.get("/api/v1/auth/me", Some(&here.token)).await;
    assert_eq!(
        me.status(),
        StatusCode::OK,
        "the login that changed it goes on"
    );
    assert_eq!(refresh(&app, &here).await.status(), StatusCode::OK);
    let me = app.get("/api/v1/auth/me", Some(&elsewhere.token)).await;
    assert_problem(me, StatusCode::UNAUTHORIZED, "login_revoked").await;
    assert_problem(
        refresh(&app, &elsewhere).await,
        StatusCode::UNAUTHORIZED,
        "login_revoked",
    )
    .await;
}
