-- What each account holds, kept by triggers in the same transaction as
-- every write, and the quotas it may not pass (0: none), set by the
-- daemon at start. A write that would pass one is aborted whole.
ALTER TABLE users ADD COLUMN task_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN task_chars BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION taskd_task_chars(t tasks) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
    SELECT (length(t.title) + length(t.description) + COALESCE(length(t.project), 0)
        + length(array_to_string(t.tags, ' ')) + length(t.udas))::BIGINT
$$;

UPDATE users SET
    task_count = (SELECT COUNT(*) FROM tasks t WHERE t.user_id = users.id),
    task_chars = (SELECT COALESCE(SUM(taskd_task_chars(t)), 0) FROM tasks t WHERE t.user_id = users.id)
               + (SELECT COALESCE(SUM(length(a.text)), 0) FROM annotations a
                  JOIN tasks t ON t.id = a.task_id WHERE t.user_id = users.id);

CREATE TABLE quotas (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    max_tasks BIGINT  NOT NULL,
    max_chars BIGINT  NOT NULL
);
INSERT INTO quotas (id, max_tasks, max_chars) VALUES (1, 0, 0);

-- Adds to the account's counts; refuses a write that grows the account past
-- a quota.
CREATE FUNCTION taskd_count(account BIGINT, tasks_added BIGINT, chars_added BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    limits quotas;
    held users;
BEGIN
    UPDATE users SET task_count = task_count + tasks_added, task_chars = task_chars + chars_added
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

CREATE FUNCTION taskd_tasks_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM taskd_count(NEW.user_id, 1, taskd_task_chars(NEW));
        RETURN NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM taskd_count(NEW.user_id, 0, taskd_task_chars(NEW) - taskd_task_chars(OLD));
        RETURN NULL;
    END IF;
    -- Before the row goes, while its notes are still there to be counted
    -- off (the cascade that deletes them finds no task to count against).
    PERFORM taskd_count(OLD.user_id, -1, -taskd_task_chars(OLD)
        - (SELECT COALESCE(SUM(length(a.text)), 0) FROM annotations a WHERE a.task_id = OLD.id));
    RETURN OLD;
END
$$;
CREATE TRIGGER tasks_counted AFTER INSERT OR UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION taskd_tasks_counted();
CREATE TRIGGER tasks_counted_delete BEFORE DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION taskd_tasks_counted();

CREATE FUNCTION taskd_annotations_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM taskd_count((SELECT user_id FROM tasks WHERE id = NEW.task_id), 0, length(NEW.text));
    ELSE
        PERFORM taskd_count((SELECT user_id FROM tasks WHERE id = OLD.task_id), 0, -length(OLD.text));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER annotations_counted AFTER INSERT OR DELETE ON annotations
    FOR EACH ROW EXECUTE FUNCTION taskd_annotations_counted();
