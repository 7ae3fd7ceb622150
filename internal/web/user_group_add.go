package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/internal/auth"
)

// userGroupAdd puts a user in a group (created when new).
func (s *Server) userGroupAdd(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	u, err := s.accounts.User(r.Context(), id)
	if err != nil {
		return err
	}
	group := strings.TrimSpace(r.PostFormValue("group"))
	err = s.accounts.AddToGroup(r.Context(), id, group)
	if errors.Is(err, auth.ErrInvalid) {
		return s.renderUser(w, r, id, http.StatusUnprocessableEntity, accountMessage(err))
	}
	if err != nil {
		return err
	}
	if err := s.adminAudit(r, auth.EventGroupAdded, u.Username, group); err != nil {
		return err
	}
	return s.afterUserChange(w, r, id, u.Username+" was added to "+group+".")
}
