-- Indexes for reports (issue 6), SQLite. Kept in step with ../postgres/0002_report_indexes.sql.
-- Measured on 1,000,000 generated records: `cargo bench -p sotay-sync-server --bench reports`,
-- before and after in BENCHMARKS.md.

-- Every report reads the final, non-deleted records of a period, grouped by form and
-- location, and joins their grid cells by id. A record row holds its answers (about 1 KB),
-- so reaching those columns through the table read most of the database; with all of them
-- in the index the report reads no record row. Replaces records_date (activity_date,
-- form_id), which only reports used.
DROP INDEX records_date;
CREATE INDEX records_report ON records (status, deleted, activity_date, form_id, unit_list, unit_code, id);

-- A raw export reads one form page by page in change order (form_id = ? AND seq > ?
-- ORDER BY seq LIMIT 500). Through (form_id, form_version), SQLite fetched and sorted every
-- record of the form for every page. Replaces records_form, which no query used otherwise.
DROP INDEX records_form;
CREATE INDEX records_form_seq ON records (form_id, seq);
