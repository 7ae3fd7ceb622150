-- The open part of the inbox, kept apart from the history: a page of the
-- open tasks a user or a group holds is a range scan of an index that stops
-- at the page's LIMIT, and the counts of the tabs and the badge are read,
-- not counted. human_task_owners keeps the owners of completed tasks too,
-- so every query that started there walked the history as well.
--
-- Triggers keep both tables in step with human_tasks, human_task_owners and
-- instances, inside the transaction that changes them, whatever the path:
-- a step that opens, completes or cancels tasks, a claim or release, an
-- instance suspended, resumed or terminated, a delete that cascades, or a
-- copy made by CloneInstance.

-- The task's owner keys, sorted and joined by newlines. Tasks held by the
-- same keys are counted together in inbox_counts.
ALTER TABLE human_tasks ADD COLUMN owner_set TEXT NOT NULL DEFAULT '';

-- One row per owner key of each open human task, and one under
-- 'started:<username>' for the user who started its instance (the "started
-- by me" view); the rows go when the task leaves the open state.
CREATE TABLE inbox_open (
    owner       TEXT NOT NULL,
    instance_id INTEGER NOT NULL,
    task_id     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    claimed_by  TEXT NOT NULL DEFAULT '',
    -- 1 while the instance runs: "ready for me" lists only those.
    running     INTEGER NOT NULL,
    owner_set   TEXT NOT NULL,
    PRIMARY KEY (owner, instance_id, task_id),
    FOREIGN KEY (instance_id, task_id) REFERENCES human_tasks (instance_id, task_id) ON DELETE CASCADE
);

-- "Ready for me", newest first, per key and claim.
CREATE INDEX inbox_open_ready ON inbox_open (owner, running, claimed_by, created_at, instance_id, task_id);
-- "My groups", newest first, per key.
CREATE INDEX inbox_open_recent ON inbox_open (owner, created_at, instance_id, task_id);
CREATE INDEX inbox_open_task ON inbox_open (instance_id, task_id);

-- How many open tasks each owner key holds, by the tasks' owner set, claim
-- and whether their instance runs. Every key of a set carries the same
-- count for it, so the reader adds each (set, claim, running) once and a
-- task two of a user's keys hold counts once. Rows that reach 0 go.
CREATE TABLE inbox_counts (
    owner      TEXT NOT NULL,
    owner_set  TEXT NOT NULL,
    claimed_by TEXT NOT NULL,
    running    INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (owner, owner_set, claimed_by, running)
);

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

-- The open tasks already stored.
UPDATE human_tasks SET owner_set = coalesce((SELECT group_concat(o.owner, char(10) ORDER BY o.owner) FROM human_task_owners o
    WHERE o.instance_id = human_tasks.instance_id AND o.task_id = human_tasks.task_id), '')
    WHERE state = 'open';

INSERT INTO inbox_open (owner, instance_id, task_id, created_at, claimed_by, running, owner_set)
SELECT o.owner, h.instance_id, h.task_id, h.created_at, h.claimed_by, i.status = 'running', h.owner_set
    FROM human_task_owners o
    JOIN human_tasks h ON h.instance_id = o.instance_id AND h.task_id = o.task_id
    JOIN instances i ON i.id = h.instance_id
    WHERE h.state = 'open';

INSERT INTO inbox_open (owner, instance_id, task_id, created_at, claimed_by, running, owner_set)
SELECT 'started:' || i.started_by, h.instance_id, h.task_id, h.created_at, h.claimed_by, i.status = 'running', h.owner_set
    FROM human_tasks h JOIN instances i ON i.id = h.instance_id
    WHERE h.state = 'open';

-- An open task: the row of its instance's starter.
CREATE TRIGGER inbox_open_task_added AFTER INSERT ON human_tasks
WHEN NEW.state = 'open'
BEGIN
    INSERT INTO inbox_open (owner, instance_id, task_id, created_at, claimed_by, running, owner_set)
    SELECT 'started:' || i.started_by, NEW.instance_id, NEW.task_id, NEW.created_at, NEW.claimed_by, i.status = 'running', NEW.owner_set
        FROM instances i WHERE i.id = NEW.instance_id;
END;

-- An owner of an open task: its inbox row.
CREATE TRIGGER inbox_open_owner_added AFTER INSERT ON human_task_owners
BEGIN
    INSERT INTO inbox_open (owner, instance_id, task_id, created_at, claimed_by, running, owner_set)
    SELECT NEW.owner, h.instance_id, h.task_id, h.created_at, h.claimed_by, i.status = 'running', h.owner_set
        FROM human_tasks h JOIN instances i ON i.id = h.instance_id
        WHERE h.instance_id = NEW.instance_id AND h.task_id = NEW.task_id AND h.state = 'open';
END;

CREATE TRIGGER inbox_open_owner_removed AFTER DELETE ON human_task_owners
BEGIN
    DELETE FROM inbox_open WHERE owner = OLD.owner AND instance_id = OLD.instance_id AND task_id = OLD.task_id;
END;

-- A task that completes or is cancelled leaves the inbox.
CREATE TRIGGER inbox_open_task_closed AFTER UPDATE OF state ON human_tasks
WHEN OLD.state = 'open' AND NEW.state <> 'open'
BEGIN
    DELETE FROM inbox_open WHERE instance_id = NEW.instance_id AND task_id = NEW.task_id;
END;

-- A task opened again comes back with its owners and starter.
CREATE TRIGGER inbox_open_task_reopened AFTER UPDATE OF state ON human_tasks
WHEN OLD.state <> 'open' AND NEW.state = 'open'
BEGIN
    INSERT INTO inbox_open (owner, instance_id, task_id, created_at, claimed_by, running, owner_set)
    SELECT o.owner, NEW.instance_id, NEW.task_id, NEW.created_at, NEW.claimed_by, i.status = 'running', NEW.owner_set
        FROM human_task_owners o JOIN instances i ON i.id = o.instance_id
        WHERE o.instance_id = NEW.instance_id AND o.task_id = NEW.task_id;
    INSERT INTO inbox_open (owner, instance_id, task_id, created_at, claimed_by, running, owner_set)
    SELECT 'started:' || i.started_by, NEW.instance_id, NEW.task_id, NEW.created_at, NEW.claimed_by, i.status = 'running', NEW.owner_set
        FROM instances i WHERE i.id = NEW.instance_id;
END;

-- A claim or release of an open task.
CREATE TRIGGER inbox_open_task_claimed AFTER UPDATE OF claimed_by ON human_tasks
WHEN NEW.state = 'open' AND OLD.state = 'open' AND OLD.claimed_by <> NEW.claimed_by
BEGIN
    UPDATE inbox_open SET claimed_by = NEW.claimed_by WHERE instance_id = NEW.instance_id AND task_id = NEW.task_id;
END;

-- An instance that stops or starts running (suspended, resumed, in
-- error, terminated, completed).
CREATE TRIGGER inbox_open_instance_status AFTER UPDATE OF status ON instances
WHEN (OLD.status = 'running') <> (NEW.status = 'running')
BEGIN
    UPDATE inbox_open SET running = (NEW.status = 'running') WHERE instance_id = NEW.id;
END;
