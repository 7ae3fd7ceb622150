-- The open part of the inbox, kept apart from the history: a page of the
-- open tasks a user or a group holds is a range scan of an index that stops
-- at the page's LIMIT, and the counts of the tabs and the badge are read,
-- not counted. human_task_owners keeps the owners of completed tasks too,
-- so every query that started there walked the history as well.
--
-- Triggers keep the tables in step with human_tasks, human_task_owners and
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
    instance_id BIGINT NOT NULL,
    task_id     BIGINT NOT NULL,
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
-- task two of a user's keys hold counts once.
CREATE TABLE inbox_counts (
    owner      TEXT NOT NULL,
    owner_set  TEXT NOT NULL,
    claimed_by TEXT NOT NULL,
    running    INTEGER NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (owner, owner_set, claimed_by, running)
);

-- Changes to inbox_counts not yet added in. Transactions on PostgreSQL run
-- at once: had each updated the count rows, all steps of one group's tasks
-- would queue behind one row lock, and two steps changing two counts in
-- opposite orders would deadlock. Appending a change takes no shared lock;
-- readers add the changes of their keys to the counts, and the store folds
-- them in (Store.foldInboxCounts) once they are many.
CREATE TABLE inbox_count_changes (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner      TEXT NOT NULL,
    owner_set  TEXT NOT NULL,
    claimed_by TEXT NOT NULL,
    running    INTEGER NOT NULL,
    delta      INTEGER NOT NULL
);

CREATE INDEX inbox_count_changes_owner ON inbox_count_changes (owner);

