-- The agency a supervisor is the officer in charge of (issue 14). Kept in step with
-- ../sqlite/0015_user_agency.sql.
--
-- Sign-off of an agency's activities was the province's alone (admins, province-wide
-- supervisors); an agency's own officer in charge signs them off too. `agency` is a code
-- of the catalog's `agencies` list (reference data, so no foreign key: the list is not a
-- table), matched against records' `organiser` answer; NULL for everyone else. Only
-- supervisors hold one: the console's user endpoints check the code and the role, and
-- every change is in the audit log with the user's role and scope.
ALTER TABLE users ADD COLUMN agency TEXT;
