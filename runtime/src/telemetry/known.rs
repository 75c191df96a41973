//! Every metric souk exports, described once, with its counters created at
//! zero for each label value known in advance: a dashboard's `rate()` then
//! answers 0 rather than nothing before the first event. `docs/metrics.md`
//! is the reader's version of this list.

use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
use souk_models::OrderStatus;

/// Checkout outcomes (`souk_checkouts_total{outcome}`).
const CHECKOUT_OUTCOMES: &[&str] = &[
    "completed",
    "out_of_stock",
    "empty_cart",
    "product_unavailable",
    "unavailable",
    "lane_full",
];
const ACTOR_KINDS: &[&str] = &[
    "cart",
    "cart_host",
    "order",
    "inventory_shard",
    "checkout_lane",
];
const RATE_LIMITS: &[&str] = &["ip", "user", "auth"];
const WS_DROPS: &[&str] = &["unauthorized", "limit", "slow", "idle", "too_big"];
const TOPIC_KINDS: &[&str] = &["order", "checkout", "user", "seller", "admin"];
const CHAT_OUTCOMES: &[&str] = &["results", "no_match", "clarify", "cart"];
const RESERVATION_OUTCOMES: &[&str] = &["reserved", "out_of_stock", "error"];

/// Payment outcomes (`souk_payments_total{outcome}`).
const PAYMENT_OUTCOMES: &[&str] = &["succeeded", "declined", "pending"];
const RECONCILIATIONS: &[&str] = &["paid", "expired", "refunded"];

