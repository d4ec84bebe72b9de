-- What each account holds, kept by triggers in the same transaction as
-- every write, and the quotas it may not pass (0: none), set by the
-- daemon at start. A write that would pass one is aborted whole.
ALTER TABLE users ADD COLUMN task_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN task_chars INTEGER NOT NULL DEFAULT 0;
UPDATE users SET
    task_count = (SELECT COUNT(*) FROM tasks t WHERE t.user_id = users.id),
    task_chars = (SELECT COALESCE(SUM(length(t.title) + length(t.description)
                    + COALESCE(length(t.project), 0) + length(t.tags) + length(t.udas)), 0)
                  FROM tasks t WHERE t.user_id = users.id)
               + (SELECT COALESCE(SUM(length(a.text)), 0) FROM annotations a
                  JOIN tasks t ON t.id = a.task_id WHERE t.user_id = users.id);

CREATE TABLE quotas (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    max_tasks INTEGER NOT NULL,
    max_chars INTEGER NOT NULL
);
INSERT INTO quotas (id, max_tasks, max_chars) VALUES (1, 0, 0);

CREATE TRIGGER tasks_counted_insert AFTER INSERT ON tasks BEGIN
    UPDATE users SET task_count = task_count + 1,
        task_chars = task_chars + length(NEW.title) + length(NEW.description)
            + COALESCE(length(NEW.project), 0) + length(NEW.tags) + length(NEW.udas)
    WHERE id = NEW.user_id;
    SELECT RAISE(ABORT, 'taskd quota: tasks') FROM quotas q JOIN users u ON u.id = NEW.user_id
    WHERE q.max_tasks > 0 AND u.task_count > q.max_tasks;
    SELECT RAISE(ABORT, 'taskd quota: text') FROM quotas q JOIN users u ON u.id = NEW.user_id
    WHERE q.max_chars > 0 AND u.task_chars > q.max_chars;
END;

CREATE TRIGGER tasks_counted_update AFTER UPDATE ON tasks BEGIN
    UPDATE users SET task_chars = task_chars
        + length(NEW.title) + length(NEW.description)
            + COALESCE(length(NEW.project), 0) + length(NEW.tags) + length(NEW.udas)
        - length(OLD.title) - length(OLD.description)
            - COALESCE(length(OLD.project), 0) - length(OLD.tags) - length(OLD.udas)
    WHERE id = NEW.user_id;
    -- Only a write that adds text is refused: an account over a lowered
    -- quota can still finish, shorten and delete its tasks.
    SELECT RAISE(ABORT, 'taskd quota: text') FROM quotas q JOIN users u ON u.id = NEW.user_id
    WHERE q.max_chars > 0 AND u.task_chars > q.max_chars
      AND length(NEW.title) + length(NEW.description) + COALESCE(length(NEW.project), 0)
          + length(NEW.tags) + length(NEW.udas)
        > length(OLD.title) + length(OLD.description) + COALESCE(length(OLD.project), 0)
          + length(OLD.tags) + length(OLD.udas);
END;

-- Before the row goes, while its notes are still there to be counted off
-- (the cascade that deletes them finds no task to count them against).
CREATE TRIGGER tasks_counted_delete BEFORE DELETE ON tasks BEGIN
    UPDATE users SET task_count = task_count - 1,
        task_chars = task_chars - length(OLD.title) - length(OLD.description)
            - COALESCE(length(OLD.project), 0) - length(OLD.tags) - length(OLD.udas)
            - (SELECT COALESCE(SUM(length(a.text)), 0) FROM annotations a WHERE a.task_id = OLD.id)
    WHERE id = OLD.user_id;
END;

CREATE TRIGGER annotations_counted_insert AFTER INSERT ON annotations BEGIN
    UPDATE users SET task_chars = task_chars + length(NEW.text)
    WHERE id = (SELECT user_id FROM tasks WHERE id = NEW.task_id);
    SELECT RAISE(ABORT, 'taskd quota: text') FROM quotas q
        JOIN users u ON u.id = (SELECT user_id FROM tasks WHERE id = NEW.task_id)
    WHERE q.max_chars > 0 AND u.task_chars > q.max_chars;
END;

CREATE TRIGGER annotations_counted_delete AFTER DELETE ON annotations BEGIN
    UPDATE users SET task_chars = task_chars - length(OLD.text)
    WHERE id = (SELECT user_id FROM tasks WHERE id = OLD.task_id);
END;
