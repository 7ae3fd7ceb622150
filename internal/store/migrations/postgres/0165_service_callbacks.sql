-- Service-task calls a connector proxy answers later (HTTP 202): the proxy
-- posts the result to a callback URL that carries a random token made for
-- that one call. Only the token's SHA-256 hash is stored. The row is
-- written before the call goes out (a fast proxy may call back before its
-- 202 arrives), replaced when the call is made again, and marked answered
-- in the step that completes the task, so a replayed callback is refused.
-- params are the call's parameters as stored for the job (secret
-- references, not values), so the answer can have the secrets taken out.
CREATE TABLE service_callbacks (
    instance_id BIGINT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    task_id     INTEGER NOT NULL,
    token_hash  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    answered_at TEXT NOT NULL DEFAULT '',
    params      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (instance_id, task_id)
);
