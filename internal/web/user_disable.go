package web

import (
	"fmt"
	"net/http"

	"github.com/waymark-bpm/waymark/internal/auth"
)

// userDisable disables a user: no more sign-ins, and every session ends at
// once. Admins cannot disable themselves (nobody might be left to undo it).
func (s *Server) userDisable(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	if id == state(r).user.ID {
		return s.renderUser(w, r, id, http.StatusUnprocessableEntity, "You cannot disable your own account.")
	}
	u, err := s.accounts.User(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.accounts.SetDisabled(r.Context(), id, true, s.now()); err != nil {
		return fmt.Errorf("disable user %s: %w", u.Username, err)
	}
	if err := s.adminAudit(r, auth.EventUserDisabled, u.Username, ""); err != nil {
		return err
	}
	return s.afterUserChange(w, r, id, "User "+u.Username+" was disabled and signed out everywhere.")
}
