-- How many of each user's tasks hold a number, kept by triggers: when it
-- equals the highest number there is no gap, and the next number is found
-- without walking the tasks.
ALTER TABLE users ADD COLUMN numbered INTEGER NOT NULL DEFAULT 0;
UPDATE users SET numbered = (
    SELECT COUNT(*) FROM tasks t WHERE t.user_id = users.id AND t.number IS NOT NULL);

CREATE TRIGGER tasks_numbered_insert AFTER INSERT ON tasks
WHEN NEW.number IS NOT NULL
BEGIN
    UPDATE users SET numbered = numbered + 1 WHERE id = NEW.user_id;
END;

CREATE TRIGGER tasks_numbered_update AFTER UPDATE OF number ON tasks
WHEN (OLD.number IS NULL) != (NEW.number IS NULL)
BEGIN
    UPDATE users SET numbered = numbered + (CASE WHEN NEW.number IS NULL THEN -1 ELSE 1 END)
    WHERE id = NEW.user_id;
END;

CREATE TRIGGER tasks_numbered_delete AFTER DELETE ON tasks
WHEN OLD.number IS NOT NULL
BEGIN
    UPDATE users SET numbered = numbered - 1 WHERE id = OLD.user_id;
END;
