-- Service-task calls waiting for a worker. Written in the step that put the
-- task in STARTED, removed in the step that completes or fails it, so a
-- restart finds every call still owed.
CREATE TABLE service_jobs (
    instance_id BIGINT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    task_id     BIGINT NOT NULL,
    element_id  TEXT NOT NULL,
    operator    TEXT NOT NULL,
    -- Evaluated parameters and the task data, as JSON.
    params      TEXT NOT NULL,
    task_data   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (instance_id, task_id)
);
