-- Every committed change to a task, in commit order: what the event streams
-- send, and what a reconnecting client replays from its cursor (`seq`).
-- AUTOINCREMENT so that a purged sequence number is never given out again.
CREATE TABLE task_changes (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    task_id INTEGER NOT NULL,
    op      TEXT    NOT NULL,
    version INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    -- The task as it was read back in the writing transaction, as JSON;
    -- NULL when deleted.
    task    TEXT
);
CREATE INDEX task_changes_user ON task_changes(user_id, seq);

-- The highest sequence number purged: a cursor below it may have missed
-- changes.
CREATE TABLE change_feed (
    purged_through INTEGER NOT NULL
);
INSERT INTO change_feed (purged_through) VALUES (0);
