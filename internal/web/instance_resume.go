package web

import (
	"fmt"
	"net/http"
)

// instanceResume lets a suspended instance move on and shows it again.
func (s *Server) instanceResume(w http.ResponseWriter, r *http.Request) error {
	id, err := instanceID(r)
	if err != nil {
		return err
	}
	if err := s.runner.Resume(r.Context(), actor(r), id); err != nil {
		return err
	}
	return s.flashRedirect(w, r, fmt.Sprintf("Instance #%d resumed.", id)+s.instanceOutcome(r, id), s.prefix.URL(fmt.Sprintf("/instances/%d", id)))
}
