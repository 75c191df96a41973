//! The live WebSocket API: authentication at connect, subprotocols,
//! connection limits, and the request/reply protocol.

#![allow(clippy::expect_used)]

use reqwest::StatusCode;
use serde_json::json;
use souk_gateway::auth::jwt;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{Session, TestApp, assert_problem, spawn_app, spawn_with};
use crate::ws_client::{Client, connect, connect_query, open, request, url};

const SECRET: &str = "a-test-secret-that-is-long-enough-for-hs256";

fn expired_token(user: &Session) -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = jwt::Claims {
        sub: user.id.clone(),
        role: "customer".into(),
        iat: now - 7200,
        exp: now - 3600,
        iss: "souk".into(),
        fam: None,
    };
    jwt::sign(&claims, SECRET.as_bytes())
}

#[tokio::test]
async fn bad_missing_expired_or_disabled_credentials_close_with_4401_first() {
    let app = spawn_with(&[("SOUK__AUTH__JWT_SECRET", SECRET)], None).await;
    let unauthorized = |reason: &str| (4401, reason.to_owned());
    let mut header = connect(&app, "not-a-token").await;
    assert_eq!(header.closed().await, unauthorized("invalid_token"));
    let mut query = connect_query(&app, "not-a-token").await;
    assert_eq!(query.closed().await, unauthorized("invalid_token"));
    let mut none = open(request(&url(&app), &[])).await;
    assert_eq!(none.closed().await, unauthorized("missing_token"));

    let user = app.register("shopper@example.com", "customer").await;
    let expired = expired_token(&user);
    let mut header = connect(&app, &expired).await;
    assert_eq!(header.closed().await, unauthorized("token_expired"));
    let mut query = connect_query(&app, &expired).await;
    assert_eq!(query.closed().await, unauthorized("token_expired"));

    let admin = app.admin().await;
    let disabled = app
        .patch(
            &format!("/api/v1/admin/users/{}", user.id),
            Some(&admin.token),
            json!({ "disabled": true }),
        )
        .await;
    assert_eq!(disabled.status(), StatusCode::OK);
    let mut header = connect(&app, &user.token).await;
    assert_eq!(header.closed().await, unauthorized("account_disabled"));
}

#[tokio::test]
async fn souk_v1_is_selected_when_offered_else_the_bearer_protocol_is_echoed() {
    let app = spawn_app().await;
    let user = app.register("shopper@example.com", "customer").await;
    let bearer = format!("bearer.{}", user.token);
    let mut echoed = connect(&app, &user.token).await;
    assert_eq!(echoed.protocol.as_deref(), Some(bearer.as_str()));
    echoed.ping_pong().await;
    let mut named = open(request(&url(&app), &["souk.v1", &bearer])).await;
    assert_eq!(named.protocol.as_deref(), Some("souk.v1"));
    named.ping_pong().await;
    let mut query = connect_query(&app, &user.token).await;
    assert_eq!(query.protocol, None);
    query.ping_pong().await;
}

#[tokio::test]
async fn a_plain_get_is_a_problem() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/ws", None).await;
    assert_problem(response, StatusCode::BAD_REQUEST, "websocket_required").await;
}

/// Connects, or returns the close frame if refused.
async fn try_connect(app: &TestApp, token: &str) -> Result<Client, (u16, String)> {
    let mut client = connect(app, token).await;
    client.send(json!({ "type": "ping" })).await;
    let first = client.recv_or_close().await;
    match first {
        Ok(reply) => {
            assert_eq!(reply["type"], "pong");
            Ok(client)
        }
        Err(close) => Err(close),
    }
}

