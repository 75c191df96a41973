//! Carts, orders and the checkout dispatcher in a cluster: each runs on one
//! node by lease and answers through either. A shopper fills a cart through
//! one node and checks out through the other; the order is read and paid
//! through either; every checkout goes through the one dispatcher; and when
//! a node stops, the other takes its carts, orders and the dispatcher, and
//! an order it held is paid there.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{NAMES, available_becomes, node, owned_by, placed_when, services, settled};
use crate::helpers::{Session, TestApp, json};

/// The node holding `kind/index`.
fn holder<'a>(owners: &'a BTreeMap<String, String>, kind: &str, id: &str, count: u128) -> &'a str {
    let index = uuid::Uuid::parse_str(id).expect("a uuid").as_u128() % count;
    &owners[&format!("{kind}/{index}")]
}

async fn cart_items(node: &TestApp, user: &Session) -> Value {
    let cart = node.get("/api/v1/cart", Some(&user.token)).await;
    assert_eq!(cart.status(), StatusCode::OK);
    json(cart).await["items"].clone()
}

/// Two nodes over a shared store and Redis, settled, with a kettle of 100
/// units listed on both; the services live as long as this.
struct TwoNodes {
    _services: (
        souk_store_postgres::testing::TestDatabase,
        souk_cluster::testing::TestRedis,
    ),
    a: TestApp,
    b: TestApp,
    owners: BTreeMap<String, String>,
    product: String,
}

/// [`TwoNodes`], or `None` (after `skipped: …`) without the services.
async fn two_nodes() -> Option<TwoNodes> {
    let (database, redis) = services().await?;
    let a = node(&database, &redis, "node-a", true).await;
    let b = node(&database, &redis, "node-b", false).await;
    let admin = a.admin().await;
    let owners = settled(&a, &admin.token).await;
    let (_, product) = a.shop("seller@example.com", 100).await;
    available_becomes(&b, &product, 100).await;
    Some(TwoNodes {
        _services: (database, redis),
        a,
        b,
        owners,
        product,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carts_orders_and_checkout_answer_on_either_node() {
    let Some(TwoNodes {
        _services,
        a,
        b,
        owners,
        product,
    }) = two_nodes().await
    else {
        return;
    };
    let admin = a.admin().await;
    for kind in ["carts/", "orders/"] {
        let on = |n: &str| {
            owners
                .iter()
                .filter(|(name, owner)| name.starts_with(kind) && *owner == n)
                .count()
        };
        assert!(on("node-a") > 0 && on("node-b") > 0, "{kind}: {owners:?}");
    }

    // Shoppers until carts and orders have been on both nodes.
    let (mut cart_nodes, mut order_nodes) = (BTreeSet::new(), BTreeSet::new());
    let mut unpaid: Vec<(Session, String)> = Vec::new();
    let mut orders = 0;
    for i in 0..40 {
        if cart_nodes.len() == 2 && order_nodes.len() == 2 && i >= 4 {
            break;
        }
        let buyer = a
            .register(&format!("buyer{i}@example.com"), "customer")
            .await;
        cart_nodes.insert(holder(&owners, "carts", &buyer.id, 32).to_owned());
        // A cart filled through one node is the same cart on the other.
        let added = a
            .post(
                "/api/v1/cart/items",
                Some(&buyer.token),
                json!({ "product_id": product, "quantity": 1 }),
            )
            .await;
        assert_eq!(added.status(), StatusCode::OK);
        let added = b
            .post(
                "/api/v1/cart/items",
                Some(&buyer.token),
                json!({ "product_id": product, "quantity": 1 }),
            )
            .await;
        assert_eq!(added.status(), StatusCode::OK);
        assert_eq!(cart_items(&a, &buyer).await[0]["quantity"], 2);

        // Checked out through node-b, read through node-a.
        let placed = b.checkout(&buyer).await;
        assert_eq!(placed.status(), StatusCode::CREATED);
        let order = json(placed).await;
        let id = order["id"].as_str().expect("an order id").to_owned();
        orders += 1;
        order_nodes.insert(holder(&owners, "orders", &id, 32).to_owned());
        let path = format!("/api/v1/orders/{id}");
        let seen = json(a.get(&path, Some(&buyer.token)).await).await;
        assert_eq!(seen["status"], "pending_payment", "{seen}");
        for node in [&a, &b] {
            assert_eq!(cart_items(node, &buyer).await, json!([]), "cart cleared");
        }
        let admins = b.get(&path, Some(&admin.token)).await;
        assert_eq!(admins.status(), StatusCode::OK, "admins see every order");

        if i % 2 == 0 {
            // Paid through node-a, seen paid through node-b.
            let pay = format!("{path}/pay");
            let paid = a
                .post(
                    &pay,
                    Some(&buyer.token),
                    json!({ "card_token": "tok_visa" }),
                )
                .await;
            assert_eq!(paid.status(), StatusCode::OK);
            let seen = json(b.get(&path, Some(&buyer.token)).await).await;
            assert_eq!(seen["status"], "paid");
        } else {
            unpaid.push((buyer, id));
        }
    }
    assert_eq!(cart_nodes.len(), 2, "carts were on one node only");
    assert_eq!(order_nodes.len(), 2, "orders were on one node only");

    // Each unit bought is counted once, whichever nodes took part.
    available_becomes(&a, &product, 100 - 2 * orders).await;

    // node-b stops cleanly: node-a takes its carts, orders and the
    // dispatcher, and the orders it held are paid through node-a.
    b.stop().await;
    placed_when(&a, &admin.token, |o| owned_by(o, "node-a") == NAMES).await;
    for (buyer, id) in &unpaid {
        let pay = format!("/api/v1/orders/{id}/pay");
        let paid = a
            .post(
                &pay,
                Some(&buyer.token),
                json!({ "card_token": "tok_visa" }),
            )
            .await;
        assert_eq!(paid.status(), StatusCode::OK, "{}", json(paid).await);
        let again = a.checkout(buyer).await;
        assert_eq!(
            again.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "the cart is empty"
        );
    }
    a.stop().await;
}

/// A shopper who adds to the cart right after a checkout keeps what they
/// added, when their cart lives on another node than the dispatcher: the
/// checkout tells the cart it was ordered before it answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_is_added_after_a_checkout_stays_in_the_cart() {
    let Some(TwoNodes {
        _services,
        a,
        b,
        owners,
        product,
    }) = two_nodes().await
    else {
        return;
    };
    let dispatcher = owners["checkout/0"].clone();
    let mut buyer = None;
    for i in 0..40 {
        let candidate = a
            .register(&format!("quick{i}@example.com"), "customer")
            .await;
        if holder(&owners, "carts", &candidate.id, 32) != dispatcher {
            buyer = Some(candidate);
            break;
        }
    }
    let buyer = buyer.expect("a buyer whose cart is away from the dispatcher");
    let add = json!({ "product_id": product, "quantity": 1 });
    let added = a
        .post("/api/v1/cart/items", Some(&buyer.token), add.clone())
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    for round in 0..15 {
        let node = if round % 2 == 0 { &a } else { &b };
        let placed = node.checkout(&buyer).await;
        assert_eq!(placed.status(), StatusCode::CREATED, "round {round}");
        let added = node
            .post("/api/v1/cart/items", Some(&buyer.token), add.clone())
            .await;
        assert_eq!(added.status(), StatusCode::OK);
        let items = cart_items(node, &buyer).await;
        assert_eq!(
            items[0]["quantity"], 1,
            "round {round}: the new line was lost: {items}"
        );
    }
    b.stop().await;
    a.stop().await;
}
