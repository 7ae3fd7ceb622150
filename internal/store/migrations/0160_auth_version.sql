-- A counter that changes whenever something a request's sign-in resolves
-- to may have changed: a session or API token ended or re-pointed, a user
-- changed or removed, a group renamed or removed, a membership or a
-- sign-in group added or removed. Servers cache resolved sign-ins, tokens
-- and users between requests and read only this row to know the cache is
-- still right; triggers keep it current whoever writes (another process,
-- the command line). The columns written on every use (last_seen_at,
-- last_used_at) do not change it.
CREATE TABLE auth_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO auth_version (id, n) VALUES (1, 0);

CREATE TRIGGER auth_version_users_update AFTER UPDATE ON users BEGIN UPDATE auth_version SET n = n + 1; END;
CREATE TRIGGER auth_version_users_delete AFTER DELETE ON users BEGIN UPDATE auth_version SET n = n + 1; END;
CREATE TRIGGER auth_version_groups_update AFTER UPDATE ON groups BEGIN UPDATE auth_version SET n = n + 1; END;
CREATE TRIGGER auth_version_groups_delete AFTER DELETE ON groups BEGIN UPDATE auth_version SET n = n + 1; END;
CREATE TRIGGER auth_version_members_insert AFTER INSERT ON group_members BEGIN UPDATE auth_version SET n = n + 1; END;
CREATE TRIGGER auth_version_members_update AFTER UPDATE ON group_members BEGIN UPDATE auth_version SET n = n + 1; END;
CREATE TRIGGER auth_version_members_delete AFTER DELETE ON group_members BEGIN UPDATE auth_version SET n = n + 1; END;
CREATE TRIGGER auth_version_sign_in_groups_insert AFTER INSERT ON user_sign_in_groups BEGIN UPDATE auth_version SET n = n + 1; END;
CREATE TRIGGER auth_version_sign_in_groups_update AFTER UPDATE ON user_sign_in_groups BEGIN UPDATE auth_version SET n = n + 1; END;
CREATE TRIGGER auth_version_sign_in_groups_delete AFTER DELETE ON user_sign_in_groups BEGIN UPDATE auth_version SET n = n + 1; END;
CREATE TRIGGER auth_version_sessions_update AFTER UPDATE OF token_hash, user_id, created_at ON sessions BEGIN UPDATE auth_version SET n = n + 1; END;
CREATE TRIGGER auth_version_sessions_delete AFTER DELETE ON sessions BEGIN UPDATE auth_version SET n = n + 1; END;
CREATE TRIGGER auth_version_api_tokens_update AFTER UPDATE OF token_hash, user_id, expires_at ON api_tokens BEGIN UPDATE auth_version SET n = n + 1; END;
CREATE TRIGGER auth_version_api_tokens_delete AFTER DELETE ON api_tokens BEGIN UPDATE auth_version SET n = n + 1; END;
