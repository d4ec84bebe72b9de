-- Every change to an account's row or to one of its logins sends the
-- account's id on the channel taskd_logins, delivered when it commits. A
-- daemon answers a login check from memory only while it has heard every
-- such notice up to a moment shortly before the request, so no daemon
-- misses a logout, a password change, a deactivation or a write to the
-- account's tasks (they move users.tasks_changed) once it is acknowledged.
-- Triggers rather than the store's own statements: a change made by hand
-- (psql) is heard too.

CREATE FUNCTION taskd_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('taskd_logins', OLD.id::text);
    RETURN NULL;
END
$$;

CREATE FUNCTION taskd_login_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('taskd_logins', OLD.user_id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION taskd_user_changed();

CREATE TRIGGER sessions_changed AFTER UPDATE OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION taskd_login_changed();

-- A TRUNCATE names no account: '*' makes every daemon forget them all.
CREATE FUNCTION taskd_logins_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('taskd_logins', '*');
    RETURN NULL;
END
$$;

CREATE TRIGGER users_truncated AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION taskd_logins_truncated();

CREATE TRIGGER sessions_truncated AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION taskd_logins_truncated();
