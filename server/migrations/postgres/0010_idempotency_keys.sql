-- Requests made with an Idempotency-Key: a retry of one replays its answer
-- instead of doing it again. Kept a day.
CREATE TABLE idempotency_keys (
    user_id      BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key          TEXT    NOT NULL,
    -- What was asked: the same key with another request is refused.
    request_hash TEXT    NOT NULL,
    claimed_at   TIMESTAMPTZ NOT NULL,
    -- The answer, once there is one: NULL while the request is in hand.
    status       INTEGER,
    body         TEXT,
    location     TEXT,
    etag         TEXT,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_claimed ON idempotency_keys(claimed_at);
