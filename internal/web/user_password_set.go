package web

import (
	"errors"
	"net/http"

	"github.com/waymark-bpm/waymark/internal/auth"
)

// userPasswordSet sets or resets a user's password. The user is signed
// out everywhere and must choose a new password at the next sign-in.
func (s *Server) userPasswordSet(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	u, err := s.accounts.User(r.Context(), id)
	if err != nil {
		return err
	}
	// An admin resetting their own password keeps this session.
	keep := int64(0)
	if id == state(r).user.ID {
		keep = state(r).session.ID()
	}
	err = s.accounts.SetPassword(r.Context(), id, r.PostFormValue("password"), true, keep)
	if errors.Is(err, auth.ErrInvalid) {
		return s.renderUser(w, r, id, http.StatusUnprocessableEntity, accountMessage(err))
	}
	if err != nil {
		return err
	}
	if err := s.adminAudit(r, auth.EventPasswordSet, u.Username, ""); err != nil {
		return err
	}
	return s.afterUserChange(w, r, id, "The password of "+u.Username+" was set; they must change it at the next sign-in.")
}
