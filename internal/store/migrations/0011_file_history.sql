-- Every saved version of every file of the model repository: who saved it,
-- when, its size and SHA-256, and the content itself, so any version can be
-- viewed, compared and restored. Versions number from 1 per file.
CREATE TABLE model_file_versions (
    id         INTEGER PRIMARY KEY,
    model_id   TEXT NOT NULL,
    file       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    author     TEXT NOT NULL DEFAULT '',
    -- save, draft, upload, restore, create, original (the content found on
    -- disk before Waymark first changed the file), delete.
    action     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    content    BLOB NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (model_id, file, version)
);
