-- sotay schema, SQLite. Kept in step with ../postgres/0001_initial.sql: the same tables,
-- columns and indexes; only types and identity columns differ.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT,
    role          TEXT    NOT NULL CHECK (role IN ('collector', 'supervisor', 'admin')),
    whole_province INTEGER NOT NULL DEFAULT 0,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

-- The communes a user works in; location codes always with the unit list they belong to.
CREATE TABLE user_communes (
    user_id   INTEGER NOT NULL REFERENCES users(id),
    unit_list TEXT    NOT NULL,
    unit_code TEXT    NOT NULL,
    PRIMARY KEY (user_id, unit_list, unit_code)
);

-- Sign-in tokens: only a SHA-256 of each is stored.
CREATE TABLE tokens (
    token_hash   TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    device_id    TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX tokens_user ON tokens (user_id);

-- Single-use device enrolment codes.
CREATE TABLE enrollments (
    code_hash  TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

-- Failed sign-ins, for rate limiting across replicas.
CREATE TABLE sign_in_failures (
    key TEXT    NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at);

-- The latest accepted version of every record. `seq` is the pull cursor of its last change.
CREATE TABLE records (
    id            TEXT    PRIMARY KEY,
    form_id       TEXT    NOT NULL,
    form_version  INTEGER NOT NULL,
    unit_list     TEXT    NOT NULL,
    unit_code     TEXT    NOT NULL,
    author        TEXT    NOT NULL,
    device_id     TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    status        TEXT    NOT NULL,
    deleted       INTEGER NOT NULL,
    revision      INTEGER NOT NULL,
    activity_date TEXT,
    seq           INTEGER NOT NULL UNIQUE,
    answers       TEXT    NOT NULL,
    received_at   INTEGER NOT NULL
);
CREATE INDEX records_scope_seq ON records (unit_list, unit_code, seq);
CREATE INDEX records_form ON records (form_id, form_version);
CREATE INDEX records_date ON records (activity_date, form_id);

-- Count grids flattened: one row per record × field × cell, for reports.
CREATE TABLE record_cells (
    record_id TEXT    NOT NULL,
    field     TEXT    NOT NULL,
    ethnicity TEXT    NOT NULL,
    sex       TEXT    NOT NULL,
    grp       TEXT    NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (record_id, field, ethnicity, sex, grp)
);

-- Incoming versions that lost to a newer server version: kept, never discarded.
CREATE TABLE conflicts (
    id              TEXT    PRIMARY KEY,
    record_id       TEXT    NOT NULL,
    change_id       TEXT    NOT NULL,
    base_revision   INTEGER NOT NULL,
    server_revision INTEGER NOT NULL,
    incoming        TEXT    NOT NULL,
    user_id         INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    resolved_at     INTEGER
);
CREATE INDEX conflicts_record ON conflicts (record_id);

-- Every change id ever applied, with the outcome it got: a retry gets the same answer.
CREATE TABLE applied_changes (
    change_id  TEXT    PRIMARY KEY,
    record_id  TEXT    NOT NULL,
    user_id    INTEGER NOT NULL,
    outcome    TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
);

-- The pull cursor. Taken first in every write transaction, so cursors become visible in
-- the order they were given out, whatever the number of server processes.
CREATE TABLE counters (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('seq', 0);
