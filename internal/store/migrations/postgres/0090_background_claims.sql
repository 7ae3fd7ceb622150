-- Background work is claimed before a process acts on it, so several
-- Waymark processes sharing one database never act on it twice: a claim
-- holds until claimed_until (dueLayout text; '' means unclaimed), after
-- which a process that died holding it has lost it.
ALTER TABLE timers ADD COLUMN claimed_until TEXT NOT NULL DEFAULT '';
ALTER TABLE service_jobs ADD COLUMN claimed_until TEXT NOT NULL DEFAULT '';
