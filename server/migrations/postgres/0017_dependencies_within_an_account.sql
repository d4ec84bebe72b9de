-- A task depends only on tasks of its own account. The daemon checks this
-- before it writes; the schema holds it too, since what a read of one
-- account's tasks shows (blocked, blocking) must never change with a write
-- to another account's.
CREATE FUNCTION taskd_depends_within_an_account() RETURNS trigger AS $$
BEGIN
    IF (SELECT user_id FROM tasks WHERE id = NEW.task_id)
        IS DISTINCT FROM (SELECT user_id FROM tasks WHERE id = NEW.depends_on) THEN
        RAISE EXCEPTION 'taskd: a task may depend only on tasks of its own account';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER task_depends_within_an_account
BEFORE INSERT ON task_depends
FOR EACH ROW EXECUTE FUNCTION taskd_depends_within_an_account();
