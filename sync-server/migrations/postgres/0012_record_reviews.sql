-- Review of finished records (issue 14). Kept in step with ../sqlite/0012_record_reviews.sql.
--
-- `records.review_state`: NULL for a record no reviewer has acted on (a finished one is
-- "submitted"), else 'submitted', 'needs_changes' or 'approved' (forms::review). Every
-- review action, and every resubmission of a returned record, is a row of
-- `record_reviews`, never updated or deleted; the latest row of a record is its review.
ALTER TABLE records ADD COLUMN review_state TEXT;

CREATE TABLE record_reviews (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_id  TEXT    NOT NULL,
    -- The revision the reviewer saw (for a resubmission, the new one).
    revision   BIGINT  NOT NULL,
    -- The change id the action came under (NULL for a resubmission: its push has its own).
    change_id  TEXT    UNIQUE,
    -- 'return', 'approve', 'reopen' or 'resubmit'.
    action     TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    comment    TEXT,
    -- JSON array of field names.
    fields     TEXT    NOT NULL,
    user_id    BIGINT  NOT NULL,
    at         BIGINT  NOT NULL
);
CREATE INDEX record_reviews_record ON record_reviews (record_id, id);
