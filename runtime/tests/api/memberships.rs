//! Memberships with the sandbox: bought with a card, in force until the
//! period ends (renewed then unless cancelled), and what puts a shopper's
//! checkouts in the priority lane.

use reqwest::StatusCode;
use serde_json::json;
use souk_models::Email;
use souk_runtime::store::NodeStore;
use time::{Duration, OffsetDateTime};

use crate::helpers::{
    PASSWORD, Session, TestApp, assert_problem, json, session, spawn_with, test_config,
};

/// Checks out a kettle; the lane the checkout waits in (the answer is a
/// ticket: these apps answer before processing).
async fn lane_of_checkout(app: &TestApp, shopper: &Session, product: &str) -> String {
    let queued = app.try_place_order(shopper, product, 1).await;
    assert_eq!(queued.status(), StatusCode::ACCEPTED);
    json(queued).await["lane"]
        .as_str()
        .expect("a lane")
        .to_owned()
}

/// Answer every checkout with its ticket at once, to show its lane.
const TICKETS: (&str, &str) = ("SOUK__CHECKOUT__WAIT_MS", "0");

/// Moves the stored membership of `email`'s account `by` into the past, as
/// if that much time had gone by (the app is stopped meanwhile).
async fn age(app: TestApp, email: &str, by: Duration) -> TestApp {
    let dir = app.stop().await;
    let config = test_config(dir.path(), &[]);
    let store = NodeStore::open(&config).await.expect("the store opens");
    let ports = store.ports();
    let email = Email::parse(email).expect("an email");
    let mut user = ports
        .find_user_by_email(&email)
        .await
        .expect("read")
        .expect("the user exists");
    let membership = user.membership.as_mut().expect("a membership");
    membership.current_period_end -= by;
    membership.started_at -= by;
    ports.update_user(&user).await.expect("written");
    drop(ports);
    drop(store);
    spawn_with(&[TICKETS], Some(dir)).await
}

#[tokio::test]
async fn a_bought_membership_puts_checkouts_in_the_priority_lane_until_it_ends() {
    let app = spawn_with(&[TICKETS], None).await;
    let (_, product) = app.shop("seller@example.com", 10).await;
    let shopper = app.register("shopper@example.com", "customer").await;
    assert_eq!(
        app.membership(&shopper).await,
        json!({ "tier": "standard", "membership": null })
    );

    let declined = app.buy_membership(&shopper, "tok_chargeDeclined").await;
    assert_problem(declined, StatusCode::PAYMENT_REQUIRED, "payment_declined").await;
    let bogus = app.buy_membership(&shopper, "tok_bogus").await;
    assert_problem(
        bogus,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_card_token",
    )
    .await;
    let bought = app.buy_membership(&shopper, "tok_visa").await;
    assert_eq!(bought.status(), StatusCode::CREATED);
    let bought = json(bought).await;
    assert_eq!(bought["tier"], "plus");
    assert_eq!(bought["membership"]["status"], "active");
    let twice = app.buy_membership(&shopper, "tok_visa").await;
    assert_problem(twice, StatusCode::CONFLICT, "membership_exists").await;

    assert_eq!(lane_of_checkout(&app, &shopper, &product).await, "priority");

    // A period later it has renewed (the sandbox's card always pays).
    let app = age(app, "shopper@example.com", Duration::days(31)).await;
    let shopper = session(json(app.login("shopper@example.com", PASSWORD).await).await);
    let renewed = app.membership(&shopper).await;
    assert_eq!(renewed["tier"], "plus");
    let end: OffsetDateTime = renewed["membership"]["current_period_end"]
        .as_str()
        .and_then(|s| OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok())
        .expect("a period end");
    assert!(end > OffsetDateTime::now_utc(), "a new period");

    // Cancelled, it holds to the period's end and then ends.
    let path = "/api/v1/memberships/me/cancel";
    for _ in 0..2 {
        let cancelled = json(app.post(path, Some(&shopper.token), json!({})).await).await;
        assert_eq!(cancelled["membership"]["cancel_at_period_end"], true);
        assert_eq!(cancelled["tier"], "plus", "until the period ends");
    }
    let app = age(app, "shopper@example.com", Duration::days(31)).await;
    let shopper = session(json(app.login("shopper@example.com", PASSWORD).await).await);
    let ended = app.membership(&shopper).await;
    assert_eq!(ended["tier"], "standard");
    assert_eq!(ended["membership"]["status"], "ended");
    assert_eq!(lane_of_checkout(&app, &shopper, &product).await, "standard");
    let gone = app.post(path, Some(&shopper.token), json!({})).await;
    assert_problem(gone, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(
        app.buy_membership(&shopper, "tok_visa").await.status(),
        StatusCode::CREATED,
        "buyable again"
    );
}
