-- Report sums kept at write time (issue 6), PostgreSQL. Kept in step with ../sqlite/0003_report_totals.sql.
--
-- A report summed grid cells of the period's records with GROUP BY: 7-24 s for a year of a
-- province on 1,000,000 records, however indexed. These tables hold the same sums already
-- added up, per month and per day of activity date ('' for an undated record), form and
-- location: for every grid cell key (field, ethnicity, group, sex) the cells summed
-- (`entries`) and the people they count (`total`); for the activity itself a row with
-- field, ethnicity, group and sex all '' whose `entries` and `total` count records. Only
-- final, non-deleted records count. The push transaction keeps both tables up to date
-- (store::totals); a report reads whole months from the first and the days of partial
-- months from the second.
--
-- Month last in the key: a year's summary reads its months in key order and groups without
-- sorting. Day first: a few days' rows are one range.
CREATE TABLE totals_by_month (
    form_id   TEXT    NOT NULL,
    unit_list TEXT    NOT NULL,
    unit_code TEXT    NOT NULL,
    field     TEXT    NOT NULL,
    ethnicity TEXT    NOT NULL,
    grp       TEXT    NOT NULL,
    sex       TEXT    NOT NULL,
    month     TEXT    NOT NULL,
    entries   BIGINT NOT NULL,
    total     BIGINT NOT NULL,
    PRIMARY KEY (form_id, unit_list, unit_code, field, ethnicity, grp, sex, month)
);

CREATE TABLE totals_by_day (
    day       TEXT    NOT NULL,
    form_id   TEXT    NOT NULL,
    unit_list TEXT    NOT NULL,
    unit_code TEXT    NOT NULL,
    field     TEXT    NOT NULL,
    ethnicity TEXT    NOT NULL,
    grp       TEXT    NOT NULL,
    sex       TEXT    NOT NULL,
    entries   BIGINT NOT NULL,
    total     BIGINT NOT NULL,
    PRIMARY KEY (day, form_id, unit_list, unit_code, field, ethnicity, grp, sex)
);

-- The records stored before this migration are summed by the server when it starts
-- (store::totals, the same statement that keeps the sums), once: 0 until then.
INSERT INTO counters (name, value) VALUES ('report_totals_built', 0);
