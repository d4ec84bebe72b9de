-- Nothing to change: on SQLite a task row's insert and update now keep the
-- account's tallies through the store's own statements instead of
-- triggers, which made SQLite journal every page such a statement touched.
-- PostgreSQL's triggers stay. The number stays in step with SQLite's
-- migrations.
SELECT 1;
