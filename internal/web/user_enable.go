package web

import (
	"fmt"
	"net/http"

	"github.com/waymark-bpm/waymark/internal/auth"
)

// userEnable lets a disabled user sign in again.
func (s *Server) userEnable(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	u, err := s.accounts.User(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.accounts.SetDisabled(r.Context(), id, false, s.now()); err != nil {
		return fmt.Errorf("enable user %s: %w", u.Username, err)
	}
	if err := s.adminAudit(r, auth.EventUserEnabled, u.Username, ""); err != nil {
		return err
	}
	return s.afterUserChange(w, r, id, "User "+u.Username+" was enabled.")
}
