package web

import (
	"fmt"
	"net/http"
)

// instanceRetry retries the failed task of an instance against the model as it is now, and shows the instance again.
func (s *Server) instanceRetry(w http.ResponseWriter, r *http.Request) error {
	id, err := instanceID(r)
	if err != nil {
		return err
	}
	if err := s.runner.Retry(r.Context(), actor(r), id); err != nil {
		return err
	}
	return s.flashRedirect(w, r, fmt.Sprintf("Instance #%d retried.", id)+s.instanceOutcome(r, id), s.prefix.URL(fmt.Sprintf("/instances/%d", id)))
}
