-- Taskwarrior's task: a uuid, a short number while pending, start, wait,
-- scheduled and until, and user-defined attributes (a JSON object kept as
-- written, hence text rather than jsonb).
ALTER TABLE tasks ADD COLUMN uuid TEXT;
UPDATE tasks SET uuid = gen_random_uuid()::text;
ALTER TABLE tasks ALTER COLUMN uuid SET NOT NULL;
CREATE UNIQUE INDEX tasks_user_uuid ON tasks(user_id, uuid);

ALTER TABLE tasks ADD COLUMN number BIGINT;
UPDATE tasks SET number = ranked.n FROM (
    SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY id) AS n
    FROM tasks WHERE status = 'pending') AS ranked
WHERE tasks.id = ranked.id;
CREATE UNIQUE INDEX tasks_user_number ON tasks(user_id, number);

ALTER TABLE tasks ADD COLUMN start TIMESTAMPTZ;
ALTER TABLE tasks ADD COLUMN wait TIMESTAMPTZ;
ALTER TABLE tasks ADD COLUMN scheduled TIMESTAMPTZ;
ALTER TABLE tasks ADD COLUMN until TIMESTAMPTZ;
ALTER TABLE tasks ADD COLUMN udas TEXT NOT NULL DEFAULT '{}';
-- The sweep of pending tasks past their `until`.
CREATE INDEX tasks_until ON tasks(until) WHERE until IS NOT NULL;
