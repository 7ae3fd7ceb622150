-- Accounts at OpenID Connect providers. An identity is the issuer and the
-- subject (the "sub" claim, unique per issuer) and belongs to one user; the
-- user row itself is created on first sign-in (source 'local').
CREATE TABLE user_identities (
    issuer          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      TEXT NOT NULL,
    last_sign_in_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);

CREATE INDEX user_identities_user ON user_identities (user_id);

-- Groups a user got at their last sign-in through a provider: the
-- provider's groups claim and the permissions file's groups for the user's
-- email. They are replaced at every such sign-in and added to the user's
-- group memberships. Names need not be rows of groups.
CREATE TABLE user_sign_in_groups (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_name TEXT NOT NULL,
    PRIMARY KEY (user_id, group_name)
);
