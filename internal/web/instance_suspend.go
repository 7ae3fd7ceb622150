package web

import (
	"fmt"
	"net/http"
)

// instanceSuspend suspends an instance (its tasks wait) and shows it again.
func (s *Server) instanceSuspend(w http.ResponseWriter, r *http.Request) error {
	id, err := instanceID(r)
	if err != nil {
		return err
	}
	if err := s.runner.Suspend(r.Context(), actor(r), id); err != nil {
		return err
	}
	return s.flashRedirect(w, r, fmt.Sprintf("Instance #%d suspended.", id)+s.instanceOutcome(r, id), s.prefix.URL(fmt.Sprintf("/instances/%d", id)))
}
