-- Nothing to change: on PostgreSQL this migration moves the count of an
-- account's numbered tasks into the update of its other tallies. SQLite's
-- store keeps its tallies with statements of its own. The number stays in
-- step with PostgreSQL's migrations.
SELECT 1;
