-- Sign-in throttling: one row per throttled key ("user:<name>" for the
-- username as typed, known or not, and "ip:<address>" for the client).
-- failures counts attempts since the last success or since the counter
-- went stale; locked_until is set when the lock engages.
CREATE TABLE sign_in_throttle (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    last_at      TEXT NOT NULL,
    locked_until TEXT NOT NULL DEFAULT ''
);

-- The audit log of sign-ins, failures, locks and account changes. It names
-- users by username and has no foreign key, so it outlives the users.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    event     TEXT NOT NULL,
    username  TEXT NOT NULL DEFAULT '',
    actor     TEXT NOT NULL DEFAULT '',
    client_ip TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT ''
);

CREATE INDEX audit_log_username ON audit_log (username, id);
