-- The audit log (issue 14), PostgreSQL. Kept in step with ../sqlite/0011_audit_log.sql.
--
-- One row per administrative or review action: who (the user, or the server's command line
-- with no user), when, from which address, what, on what, and the state before and after
-- as small JSON objects (never a password or a token). Written by the store in the same
-- transaction as the action; read by admins in the console.
--
-- Append-only: the server has no statement that changes a row, and the triggers below
-- refuse any that someone types at the database. No foreign key to users: the log keeps
-- the actor's username as it was, whatever becomes of the account.
CREATE TABLE audit_log (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             BIGINT NOT NULL,
    actor_id       BIGINT,
    actor_username TEXT   NOT NULL,
    address        TEXT,
    action         TEXT   NOT NULL,
    target_kind    TEXT   NOT NULL,
    target_id      TEXT   NOT NULL,
    -- The commune the action concerns, when it concerns one (a record's, a period's): so a
    -- supervisor's scope can be read from the log later.
    unit_list      TEXT,
    unit_code      TEXT,
    before         TEXT,
    after          TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
