-- Fewer pages written by a step that completes a task.
--
-- inbox_open and instance_metadata are small rows looked up by their
-- primary key. As rowid tables each kept the rows in one b-tree and the
-- primary key in another, so removing an inbox row changed five b-trees
-- and a metadata value three. Without rowid the primary key index is the
-- table. inbox_open's key now starts with the task, so it also serves what
-- inbox_open_task did (closing a task's rows, the cascade from
-- human_tasks), and removing an inbox row changes three b-trees. The rows
-- are copied across; triggers on the tables go with them and are created
-- again after the copy, so the kept counts do not change.
CREATE TEMP TABLE inbox_open_copy AS SELECT owner, instance_id, task_id, created_at, claimed_by, running, owner_set FROM inbox_open;
DROP TABLE inbox_open;
CREATE TABLE inbox_open (
    owner       TEXT NOT NULL,
    instance_id INTEGER NOT NULL,
    task_id     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    claimed_by  TEXT NOT NULL DEFAULT '',
    -- 1 while the instance runs: "ready for me" lists only those.
    running     INTEGER NOT NULL,
    owner_set   TEXT NOT NULL,
    PRIMARY KEY (instance_id, task_id, owner),
    FOREIGN KEY (instance_id, task_id) REFERENCES human_tasks (instance_id, task_id) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO inbox_open (owner, instance_id, task_id, created_at, claimed_by, running, owner_set)
    SELECT owner, instance_id, task_id, created_at, claimed_by, running, owner_set FROM inbox_open_copy;
DROP TABLE inbox_open_copy;

-- "Ready for me", newest first, per key and claim.
CREATE INDEX inbox_open_ready ON inbox_open (owner, running, claimed_by, created_at, instance_id, task_id);
-- "My groups", newest first, per key.
CREATE INDEX inbox_open_recent ON inbox_open (owner, created_at, instance_id, task_id);

CREATE TRIGGER inbox_counts_insert AFTER INSERT ON inbox_open
BEGIN
    INSERT INTO inbox_counts (owner, owner_set, claimed_by, running, n)
    VALUES (NEW.owner, NEW.owner_set, NEW.claimed_by, NEW.running, 1)
    ON CONFLICT (owner, owner_set, claimed_by, running) DO UPDATE SET n = inbox_counts.n + 1;
END;

CREATE TRIGGER inbox_counts_delete AFTER DELETE ON inbox_open
BEGIN
    UPDATE inbox_counts SET n = n - 1
        WHERE owner = OLD.owner AND owner_set = OLD.owner_set AND claimed_by = OLD.claimed_by AND running = OLD.running;
    DELETE FROM inbox_counts
        WHERE owner = OLD.owner AND owner_set = OLD.owner_set AND claimed_by = OLD.claimed_by AND running = OLD.running AND n <= 0;
END;

CREATE TRIGGER inbox_counts_update AFTER UPDATE OF claimed_by, running, owner_set ON inbox_open
WHEN OLD.claimed_by <> NEW.claimed_by OR OLD.running <> NEW.running OR OLD.owner_set <> NEW.owner_set
BEGIN
    UPDATE inbox_counts SET n = n - 1
        WHERE owner = OLD.owner AND owner_set = OLD.owner_set AND claimed_by = OLD.claimed_by AND running = OLD.running;
    DELETE FROM inbox_counts
        WHERE owner = OLD.owner AND owner_set = OLD.owner_set AND claimed_by = OLD.claimed_by AND running = OLD.running AND n <= 0;
    INSERT INTO inbox_counts (owner, owner_set, claimed_by, running, n)
    VALUES (NEW.owner, NEW.owner_set, NEW.claimed_by, NEW.running, 1)
    ON CONFLICT (owner, owner_set, claimed_by, running) DO UPDATE SET n = inbox_counts.n + 1;
END;

CREATE TEMP TABLE instance_metadata_copy AS SELECT instance_id, key, value FROM instance_metadata;
DROP TABLE instance_metadata;
CREATE TABLE instance_metadata (
    instance_id INTEGER NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (instance_id, key)
) WITHOUT ROWID;
INSERT INTO instance_metadata (instance_id, key, value) SELECT instance_id, key, value FROM instance_metadata_copy;
DROP TABLE instance_metadata_copy;
CREATE INDEX instance_metadata_key ON instance_metadata (key, value);

-- The "completed by me" view reads completed tasks only (its query says
-- state = 'completed'). Open tasks, all with completed_by '', no longer
-- sit in the index, so completing one adds an entry and removes none.
DROP INDEX human_tasks_completed_by;
CREATE INDEX human_tasks_completed_by ON human_tasks (completed_by, completed_at) WHERE state = 'completed';
