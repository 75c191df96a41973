//! souk's ScyllaDB schema, by version. Every table is read by its partition
//! key (no `ALLOW FILTERING`, no secondary indexes); what the ports list by
//! owner or time is kept in [`crate::series`]: rows bucketed by the hour so
//! no partition grows without bound. Records are JSON documents (`text`), in
//! the serde form the other stores write. Ids that must page in order are
//! `blob` clustering keys (16 bytes, compared byte by byte, as the other
//! stores order ids).

/// Version 1: every table souk needs.
pub const V1: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text)",
    // Accounts; `users_by_email` holds each email's owner, claimed with a
    // lightweight transaction so one email has one account across nodes.
    "CREATE TABLE IF NOT EXISTS users (id uuid PRIMARY KEY, email text, role text, doc text)",
    "CREATE TABLE IF NOT EXISTS users_by_email (email text PRIMARY KEY, id uuid)",
    // A user's addresses in one partition; `n` counts them and is what a
    // conditional batch checks, so the per-user bound holds under races.
    "CREATE TABLE IF NOT EXISTS addresses (user_id uuid, id blob, doc text, n int STATIC, \
     PRIMARY KEY (user_id, id))",
    "CREATE TABLE IF NOT EXISTS refresh_tokens (hash text PRIMARY KEY, user_id uuid, \
     family uuid, expires_ns bigint, used boolean)",
    "CREATE TABLE IF NOT EXISTS revoked_families (family uuid PRIMARY KEY, revoked_s bigint)",
    // Categories are few: one partition, in slug order.
    "CREATE TABLE IF NOT EXISTS categories (scope text, slug text, doc text, \
     PRIMARY KEY (scope, slug))",
    "CREATE TABLE IF NOT EXISTS products (id uuid PRIMARY KEY, doc text)",
    "CREATE TABLE IF NOT EXISTS stock (product_id uuid PRIMARY KEY, on_hand bigint, \
     reserved bigint, sold bigint)",
    // Holds and sales by order; holds carry a TTL well past their deadline.
    "CREATE TABLE IF NOT EXISTS holds (order_id uuid, product_id blob, quantity bigint, \
     expires_ns bigint, PRIMARY KEY (order_id, product_id))",
    "CREATE TABLE IF NOT EXISTS sales (order_id uuid, product_id blob, quantity bigint, \
     PRIMARY KEY (order_id, product_id))",
    "CREATE TABLE IF NOT EXISTS carts (user_id uuid PRIMARY KEY, doc text)",
    // An order is one partition: its header (static) and its timeline
    // entries by `seq`, so placing it and appending to it are conditional
    // writes on one partition.
    "CREATE TABLE IF NOT EXISTS orders (id uuid, seq bigint, header text STATIC, entry text, \
     PRIMARY KEY (id, seq))",
    "CREATE TABLE IF NOT EXISTS tickets (id uuid PRIMARY KEY, doc text)",
    "CREATE TABLE IF NOT EXISTS tickets_by_key (user_id uuid, idempotency_key text, id uuid, \
     PRIMARY KEY ((user_id, idempotency_key)))",
    // The lanes that have ever queued a ticket.
    "CREATE TABLE IF NOT EXISTS lanes (scope text, lane text, PRIMARY KEY (scope, lane))",
    // Time-bucketed indexes (see series.rs). Every read through them is
    // checked against the record, so a deleted index row that comes back
    // is harmless, and tombstones may be purged after three hours.
    "CREATE TABLE IF NOT EXISTS series (name text, bucket bigint, id blob, at bigint, \
     PRIMARY KEY ((name, bucket), id)) WITH gc_grace_seconds = 10800",
    "CREATE TABLE IF NOT EXISTS series_buckets (name text, bucket bigint, \
     PRIMARY KEY (name, bucket))",
    "CREATE TABLE IF NOT EXISTS product_vectors (product_id uuid PRIMARY KEY, \
     content_hash blob, vector blob)",
    // owner → the epoch of its latest fenced write; changed only by
    // lightweight transactions.
    "CREATE TABLE IF NOT EXISTS fences (owner text PRIMARY KEY, epoch bigint)",
];

