-- The form catalog in the database (issue 15), PostgreSQL. Kept in step with ../sqlite/0016_form_catalog.sql.
--
-- Form versions were compiled into the binary; now every server process serves what this
-- table holds, so an admin publishes a version without a rebuild and every replica serves
-- it. At first start the repository's files seed it (store::catalog), so existing records
-- stay valid; a later release's new files are added the same way. A published version is
-- never changed: publishing under an existing form id adds the next version.
CREATE TABLE form_versions (
    form_id      TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    -- The definition, as the JSON the catalog bundle sends phones (forms::FormDefinition).
    definition   TEXT    NOT NULL,
    -- 'bundled' (the repository's files) or 'upload' (published by an admin).
    origin       TEXT    NOT NULL,
    published_by BIGINT,
    published_at BIGINT  NOT NULL,
    PRIMARY KEY (form_id, version)
);

-- Report figures by form (forms/definitions/<form>/figures.toml), as JSON.
CREATE TABLE form_figures (
    form_id    TEXT    PRIMARY KEY,
    figures    TEXT    NOT NULL,
    origin     TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL
);

-- Bumped by every change to the two tables: each server process polls it and loads the
-- catalog again when it moves.
INSERT INTO counters (name, value) VALUES ('catalog', 0);
