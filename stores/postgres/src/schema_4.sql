-- souk's PostgreSQL schema, version 4: users' kept notifications
-- (souk_actors::store::NotificationStore), their inbox. One row per
-- notification, its document beside the columns the inbox queries by.
-- Times are unix nanoseconds, as in version 1.

-- A user's notifications are one range of the primary key; ids are
-- UUIDv7, so ordering by id is ordering by creation, which is how they are
-- listed (newest first). `unread` mirrors the document's `read_at` being
-- null: `notifications_unread` holds exactly the rows an unread count or
-- a "mark all read" visits, and `notifications_made` is what a purge
-- reads.
CREATE TABLE notifications (
    user_id    uuid NOT NULL,
    id         uuid NOT NULL,
    created_ns bigint NOT NULL,
    unread     boolean NOT NULL,
    doc        jsonb NOT NULL,
    PRIMARY KEY (user_id, id)
);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE unread;
CREATE INDEX notifications_made ON notifications (created_ns);
