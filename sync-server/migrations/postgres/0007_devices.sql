-- The province console (issue 13), PostgreSQL. Kept in step with ../sqlite/0007_devices.sql.
--
-- Every phone that has signed in, per user: when it was first seen, when it last pushed and
-- pulled, and what it reported of itself on its last sync (app version, changes still
-- waiting in its outbox, changes the server refused that it still keeps). Written by
-- sign-in, push and pull, one row per (user, device); read by the sync-health screen.
CREATE TABLE devices (
    user_id       BIGINT NOT NULL REFERENCES users(id),
    device_id     TEXT    NOT NULL,
    first_seen_at BIGINT NOT NULL,
    last_push_at  BIGINT,
    last_pull_at  BIGINT,
    app_version   TEXT,
    pending       BIGINT,
    refused       BIGINT,
    reported_at   BIGINT,
    PRIMARY KEY (user_id, device_id)
);
CREATE INDEX devices_last_seen ON devices (last_pull_at, last_push_at);
-- Phones that signed in before this migration: known from their tokens, not yet synced here.
INSERT INTO devices (user_id, device_id, first_seen_at)
    SELECT user_id, device_id, MIN(created_at) FROM tokens GROUP BY user_id, device_id;

-- A code handed out but not used can be revoked from the console.
ALTER TABLE enrollments ADD COLUMN revoked_at BIGINT;

-- Tokens of one device are revoked together (a lost phone).
CREATE INDEX tokens_device ON tokens (device_id, user_id);
