-- Nothing to change: on SQLite this migration has a task's priority checked
-- as three comparisons rather than through a temporary table built for
-- every row. PostgreSQL tests a list of constants without one. The number
-- stays in step with SQLite's migrations.
SELECT 1;
