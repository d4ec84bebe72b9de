-- How many of each user's tasks hold a number, kept by a trigger: when it
-- equals the highest number there is no gap, and the next number is found
-- without walking the tasks.
ALTER TABLE users ADD COLUMN numbered BIGINT NOT NULL DEFAULT 0;
UPDATE users SET numbered = (
    SELECT COUNT(*) FROM tasks t WHERE t.user_id = users.id AND t.number IS NOT NULL);

CREATE FUNCTION tasks_numbered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.number IS NOT NULL THEN
            UPDATE users SET numbered = numbered + 1 WHERE id = NEW.user_id;
        END IF;
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.number IS NULL) <> (NEW.number IS NULL) THEN
            UPDATE users SET numbered = numbered + (CASE WHEN NEW.number IS NULL THEN -1 ELSE 1 END)
            WHERE id = NEW.user_id;
        END IF;
        RETURN NEW;
    ELSE
        IF OLD.number IS NOT NULL THEN
            UPDATE users SET numbered = numbered - 1 WHERE id = OLD.user_id;
        END IF;
        RETURN OLD;
    END IF;
END;
$$;

CREATE TRIGGER tasks_numbered AFTER INSERT OR UPDATE OF number OR DELETE ON tasks
FOR EACH ROW EXECUTE FUNCTION tasks_numbered();
