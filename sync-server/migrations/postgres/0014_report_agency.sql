-- Sums by organising agency (issue 14, plan section V), PostgreSQL.
-- Kept in step with ../sqlite/0014_report_agency.sql.
--
-- Reports give a table by agency: the forms' `organiser` answer, a code of the agencies
-- list. Beside report_totals (0003), and in the same buckets (grain, period; approved
-- records' sums under the upper-case grain), the records that name an agency summed by
-- agency, form and location: for the activity itself a row with field, sex and ethnic ''
-- counting records; for each grid field the people by sex and `ethnic` 'kinh' or
-- 'minority'. No group, no single ethnic group, no report figures: an agency's table needs
-- none, and a push writes a handful of rows per record here instead of one per grid cell.
-- Kept apart from report_totals so its keys do not multiply by the agencies of a commune.
CREATE TABLE report_agency_totals (
    grain     TEXT    NOT NULL,
    period    TEXT    NOT NULL,
    agency    TEXT    NOT NULL,
    form_id   TEXT    NOT NULL,
    unit_list TEXT    NOT NULL,
    unit_code TEXT    NOT NULL,
    field     TEXT    NOT NULL,
    sex       TEXT    NOT NULL,
    ethnic    TEXT    NOT NULL,
    entries   BIGINT NOT NULL,
    total     BIGINT NOT NULL,
    PRIMARY KEY (grain, period, agency, form_id, unit_list, unit_code, field, sex, ethnic)
);

-- The records stored before this migration are summed again, into both tables, when the
-- server starts (store::totals), once.
UPDATE counters SET value = 0 WHERE name = 'report_totals_built';
