-- Login attempts counted against a key (a username, an address) by the login
-- limits; an attempt is one row per key it counts against.
CREATE TABLE login_attempts (
    attempt INTEGER NOT NULL,
    key     TEXT    NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts(key, at);
CREATE INDEX login_attempts_attempt ON login_attempts(attempt);

-- When each periodic job last ran, so that it runs once however many
-- processes share the database.
CREATE TABLE jobs (
    name     TEXT    PRIMARY KEY,
    last_run INTEGER NOT NULL,
    runs     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
