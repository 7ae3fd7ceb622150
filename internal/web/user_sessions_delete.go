package web

import (
	"fmt"
	"net/http"

	"github.com/waymark-bpm/waymark/internal/auth"
)

// userSessionsDelete signs a user out everywhere. On the admin's own page
// the session in use stays.
func (s *Server) userSessionsDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	u, err := s.accounts.User(r.Context(), id)
	if err != nil {
		return err
	}
	keep := int64(0)
	if id == state(r).user.ID {
		keep = state(r).session.ID()
	}
	n, err := s.sessions.EndAll(r.Context(), id, keep)
	if err != nil {
		return err
	}
	if err := s.adminAudit(r, auth.EventSessionsEnded, u.Username, fmt.Sprintf("%d sessions", n)); err != nil {
		return err
	}
	return s.afterUserChange(w, r, id, fmt.Sprintf("%s was signed out everywhere (%d sessions).", u.Username, n))
}
