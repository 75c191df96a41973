-- souk's PostgreSQL schema, version 2: the mail outbox
-- (souk_actors::store::OutboxStore). One row per message, its document
-- beside the columns the mail worker queries by. Times are unix
-- nanoseconds, as in version 1.

-- `due_ns` is the message's `due_at` while it is open (pending or
-- sending) and NULL once it is finished (sent, failed or dropped), so the
-- partial index `outbox_due` holds exactly the messages a worker may take
-- and `outbox_finished` those a purge may delete. Ids are UUIDv7: ordering
-- by id is ordering by creation, which is how messages are listed.
CREATE TABLE outbox (
    id         uuid PRIMARY KEY,
    due_ns     bigint,
    created_ns bigint NOT NULL,
    doc        jsonb NOT NULL
);
CREATE INDEX outbox_due ON outbox (due_ns, id) WHERE due_ns IS NOT NULL;
CREATE INDEX outbox_finished ON outbox (created_ns) WHERE due_ns IS NULL;