CREATE FUNCTION inbox_open_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
        INSERT INTO inbox_count_changes (owner, owner_set, claimed_by, running, delta)
        VALUES (OLD.owner, OLD.owner_set, OLD.claimed_by, OLD.running, -1);
    END IF;
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        INSERT INTO inbox_count_changes (owner, owner_set, claimed_by, running, delta)
        VALUES (NEW.owner, NEW.owner_set, NEW.claimed_by, NEW.running, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER inbox_counts_insert AFTER INSERT ON inbox_open
    FOR EACH ROW EXECUTE FUNCTION inbox_open_counted();
CREATE TRIGGER inbox_counts_delete AFTER DELETE ON inbox_open
    FOR EACH ROW EXECUTE FUNCTION inbox_open_counted();
CREATE TRIGGER inbox_counts_update AFTER UPDATE OF claimed_by, running, owner_set ON inbox_open
    FOR EACH ROW WHEN (OLD.claimed_by <> NEW.claimed_by OR OLD.running <> NEW.running OR OLD.owner_set <> NEW.owner_set)
    EXECUTE FUNCTION inbox_open_counted();

-- The open tasks already stored, counted directly.
UPDATE human_tasks SET owner_set = coalesce((SELECT string_agg(o.owner, E'\n' ORDER BY o.owner COLLATE "C") FROM human_task_owners o
    WHERE o.instance_id = human_tasks.instance_id AND o.task_id = human_tasks.task_id), '')
    WHERE state = 'open';

ALTER TABLE inbox_open DISABLE TRIGGER inbox_counts_insert;

INSERT INTO inbox_open (owner, instance_id, task_id, created_at, claimed_by, running, owner_set)
SELECT o.owner, h.instance_id, h.task_id, h.created_at, h.claimed_by, CASE WHEN i.status = 'running' THEN 1 ELSE 0 END, h.owner_set
    FROM human_task_owners o
    JOIN human_tasks h ON h.instance_id = o.instance_id AND h.task_id = o.task_id
    JOIN instances i ON i.id = h.instance_id
    WHERE h.state = 'open';

INSERT INTO inbox_open (owner, instance_id, task_id, created_at, claimed_by, running, owner_set)
SELECT 'started:' || i.started_by, h.instance_id, h.task_id, h.created_at, h.claimed_by, CASE WHEN i.status = 'running' THEN 1 ELSE 0 END, h.owner_set
    FROM human_tasks h JOIN instances i ON i.id = h.instance_id
    WHERE h.state = 'open';

ALTER TABLE inbox_open ENABLE TRIGGER inbox_counts_insert;

INSERT INTO inbox_counts (owner, owner_set, claimed_by, running, n)
SELECT owner, owner_set, claimed_by, running, count(*) FROM inbox_open GROUP BY owner, owner_set, claimed_by, running;

-- An open task: the row of its instance's starter.
CREATE FUNCTION inbox_task_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO inbox_open (owner, instance_id, task_id, created_at, claimed_by, running, owner_set)
    SELECT 'started:' || i.started_by, NEW.instance_id, NEW.task_id, NEW.created_at, NEW.claimed_by, CASE WHEN i.status = 'running' THEN 1 ELSE 0 END, NEW.owner_set
        FROM instances i WHERE i.id = NEW.instance_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER inbox_open_task_added AFTER INSERT ON human_tasks
    FOR EACH ROW WHEN (NEW.state = 'open') EXECUTE FUNCTION inbox_task_added();

-- An owner of an open task: its inbox row. An owner removed: its row goes.
CREATE FUNCTION inbox_owner_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO inbox_open (owner, instance_id, task_id, created_at, claimed_by, running, owner_set)
        SELECT NEW.owner, h.instance_id, h.task_id, h.created_at, h.claimed_by, CASE WHEN i.status = 'running' THEN 1 ELSE 0 END, h.owner_set
            FROM human_tasks h JOIN instances i ON i.id = h.instance_id
            WHERE h.instance_id = NEW.instance_id AND h.task_id = NEW.task_id AND h.state = 'open';
    ELSE
        DELETE FROM inbox_open WHERE owner = OLD.owner AND instance_id = OLD.instance_id AND task_id = OLD.task_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER inbox_open_owner_added AFTER INSERT ON human_task_owners
    FOR EACH ROW EXECUTE FUNCTION inbox_owner_changed();
CREATE TRIGGER inbox_open_owner_removed AFTER DELETE ON human_task_owners
    FOR EACH ROW EXECUTE FUNCTION inbox_owner_changed();

-- A task that completes or is cancelled leaves the inbox, one opened again
-- comes back with its owners and starter, a claim or release moves it
-- between counts.
CREATE FUNCTION inbox_task_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state = 'open' AND NEW.state <> 'open' THEN
        DELETE FROM inbox_open WHERE instance_id = NEW.instance_id AND task_id = NEW.task_id;
    ELSIF OLD.state <> 'open' AND NEW.state = 'open' THEN
        INSERT INTO inbox_open (owner, instance_id, task_id, created_at, claimed_by, running, owner_set)
        SELECT o.owner, NEW.instance_id, NEW.task_id, NEW.created_at, NEW.claimed_by, CASE WHEN i.status = 'running' THEN 1 ELSE 0 END, NEW.owner_set
            FROM human_task_owners o JOIN instances i ON i.id = o.instance_id
            WHERE o.instance_id = NEW.instance_id AND o.task_id = NEW.task_id;
        INSERT INTO inbox_open (owner, instance_id, task_id, created_at, claimed_by, running, owner_set)
        SELECT 'started:' || i.started_by, NEW.instance_id, NEW.task_id, NEW.created_at, NEW.claimed_by, CASE WHEN i.status = 'running' THEN 1 ELSE 0 END, NEW.owner_set
            FROM instances i WHERE i.id = NEW.instance_id;
    ELSIF NEW.state = 'open' AND OLD.claimed_by <> NEW.claimed_by THEN
        UPDATE inbox_open SET claimed_by = NEW.claimed_by WHERE instance_id = NEW.instance_id AND task_id = NEW.task_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER inbox_open_task_changed AFTER UPDATE OF state, claimed_by ON human_tasks
    FOR EACH ROW WHEN (OLD.state <> NEW.state OR OLD.claimed_by <> NEW.claimed_by)
    EXECUTE FUNCTION inbox_task_changed();

-- An instance that stops or starts running (suspended, resumed, in
-- error, terminated, completed).
CREATE FUNCTION inbox_instance_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inbox_open SET running = CASE WHEN NEW.status = 'running' THEN 1 ELSE 0 END WHERE instance_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER inbox_open_instance_status AFTER UPDATE OF status ON instances
    FOR EACH ROW WHEN ((OLD.status = 'running') <> (NEW.status = 'running'))
    EXECUTE FUNCTION inbox_instance_status_changed();
