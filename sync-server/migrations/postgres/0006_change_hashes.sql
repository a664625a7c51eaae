-- Reused change ids (issue 12), PostgreSQL. Kept in step with ../sqlite/0006_change_hashes.sql.
--
-- A change id sent again is a retry only when it carries the same change: the same user,
-- the same record, the same content. The content is held as the SHA-256 (hex) of the
-- change as the server read it, its base revision and record (store::apply::change_hash):
-- a retry resends the change unchanged, so it hashes the same. Anything else under a
-- settled change id is refused with change_id_reused, never answered with the outcome of
-- the change that used it first. Changes applied before this migration have no hash (NULL):
-- for them the user and the record are compared.
ALTER TABLE applied_changes ADD COLUMN content_hash TEXT;
