package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/web/templates"
)

// tokenList is the admin page of every user's API tokens.
func (s *Server) tokenList(w http.ResponseWriter, r *http.Request) error {
	v, err := s.tokensView(w, r, true, "API tokens")
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, templates.APITokensPage(v), nil)
}

// tokensView lists everyone's tokens for the admin page, or the user's own
// for the account page.
func (s *Server) tokensView(w http.ResponseWriter, r *http.Request, admin bool, title string) (templates.APITokensView, error) {
	v := templates.APITokensView{Admin: admin, Tokens: []templates.APITokenRow{}}
	if title != "" {
		b, err := s.base(w, r, title, "")
		if err != nil {
			return v, err
		}
		v.Base = b
	}
	if s.tokens == nil {
		return v, nil
	}
	var user int64
	if !admin {
		user = state(r).user.ID
	}
	list, err := s.tokens.List(r.Context(), user)
	if err != nil {
		return v, err
	}
	for _, t := range list {
		v.Tokens = append(v.Tokens, templates.APITokenRow{User: t.Username, Label: t.Label, CreatedBy: t.CreatedBy,
			Created: t.CreatedAt, LastUsed: t.LastUsedAt, Expires: t.ExpiresAt})
	}
	return v, nil
}
