-- Report sums kept at write time (issue 6), SQLite. Kept in step with ../postgres/0003_report_totals.sql.
--
-- A report summed the grid cells of the period's records with GROUP BY: 7-24 s for a year
-- of a province on 1,000,000 records, however indexed. This table holds the same sums
-- already added up, per calendar bucket of activity date, form and location: for every
-- grid cell key (field, ethnicity, group, sex) the cells summed (`entries`) and the people
-- they count (`total`); for the activity itself a row with field, ethnicity, group and
-- sex all '' whose `entries` and `total` count records. Only final, non-deleted records
-- count. Every record is in one bucket of each grain:
--   'y' year '2026', 'm' month '2026-11', 'h' half-month '2026-11-1' (days 1-14) or
--   '2026-11-2' (15 to the end: the Action Month starts on the 15th), 'd' day '2026-11-15';
--   an undated record is in period '' of each grain.
-- The push transaction keeps the sums up to date (store::totals); a report covers its
-- period with the fewest buckets (a year is one, the Action Month three) and reads them in
-- one range of the key each.
CREATE TABLE report_totals (
    grain     TEXT    NOT NULL,
    period    TEXT    NOT NULL,
    form_id   TEXT    NOT NULL,
    unit_list TEXT    NOT NULL,
    unit_code TEXT    NOT NULL,
    field     TEXT    NOT NULL,
    ethnicity TEXT    NOT NULL,
    grp       TEXT    NOT NULL,
    sex       TEXT    NOT NULL,
    entries   INTEGER NOT NULL,
    total     INTEGER NOT NULL,
    PRIMARY KEY (grain, period, form_id, unit_list, unit_code, field, ethnicity, grp, sex)
) WITHOUT ROWID;

-- The records stored before this migration are summed by the server when it starts
-- (store::totals, the same statement that keeps the sums), once: 0 until then.
INSERT INTO counters (name, value) VALUES ('report_totals_built', 0);
