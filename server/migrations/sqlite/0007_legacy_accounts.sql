-- Where an account was brought from (`django:42` for user 42 of the Django
-- backend this replaces), so that importing again finds it.
ALTER TABLE users ADD COLUMN legacy_id TEXT;
CREATE UNIQUE INDEX users_legacy_id ON users(legacy_id);
