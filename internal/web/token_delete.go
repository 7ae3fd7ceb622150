package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/internal/auth"
)

// tokenDelete revokes any user's token (admin page).
func (s *Server) tokenDelete(w http.ResponseWriter, r *http.Request) error {
	return s.revokeToken(w, r, true)
}

// accountTokenDelete revokes one of the signed-in user's own tokens; the
// form's username is ignored, so nobody revokes another's token here.
func (s *Server) accountTokenDelete(w http.ResponseWriter, r *http.Request) error {
	return s.revokeToken(w, r, false)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, admin bool) error {
	if s.tokens == nil {
		return errPageNotFound
	}
	st := state(r)
	username := st.user.Username
	if admin {
		username = strings.TrimSpace(r.PostFormValue("username"))
	}
	label := r.PostFormValue("label")
	err := s.tokens.Revoke(r.Context(), username, label)
	if errors.Is(err, auth.ErrInvalid) {
		return s.renderTokens(w, r, admin, http.StatusUnprocessableEntity, "", accountMessage(err))
	}
	if err != nil {
		return err
	}
	if err := s.adminAudit(r, eventAPITokenRevoked, username, label); err != nil {
		return err
	}
	st.session.SetFlash("The token " + label + " of " + username + " was revoked.")
	if err := s.sessions.Save(w, r, st.session); err != nil {
		return err
	}
	if admin {
		redirect(w, r, s.prefix.URL("/admin/api-tokens"))
	} else {
		redirect(w, r, s.prefix.URL("/account"))
	}
	return nil
}
