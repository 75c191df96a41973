//! Rate limits: per IP, stricter on auth, per user; 429 with Retry-After.

use crate::helpers::{PASSWORD, assert_problem, build_error, spawn_with};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn auth_endpoints_are_limited_per_ip() {
    let app = spawn_with(
        &[
            ("SOUK__RATE_LIMIT__ENABLED", "true"),
            ("SOUK__RATE_LIMIT__AUTH__BURST", "3"),
            ("SOUK__RATE_LIMIT__AUTH__PER_SECOND", "0.01"),
        ],
        None,
    )
    .await;
    for _ in 0..3 {
        let response = app.login("nobody@example.com", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().contains_key("ratelimit-remaining"));
    }
    let limited = app.login("nobody@example.com", PASSWORD).await;
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!(retry_after >= 1, "{retry_after}");
    assert_problem(limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Browsing is limited separately.
    assert_eq!(
        app.get("/api/v1/products", None).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn browsing_is_limited_per_ip_and_users_per_account() {
    let app = spawn_with(
        &[
            ("SOUK__RATE_LIMIT__ENABLED", "true"),
            ("SOUK__RATE_LIMIT__PER_IP__BURST", "5"),
            ("SOUK__RATE_LIMIT__PER_IP__PER_SECOND", "0.01"),
        ],
        None,
    )
    .await;
    for remaining in (0..5).rev() {
        let response = app.get("/api/v1/categories", None).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["ratelimit-limit"], "5");
        assert_eq!(
            response.headers()["ratelimit-remaining"],
            remaining.to_string().as_str()
        );
    }
    assert_problem(
        app.get("/api/v1/categories", None).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    assert_eq!(
        app.get("/health/live", None).await.status(),
        StatusCode::OK,
        "health is never limited"
    );

    let per_user = spawn_with(
        &[
            ("SOUK__RATE_LIMIT__ENABLED", "true"),
            ("SOUK__RATE_LIMIT__PER_USER__BURST", "2"),
            ("SOUK__RATE_LIMIT__PER_USER__PER_SECOND", "0.01"),
        ],
        None,
    )
    .await;
    let user = per_user.register("u@example.com", "customer").await;
    for _ in 0..2 {
        assert_eq!(
            per_user
                .get("/api/v1/auth/me", Some(&user.token))
                .await
                .status(),
            StatusCode::OK
        );
    }
    assert_problem(
        per_user.get("/api/v1/auth/me", Some(&user.token)).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn forged_forwarded_for_entries_do_not_dodge_the_login_limit() {
    let app = spawn_with(
        &[
            ("SOUK__RATE_LIMIT__ENABLED", "true"),
            ("SOUK__RATE_LIMIT__TRUST_FORWARDED_FOR", "true"),
            ("SOUK__RATE_LIMIT__TRUSTED_PROXIES", "[\"127.0.0.1/32\"]"),
            ("SOUK__RATE_LIMIT__AUTH__BURST", "10"),
            ("SOUK__RATE_LIMIT__AUTH__PER_SECOND", "0.01"),
        ],
        None,
    )
    .await;
    let login = |forwarded: String| {
        app.client
            .post(format!("{}/api/v1/auth/login", app.base))
            .header("x-forwarded-for", forwarded)
            .json(&json!({ "email": "nobody@example.com", "password": PASSWORD }))
            .send()
    };
    let mut limited = 0;
    for i in 0..60 {
        // The client writes any left-most entry it likes; the proxy (here
        // the test, from 127.0.0.1) appends the address it saw.
        let forged = format!("10.{}.{}.1, 203.0.113.7", i / 200, i % 200);
        let response = login(forged).await.expect("a login answer");
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
        }
    }
    assert_eq!(limited, 50, "every login past the burst of 10 is refused");
    // Another client behind the same proxy has its own allowance.
    let other = login("198.51.100.2".to_owned())
        .await
        .expect("a login answer");
    assert_eq!(other.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn trusting_forwarded_for_needs_the_proxies_named() {
    let error = build_error(&[("SOUK__RATE_LIMIT__TRUST_FORWARDED_FOR", "true")]).await;
    assert!(error.contains("rate_limit.trusted_proxies"), "{error}");
}
