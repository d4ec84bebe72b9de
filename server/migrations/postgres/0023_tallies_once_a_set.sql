-- A set of many writes in one transaction (an import, a bulk change, an
-- undo of one) moves its account's tallies once, at its end, instead of
-- once a row. Each move is an update of the account's row, and PostgreSQL
-- keeps every version a transaction writes of a row until it ends: past a
-- few thousand, each further update, and each foreign-key check of a change
-- recorded for the account, walked the versions before it, so an import of
-- 10,000 tasks took half a minute.
--
-- The daemon names the account in `taskd.tallies`, a setting local to the
-- transaction; the triggers then add each row's share to three more such
-- settings, and taskd_settle hands the sums to taskd_count in one call,
-- quota checks and all, before the set is recorded. Any other write, a
-- change made by hand included, is counted row by row as before.

-- What the transaction has put aside so far for `name` (0 if nothing).
CREATE FUNCTION taskd_deferred(name TEXT) RETURNS BIGINT LANGUAGE sql VOLATILE AS $$
    SELECT COALESCE(NULLIF(current_setting('taskd.' || name, true), '')::BIGINT, 0)
$$;

-- Whether the transaction puts aside the tallies of `account`.
CREATE FUNCTION taskd_defers(account BIGINT) RETURNS BOOLEAN LANGUAGE sql VOLATILE AS $$
    SELECT current_setting('taskd.tallies', true) = account::TEXT
$$;

CREATE FUNCTION taskd_defer(tasks_added BIGINT, chars_added BIGINT, numbered_added BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('taskd.tasks_added', (taskd_deferred('tasks_added') + tasks_added)::TEXT, true),
        set_config('taskd.chars_added', (taskd_deferred('chars_added') + chars_added)::TEXT, true),
        set_config('taskd.numbered_added', (taskd_deferred('numbered_added') + numbered_added)::TEXT, true);
END
$$;

-- Ends the putting aside: the sums go to the account's row in one update.
CREATE FUNCTION taskd_settle(account BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    tasks_added BIGINT := taskd_deferred('tasks_added');
    chars_added BIGINT := taskd_deferred('chars_added');
    numbered_added BIGINT := taskd_deferred('numbered_added');
BEGIN
    PERFORM set_config('taskd.tallies', '', true), set_config('taskd.tasks_added', '', true),
        set_config('taskd.chars_added', '', true), set_config('taskd.numbered_added', '', true);
    PERFORM taskd_count(account, tasks_added, chars_added, numbered_added);
END
$$;

-- The tallies of one row written, counted at once or put aside.
CREATE FUNCTION taskd_count_row(account BIGINT, tasks_added BIGINT, chars_added BIGINT,
                                numbered_added BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF taskd_defers(account) THEN
        PERFORM taskd_defer(tasks_added, chars_added, numbered_added);
    ELSE
        PERFORM taskd_count(account, tasks_added, chars_added, numbered_added);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION taskd_tasks_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM taskd_count_row(NEW.user_id, 1, taskd_task_chars(NEW),
            (NEW.number IS NOT NULL)::INT::BIGINT);
        RETURN NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM taskd_count_row(NEW.user_id, 0, taskd_task_chars(NEW) - taskd_task_chars(OLD),
            (NEW.number IS NOT NULL)::INT::BIGINT - (OLD.number IS NOT NULL)::INT::BIGINT);
        RETURN NULL;
    END IF;
    -- Before the row goes, while its notes are still there to be counted
    -- off (the cascade that deletes them finds no task to count against).
    PERFORM taskd_count_row(OLD.user_id, -1, -taskd_task_chars(OLD)
        - (SELECT COALESCE(SUM(length(a.text)), 0) FROM annotations a WHERE a.task_id = OLD.id),
        -(OLD.number IS NOT NULL)::INT::BIGINT);
    RETURN OLD;
END
$$;

CREATE OR REPLACE FUNCTION taskd_annotations_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM taskd_count_row((SELECT user_id FROM tasks WHERE id = NEW.task_id), 0,
            length(NEW.text), 0);
    ELSE
        PERFORM taskd_count_row((SELECT user_id FROM tasks WHERE id = OLD.task_id), 0,
            -length(OLD.text), 0);
    END IF;
    RETURN NULL;
END
$$;
