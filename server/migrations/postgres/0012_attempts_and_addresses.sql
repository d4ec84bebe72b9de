-- An attempt is counted the moment it begins, unsettled, so that parallel
-- attempts cannot pass a limit; a login's password check then settles it.
-- Rows from before were all failures.
ALTER TABLE login_attempts ADD COLUMN settled BOOLEAN NOT NULL DEFAULT true;

-- The addresses each user has logged in from: a username under attack is
-- slowed for everyone but these, so that its owner is never locked out.
CREATE TABLE login_addresses (
    user_id BIGINT      NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    address TEXT        NOT NULL,
    last_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, address)
);
CREATE INDEX login_addresses_last_at ON login_addresses(last_at);
