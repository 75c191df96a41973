//! Mail a shopper notices: a new account's verification letter and then
//! the order's letters arrive over SMTP, one per step and in order; the
//! demo writes them as `.eml` files; undeliverable mail shows in the admin
//! outbox, and an admin can send it again.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use souk_mail::testing::Aiosmtpd;

use crate::helpers::letters::{decoded, subject, token_in};
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

/// The admin outbox page for `query` (e.g. `?state=failed`).
async fn outbox(app: &TestApp, query: &str) -> Value {
    let admin = app.admin().await;
    let path = format!("/api/v1/admin/outbox{query}");
    let response = app.get(&path, Some(&admin.token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await
}

/// The letters `server` received for `to`, decoded, oldest first.
async fn letters_for(server: &Aiosmtpd, to: &str, count: usize) -> Vec<String> {
    let to = format!("<{to}>");
    for _ in 0..300 {
        let mine: Vec<String> = server
            .messages()
            .iter()
            .map(|m| decoded(m))
            .filter(|m| m.contains(&to))
            .collect();
        if mine.len() >= count {
            return mine;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {count} letters for {to}");
}

/// A shopper registers, gets the verification letter, verifies, checks
/// out, and gets each order letter once, in order.
#[tokio::test]
async fn a_new_shopper_verifies_then_gets_each_order_letter_in_order() {
    let Some(server) = Aiosmtpd::start().await else {
        return;
    };
    let mut settings = smtp_settings(server.port());
    settings.push(("SOUK__AUTH__UNVERIFIED_CHECKOUT", "false".into()));
    let app = spawn_mailing(&settings).await;
    let (seller, product) = app.shop("mailer@example.com", 10).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    let refused = app.try_place_order(&buyer, &product, 2).await;
    assert_problem(refused, StatusCode::FORBIDDEN, "email_unverified").await;

    let welcome = letters_for(&server, "buyer@example.com", 1).await;
    assert!(
        subject(&welcome[0]).contains("confirm your email"),
        "{}",
        welcome[0]
    );
    let token = token_in(&welcome[0]);
    let verified = app
        .post("/api/v1/auth/email/verify", None, json!({ "token": token }))
        .await;
    assert_eq!(verified.status(), StatusCode::OK);
    let order = json(app.checkout(&buyer).await).await;
    let id = order["id"].as_str().expect("an order id");
    let pay = json!({ "card_token": "tok_visa" });
    app.order_action(&buyer, id, "pay", pay).await;
    app.ship_and_deliver(&seller, id).await;

    let received = letters_for(&server, "buyer@example.com", 5).await;
    let subjects: Vec<&str> = received.iter().map(|m| subject(m)).collect();
    let reference = id[..8].to_uppercase();
    assert_eq!(
        subjects[1..],
        [
            format!("Your order {reference} is placed"),
            format!("Payment received for order {reference}"),
            format!("Order {reference} is on its way"),
            format!("Order {reference} was delivered"),
        ]
    );
    for message in &received {
        assert!(message.contains("Test Bazaar"), "{message}");
    }
    assert!(
        received[3].contains("JD1"),
        "the tracking number: {}",
        received[3]
    );
    let ids: std::collections::HashSet<&str> = received
        .iter()
        .filter_map(|m| m.lines().find(|l| l.starts_with("Message-ID: ")))
        .collect();
    assert_eq!(ids.len(), 5, "one Message-ID per letter");

    let sent = outbox(&app, "?state=sent").await;
    let order_letters = sent["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["order_id"] == id)
        .count();
    assert_eq!(order_letters, 4);
    // The expiry warning waits for its time (and is dropped then: the order is paid).
    let pending = outbox(&app, "?state=pending").await;
    assert_eq!(pending["items"][0]["about"], "expiry_warning");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let again = letters_for(&server, "buyer@example.com", 5).await;
    assert_eq!(again.len(), 5, "nothing is sent twice");
}

#[tokio::test]
async fn the_demo_writes_mail_as_eml_files() {
    let app = spawn_app().await;
    let (_, product) = app.shop("files@example.com", 5).await;
    let buyer = app.register("reader@example.com", "customer").await;
    app.place_order(&buyer, &product, 1).await;
    let letter = app.letter("reader@example.com", "is placed").await;
    assert!(letter.contains("Content-Type: text/html"), "{letter}");
    let letters = app.letters_to("reader@example.com");
    assert_eq!(letters.len(), 2, "the welcome letter and the order's");
    // The seller's stock fell from 5 under the threshold (5): they hear of it.
    let alert = app.letter("files@example.com", "Low stock").await;
    assert!(subject(&alert).contains("Kettle (4 left)"), "{alert}");
}

#[tokio::test]
async fn undeliverable_mail_shows_as_failed_and_can_be_sent_again() {
    let port = souk_testkit::free_port().expect("a free port");
    let mut settings = smtp_settings(port);
    settings.push(("SOUK__MAIL__MAX_ATTEMPTS", "2".into()));
    // The order's letter alone.
    settings.push(("SOUK__AUTH__VERIFY_EMAIL", "false".into()));
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
    // (The metrics are the test process's: other tests' mail counts too.)
    let metrics = app.metrics_text().await;
    let exhausted = metrics
        .lines()
        .find_map(|l| l.strip_prefix("souk_mail_failed_total{reason=\"exhausted\"} "))
        .and_then(|v| v.parse::<f64>().ok());
    assert!(
        exhausted >= Some(1.0),
        "the failure is counted: {exhausted:?}"
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
