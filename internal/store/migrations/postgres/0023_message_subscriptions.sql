-- Events instances wait for from outside (messages and signals), one row
-- per waiting catcher, rewritten with every step.
CREATE TABLE message_subscriptions (
    instance_id BIGINT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    task_id     BIGINT NOT NULL,
    element_id  TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('message', 'signal')),
    name        TEXT NOT NULL,
    PRIMARY KEY (instance_id, task_id, kind, name)
);

CREATE INDEX message_subscriptions_name ON message_subscriptions (kind, name);
