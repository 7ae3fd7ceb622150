-- Process instances. The engine snapshot is the truth; every other column
-- and table of the runner is derived from it in the same transaction that
-- writes it. version is the optimistic lock: each write bumps it and
-- updates only the version it read, so two writers that started from the
-- same state cannot both succeed.
CREATE TABLE instances (
    id             INTEGER PRIMARY KEY,
    model_id       TEXT NOT NULL,
    process_id     TEXT NOT NULL,
    process_name   TEXT NOT NULL DEFAULT '',
    -- running, completed, error, terminated or suspended.
    status         TEXT NOT NULL CHECK (status IN ('running', 'completed', 'error', 'terminated', 'suspended')),
    started_by     TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    ended_at       TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL,
    snapshot       BLOB NOT NULL,
    -- The failing task when status is error.
    error_task     INTEGER NOT NULL DEFAULT 0,
    error_element  TEXT NOT NULL DEFAULT '',
    error_where    TEXT NOT NULL DEFAULT '',
    error_line     INTEGER NOT NULL DEFAULT 0,
    error_message  TEXT NOT NULL DEFAULT ''
);

CREATE INDEX instances_started ON instances (started_at);
CREATE INDEX instances_model ON instances (model_id, started_at);
CREATE INDEX instances_starter ON instances (started_by, started_at);
CREATE INDEX instances_status ON instances (status, started_at);

-- Values of the model's metadata extraction paths, walked through the
-- instance's current data after every step; the instance list shows them
-- as columns. value is JSON text.
CREATE TABLE instance_metadata (
    instance_id INTEGER NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (instance_id, key)
);

CREATE INDEX instance_metadata_key ON instance_metadata (key, value);
