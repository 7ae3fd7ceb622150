package web

import (
	"fmt"
	"net/http"
)

// modelStart starts an instance of a model (its primary process, or the
// process named in the form) and goes to the user's next task in it, or to
// the instance page when there is none.
func (s *Server) modelStart(w http.ResponseWriter, r *http.Request) error {
	modelID := modelIDFromURL(r.PathValue("id"))
	a := actor(r)
	id, err := s.runner.Start(r.Context(), a, modelID, r.PostFormValue("process"), nil)
	if err != nil {
		return err
	}
	return s.flashRedirect(w, r, "Started "+s.instanceName(r, id)+"."+s.instanceOutcome(r, id), s.nextTaskURL(r, id))
}

// nextTaskURL is the page of the first open task of the instance the user
// may act on, else the instance page.
func (s *Server) nextTaskURL(r *http.Request, instanceID int64) string {
	if page, err := s.runner.NextTask(r.Context(), actor(r), instanceID); err == nil && page > 0 {
		return s.prefix.URL(fmt.Sprintf("/tasks/%d/%d", instanceID, page))
	}
	return s.prefix.URL(fmt.Sprintf("/instances/%d", instanceID))
}
