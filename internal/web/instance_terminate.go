package web

import (
	"fmt"
	"net/http"
)

// instanceTerminate ends an instance, cancelling its open tasks, and shows it again.
func (s *Server) instanceTerminate(w http.ResponseWriter, r *http.Request) error {
	id, err := instanceID(r)
	if err != nil {
		return err
	}
	if err := s.runner.Terminate(r.Context(), actor(r), id); err != nil {
		return err
	}
	return s.flashRedirect(w, r, fmt.Sprintf("Instance #%d terminated.", id)+s.instanceOutcome(r, id), s.prefix.URL(fmt.Sprintf("/instances/%d", id)))
}
