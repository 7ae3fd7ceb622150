-- The "completed by me" view reads completed tasks only (its query says
-- state = 'completed'). Open tasks, all with completed_by '', no longer
-- sit in the index, so completing one adds an entry and removes none.
-- (The SQLite twin also stores inbox_open and instance_metadata without
-- rowids; PostgreSQL tables have no rowid b-tree to drop.)
DROP INDEX human_tasks_completed_by;
CREATE INDEX human_tasks_completed_by ON human_tasks (completed_by, completed_at) WHERE state = 'completed';
