-- Permission rules added in the app, in force beside the rules of the
-- permissions file. Lists are JSON arrays of strings; the rule's form is
-- that of a file rule (SpiffArena's groups, users, actions, uri).
CREATE TABLE permission_rules (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    groups     TEXT NOT NULL DEFAULT '[]',
    users      TEXT NOT NULL DEFAULT '[]',
    actions    TEXT NOT NULL,
    uri        TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
