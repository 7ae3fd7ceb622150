-- The model repository's index: what the BPMN and DMN files on disk define.
-- It is derived data, rebuilt from the files at start and after every change,
-- and serves call-activity search, the decision picker and "who calls this
-- process". Process and decision ids are unique across the repository.
CREATE TABLE model_processes (
    process_id   TEXT PRIMARY KEY,
    display_name TEXT NOT NULL DEFAULT '',
    model_id     TEXT NOT NULL,
    file         TEXT NOT NULL,
    -- Lower-cased copies for case-insensitive search.
    id_lc        TEXT NOT NULL,
    name_lc      TEXT NOT NULL,
    -- Element kinds the process contains (BPMN tag names, space-separated).
    kinds        TEXT NOT NULL DEFAULT ''
);

CREATE INDEX model_processes_model ON model_processes (model_id, file);
CREATE INDEX model_processes_name ON model_processes (name_lc);

-- Messages and signals a process throws or catches, by name.
CREATE TABLE model_process_events (
    process_id TEXT NOT NULL REFERENCES model_processes (process_id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('message', 'signal')),
    direction  TEXT NOT NULL CHECK (direction IN ('throw', 'catch')),
    name       TEXT NOT NULL,
    PRIMARY KEY (process_id, kind, direction, name)
);

CREATE INDEX model_process_events_name ON model_process_events (kind, name);

-- Processes called by call activities of a process.
CREATE TABLE model_process_calls (
    process_id TEXT NOT NULL REFERENCES model_processes (process_id) ON DELETE CASCADE,
    called_id  TEXT NOT NULL,
    PRIMARY KEY (process_id, called_id)
);

CREATE INDEX model_process_calls_called ON model_process_calls (called_id);

CREATE TABLE model_decisions (
    decision_id TEXT PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    model_id    TEXT NOT NULL,
    file        TEXT NOT NULL,
    id_lc       TEXT NOT NULL,
    name_lc     TEXT NOT NULL
);

CREATE INDEX model_decisions_model ON model_decisions (model_id, file);

-- SQLite's instr(haystack, needle), which the index search uses: the
-- 1-based position of needle in haystack, 0 when absent.
CREATE FUNCTION instr(haystack TEXT, needle TEXT) RETURNS INTEGER
    LANGUAGE SQL IMMUTABLE STRICT PARALLEL SAFE
    AS 'SELECT strpos(haystack, needle)';
