-- Every committed change to a task, in commit order per user: what the event
-- streams send, and what a reconnecting client replays from its cursor
-- (`seq`). Writers take the user's change lock before drawing `seq`, so that
-- of one user's changes a later number is never committed first.
CREATE TABLE task_changes (
    seq     BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT      NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    task_id BIGINT      NOT NULL,
    op      TEXT        NOT NULL,
    version BIGINT      NOT NULL,
    at      TIMESTAMPTZ NOT NULL,
    -- The task as it was read back in the writing transaction, as JSON;
    -- NULL when deleted.
    task    TEXT
);
CREATE INDEX task_changes_user ON task_changes(user_id, seq);

-- The highest sequence number purged: a cursor below it may have missed
-- changes.
CREATE TABLE change_feed (
    purged_through BIGINT NOT NULL
);
INSERT INTO change_feed (purged_through) VALUES (0);
