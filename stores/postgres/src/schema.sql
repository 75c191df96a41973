-- souk's PostgreSQL schema, version 1. Records are kept as JSON documents
-- (the same serde form the embedded store writes); the columns beside them
-- are the keys and indexes the storage ports query by. Text keys compare
-- byte by byte (COLLATE "C"), as the embedded store orders them, so a copy
-- between the two pages through both in one order.

CREATE TABLE meta (
    key   text COLLATE "C" PRIMARY KEY,
    value text NOT NULL
);

-- Ids are UUIDv7, so ordering by id is ordering by creation time.
CREATE TABLE users (
    id    uuid PRIMARY KEY,
    email text NOT NULL UNIQUE,
    role  text NOT NULL,
    doc   jsonb NOT NULL
);

CREATE TABLE addresses (
    user_id uuid NOT NULL,
    id      uuid NOT NULL,
    doc     jsonb NOT NULL,
    PRIMARY KEY (user_id, id)
);

-- Times are unix nanoseconds (seconds for revocations), exactly as the
-- embedded store keeps them.
CREATE TABLE refresh_tokens (
    hash       text COLLATE "C" PRIMARY KEY,
    user_id    uuid NOT NULL,
    family     uuid NOT NULL,
    expires_ns bigint NOT NULL,
    used       boolean NOT NULL
);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_ns);

CREATE TABLE revoked_families (
    family    uuid PRIMARY KEY,
    revoked_s bigint NOT NULL
);

CREATE TABLE categories (
    slug text COLLATE "C" PRIMARY KEY,
    doc  jsonb NOT NULL
);

CREATE TABLE products (
    id        uuid PRIMARY KEY,
    seller_id uuid NOT NULL,
    doc       jsonb NOT NULL
);
CREATE INDEX products_by_seller ON products (seller_id, id);

-- on_hand counts every unit ever received: available + reserved + sold.
CREATE TABLE stock (
    product_id uuid PRIMARY KEY,
    on_hand    bigint NOT NULL,
    reserved   bigint NOT NULL,
    sold       bigint NOT NULL,
    CHECK (reserved >= 0 AND sold >= 0 AND on_hand >= reserved + sold)
);

CREATE TABLE holds (
    order_id   uuid NOT NULL,
    product_id uuid NOT NULL,
    doc        jsonb NOT NULL,
    PRIMARY KEY (order_id, product_id)
);

CREATE TABLE sales (
    order_id   uuid NOT NULL,
    product_id uuid NOT NULL,
    quantity   bigint NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, product_id)
);

CREATE TABLE carts (
    user_id uuid PRIMARY KEY,
    doc     jsonb NOT NULL
);

-- An order's header; its timeline is in order_entries. `unpaid_deadline_ns`
-- (unix nanoseconds) is set while the order awaits payment.
CREATE TABLE orders (
    id                 uuid PRIMARY KEY,
    buyer_id           uuid NOT NULL,
    unpaid_deadline_ns bigint,
    doc                jsonb NOT NULL
);
CREATE INDEX orders_by_buyer ON orders (buyer_id, id);
CREATE INDEX orders_unpaid ON orders (id) WHERE unpaid_deadline_ns IS NOT NULL;

CREATE TABLE order_entries (
    order_id uuid NOT NULL,
    seq      bigint NOT NULL,
    doc      jsonb NOT NULL,
    PRIMARY KEY (order_id, seq)
);

CREATE TABLE seller_orders (
    seller_id uuid NOT NULL,
    order_id  uuid NOT NULL,
    PRIMARY KEY (seller_id, order_id)
);

-- One ticket per (user, Idempotency-Key); `queued` while it waits in a lane.
CREATE TABLE tickets (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL,
    idempotency_key text NOT NULL,
    queued          boolean NOT NULL,
    doc             jsonb NOT NULL,
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX tickets_queued ON tickets (id) WHERE queued;

CREATE TABLE product_vectors (
    product_id   uuid PRIMARY KEY,
    content_hash bytea NOT NULL,
    vector       bytea NOT NULL
);

-- owner → the epoch of its latest fenced write (souk_actors::store::Fence).
CREATE TABLE fences (
    owner text COLLATE "C" PRIMARY KEY,
    epoch bigint NOT NULL
);
