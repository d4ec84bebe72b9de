-- A task row's insert and update now add to the account's tallies (tasks,
-- numbered tasks, characters of text) and meet the quotas through the
-- store's own statements, run right after each in the same transaction,
-- rather than through triggers. A statement that fires a trigger writes
-- to more than one table, and SQLite then copies every page it touches
-- into a statement journal so as to undo it alone; the daemon undoes a
-- failed write whole anyway (its savepoint, or its batch's transaction).
-- Deletes, and notes, keep their triggers. A row inserted or updated by
-- hand (the sqlite3 shell) is no longer counted.
DROP TRIGGER tasks_numbered_insert;
DROP TRIGGER tasks_numbered_update;
DROP TRIGGER tasks_counted_insert;
DROP TRIGGER tasks_counted_update;
