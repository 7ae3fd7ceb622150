-- Open tasks by model, process and lane group. A filtered inbox view walks
-- the user's open tasks newest first and stops at the page; where the
-- filter matches few tasks that walk would meet them all, so the view reads
-- the few candidates from these indexes instead (inbox_walk.go).
CREATE INDEX human_tasks_open_model ON human_tasks (model_id) WHERE state = 'open';
CREATE INDEX human_tasks_open_process ON human_tasks (process_id) WHERE state = 'open';
CREATE INDEX human_tasks_open_group ON human_tasks (assigned_group) WHERE state = 'open';
