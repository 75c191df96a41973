//! The mail outbox under kill -9: an order's letter, stored with the order
//! while the mail server is down, is sent after the node is killed and
//! restarted (once the server is up), and only once however often the node
//! starts again.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use souk_mail::testing::Aiosmtpd;

use super::{PASSWORD, call, login, souk_process};

/// A demo node mailing through SMTP on `port`, retrying every second.
async fn start(dir: &std::path::Path, port: u16) -> (tokio::process::Child, String) {
    let mut command = souk_process::serve(dir, true);
    command
        .env("SOUK__RATE_LIMIT__ENABLED", "false")
        // The order's letter alone.
        .env("SOUK__AUTH__VERIFY_EMAIL", "false")
        .env("SOUK__MAIL__TRANSPORT", "smtp")
        .env("SOUK__MAIL__SMTP__HOST", "127.0.0.1")
        .env("SOUK__MAIL__SMTP__PORT", port.to_string())
        .env("SOUK__MAIL__SMTP__TLS", "none")
        .env("SOUK__MAIL__FIRST_RETRY_SECS", "1")
        .env("SOUK__MAIL__MAX_RETRY_SECS", "1")
        .env("SOUK__MAIL__MAX_ATTEMPTS", "50");
    souk_process::start(command).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_stored_before_kill_9_is_sent_once_after_restart() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let port = souk_testkit::free_port().expect("a free port");
    let client = reqwest::Client::new();
    let (mut node, base) = start(dir.path(), port).await;

    // A shopper checks out while no mail server listens on `port`.
    let body =
        json!({ "email": "mail-crash@example.com", "password": PASSWORD, "display_name": "Grace" });
    let url = format!("{base}/api/v1/auth/register");
    let (status, _) = call(&client, reqwest::Method::POST, url, None, Some(body))
        .await
        .expect("the register request is sent");
    assert_eq!(status, StatusCode::CREATED);
    let token = login(&client, &base, "mail-crash@example.com", PASSWORD).await;
    let url = format!("{base}/api/v1/products?limit=1&in_stock=true");
    let (_, products) = call(&client, reqwest::Method::GET, url, None, None)
        .await
        .expect("the products request is sent");
    let product = products["items"][0]["id"].as_str().expect("a demo product");
    let add = json!({ "product_id": product, "quantity": 1 });
    let url = format!("{base}/api/v1/cart/items");
    call(&client, reqwest::Method::POST, url, Some(&token), Some(add))
        .await
        .expect("the cart request is sent");
    let placed = client
        .post(format!("{base}/api/v1/checkout"))
        .bearer_auth(&token)
        .header("idempotency-key", "mail-crash")
        .json(&json!({ "shipping_address": { "name": "G", "line1": "1 St", "city": "X", "postal_code": "1", "country": "GB" } }))
        .send()
        .await
        .expect("the checkout request is sent");
    assert_eq!(placed.status(), StatusCode::CREATED);
    // Let a try or two fail against the closed port, then kill -9.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    node.kill().await.expect("souk is killed");

    let Some(server) = Aiosmtpd::start_on(port).await else {
        return;
    };
    let (node, _) = start(dir.path(), port).await;
    let received = server.wait_for(1).await;
    assert!(
        received[0].contains("mail-crash@example.com"),
        "{}",
        received[0]
    );
    assert!(received[0].contains("is placed"), "{}", received[0]);
    drop(node);
    // Started again, the node sends nothing more.
    let (node, _) = start(dir.path(), port).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(server.messages().len(), 1, "the letter arrived once");
    drop(node);
}
