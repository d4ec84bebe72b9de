-- Nothing to change: on PostgreSQL this migration lets the function that
-- measures a task's text be inlined into the trigger keeping the account's
-- tallies. SQLite's store keeps its tallies with statements of its own. The
-- number stays in step with PostgreSQL's migrations.
SELECT 1;
