-- Bearer tokens for the machine API. The client holds a random token; only
-- its SHA-256 hash is stored, so a copy of the database grants nothing. A
-- token acts as its user, with that user's permission rules. Revoking
-- deletes the row; expires_at is empty for a token that does not expire.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label        TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT NOT NULL DEFAULT '',
    expires_at   TEXT NOT NULL DEFAULT '',
    UNIQUE (user_id, label)
);
