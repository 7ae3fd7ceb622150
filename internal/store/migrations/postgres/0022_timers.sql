-- Waiting timers, one row per waiting timer task, rewritten with every
-- step. The scheduler polls for rows that are due.
CREATE TABLE timers (
    instance_id BIGINT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    task_id     BIGINT NOT NULL,
    element_id  TEXT NOT NULL,
    due_at      TEXT NOT NULL,
    PRIMARY KEY (instance_id, task_id)
);

CREATE INDEX timers_due ON timers (due_at);