/// Version 2: the mail outbox.
pub const V2: &[&str] = &[
    // Each message by id; `doc` is changed only by lightweight transactions
    // (`IF NOT EXISTS` to store it, `IF doc = ?` to move it on). It is
    // listed, and while open (pending or sending) found due, through
    // series (see outbox.rs).
    "CREATE TABLE IF NOT EXISTS outbox (id uuid PRIMARY KEY, doc text)",
];

/// Version 3: single-use account tokens (email verification, password
/// reset).
pub const V3: &[&str] = &[
    // Each token by the hash of its secret, written with a TTL past its
    // expiry and deleted by the lightweight transaction that takes it
    // (`IF purpose = ? AND expires_ns > ?`); listed by expiry in a series
    // for purges (see account_tokens.rs).
    "CREATE TABLE IF NOT EXISTS account_tokens (hash text PRIMARY KEY, user_id uuid, \
     purpose text, expires_ns bigint)",
];

/// Version 4: users' kept notifications (their inbox).
pub const V4: &[&str] = &[
    // A user's notifications in one partition, newest first; `read_ns` is
    // set when one is marked read (the document keeps `read_at` as it was
    // added). Listed by creation time in a series for purges (see
    // notifications.rs).
    "CREATE TABLE IF NOT EXISTS notifications (user_id uuid, id blob, doc text, read_ns bigint, \
     PRIMARY KEY (user_id, id)) WITH CLUSTERING ORDER BY (id DESC)",
    // The ids of a user's unread notifications, written and deleted in
    // the same logged batches as their rows: an unread count reads this
    // partition only, up to its cap, whatever the read ones number.
    "CREATE TABLE IF NOT EXISTS notifications_unread (user_id uuid, id blob, \
     PRIMARY KEY (user_id, id))",
];

/// Every version, oldest first: `MIGRATIONS[i]` brings a keyspace to
/// version `i + 1`. Append only: a released version never changes.
pub const MIGRATIONS: &[&[&str]] = &[V1, V2, V3, V4];

/// The table that records which versions a keyspace has.
pub const MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS souk_migrations \
     (scope text, version int, applied_ns bigint, PRIMARY KEY (scope, version))";

/// Creates the keyspace unless it exists (an existing one keeps its own
/// replication).
pub fn keyspace(name: &str, replication: &str) -> String {
    format!("CREATE KEYSPACE IF NOT EXISTS {name} WITH replication = {replication}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_created_once_and_keyed() {
        let mut names = Vec::new();
        for statement in MIGRATIONS.iter().copied().flatten() {
            assert!(statement.starts_with("CREATE TABLE IF NOT EXISTS "));
            assert!(statement.contains("PRIMARY KEY"), "{statement}");
            let name = statement["CREATE TABLE IF NOT EXISTS ".len()..]
                .split_whitespace()
                .next()
                .unwrap_or_default();
            assert!(crate::target::valid_name(name), "{name}");
            assert!(!names.contains(&name), "{name} twice");
            names.push(name);
        }
        assert_eq!(names.len(), 24);
        assert_eq!(names.last(), Some(&"notifications_unread"));
    }

    #[test]
    fn no_query_needs_filtering_or_secondary_indexes() {
        for statement in MIGRATIONS
            .iter()
            .copied()
            .flatten()
            .chain([&MIGRATIONS_TABLE])
        {
            let upper = statement.to_uppercase();
            assert!(!upper.contains("ALLOW FILTERING"), "{statement}");
            assert!(!upper.contains("CREATE INDEX"), "{statement}");
            assert!(!upper.contains("MATERIALIZED VIEW"), "{statement}");
        }
    }

    #[test]
    fn the_keyspace_statement_names_its_replication() {
        assert_eq!(
            keyspace(
                "shop",
                "{'class': 'SimpleStrategy', 'replication_factor': 3}"
            ),
            "CREATE KEYSPACE IF NOT EXISTS shop WITH replication = \
             {'class': 'SimpleStrategy', 'replication_factor': 3}"
        );
    }
}
