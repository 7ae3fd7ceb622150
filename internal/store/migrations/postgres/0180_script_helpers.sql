-- What scripts store through SpiffArena's helpers.
--
-- instance_script_metadata keeps the values save_process_instance_metadata
-- set: every step rewrites instance_metadata from the model's metadata
-- paths, and adds these back, so a value a script saved is not lost.
CREATE TABLE instance_script_metadata (
    instance_id BIGINT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (instance_id, key)
);

-- user_properties are set_user_properties' values (JSON text) by user
-- and key; get_user_properties reads them. Keyed by username, as scripts
-- know users, and removed with the user.
CREATE TABLE user_properties (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);
