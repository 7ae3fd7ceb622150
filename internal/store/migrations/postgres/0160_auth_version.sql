-- A counter that changes whenever something a request's sign-in resolves
-- to may have changed: a session or API token ended or re-pointed, a user
-- changed or removed, a group renamed or removed, a membership or a
-- sign-in group added or removed. Servers cache resolved sign-ins, tokens
-- and users between requests and read only this row to know the cache is
-- still right; triggers keep it current whichever process writes. The
-- columns written on every use (last_seen_at, last_used_at) do not change
-- it. Statement triggers: one bump per statement, however many rows.
CREATE TABLE auth_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT NOT NULL
);
INSERT INTO auth_version (id, n) VALUES (1, 0);

CREATE FUNCTION auth_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_version SET n = n + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER auth_version_users AFTER UPDATE OR DELETE ON users FOR EACH STATEMENT EXECUTE FUNCTION auth_version_bump();
CREATE TRIGGER auth_version_groups AFTER UPDATE OR DELETE ON groups FOR EACH STATEMENT EXECUTE FUNCTION auth_version_bump();
CREATE TRIGGER auth_version_members AFTER INSERT OR UPDATE OR DELETE ON group_members FOR EACH STATEMENT EXECUTE FUNCTION auth_version_bump();
CREATE TRIGGER auth_version_sign_in_groups AFTER INSERT OR UPDATE OR DELETE ON user_sign_in_groups FOR EACH STATEMENT EXECUTE FUNCTION auth_version_bump();
CREATE TRIGGER auth_version_sessions_update AFTER UPDATE OF token_hash, user_id, created_at ON sessions FOR EACH STATEMENT EXECUTE FUNCTION auth_version_bump();
CREATE TRIGGER auth_version_sessions_delete AFTER DELETE ON sessions FOR EACH STATEMENT EXECUTE FUNCTION auth_version_bump();
CREATE TRIGGER auth_version_api_tokens_update AFTER UPDATE OF token_hash, user_id, expires_at ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION auth_version_bump();
CREATE TRIGGER auth_version_api_tokens_delete AFTER DELETE ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION auth_version_bump();
