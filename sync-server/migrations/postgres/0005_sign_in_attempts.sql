-- Sign-in throttling, issue 12: an attempt is recorded before its password is checked
-- (so concurrent attempts can never check more than the limit), under a key that is a
-- fixed-length hash (so a client cannot store what it likes). The old failures table held
-- raw usernames; its rows only ever mattered for 15 minutes, so it is dropped, not copied.
DROP TABLE sign_in_failures;
CREATE TABLE sign_in_attempts (
    key     TEXT    NOT NULL,
    attempt TEXT    NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX sign_in_attempts_key ON sign_in_attempts (key, at);
CREATE INDEX sign_in_attempts_at ON sign_in_attempts (at);
