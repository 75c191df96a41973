-- souk's PostgreSQL schema, version 3: single-use account tokens
-- (souk_actors::store::AccountTokenStore), for proving an email address
-- and resetting a password. One row per token, keyed by the hex SHA-256
-- of its secret, its document beside the columns a take checks. Times are
-- unix nanoseconds, as in version 1.

-- A take deletes the row it checks (hash, purpose, expires_ns) in one
-- statement; `account_tokens_expiry` is what a purge reads.
CREATE TABLE account_tokens (
    hash       text COLLATE "C" PRIMARY KEY,
    user_id    uuid NOT NULL,
    purpose    text NOT NULL,
    expires_ns bigint NOT NULL,
    doc        jsonb NOT NULL
);
CREATE INDEX account_tokens_expiry ON account_tokens (expires_ns);
