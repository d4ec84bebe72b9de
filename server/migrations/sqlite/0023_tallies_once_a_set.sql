-- Nothing to change: on PostgreSQL a set of many writes now moves the
-- account's tallies once, at its end. SQLite's store keeps its tallies with
-- statements of its own. The number stays in step with PostgreSQL's
-- migrations.
SELECT 1;
