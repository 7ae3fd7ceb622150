-- Append-only log of what happened to instances: task state changes and
-- instance actions, with who and when. Rows are never updated.
CREATE TABLE event_log (
    id          INTEGER PRIMARY KEY,
    instance_id INTEGER NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    task_id     INTEGER NOT NULL DEFAULT 0,
    element_id  TEXT NOT NULL DEFAULT '',
    event       TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    username    TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);

CREATE INDEX event_log_instance ON event_log (instance_id, id);
