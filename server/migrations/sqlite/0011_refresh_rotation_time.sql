-- The moment a refresh token was spent: presented again within a short
-- window (two tabs refreshing at once), it gets the same successor.
ALTER TABLE refresh_tokens ADD COLUMN used_at INTEGER;
