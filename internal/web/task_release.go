package web

import (
	"fmt"
	"net/http"
)

// taskRelease gives up the signed-in user's claim on a task.
func (s *Server) taskRelease(w http.ResponseWriter, r *http.Request) error {
	id, task, err := instanceTaskIDs(r)
	if err != nil {
		return err
	}
	if err := s.runner.Release(r.Context(), actor(r), id, task); err != nil {
		return err
	}
	return s.flashRedirect(w, r, "Task released: others in its group can take it.", s.backTo(r, fmt.Sprintf("/tasks/%d/%d", id, task)))
}
