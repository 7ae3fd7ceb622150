-- Files uploaded through task forms. Task data holds a reference (a
-- data URL carrying the content's SHA-256 digest, as SpiffArena does),
-- never the bytes.
CREATE TABLE task_files (
    id          INTEGER PRIMARY KEY,
    instance_id INTEGER NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    task_id     INTEGER NOT NULL,
    field       TEXT NOT NULL,
    name        TEXT NOT NULL,
    mime_type   TEXT NOT NULL,
    digest      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    content     BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE INDEX task_files_instance ON task_files (instance_id);
CREATE INDEX task_files_digest ON task_files (digest);
