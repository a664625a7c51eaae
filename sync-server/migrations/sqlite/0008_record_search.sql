-- The console's record search and conflicts (issue 13), SQLite. Kept in step with
-- ../postgres/0008_record_search.sql. Measured: `cargo bench -p sotay-sync-server --bench
-- records_search`, figures in BENCHMARKS.md ("Console: record search").

-- A search pages by (activity date, id), newest or oldest first, so that a page never
-- shifts when records arrive. Tombstones and undated drafts have no date: they sort as ''
-- (last when newest first). Within a commune (and the pre-2025 units in it) and a form the
-- page is a range of this index and the count reads a few thousand entries at most.
CREATE INDEX records_search_place ON records (unit_list, unit_code, form_id, COALESCE(activity_date, ''), id);
-- The lists without a commune (admins, province supervisors): a page walks one of these,
-- of a form or of every record, in date order.
CREATE INDEX records_search_form ON records (form_id, COALESCE(activity_date, ''), id);
CREATE INDEX records_search_date ON records (COALESCE(activity_date, ''), id);

-- Supervisors' and admins' phones pull only their own records (author = ? AND seq > ?
-- ORDER BY seq); the console filters by author too.
CREATE INDEX records_author_seq ON records (author, seq);

-- Open conflicts, newest first; and which change resolved one, so a retried resolution is
-- answered as a duplicate and its change id cannot resolve a second conflict.
ALTER TABLE conflicts ADD COLUMN resolved_change_id TEXT;
CREATE INDEX conflicts_open ON conflicts (resolved_at, created_at);
