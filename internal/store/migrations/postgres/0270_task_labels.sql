-- The texts an inbox text filter searches (a task's name, element id,
-- process name and model id) come from the model, not the instance: every
-- task of one element of one model shares them. task_labels holds each
-- such combination once, kept by a trigger as tasks are inserted, so a
-- text filter finds the few labels it matches and reads their tasks by
-- index (inbox_walk.go), instead of testing every task of the user's.
-- Labels are never removed: they stay as few as the models' elements.
CREATE TABLE task_labels (
	model_id TEXT NOT NULL,
	element_id TEXT NOT NULL,
	name TEXT NOT NULL,
	process_name TEXT NOT NULL,
	PRIMARY KEY (model_id, element_id, name, process_name)
);

INSERT INTO task_labels (model_id, element_id, name, process_name)
	SELECT DISTINCT model_id, element_id, name, process_name FROM human_tasks
	ON CONFLICT DO NOTHING;

CREATE FUNCTION human_tasks_label() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO task_labels (model_id, element_id, name, process_name)
		VALUES (NEW.model_id, NEW.element_id, NEW.name, NEW.process_name)
		ON CONFLICT DO NOTHING;
	RETURN NULL;
END;
$$;

CREATE TRIGGER human_tasks_label AFTER INSERT ON human_tasks
	FOR EACH ROW EXECUTE FUNCTION human_tasks_label();

-- The open tasks of one element of a model, for a label's tasks; it also
-- serves the model filter that migration 0260's index served alone.
DROP INDEX human_tasks_open_model;
CREATE INDEX human_tasks_open_model ON human_tasks (model_id, element_id) WHERE state = 'open';