/// Describes the metrics and creates the counters. `lanes` are the checkout
/// lanes' names; `currency` the marketplace's; `provider` the payment
/// provider's name.
pub fn register(lanes: &[String], currency: &str, provider: &'static str) {
    http();
    commerce(lanes, currency);
    payments(provider);
    runtime();
    live();
    assistant();
    super::messages::register();
    describe_gauge!(
        "souk_build_info",
        "Always 1; the version label says which build runs."
    );
    metrics::gauge!("souk_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
}

fn zero(name: &'static str, label: &'static str, values: &[&str]) {
    for value in values {
        metrics::counter!(name, label => (*value).to_owned()).increment(0);
    }
}

fn http() {
    describe_counter!(
        "souk_http_requests_total",
        "HTTP requests answered, by method, route template and status."
    );
    describe_histogram!(
        "souk_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request, by method, route template and status."
    );
    describe_gauge!(
        "souk_http_requests_in_flight",
        "HTTP requests being handled now."
    );
    describe_counter!(
        "souk_rate_limited_total",
        "Requests refused with 429, by the limit that refused them (ip, user, auth)."
    );
    zero("souk_rate_limited_total", "limit", RATE_LIMITS);
    describe_counter!(
        "souk_rate_limit_evictions_total",
        "Clients a full rate-limit table forgot while they were still limited, by limit."
    );
    zero("souk_rate_limit_evictions_total", "limit", RATE_LIMITS);
    describe_gauge!(
        "souk_http_connections_open",
        "Open HTTP connections (upgraded WebSockets not included)."
    );
    describe_counter!(
        "souk_http_connections_closed_total",
        "Connections the node closed itself: header_timeout, request_timeout, idle or per_ip_cap."
    );
    zero(
        "souk_http_connections_closed_total",
        "reason",
        &["header_timeout", "request_timeout", "idle", "per_ip_cap"],
    );
}

fn commerce(lanes: &[String], currency: &str) {
    describe_counter!(
        "souk_checkouts_total",
        "Checkout tickets finished, by outcome and lane."
    );
    for lane in lanes {
        for outcome in CHECKOUT_OUTCOMES {
            metrics::counter!("souk_checkouts_total", "outcome" => *outcome, "lane" => lane.clone())
                .increment(0);
        }
    }
    describe_gauge!(
        "souk_checkout_lane_depth",
        "Tickets waiting in a checkout lane."
    );
    describe_histogram!(
        "souk_checkout_wait_seconds",
        Unit::Seconds,
        "Time a ticket waited in its lane before processing began."
    );
    describe_gauge!(
        "souk_checkouts_in_flight",
        "Checkouts being processed now (bounded by checkout.max_in_flight)."
    );
    metrics::gauge!("souk_checkouts_in_flight").increment(0.0);
    describe_counter!(
        "souk_order_transitions_total",
        "Orders entering a status (pending_payment, paid, shipped, ...)."
    );
    let statuses: Vec<&str> = OrderStatus::ALL.iter().map(|s| s.as_str()).collect();
    zero("souk_order_transitions_total", "to", &statuses);
    describe_counter!(
        "souk_order_expiry_retries_total",
        "Expiries of unpaid orders that failed (their stock could not be released then) and are tried again."
    );
    metrics::counter!("souk_order_expiry_retries_total").increment(0);
    describe_counter!(
        "souk_revenue_minor_total",
        "Paid order totals, in minor units of the currency (cents for USD)."
    );
    zero("souk_revenue_minor_total", "currency", &[currency]);
    describe_counter!("souk_units_sold_total", "Units on paid orders.");
    metrics::counter!("souk_units_sold_total").increment(0);
    describe_counter!(
        "souk_stock_outs_total",
        "Times a product's available stock reached zero."
    );
    metrics::counter!("souk_stock_outs_total").increment(0);
    describe_counter!(
        "souk_carts_started_total",
        "Carts that got their first line (from empty)."
    );
    metrics::counter!("souk_carts_started_total").increment(0);
    describe_gauge!(
        "souk_active_carts",
        "Carts with at least one line among the live cart actors (used within actors.idle_secs)."
    );
    metrics::gauge!("souk_active_carts").increment(0.0);
    describe_counter!(
        "souk_inventory_reservations_total",
        "Stock reservations asked of the inventory shards, by outcome."
    );
    zero(
        "souk_inventory_reservations_total",
        "outcome",
        RESERVATION_OUTCOMES,
    );
    describe_gauge!(
        "souk_inventory_holds",
        "Reservations and sales an inventory shard holds, by shard."
    );
    describe_counter!(
        "souk_inventory_expired_total",
        "Reservations released because their order was not paid in time."
    );
    metrics::counter!("souk_inventory_expired_total").increment(0);
}

fn payments(provider: &'static str) {
    describe_counter!(
        "souk_payments_total",
        "Payments confirmed on the server or told by the provider, by provider and outcome."
    );
    for outcome in PAYMENT_OUTCOMES {
        metrics::counter!("souk_payments_total", "provider" => provider, "outcome" => *outcome)
            .increment(0);
    }
    describe_counter!(
        "souk_payment_reconciliations_total",
        "Payment deadlines where the provider was asked before the order expired, by outcome."
    );
    for outcome in RECONCILIATIONS {
        metrics::counter!("souk_payment_reconciliations_total", "provider" => provider, "outcome" => *outcome)
            .increment(0);
    }
    describe_counter!(
        "souk_payment_webhooks_total",
        "Webhook deliveries from the payment provider, by event type and result."
    );
    describe_histogram!(
        "souk_payment_webhook_to_paid_seconds",
        Unit::Seconds,
        "From the provider's payment event to its order paid."
    );
    describe_counter!(
        "souk_refunds_total",
        "Refunds made through the payment provider: full (the order ends refunded) or part."
    );
    zero("souk_refunds_total", "kind", &["full", "part"]);
    describe_counter!(
        "souk_payment_mismatches_total",
        "Payments the provider reported that do not match their order (amount, or the order ended): not applied, flagged on the order."
    );
    metrics::counter!("souk_payment_mismatches_total").increment(0);
}

fn runtime() {
    describe_gauge!("souk_actors_alive", "Actors alive now, by kind.");
    describe_counter!(
        "souk_actor_activations_total",
        "Virtual actors activated (state loaded from the store), by kind."
    );
    describe_counter!(
        "souk_actor_passivations_total",
        "Virtual actors passivated after idling, by kind."
    );
    describe_counter!(
        "souk_actor_evictions_total",
        "Virtual actors passivated early because more than the cap were live, by kind."
    );
    describe_counter!(
        "souk_actor_restarts_total",
        "Actors restarted after a failure, by kind."
    );
    for counter in [
        "souk_actor_activations_total",
        "souk_actor_passivations_total",
        "souk_actor_evictions_total",
        "souk_actor_restarts_total",
    ] {
        zero(counter, "kind", ACTOR_KINDS);
    }
    describe_gauge!(
        "souk_actor_mailbox_depth",
        "Calls queued at or being handled by actors of a kind."
    );
    describe_histogram!(
        "souk_store_commit_seconds",
        Unit::Seconds,
        "Time of one group commit of the store, its journal sync included."
    );
    describe_counter!(
        "souk_store_written_bytes_total",
        Unit::Bytes,
        "Bytes of keys and values committed to the store (its journal writes these, then its tables)."
    );
    metrics::counter!("souk_store_written_bytes_total").increment(0);
    describe_counter!(
        "souk_store_commit_failures_total",
        "Group commits the store's engine refused (disk full, I/O error); their writes answered 503."
    );
    metrics::counter!("souk_store_commit_failures_total").increment(0);
    describe_gauge!(
        "souk_store_journal_bytes",
        Unit::Bytes,
        "Size of the store's journal on disk: what a restart after a crash replays."
    );
    metrics::gauge!("souk_store_journal_bytes").set(0.0);
    describe_gauge!(
        "souk_store_flushes_pending",
        "Memtables of the store waiting to be written out as tables."
    );
    metrics::gauge!("souk_store_flushes_pending").set(0.0);
    describe_gauge!(
        "souk_store_cache_bytes",
        Unit::Bytes,
        "Table blocks the store keeps in memory (its block cache, bounded by server.store_cache_mib)."
    );
    metrics::gauge!("souk_store_cache_bytes").set(0.0);
    describe_gauge!(
        "souk_store_memtable_bytes",
        Unit::Bytes,
        "Rows the store holds in memory (its memtables) until they are written out as tables."
    );
    metrics::gauge!("souk_store_memtable_bytes").set(0.0);
    describe_histogram!(
        "souk_store_commit_batch_size",
        Unit::Count,
        "Writes folded into one store commit."
    );
}

fn live() {
    describe_gauge!("souk_ws_connections", "Open WebSocket connections.");
    metrics::gauge!("souk_ws_connections").increment(0.0);
    describe_gauge!(
        "souk_ws_subscriptions",
        "WebSocket subscriptions, by topic kind."
    );
    describe_gauge!("souk_ws_topics", "Live topics with retained events.");
    describe_counter!(
        "souk_ws_events_sent_total",
        "Events sent to WebSocket clients, by topic kind."
    );
    zero("souk_ws_events_sent_total", "kind", TOPIC_KINDS);
    describe_counter!(
        "souk_ws_clients_dropped_total",
        "WebSocket connections closed by the server, by reason."
    );
    zero("souk_ws_clients_dropped_total", "reason", WS_DROPS);
    describe_histogram!(
        "souk_ws_fanout_seconds",
        Unit::Seconds,
        "Time from a change to its event being written to a subscriber's socket."
    );
}

fn assistant() {
    describe_histogram!(
        "souk_embedding_seconds",
        Unit::Seconds,
        "Time to embed a batch of products or one query."
    );
    describe_histogram!(
        "souk_search_seconds",
        Unit::Seconds,
        "Time to answer a search, a similar-products query or a chat turn."
    );
    describe_counter!(
        "souk_assistant_chats_total",
        "Assistant chat turns, by outcome."
    );
    zero("souk_assistant_chats_total", "outcome", CHAT_OUTCOMES);
    describe_counter!(
        "souk_embeddings_computed_total",
        "Product vectors computed (not read back from the store)."
    );
    metrics::counter!("souk_embeddings_computed_total").increment(0);
    describe_gauge!(
        "souk_vector_index_items",
        "Products in the assistant's vector index."
    );
}
