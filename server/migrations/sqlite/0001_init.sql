-- Times are Unix microseconds (UTC); booleans are 0/1.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL,
    -- Lower-cased: usernames are unique case-insensitively.
    username_key  TEXT    NOT NULL UNIQUE,
    email         TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL,
    is_active     INTEGER NOT NULL DEFAULT 1,
    is_admin      INTEGER NOT NULL DEFAULT 0,
    date_joined   INTEGER NOT NULL,
    token_version INTEGER NOT NULL DEFAULT 0
);

-- One row per login; its refresh tokens rotate, the session stays.
CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT    PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);

CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'done')),
    -- 1 low, 2 medium, 3 high: sorts in priority order.
    priority     INTEGER CHECK (priority IN (1, 2, 3)),
    due          INTEGER,
    project      TEXT,
    -- The task's tags as a JSON array, for reading; task_tags is for filtering.
    tags         TEXT    NOT NULL DEFAULT '[]',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    completed_at INTEGER,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tasks_user ON tasks(user_id, id);
CREATE INDEX tasks_user_status_due ON tasks(user_id, status, due);
CREATE INDEX tasks_user_project ON tasks(user_id, project);

CREATE TABLE task_tags (
    user_id INTEGER NOT NULL,
    tag     TEXT    NOT NULL,
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, tag, task_id)
) WITHOUT ROWID;
CREATE INDEX task_tags_task ON task_tags(task_id);
