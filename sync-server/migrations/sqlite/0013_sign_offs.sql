-- Sign-off of a period (issue 14, plan section V). Kept in step with ../postgres/0013_sign_offs.sql.
--
-- A supervisor signs off a commune (a 2025 commune code) for a period, or an agency's
-- activities (the forms' organiser field); while a sign-off is open (`reopened_at` NULL),
-- the push refuses every change to a record dated inside it (`period_closed`). Reopening
-- fills `reopened_*`; signing off again is a new row. Both are in the audit log.
CREATE TABLE sign_offs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- 'commune' or 'agency'.
    kind          TEXT    NOT NULL,
    -- A 2025 commune code, or an agency code.
    target        TEXT    NOT NULL,
    -- 'reporting_year' or 'action_month', of `year`: from_date..to_date inclusive.
    period        TEXT    NOT NULL,
    year          INTEGER  NOT NULL,
    from_date     TEXT    NOT NULL,
    to_date       TEXT    NOT NULL,
    signed_by     INTEGER  NOT NULL,
    signed_at     INTEGER  NOT NULL,
    reopened_by   INTEGER,
    reopened_at   INTEGER,
    reopen_reason TEXT
);
-- At most one open sign-off of a target for a period.
CREATE UNIQUE INDEX sign_offs_open ON sign_offs (kind, target, period, year) WHERE reopened_at IS NULL;

-- The sign-off screen counts reviewed records by commune and period: only those.
CREATE INDEX records_review ON records (review_state, activity_date) WHERE review_state IS NOT NULL;
