package web

import (
	"fmt"
	"net/http"
)

// taskClaim reserves a task for the signed-in user.
func (s *Server) taskClaim(w http.ResponseWriter, r *http.Request) error {
	id, task, err := instanceTaskIDs(r)
	if err != nil {
		return err
	}
	if err := s.runner.Claim(r.Context(), actor(r), id, task); err != nil {
		return err
	}
	return s.flashRedirect(w, r, "Task claimed: it is yours until you release it.", s.backTo(r, fmt.Sprintf("/tasks/%d/%d", id, task)))
}

// backTo is the local page named by the form's next field, else fallback.
func (s *Server) backTo(r *http.Request, fallback string) string {
	if next := localPath(r.PostFormValue("next")); next != "" {
		return next
	}
	return s.prefix.URL(fallback)
}
