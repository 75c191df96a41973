//! Mail a shopper notices: the order's letters arrive over SMTP, one per
//! step and in order; the demo writes them as `.eml` files; undeliverable
//! mail shows in the admin outbox, and an admin can send it again.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use souk_mail::testing::Aiosmtpd;

use crate::helpers::{TestApp, assert_problem, json, spawn_app, spawn_with};

fn smtp_settings(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("SOUK__MAIL__TRANSPORT", "smtp".into()),
        ("SOUK__MAIL__SMTP__HOST", "127.0.0.1".into()),
        ("SOUK__MAIL__SMTP__PORT", port.to_string()),
        ("SOUK__MAIL__SMTP__TLS", "none".into()),
        ("SOUK__MAIL__FIRST_RETRY_SECS", "1".into()),
        ("SOUK__MAIL__MAX_RETRY_SECS", "1".into()),
        ("SOUK__MAIL__SITE_NAME", "Test Bazaar".into()),
    ]
}

async fn spawn_mailing(settings: &[(&'static str, String)]) -> TestApp {
    let overrides: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_with(&overrides, None).await
}

fn subject(message: &str) -> &str {
    message
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap_or_default()
}

/// The admin outbox page for `query` (e.g. `?state=failed`).
async fn outbox(app: &TestApp, query: &str) -> Value {
    let admin = app.admin().await;
    let path = format!("/api/v1/admin/outbox{query}");
    let response = app.get(&path, Some(&admin.token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await
}

#[tokio::test]
async fn each_order_step_mails_the_buyer_once_in_order() {
    let Some(server) = Aiosmtpd::start().await else {
        return;
    };
    let app = spawn_mailing(&smtp_settings(server.port())).await;
    let (seller, product) = app.shop("mailer@example.com", 10).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    let order = app.place_order(&buyer, &product, 2).await;
    let id = order["id"].as_str().expect("an order id");
    let pay = json!({ "card_token": "tok_visa" });
    app.order_action(&buyer, id, "pay", pay).await;
    app.ship_and_deliver(&seller, id).await;

    let received = server.wait_for(4).await;
    let subjects: Vec<&str> = received.iter().map(|m| subject(m)).collect();
    let reference = id[..8].to_uppercase();
    assert_eq!(
        subjects,
        vec![
            format!("Your order {reference} is placed"),
            format!("Payment received for order {reference}"),
            format!("Order {reference} is on its way"),
            format!("Order {reference} was delivered"),
        ]
    );
    for message in &received {
        assert!(message.contains("<buyer@example.com>"), "{message}");
        assert!(message.contains("Test Bazaar"), "{message}");
    }
    assert!(
        received[2].contains("JD1"),
        "the tracking number: {}",
        received[2]
    );
    let ids: std::collections::HashSet<&str> = received
        .iter()
        .filter_map(|m| m.lines().find(|l| l.starts_with("Message-ID: ")))
        .collect();
    assert_eq!(ids.len(), 4, "one Message-ID per letter");

    let sent = outbox(&app, "?state=sent").await;
    assert_eq!(sent["items"].as_array().map(Vec::len), Some(4));
    assert!(
        sent["items"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|m| m["order_id"] == id)
    );
    // The expiry warning waits for its time (and is dropped then: the order is paid).
    let pending = outbox(&app, "?state=pending").await;
    assert_eq!(pending["items"][0]["about"], "expiry_warning");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(server.messages().len(), 4, "nothing is sent twice");
}

#[tokio::test]
async fn the_demo_writes_mail_as_eml_files() {
    let app = spawn_app().await;
    let (_, product) = app.shop("files@example.com", 5).await;
    let buyer = app.register("reader@example.com", "customer").await;
    app.place_order(&buyer, &product, 1).await;
    let dir = app.dir.path().join("mail");
    for _ in 0..200 {
        let letters: Vec<String> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        if let Some(letter) = letters.first() {
            assert_eq!(letters.len(), 1);
            assert!(letter.contains("<reader@example.com>"), "{letter}");
            assert!(subject(letter).ends_with("is placed"), "{letter}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no .eml file under {}", dir.display());
}

#[tokio::test]
async fn undeliverable_mail_shows_as_failed_and_can_be_sent_again() {
    let port = souk_testkit::free_port().expect("a free port");
    let mut settings = smtp_settings(port);
    settings.push(("SOUK__MAIL__MAX_ATTEMPTS", "2".into()));
    let app = spawn_mailing(&settings).await;
    let (_, product) = app.shop("bounce@example.com", 5).await;
    let buyer = app.register("nomail@example.com", "customer").await;
    app.place_order(&buyer, &product, 1).await;

    let mut failed = Value::Null;
    for _ in 0..100 {
        failed = outbox(&app, "?state=failed").await;
        if failed["items"].as_array().is_some_and(|i| !i.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let letter = &failed["items"][0];
    assert_eq!(letter["about"], "order", "{failed}");
    assert_eq!(letter["attempts"], 2);
    assert!(letter["last_error"].as_str().is_some_and(|e| !e.is_empty()));
    let metrics = app.metrics_text().await;
    assert!(
        metrics.contains("souk_mail_failed_total{reason=\"exhausted\"} 1"),
        "the failure is counted"
    );

    // Shoppers may not look; bad input is refused.
    let response = app.get("/api/v1/admin/outbox", Some(&buyer.token)).await;
    assert_problem(response, StatusCode::FORBIDDEN, "forbidden_role").await;
    let admin = app.admin().await;
    let response = app
        .get("/api/v1/admin/outbox?cursor=bm9wZQ", Some(&admin.token))
        .await;
    assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    let response = app
        .get("/api/v1/admin/outbox?state=lost", Some(&admin.token))
        .await;
    assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;

    // With the server back, an admin sends it again: it arrives once.
    let Some(server) = Aiosmtpd::start_on(port).await else {
        return;
    };
    let id = letter["id"].as_str().expect("an id");
    let retry = format!("/api/v1/admin/outbox/{id}/retry");
    let response = app.post(&retry, Some(&admin.token), json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(response).await["state"], "pending");
    let received = server.wait_for(1).await;
    assert!(received[0].contains("<nomail@example.com>"));
    let response = app.post(&retry, Some(&admin.token), json!({})).await;
    assert_problem(response, StatusCode::CONFLICT, "not_failed").await;
    let ghost = format!("/api/v1/admin/outbox/{}/retry", uuid::Uuid::now_v7());
    let response = app.post(&ghost, Some(&admin.token), json!({})).await;
    assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
}
