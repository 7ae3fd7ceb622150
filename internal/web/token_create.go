package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/web/templates"
)

// The audit log's token events.
const (
	eventAPITokenCreated = "api-token-created"
	eventAPITokenRevoked = "api-token-revoked"
)

// tokenCreate makes an API token for any user (admin page) and shows it
// once, on the page answering the form: it is never stored in clear, not
// even in the session's flash.
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	return s.makeToken(w, r, true)
}

// accountTokenCreate makes an API token for the signed-in user.
func (s *Server) accountTokenCreate(w http.ResponseWriter, r *http.Request) error {
	return s.makeToken(w, r, false)
}

func (s *Server) makeToken(w http.ResponseWriter, r *http.Request, admin bool) error {
	if s.tokens == nil {
		return errPageNotFound
	}
	st := state(r)
	username := st.user.Username
	if admin {
		username = strings.TrimSpace(r.PostFormValue("username"))
	}
	token, msg := "", ""
	ttl, err := time.ParseDuration(r.PostFormValue("expires"))
	if err != nil || ttl < 0 {
		msg = fmt.Sprintf("Expires after %q is not a duration like 720h.", r.PostFormValue("expires"))
	} else {
		t, created, err := s.tokens.Create(r.Context(), username, r.PostFormValue("label"), st.user.Username, ttl)
		switch {
		case errors.Is(err, auth.ErrInvalid):
			msg = accountMessage(err)
		case err != nil:
			return err
		default:
			token = t
			if err := s.adminAudit(r, eventAPITokenCreated, username, created.Label); err != nil {
				return err
			}
		}
	}
	status := http.StatusOK
	if msg != "" {
		status = http.StatusUnprocessableEntity
	}
	return s.renderTokens(w, r, admin, status, token, msg)
}

// renderTokens answers a token form with the page it came from.
func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, admin bool, status int, token, msg string) error {
	if !admin {
		return s.renderAccountTokens(w, r, status, token, msg)
	}
	v, err := s.tokensView(w, r, true, "API tokens")
	if err != nil {
		return err
	}
	v.NewToken, v.Error = token, msg
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, status, templates.APITokensPage(v), nil)
}
