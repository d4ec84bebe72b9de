-- Login attempts counted against a key (a username, an address) by the login
-- limits, which every daemon of the database shares; an attempt is one row
-- per key it counts against.
CREATE TABLE login_attempts (
    attempt BIGINT      NOT NULL,
    key     TEXT        NOT NULL,
    at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts(key, at);
CREATE INDEX login_attempts_attempt ON login_attempts(attempt);

-- When each periodic job last ran, so that it runs once however many
-- daemons share the database.
CREATE TABLE jobs (
    name     TEXT        PRIMARY KEY,
    last_run TIMESTAMPTZ NOT NULL,
    runs     BIGINT      NOT NULL DEFAULT 0
);

-- What every daemon of the database must agree on: the JWT signing secret
-- generated when none is given.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
