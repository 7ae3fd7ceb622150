package web

import (
	"fmt"
	"net/http"
)

// instanceReset puts an instance back to one of its completed tasks: the
// task runs again and what followed it is undone.
func (s *Server) instanceReset(w http.ResponseWriter, r *http.Request) error {
	id, taskID, err := instanceTaskIDs(r)
	if err != nil {
		return err
	}
	nt, err := s.runner.ResetTo(r.Context(), actor(r), id, taskID)
	if err != nil {
		return err
	}
	return s.flashRedirect(w, r, fmt.Sprintf("Instance #%d reset to task %d; it runs again as task %d.", id, taskID, nt)+s.instanceOutcome(r, id),
		s.prefix.URL(fmt.Sprintf("/instances/%d", id)))
}
