-- The count of an account's numbered tasks moves in the same update of its
-- row as its other tallies. It had a trigger of its own (0006), so a
-- create, or a task done or brought back, updated the account's row twice
-- in one transaction: two row versions, two trigger calls, under the
-- account's lock. The deltas are those 0006 made: +1 for a numbered task
-- added, -1 for one removed, and on an update the difference.
CREATE FUNCTION taskd_count(account BIGINT, tasks_added BIGINT, chars_added BIGINT,
                            numbered_added BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    limits quotas;
    held users;
BEGIN
    UPDATE users SET task_count = task_count + tasks_added, task_chars = task_chars + chars_added,
        numbered = numbered + numbered_added, tasks_changed = tasks_changed + 1
    WHERE id = account RETURNING * INTO held;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT * INTO limits FROM quotas WHERE id = 1;
    IF tasks_added > 0 AND limits.max_tasks > 0 AND held.task_count > limits.max_tasks THEN
        RAISE EXCEPTION 'taskd quota: tasks' USING ERRCODE = 'P0001';
    END IF;
    IF chars_added > 0 AND limits.max_chars > 0 AND held.task_chars > limits.max_chars THEN
        RAISE EXCEPTION 'taskd quota: text' USING ERRCODE = 'P0001';
    END IF;
END
$$;

-- Notes hold no number.
CREATE OR REPLACE FUNCTION taskd_count(account BIGINT, tasks_added BIGINT, chars_added BIGINT)
RETURNS void LANGUAGE sql AS $$
    SELECT taskd_count(account, tasks_added, chars_added, 0::BIGINT)
$$;

CREATE OR REPLACE FUNCTION taskd_tasks_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM taskd_count(NEW.user_id, 1, taskd_task_chars(NEW),
            (NEW.number IS NOT NULL)::INT::BIGINT);
        RETURN NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM taskd_count(NEW.user_id, 0, taskd_task_chars(NEW) - taskd_task_chars(OLD),
            (NEW.number IS NOT NULL)::INT::BIGINT - (OLD.number IS NOT NULL)::INT::BIGINT);
        RETURN NULL;
    END IF;
    -- Before the row goes, while its notes are still there to be counted
    -- off (the cascade that deletes them finds no task to count against).
    PERFORM taskd_count(OLD.user_id, -1, -taskd_task_chars(OLD)
        - (SELECT COALESCE(SUM(length(a.text)), 0) FROM annotations a WHERE a.task_id = OLD.id),
        -(OLD.number IS NOT NULL)::INT::BIGINT);
    RETURN OLD;
END
$$;

DROP TRIGGER tasks_numbered ON tasks;
DROP FUNCTION tasks_numbered();
