-- Messages and signals thrown by instances (or sent from outside) that the
-- router has still to deliver: written in the same transaction as the
-- step that threw them, deleted in the same transaction as the step that
-- consumed them, so a crash in between neither loses nor doubles one.
-- expires_at (dueLayout text) is when an undelivered message is dropped.
CREATE TABLE message_outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL CHECK (kind IN ('message', 'signal')),
    name          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    from_instance INTEGER NOT NULL DEFAULT 0,
    from_element  TEXT NOT NULL DEFAULT '',
    -- sent_by is the user an instance the message starts is started by.
    sent_by       TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);

CREATE INDEX message_outbox_name ON message_outbox (kind, name);
