-- The web app's logins: a cookie names one (by its hash), and its login is
-- a sessions row like any other, revoked the same way.
CREATE TABLE browser_sessions (
    token_hash TEXT    PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX browser_sessions_session ON browser_sessions(session_id);
