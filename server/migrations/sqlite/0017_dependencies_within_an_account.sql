-- A task depends only on tasks of its own account. The daemon checks this
-- before it writes; the schema holds it too, since what a read of one
-- account's tasks shows (blocked, blocking) must never change with a write
-- to another account's: the daemon keeps each account's answers until a
-- write to that account's tasks.
CREATE TRIGGER task_depends_within_an_account
BEFORE INSERT ON task_depends
WHEN (SELECT user_id FROM tasks WHERE id = NEW.task_id)
    IS NOT (SELECT user_id FROM tasks WHERE id = NEW.depends_on)
BEGIN
    SELECT RAISE(ABORT, 'taskd: a task may depend only on tasks of its own account');
END;
