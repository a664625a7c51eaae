-- Drafts of form versions and their test records (issue 15), SQLite. Kept in step with ../postgres/0018_form_drafts.sql.
--
-- An admin uploads a definition as a draft: admins and the users they name as testers
-- (users.tests_forms) get it on their phones marked "Bản thử" and fill it in; publishing
-- moves it into form_versions under the version it was drafted as, discarding deletes it
-- and its test records. One draft per form: a new upload replaces it (and its test
-- records, made with a definition that is gone). Every change moves the 'catalog' counter.
CREATE TABLE form_drafts (
    form_id     TEXT    PRIMARY KEY,
    -- The next version of the form when it was uploaded; publishing keeps it.
    version     INTEGER  NOT NULL,
    -- As form_versions.definition (forms::FormDefinition as JSON).
    definition  TEXT    NOT NULL,
    uploaded_by INTEGER,
    uploaded_at INTEGER  NOT NULL
);

-- Records made with a draft, or edits of them: kept apart from `records`, so they never
-- reach reports, exports, history or review by construction. A change to one is settled
-- in applied_changes like any other (a retry is a duplicate).
CREATE TABLE test_records (
    id           TEXT    PRIMARY KEY,
    form_id      TEXT    NOT NULL,
    form_version INTEGER  NOT NULL,
    user_id      INTEGER  NOT NULL,
    -- The record as last sent (forms::Record as JSON).
    record       TEXT    NOT NULL,
    revision     INTEGER  NOT NULL,
    updated_at   INTEGER  NOT NULL
);
CREATE INDEX test_records_form ON test_records (form_id, form_version);

-- Users an admin named as testers of drafts (admins always are): 1 or 0.
ALTER TABLE users ADD COLUMN tests_forms INTEGER NOT NULL DEFAULT 0;
