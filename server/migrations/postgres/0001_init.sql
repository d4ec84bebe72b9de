-- The same schema as SQLite's 0001, in PostgreSQL's types.

CREATE TABLE users (
    id            BIGSERIAL   PRIMARY KEY,
    username      TEXT        NOT NULL,
    -- Lower-cased: usernames are unique case-insensitively.
    username_key  TEXT        NOT NULL UNIQUE,
    email         TEXT        NOT NULL DEFAULT '',
    password_hash TEXT        NOT NULL,
    is_active     BOOLEAN     NOT NULL DEFAULT TRUE,
    is_admin      BOOLEAN     NOT NULL DEFAULT FALSE,
    date_joined   TIMESTAMPTZ NOT NULL,
    token_version BIGINT      NOT NULL DEFAULT 0
);

-- One row per login; its refresh tokens rotate, the session stays.
CREATE TABLE sessions (
    id         BIGSERIAL   PRIMARY KEY,
    user_id    BIGINT      NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    revoked    BOOLEAN     NOT NULL DEFAULT FALSE
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT        PRIMARY KEY,
    session_id BIGINT      NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    expires_at TIMESTAMPTZ NOT NULL,
    used       BOOLEAN     NOT NULL DEFAULT FALSE
);
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);

CREATE TABLE tasks (
    id           BIGSERIAL   PRIMARY KEY,
    user_id      BIGINT      NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title        TEXT        NOT NULL,
    description  TEXT        NOT NULL DEFAULT '',
    status       TEXT        NOT NULL CHECK (status IN ('pending', 'done')),
    -- 1 low, 2 medium, 3 high: sorts in priority order.
    priority     SMALLINT    CHECK (priority IN (1, 2, 3)),
    due          TIMESTAMPTZ,
    project      TEXT,
    tags         TEXT[]      NOT NULL DEFAULT '{}',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ,
    version      BIGINT      NOT NULL DEFAULT 1
);
CREATE INDEX tasks_user ON tasks(user_id, id);
CREATE INDEX tasks_user_status_due ON tasks(user_id, status, due);
CREATE INDEX tasks_user_project ON tasks(user_id, project);
CREATE INDEX tasks_tags ON tasks USING GIN (tags);
