-- Every revision of a record the server accepted (issue 14), kept and never overwritten.
-- Kept in step with ../postgres/0010_record_revisions.sql.
--
-- The latest revision is the `records` row, which now also says which change wrote it,
-- who sent that change and from which device (their sign-in). As a push overwrites a
-- record, the revision it had is copied into `record_revisions` first, so every earlier
-- revision is a row there and the latest is never stored twice. A conflict copy
-- (`conflicts`) lost to revision `server_revision` of its record.
ALTER TABLE records ADD COLUMN change_id TEXT;
ALTER TABLE records ADD COLUMN sent_by INTEGER;
ALTER TABLE records ADD COLUMN sent_from TEXT;

CREATE TABLE record_revisions (
    record_id     TEXT    NOT NULL,
    revision      INTEGER  NOT NULL,
    -- NULL for revisions stored before this migration.
    change_id     TEXT,
    user_id       INTEGER,
    device_id     TEXT    NOT NULL,
    received_at   INTEGER  NOT NULL,
    updated_at    INTEGER  NOT NULL,
    form_id       TEXT    NOT NULL,
    form_version  INTEGER  NOT NULL,
    unit_list     TEXT    NOT NULL,
    unit_code     TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    deleted       INTEGER  NOT NULL,
    activity_date TEXT,
    answers       TEXT    NOT NULL,
    PRIMARY KEY (record_id, revision)
);
