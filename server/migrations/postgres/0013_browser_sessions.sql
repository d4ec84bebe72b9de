-- The web app's logins: a cookie names one (by its hash), and its login is
-- a sessions row like any other, revoked the same way.
CREATE TABLE browser_sessions (
    token_hash TEXT        PRIMARY KEY,
    session_id BIGINT      NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX browser_sessions_session ON browser_sessions(session_id);
