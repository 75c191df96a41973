//! Nodes on PostgreSQL: an unreachable database stops start-up naming
//! `store.url`; `souk store copy` moves a marketplace from the embedded store
//! to a fresh database, a node on that database serves it as before, an
//! interrupted copy resumes, and a destination holding another copy is
//! refused.

use souk_runtime::store_copy::copy;
use souk_store_postgres::testing::TestDatabase;

use crate::helpers::{build_error, spawn_with, test_config};
use crate::store_move::moves_and_is_served_from;

#[tokio::test]
async fn an_unreachable_database_stops_start_up_naming_the_key() {
    // Nothing listens on port 9 of loopback (discard), so the connection is refused.
    let err = build_error(&[("SOUK__STORE__URL", "postgres://souk@127.0.0.1:9/shop")]).await;
    assert!(err.contains("store.url"), "{err}");
    assert!(err.contains("127.0.0.1:9"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_marketplace_moves_to_postgres_and_is_served_from_there() {
    let Some(database) = TestDatabase::create().await else {
        return;
    };
    moves_and_is_served_from(database.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_copy_resumes_where_it_stopped() {
    let Some(database) = TestDatabase::create().await else {
        return;
    };
    let app = spawn_with(&[], None).await;
    let (_, product) = app.shop("seller@example.com", 50).await;
    for i in 0..6 {
        let buyer = app
            .register(&format!("buyer{i}@example.com"), "customer")
            .await;
        app.place_order(&buyer, &product, 1).await;
    }
    let source = app.stop().await;
    let config = test_config(source.path(), &[]);
    let from = format!("embedded:{}", source.path().display());
    copy(&config, &from, database.url(), 2)
        .await
        .expect("the first copy succeeds");

    // As if the copy had stopped after the first two orders: the rest of the
    // orders and every later kind are not there yet, and the progress record
    // points after the second order.
    let orders = database
        .query_strings("SELECT id::text FROM orders ORDER BY id")
        .await;
    assert_eq!(orders.len(), 6);
    let second = orders[1].replace('-', "");
    database
        .execute(&format!(
            "DELETE FROM order_entries WHERE order_id > '{0}'; \
             DELETE FROM seller_orders WHERE order_id > '{0}'; \
             DELETE FROM orders WHERE id > '{0}'; \
             DELETE FROM tickets; DELETE FROM product_vectors; \
             UPDATE meta SET value = '{{\"source\": \"{1}\", \"at\": [\"orders\", \"{2}\"]}}' \
             WHERE key = 'copy.progress'",
            orders[1],
            from_label(&from),
            second
        ))
        .await;
    copy(&config, &from, database.url(), 2)
        .await
        .expect("the resumed copy succeeds and verifies");
    let after = database
        .query_strings("SELECT id::text FROM orders ORDER BY id")
        .await;
    assert_eq!(after, orders);
}

/// The label a copy records for an embedded source.
fn from_label(from: &str) -> String {
    souk_runtime::store::Location::parse(from)
        .expect("a location")
        .label()
}
