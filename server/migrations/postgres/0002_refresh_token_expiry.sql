-- The hourly purge of expired logins finds their refresh tokens by expiry.
CREATE INDEX refresh_tokens_expiry ON refresh_tokens(expires_at);
