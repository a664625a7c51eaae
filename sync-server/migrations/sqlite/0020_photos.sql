-- Evidence photos (issue 16), SQLite. Kept in step with ../postgres/0020_photos.sql.
--
-- A record's answers name its photos by the SHA-256 of their bytes; the bytes are stored
-- apart (the data folder or an S3 bucket), one object per hash. `photos` lists the objects
-- that are stored: a row is written only after its object is durable, so a row always
-- means the bytes are there. `record_photos` says which record a photo arrived for, so
-- a photo is served only within its record's scope and is deleted once every record that
-- sent it is deleted (a tombstone).
CREATE TABLE photos (
    sha256    TEXT    PRIMARY KEY,
    bytes     INTEGER NOT NULL,
    stored_at INTEGER NOT NULL
);

CREATE TABLE record_photos (
    record_id   TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (record_id, sha256)
);
CREATE INDEX record_photos_sha256 ON record_photos (sha256);
