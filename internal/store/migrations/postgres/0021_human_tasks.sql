-- Human tasks (user, manual and untyped tasks) as the inbox reads them.
-- Rows are written when a task becomes READY and updated when it completes
-- or is cancelled; task_id is the engine's task id inside the instance.
CREATE TABLE human_tasks (
    instance_id    BIGINT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    task_id        BIGINT NOT NULL,
    element_id     TEXT NOT NULL,
    name           TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL,
    lane           TEXT NOT NULL DEFAULT '',
    -- The group the lane offers the task to ('' when lane_owners or the
    -- starter own it), and a readable list of who may act.
    assigned_group TEXT NOT NULL DEFAULT '',
    waiting_for    TEXT NOT NULL DEFAULT '',
    model_id       TEXT NOT NULL,
    process_id     TEXT NOT NULL,
    process_name   TEXT NOT NULL DEFAULT '',
    -- open, completed or cancelled.
    state          TEXT NOT NULL CHECK (state IN ('open', 'completed', 'cancelled')),
    claimed_by     TEXT NOT NULL DEFAULT '',
    completed_by   TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    completed_at   TEXT NOT NULL DEFAULT '',
    -- What the task page needs without restoring the instance.
    form_schema    TEXT NOT NULL DEFAULT '',
    form_ui_schema TEXT NOT NULL DEFAULT '',
    instructions   TEXT NOT NULL DEFAULT '',
    variable_name  TEXT NOT NULL DEFAULT '',
    -- The task's data as JSON: when open, what the form is filled from;
    -- when completed, what it held on completion.
    data           TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (instance_id, task_id)
);

CREATE INDEX human_tasks_completed_by ON human_tasks (completed_by, completed_at);

-- Who may act on a human task: 'user:<username or lower-case email>' or
-- 'group:<name>'. The inbox matches the signed-in user's keys against it.
CREATE TABLE human_task_owners (
    instance_id BIGINT NOT NULL,
    task_id     BIGINT NOT NULL,
    owner       TEXT NOT NULL,
    PRIMARY KEY (owner, instance_id, task_id),
    FOREIGN KEY (instance_id, task_id) REFERENCES human_tasks (instance_id, task_id) ON DELETE CASCADE
);

CREATE INDEX human_task_owners_task ON human_task_owners (instance_id, task_id);
