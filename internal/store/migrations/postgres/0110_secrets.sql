-- Secrets that service tasks and scripts use by name (SPIFF_SECRET:name,
-- get_secret("name")). The value is encrypted by internal/secrets
-- (AES-256-GCM, nonce first); the database never holds it in clear.
CREATE TABLE secrets (
	name       TEXT PRIMARY KEY,
	value      BYTEA NOT NULL,
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
