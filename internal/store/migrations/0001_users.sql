-- Users and groups. Rows come from the permissions YAML (source 'file') or
-- are created by Waymark itself, such as the first-start admin (source
-- 'local'). Signing in looks users up by username.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL DEFAULT '',
    display_name  TEXT NOT NULL DEFAULT '',
    -- bcrypt hash; empty means the user cannot sign in with a password.
    password_hash TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL CHECK (source IN ('file', 'local')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE groups (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL CHECK (source IN ('file', 'local'))
);

-- Membership keeps its own source, so reloading the permissions file
-- replaces only the memberships the file declared.
CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source   TEXT NOT NULL CHECK (source IN ('file', 'local')),
    PRIMARY KEY (group_id, user_id)
);

CREATE INDEX group_members_user ON group_members (user_id);