#[tokio::test]
async fn connections_over_the_limits_close_with_1013_and_slots_come_back() {
    let app = spawn_with(
        &[
            ("SOUK__WEBSOCKET__MAX_CONNECTIONS", "3"),
            ("SOUK__WEBSOCKET__MAX_CONNECTIONS_PER_USER", "2"),
        ],
        None,
    )
    .await;
    let ada = app.register("ada@example.com", "customer").await;
    let bob = app.register("bob@example.com", "customer").await;
    let too_many = (1013, "too many connections".to_owned());
    let mut first = try_connect(&app, &ada.token).await.expect("first");
    let _second = try_connect(&app, &ada.token).await.expect("second");
    assert_eq!(
        try_connect(&app, &ada.token).await.err(),
        Some(too_many.clone())
    );
    let _bobs = try_connect(&app, &bob.token).await.expect("another user");
    assert_eq!(
        try_connect(&app, &bob.token).await.err(),
        Some(too_many.clone()),
        "the node is full"
    );

    first.ws.close(None).await.expect("close");
    let mut again = None;
    for _ in 0..100 {
        match try_connect(&app, &ada.token).await {
            Ok(client) => {
                again = Some(client);
                break;
            }
            Err(close) => {
                assert_eq!(close, too_many);
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
    }
    assert!(again.is_some(), "a closed connection gives its slot back");
}

#[tokio::test]
async fn subscribe_unsubscribe_and_ping() {
    let app = spawn_app().await;
    let user = app.register("shopper@example.com", "customer").await;
    let mut ws = connect(&app, &user.token).await;
    ws.ping_pong().await;
    let subscribed = ws.subscribe("user:me").await;
    assert!(subscribed["seq"].is_u64(), "{subscribed}");
    ws.send(json!({ "type": "subscribe", "topic": "user:me" }))
        .await;
    let again = ws.expect_error("already_subscribed").await;
    assert_eq!(again["topic"], "user:me");
    for _ in 0..2 {
        ws.send(json!({ "type": "unsubscribe", "topic": "user:me" }))
            .await;
        let reply = ws.expect("unsubscribed").await;
        assert_eq!(reply["topic"], "user:me", "unsubscribing twice is fine");
    }
    ws.subscribe("user:me").await;
    ws.ping_pong().await;
}

#[tokio::test]
async fn bad_requests_get_errors_and_the_connection_stays_usable() {
    let app = spawn_app().await;
    let user = app.register("shopper@example.com", "customer").await;
    let mut ws = connect(&app, &user.token).await;
    ws.send_raw(Message::text("{not json")).await;
    ws.expect_error("malformed").await;
    ws.send(json!({ "topic": "user:me" })).await;
    ws.expect_error("malformed").await;
    ws.send(json!({ "type": "subscribe" })).await;
    ws.expect_error("malformed").await;
    ws.send(json!({ "type": "dance" })).await;
    ws.expect_error("unknown_type").await;
    for topic in [
        "weather:today".to_owned(),
        format!("user:{}", user.id),
        "order:nope".to_owned(),
        "admin".to_owned(),
    ] {
        ws.send(json!({ "type": "subscribe", "topic": topic }))
            .await;
        let error = ws.expect_error("bad_topic").await;
        assert_eq!(error["topic"], topic.as_str());
    }
    ws.send_raw(Message::binary(vec![1, 2, 3])).await;
    ws.expect_error("binary_not_supported").await;
    ws.ping_pong().await;
    ws.subscribe("user:me").await;
}

#[tokio::test]
async fn roles_decide_who_follows_the_seller_and_admin_feeds() {
    let app = spawn_app().await;
    let customer = app.register("shopper@example.com", "customer").await;
    let seller = app.register("seller@example.com", "seller").await;
    let admin = app.admin().await;
    let mut ws = connect(&app, &customer.token).await;
    for topic in ["seller:me", "admin:live"] {
        ws.send(json!({ "type": "subscribe", "topic": topic }))
            .await;
        ws.expect_error("forbidden").await;
    }
    ws.subscribe("user:me").await;
    let mut ws = connect(&app, &seller.token).await;
    ws.subscribe("seller:me").await;
    ws.send(json!({ "type": "subscribe", "topic": "admin:live" }))
        .await;
    ws.expect_error("forbidden").await;
    let mut ws = connect(&app, &admin.token).await;
    ws.subscribe("admin:live").await;
    ws.subscribe("seller:me").await;
}

#[tokio::test]
async fn subscriptions_per_connection_are_limited() {
    let app = spawn_with(&[("SOUK__WEBSOCKET__MAX_SUBSCRIPTIONS", "2")], None).await;
    let seller = app.register("seller@example.com", "seller").await;
    let mut ws = connect(&app, &seller.token).await;
    ws.subscribe("user:me").await;
    ws.subscribe("seller:me").await;
    let order = format!("order:{}", uuid::Uuid::now_v7());
    ws.send(json!({ "type": "subscribe", "topic": order }))
        .await;
    ws.expect_error("too_many_subscriptions").await;
    ws.send(json!({ "type": "unsubscribe", "topic": "user:me" }))
        .await;
    ws.expect("unsubscribed").await;
    ws.send(json!({ "type": "subscribe", "topic": order }))
        .await;
    ws.expect_error("forbidden").await;
}
