-- Taskwarrior's task: a uuid, a short number while pending, start, wait,
-- scheduled and until, and user-defined attributes (a JSON object, kept as
-- written).
ALTER TABLE tasks ADD COLUMN uuid TEXT;
-- Version 4 uuids for the tasks there are.
UPDATE tasks SET uuid = lower(
    hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
    substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
CREATE UNIQUE INDEX tasks_user_uuid ON tasks(user_id, uuid);

ALTER TABLE tasks ADD COLUMN number INTEGER;
UPDATE tasks SET number = (
    SELECT COUNT(*) FROM tasks p
    WHERE p.user_id = tasks.user_id AND p.status = 'pending' AND p.id <= tasks.id)
WHERE status = 'pending';
CREATE UNIQUE INDEX tasks_user_number ON tasks(user_id, number);

ALTER TABLE tasks ADD COLUMN start INTEGER;
ALTER TABLE tasks ADD COLUMN wait INTEGER;
ALTER TABLE tasks ADD COLUMN scheduled INTEGER;
ALTER TABLE tasks ADD COLUMN until INTEGER;
ALTER TABLE tasks ADD COLUMN udas TEXT NOT NULL DEFAULT '{}';
-- The sweep of pending tasks past their `until`.
CREATE INDEX tasks_until ON tasks(until) WHERE until IS NOT NULL;
