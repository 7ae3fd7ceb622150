-- Accounts managed in the app: a disabled user cannot sign in and loses
-- every session; must_change_password sends the user to the password form
-- at the next sign-in (set when an admin sets or resets the password).
ALTER TABLE users ADD COLUMN disabled_at TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
