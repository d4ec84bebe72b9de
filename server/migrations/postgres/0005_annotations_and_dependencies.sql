-- Notes appended to a task, oldest first.
CREATE TABLE annotations (
    id      BIGSERIAL   PRIMARY KEY,
    task_id BIGINT      NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    entry   TIMESTAMPTZ NOT NULL,
    text    TEXT        NOT NULL
);
CREATE INDEX annotations_task ON annotations(task_id, id);

-- task_id waits for depends_on; a deleted task leaves every list.
CREATE TABLE task_depends (
    task_id    BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    depends_on BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, depends_on)
);
CREATE INDEX task_depends_on ON task_depends(depends_on);
