-- How many times each account's tasks have changed, moved on in the same
-- transaction as every write to its tasks or their notes, by the function
-- the triggers keeping its tallies call. A daemon keeps an answer to a read
-- of the account's tasks under the count it read with the login check, and
-- gives it again only while the login check still reads that count: a
-- write through any daemon is seen by the next request to every other.
ALTER TABLE users ADD COLUMN tasks_changed BIGINT NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION taskd_count(account BIGINT, tasks_added BIGINT, chars_added BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    limits quotas;
    held users;
BEGIN
    UPDATE users SET task_count = task_count + tasks_added, task_chars = task_chars + chars_added,
        tasks_changed = tasks_changed + 1
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
