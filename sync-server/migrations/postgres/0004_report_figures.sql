-- Report figures (issue 6), PostgreSQL. Kept in step with ../sqlite/0004_report_figures.sql.
--
-- A form's report figures (forms/definitions/<form>/figures.toml: models found active,
-- people supported…) are stored as rows of record_cells with ethnicity, sex and group all
-- '' and the figure's field, and summed into report_totals like grid cells. Which fields
-- are figures is data that can change; this counter holds the fingerprint of the figures
-- the stored rows were worked out with (0: never). When the server starts with other
-- figures, it works out every stored record's figure rows again and rebuilds the sums,
-- once (store::figures).
INSERT INTO counters (name, value) VALUES ('report_figures', 0);
