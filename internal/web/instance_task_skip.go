package web

import (
	"fmt"
	"net/http"
)

// instanceTaskSkip completes a ready or failed task without running it and
// shows the instance again.
func (s *Server) instanceTaskSkip(w http.ResponseWriter, r *http.Request) error {
	id, taskID, err := instanceTaskIDs(r)
	if err != nil {
		return err
	}
	if err := s.runner.SkipTask(r.Context(), actor(r), id, taskID); err != nil {
		return err
	}
	return s.flashRedirect(w, r, fmt.Sprintf("Task %d skipped.", taskID)+s.instanceOutcome(r, id), s.prefix.URL(fmt.Sprintf("/instances/%d", id)))
}
