-- Withdrawing a published form version from the console (issue 15), SQLite. Kept in step with ../postgres/0017_form_withdrawals.sql.
--
-- A withdrawn version takes no new records; the records made with it stay valid and
-- editable. A published version never changes (no statement updates form_versions), so
-- withdrawal is a state kept beside it: a row here while the version is withdrawn, deleted
-- when an admin restores it (the audit log keeps every withdrawal and restoration).
-- store::catalog marks these versions withdrawn when it compiles the catalog; a definition
-- published already withdrawn (`withdrawn = true` in its file) stays withdrawn whatever
-- this table holds. Every change moves the 'catalog' counter, so every process serves it.
CREATE TABLE form_withdrawals (
    form_id      TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    -- The admin who withdrew it (users.id), and when (ms since the epoch).
    withdrawn_by INTEGER,
    withdrawn_at INTEGER NOT NULL,
    PRIMARY KEY (form_id, version),
    FOREIGN KEY (form_id, version) REFERENCES form_versions (form_id, version)
);
