-- Notes appended to a task, oldest first.
CREATE TABLE annotations (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    entry   INTEGER NOT NULL,
    text    TEXT    NOT NULL
);
CREATE INDEX annotations_task ON annotations(task_id, id);

-- task_id waits for depends_on; a deleted task leaves every list.
CREATE TABLE task_depends (
    task_id    INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    depends_on INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, depends_on)
) WITHOUT ROWID;
CREATE INDEX task_depends_on ON task_depends(depends_on);
