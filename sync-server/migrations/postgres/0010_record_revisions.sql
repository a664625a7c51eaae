-- Every revision of a record the server accepted (issue 14), kept and never overwritten:
-- `records` holds the latest, this table each one, with who sent it, from which device,
-- when and under which change id. A conflict copy (`conflicts`) lost to the revision
-- `(record_id, server_revision)` of this table. Kept in step with ../sqlite/0010_record_revisions.sql.
CREATE TABLE record_revisions (
    record_id     TEXT    NOT NULL,
    revision      BIGINT  NOT NULL,
    -- NULL for the revisions stored before history was kept (this migration's copy).
    change_id     TEXT,
    user_id       BIGINT,
    -- The device the change came from (its sign-in), or the record's own before 0010.
    device_id     TEXT    NOT NULL,
    received_at   BIGINT  NOT NULL,
    -- The record as that revision left it.
    updated_at    BIGINT  NOT NULL,
    form_id       TEXT    NOT NULL,
    form_version  BIGINT  NOT NULL,
    unit_list     TEXT    NOT NULL,
    unit_code     TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    deleted       BIGINT  NOT NULL,
    activity_date TEXT,
    answers       TEXT    NOT NULL,
    PRIMARY KEY (record_id, revision)
);

-- The latest revision of every record stored so far: the earlier ones were overwritten.
INSERT INTO record_revisions (record_id, revision, change_id, user_id, device_id, received_at, updated_at,
                              form_id, form_version, unit_list, unit_code, status, deleted, activity_date, answers)
SELECT id, revision, NULL, NULL, device_id, received_at, updated_at,
       form_id, form_version, unit_list, unit_code, status, deleted, activity_date, answers
FROM records;
