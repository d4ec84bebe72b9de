-- What one request changed: the unit of undo. Its changes are the rows of
-- task_changes that name it.
CREATE TABLE change_sets (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at      INTEGER NOT NULL,
    -- 'change' for a change made by a request; 'undo' and 'redo' for the
    -- sets that revert another, named by `reverts`.
    kind    TEXT    NOT NULL,
    reverts INTEGER,
    -- Reverted by a later set (an undo, or the redo of an undo).
    undone  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX change_sets_user ON change_sets(user_id, id);

-- Each change's set, and the task as it was before it (NULL when created).
ALTER TABLE task_changes ADD COLUMN change_set INTEGER;
ALTER TABLE task_changes ADD COLUMN before TEXT;
CREATE INDEX task_changes_set ON task_changes(change_set);
CREATE INDEX task_changes_task ON task_changes(user_id, task_id, seq);

-- Deleted tasks, whole (notes and dependencies in the JSON), with the tasks
-- that depended on them, until restored, purged, or emptied after 30 days.
CREATE TABLE trash (
    task_id    INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    deleted_at INTEGER NOT NULL,
    task       TEXT    NOT NULL,
    dependents TEXT    NOT NULL DEFAULT '[]'
);
CREATE INDEX trash_user ON trash(user_id, deleted_at);
CREATE INDEX trash_deleted ON trash(deleted_at);
