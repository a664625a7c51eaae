-- Drafts of form versions and their test records (issue 15), PostgreSQL. Kept in step with ../sqlite/0018_form_drafts.sql.
--
-- An admin uploads a definition as a draft: admins and the users they name as testers
-- (users.tests_forms) get it on their phones marked "Bản thử" and fill it in; publishing
-- moves it into form_versions under the version it was drafted as, discarding deletes it
-- and its test records. One draft per form: a new upload replaces it (and its test
-- records, made with a definition that is gone). Every change moves the 'catalog' counter.
CREATE TABLE form_drafts (
    form_id     TEXT    PRIMARY KEY,
    -- The next version of the form when it was uploaded; publishing keeps it.
    version     BIGINT  NOT NULL,
    -- As form_versions.definition (forms::FormDefinition as JSON).
    definition  TEXT    NOT NULL,
    uploaded_by BIGINT,
    uploaded_at BIGINT  NOT NULL
);

-- Records made with a draft, or edits of them: kept apart from `records`, so they never
-- reach reports, exports, history or review by construction. A change to one is settled
-- in applied_changes like any other (a retry is a duplicate).
CREATE TABLE test_records (
    id           TEXT    PRIMARY KEY,
    form_id      TEXT    NOT NULL,
    form_version BIGINT  NOT NULL,
    user_id      BIGINT  NOT NULL,
    -- The record as last sent (forms::Record as JSON).
    record       TEXT    NOT NULL,
    revision     BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX test_records_form ON test_records (form_id, form_version);

-- Users an admin named as testers of drafts (admins always are): 1 or 0.
ALTER TABLE users ADD COLUMN tests_forms BIGINT NOT NULL DEFAULT 0;
