-- Every admin action, made in the web admin or through the API. It outlives
-- the accounts and tasks it names, so it keeps their names and no foreign key.
CREATE TABLE admin_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             INTEGER NOT NULL,
    admin_id       INTEGER NOT NULL,
    admin_username TEXT    NOT NULL,
    via            TEXT    NOT NULL,
    verb           TEXT    NOT NULL,
    object_kind    TEXT    NOT NULL,
    object_id      INTEGER NOT NULL,
    object_name    TEXT    NOT NULL,
    user_id        INTEGER NOT NULL,
    detail         TEXT    NOT NULL
);
CREATE INDEX admin_log_user ON admin_log(user_id, id);
