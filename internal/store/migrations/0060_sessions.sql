-- Server-side sessions. The browser's cookie carries a random token; only
-- its SHA-256 hash is stored, so a copy of the database cannot be replayed
-- as cookies. A sign-in lasts while its row exists: signing out, disabling
-- the user, changing the password and "sign out everywhere" delete rows,
-- and the idle and absolute time-outs are checked against last_seen_at and
-- created_at on every request.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    client_ip    TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);

CREATE INDEX sessions_user ON sessions (user_id);
