-- Nothing to change: on PostgreSQL this migration makes every change to an
-- account or a login send a notice that every daemon of the database hears.
-- SQLite has one daemon, which makes every change itself. The number stays
-- in step with PostgreSQL's migrations.
SELECT 1;
