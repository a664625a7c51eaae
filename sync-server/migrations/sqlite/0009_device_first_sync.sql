-- When each phone first synced (its first push or pull), beside when it first signed in:
-- the console's "Phones" screen shows both. Phones that synced before this migration keep
-- their earliest known sync.
ALTER TABLE devices ADD COLUMN first_sync_at INTEGER;
UPDATE devices SET first_sync_at = CASE
    WHEN last_push_at IS NULL THEN last_pull_at
    WHEN last_pull_at IS NULL THEN last_push_at
    WHEN last_push_at < last_pull_at THEN last_push_at
    ELSE last_pull_at END;
