-- The model whose files hold a task's form. A task of a process reached
-- through a call activity reads its form from the called process's model,
-- not from the model the instance was started from; '' means the
-- instance's model (rows written before this column existed).
ALTER TABLE human_tasks ADD COLUMN form_model_id TEXT NOT NULL DEFAULT '';
