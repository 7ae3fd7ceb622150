package web

import (
	"io"
	"net/http"

	"github.com/waymark-bpm/waymark/internal/runner"
)

// The repairs of the instance page in the v1 API: edit a task's data, skip
// a task, reset to a task, migrate one instance or all of a model's (GET is
// the dry run).

// apiV1TaskDataUpdate replaces a task's data with the body's JSON object
// and answers with the instance.
func (s *Server) apiV1TaskDataUpdate(w http.ResponseWriter, r *http.Request) error {
	id, taskID, err := instanceTaskIDs(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxTaskDataForm))
	if err != nil {
		return badInput("The body could not be read: %v.", err)
	}
	data, err := taskDataJSON(body)
	if err != nil {
		return err
	}
	if err := s.runner.SetTaskData(r.Context(), actor(r), id, taskID, data); err != nil {
		return err
	}
	return s.apiV1InstanceAfter(w, r, id)
}

// apiV1TaskSkip completes a ready or failed task without running it.
func (s *Server) apiV1TaskSkip(w http.ResponseWriter, r *http.Request) error {
	id, taskID, err := instanceTaskIDs(r)
	if err != nil {
		return err
	}
	if err := s.runner.SkipTask(r.Context(), actor(r), id, taskID); err != nil {
		return err
	}
	return s.apiV1InstanceAfter(w, r, id)
}

// apiV1InstanceReset resets the instance to a completed task and answers
// with the instance and the id of the task that runs again.
func (s *Server) apiV1InstanceReset(w http.ResponseWriter, r *http.Request) error {
	id, taskID, err := instanceTaskIDs(r)
	if err != nil {
		return err
	}
	nt, err := s.runner.ResetTo(r.Context(), actor(r), id, taskID)
	if err != nil {
		return err
	}
	in, err := s.work.Instance(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"instance": toAPIV1Instance(in), "task_id": nt})
}

func (s *Server) apiV1InstanceAfter(w http.ResponseWriter, r *http.Request, id int64) error {
	in, err := s.work.Instance(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toAPIV1Instance(in))
}

// apiV1InstanceMigrate moves an instance onto its model as it is now, or
// with dryRun only says what that would do. A refusal (409) names the
// tasks that cannot be mapped.
func (s *Server) apiV1InstanceMigrate(dryRun bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := instanceID(r)
		if err != nil {
			return err
		}
		m, err := s.runner.Migrate(r.Context(), actor(r), id, dryRun)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, m)
	}
}

// apiV1ModelInstancesMigrate moves every instance of a model that has not
// ended onto the model as it is now (or with dryRun says what that would
// do); instances that cannot be mapped are left and listed with why.
func (s *Server) apiV1ModelInstancesMigrate(dryRun bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		all, err := s.runner.MigrateAll(r.Context(), actor(r), modelIDFromURL(r.PathValue("id")), dryRun)
		if err != nil {
			return err
		}
		if all == nil {
			all = []runner.Migration{}
		}
		return writeJSON(w, http.StatusOK, map[string]any{"results": all})
	}
}
