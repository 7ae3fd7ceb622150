-- Which of an instance's derived tables hold none of its rows, as its
-- last step wrote them: 1 timers, 2 message_subscriptions,
-- 4 instance_metadata, 8 instance_script_metadata. A step that loads the
-- instance reads only the others (store.DerivedRows). 0, for rows stored
-- before and for writers that do not know, reads them all.
ALTER TABLE instances ADD COLUMN derived_absent INTEGER NOT NULL DEFAULT 0;
