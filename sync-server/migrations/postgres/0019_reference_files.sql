-- Reference lists in the database (issue 15), PostgreSQL. Kept in step with ../sqlite/0019_reference_files.sql.
--
-- The lists forms and records lean on (lists.toml and the CSV files it names: units,
-- the old-to-new mapping, agencies, model types, ethnic groups and shortlists) were
-- compiled into the binary; now every process compiles the catalog with what this table
-- holds, so a province deploys with its own lists by uploading them. At first start the
-- repository's files seed it (names it lacks only). An upload replaces one file once the
-- whole set still holds together, every form still compiles and every place a record or
-- a user names is still in the lists; the audit log keeps what it replaced. Every change
-- moves the 'catalog' counter.
CREATE TABLE reference_files (
    name        TEXT    PRIMARY KEY,
    content     TEXT    NOT NULL,
    -- 'bundled' (the repository's files) or 'upload'.
    origin      TEXT    NOT NULL,
    uploaded_by BIGINT,
    updated_at  BIGINT  NOT NULL
);
