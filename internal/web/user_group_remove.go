package web

import (
	"errors"
	"net/http"

	"github.com/waymark-bpm/waymark/internal/auth"
)

// userGroupRemove takes a user out of a group the app put them in.
func (s *Server) userGroupRemove(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	u, err := s.accounts.User(r.Context(), id)
	if err != nil {
		return err
	}
	group := r.PostFormValue("group")
	err = s.accounts.RemoveFromGroup(r.Context(), id, group)
	if errors.Is(err, auth.ErrInvalid) {
		return s.renderUser(w, r, id, http.StatusUnprocessableEntity, accountMessage(err))
	}
	if err != nil {
		return err
	}
	if err := s.adminAudit(r, auth.EventGroupRemoved, u.Username, group); err != nil {
		return err
	}
	return s.afterUserChange(w, r, id, u.Username+" was removed from "+group+".")
}
